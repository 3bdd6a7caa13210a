import { Grant, Resource, ResourceId } from "@baton-fivetran/connector-core"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { Authentication } from "./Authentication.js"
import { ProvisioningRefusalBody } from "./Errors.js"
import { PrincipalType } from "./Ids.js"
import { ProvisioningEnabled } from "./ProvisioningEnabled.js"
import { EntitlementIdShape, FivetranIdShape, GrantIdShape } from "./ProvisioningIds.js"
import { responseHeaders } from "./ResponseHeaders.js"

/**
 * What the document says a field takes on the wire: Effect documents a transformation such as
 * Trim, and a filter, by its input alone (any string), so a client generated from the document
 * sent `" "` for a name or `"x"` for an email and met a 400 it could not have checked for.
 */
const onTheWire = (pattern: string, description: string) => ({ jsonSchema: { type: "string", pattern, description } })

const NonEmpty = Schema.Trim.pipe(Schema.nonEmptyString({ message: () => "must not be empty" })).annotations(
  onTheWire("\\S", "Text with a character other than whitespace; the whitespace around it is trimmed")
)

/**
 * Ids are taken as given, not trimmed: the grant of `"U "` went to user `U` while its revoke and a
 * delete refused the same id; provisioning now refuses a padded id everywhere (InvalidId, 400).
 */
const NonEmptyId = Schema.String.pipe(Schema.nonEmptyString({ message: () => "must not be empty" }))

/**
 * The document says which ids provisioning takes (ProvisioningIds.ts); the service checks them
 * itself, answering a malformed one 400 `InvalidId` with what is wrong, as the CLI does.
 */
const idOfShape = (schema: Schema.Schema<string>, shape: { readonly pattern: string; readonly description: string }) =>
  schema.annotations(onTheWire(shape.pattern, shape.description))

/**
 * A field these requests do not have is refused, as their OpenAPI schema says
 * (`additionalProperties: false`): ignored, `"dry_run": true` made the change and `"user_type"`
 * invited a person instead of creating a service account.
 */
const onlyKnownFields = { parseOptions: { onExcessProperty: "error" } } as const

export const GrantRequest = Schema.Struct({
  entitlement_id: idOfShape(NonEmptyId, EntitlementIdShape),
  principal: Schema.Struct({ type: PrincipalType, id: idOfShape(NonEmptyId, FivetranIdShape) }).annotations(onlyKnownFields)
}).annotations(onlyKnownFields)

/** The outcome in words, as the CLI prints it for the same action (connector-core's OutcomeText.ts). */
const OutcomeMessage = Schema.String.annotations({
  description: "What the request did, in the words `baton-fivetran -p` prints for the same action; `status` is what to act on"
})

export const GrantCreated = Schema.Struct({
  status: Schema.Literal("granted"),
  message: OutcomeMessage,
  grants: Schema.Array(Grant),
  replaced_role: Schema.optional(Schema.String).annotations({
    description: "The role the principal held in that container before, which this grant replaced (one role per member)"
  })
}).annotations(HttpApiSchema.annotations({ status: 201 }))

export const GrantAlreadyExists = Schema.Struct({
  status: Schema.Literal("already_exists"),
  message: OutcomeMessage,
  grants: Schema.Array(Grant)
})

export const RevokeResult = Schema.Struct({
  grant_id: Schema.String,
  status: Schema.Literal("revoked", "already_revoked"),
  message: OutcomeMessage,
  still_held_through: Schema.optional(Schema.Array(Schema.String)).annotations({
    description: "The user still holds the entitlement through these team grants (ids), with no direct grant left: " +
      "revoke them, or remove the user from the team, to end the access"
  }),
  also_revoked: Schema.optional(Schema.Array(Schema.String)).annotations({
    description: "Other grants (ids) the same removal ended: a team role and the team membership are one membership " +
      "in Fivetran, so revoking `team:T:Team Manager` also ends `team:T:member`, and the reverse"
  }),
  held_instead: Schema.optional(Schema.String).annotations({
    description: "`already_revoked` only: the grant (id) the principal holds in that container instead, with another " +
      "role (changed since the sync); the revoke leaves it in place"
  }),
  detail: Schema.optional(Schema.String).annotations({
    description: "Why there was nothing direct to revoke, when there is more to say: the principal no longer exists, " +
      "holds another role there (`held_instead`), or holds the entitlement only through teams"
  })
})

export const AccountRequest = Schema.Struct({
  email: Schema.Trim.pipe(
    Schema.pattern(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, { message: () => "must be an email address" })
  ).annotations(
    onTheWire("^\\s*[^\\s@]+@[^\\s@]+\\.[^\\s@]+\\s*$", "An email address; the whitespace around it is trimmed")
  ),
  given_name: NonEmpty,
  family_name: NonEmpty,
  // Refused padded, as the CLI refuses it, rather than trimmed: role names are compared as given.
  role: Schema.optional(
    Schema.String.pipe(Schema.filter((role) => role !== "" && role.trim() === role, {
      message: () => "expected non-empty text without spaces around it"
    })).annotations(onTheWire("^\\S([\\s\\S]*\\S)?$", "A role name, without whitespace around it"))
  ),
  phone: Schema.optional(NonEmpty)
}).annotations(onlyKnownFields)

export const AccountCreated = Schema.Struct({
  status: Schema.Literal("created"),
  message: OutcomeMessage,
  resource: Resource
}).annotations(HttpApiSchema.annotations({ status: 201 }))

/** Its `message` says when the user found is disabled in Fivetran, which the status alone read as an invitation done. */
export const AccountAlreadyExists = Schema.Struct({
  status: Schema.Literal("already_exists"),
  message: OutcomeMessage,
  resource: Resource
})

export const DeleteResult = Schema.Struct({
  resource: ResourceId,
  status: Schema.Literal("deleted", "does_not_exist"),
  message: OutcomeMessage
})

/** A 429 `RateLimited` says when to send the request again. */
const rateLimitedHeaders = responseHeaders({ 429: ["Retry-After"] })

export class ProvisioningGroup extends HttpApiGroup.make("provisioning")
  .add(
    HttpApiEndpoint.post("grant", "/v1/grants")
      .setPayload(GrantRequest)
      .addSuccess(GrantCreated)
      .addSuccess(GrantAlreadyExists)
      .annotate(
        OpenApi.Description,
        "Grants an entitlement to a user or team: 201 `granted` with the grants as the next sync will list them " +
          "(`replaced_role` when it changed the principal's role in that container), 200 `already_exists` when held."
      )
      .annotate(OpenApi.Transform, rateLimitedHeaders)
  )
  .add(
    HttpApiEndpoint.del("revoke", "/v1/grants/:grant_id")
      .setPath(Schema.Struct({ grant_id: idOfShape(Schema.String, GrantIdShape) }))
      .addSuccess(RevokeResult)
      .annotate(
        OpenApi.Description,
        "Revokes a grant (URL-encode the id): 200 `revoked`, or 200 `already_revoked` when nothing is held directly, " +
          "so a retry is safe. `still_held_through` names the team grants through which the user still holds it."
      )
      .annotate(OpenApi.Transform, rateLimitedHeaders)
  )
  .add(
    HttpApiEndpoint.post("createAccount", "/v1/accounts")
      .setPayload(AccountRequest)
      .addSuccess(AccountCreated)
      .addSuccess(AccountAlreadyExists)
      .annotate(
        OpenApi.Description,
        "Invites a user (Fivetran emails the invitation): 201 `created`, 200 `already_exists` for an email in the " +
          "account (409 `Conflict` when that user lacks the asked `role`)."
      )
      .annotate(OpenApi.Transform, rateLimitedHeaders)
  )
  .add(
    HttpApiEndpoint.del("deleteResource", "/v1/resources/:type/:id")
      .setPath(Schema.Struct({ type: Schema.String, id: idOfShape(Schema.String, FivetranIdShape) }))
      .addSuccess(DeleteResult)
      .annotate(OpenApi.Description, "Deletes a user (no other type): 200 `deleted`, or 200 `does_not_exist`.")
      .annotate(OpenApi.Transform, rateLimitedHeaders)
  )
  .addError(ProvisioningRefusalBody)
  // Declared before Authentication, so it runs after it: a caller without a token learns nothing of the settings.
  .middleware(ProvisioningEnabled)
  .middleware(Authentication)
  .annotate(OpenApi.Title, "Provisioning (only with --provisioning)")
{}
