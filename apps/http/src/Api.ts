import {
  ConnectorCapabilitiesJson,
  DiffEntry,
  Entitlement,
  Grant,
  Resource,
  ResourceId,
  SyncProgress,
  SyncSummary
} from "@baton-fivetran/connector-core"
import {
  HttpApi,
  HttpApiEndpoint,
  HttpApiGroup,
  HttpApiMiddleware,
  HttpApiSchema,
  HttpApiSecurity,
  OpenApi
} from "@effect/platform"
import { Schema } from "effect"
import { Field, kindErrorBody, taggedErrorBody, withoutPlatformDecodeError } from "./ErrorBody.js"

/**
 * The HTTP contract of the service: every endpoint, its inputs, its answers and its errors. The
 * server implements it (Http.ts) and any workspace app can derive a typed client from it with
 * `HttpApiClient.make(BatonApi, { baseUrl })`. The OpenAPI document is generated from it.
 */

// ---------------------------------------------------------------------------------------------
// Errors. Every error body is `{ "error": <code>, "message": ..., "field"?: ... }` (ErrorBody.ts):
// each class below is what the service fails with, each `...Body` is its wire form, declared below.

const message = { message: Schema.String }

export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", message) {}
export const UnauthorizedBody = taggedErrorBody(Unauthorized, "Unauthorized", message, {
  status: 401,
  description: "Missing or wrong bearer token"
})

const invalidRequest = { message: Schema.String, field: Field }
export class InvalidRequest extends Schema.TaggedError<InvalidRequest>()("InvalidRequest", invalidRequest) {}
export const InvalidRequestBody = taggedErrorBody(InvalidRequest, "InvalidRequest", invalidRequest, {
  status: 400,
  description: "A parameter or the body is malformed; `field` names it (`body` for the body as a whole)"
})

export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", message) {}
export const NotFoundBody = taggedErrorBody(NotFound, "NotFound", message, {
  status: 404,
  description: "No such job, file, sync or principal; or no such endpoint"
})

const syncInProgress = { message: Schema.String, job_id: Schema.String }
export class SyncInProgress extends Schema.TaggedError<SyncInProgress>()("SyncInProgress", syncInProgress) {}
export const SyncInProgressBody = taggedErrorBody(SyncInProgress, "SyncInProgress", syncInProgress, {
  status: 409,
  description: "Only one sync runs at a time; `job_id` is the running one"
})

const payloadTooLarge = { message: Schema.String, limit_bytes: Schema.Number }
export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()("PayloadTooLarge", payloadTooLarge) {}
export const PayloadTooLargeBody = taggedErrorBody(PayloadTooLarge, "PayloadTooLarge", payloadTooLarge, {
  status: 413
})

export class UnsupportedMediaType extends Schema.TaggedError<UnsupportedMediaType>()("UnsupportedMediaType", message) {}
export const UnsupportedMediaTypeBody = taggedErrorBody(UnsupportedMediaType, "UnsupportedMediaType", message, {
  status: 415,
  description: "A request body that is not `content-type: application/json`"
})

export class NotReady extends Schema.TaggedError<NotReady>()("NotReady", message) {}
export const NotReadyBody = taggedErrorBody(NotReady, "NotReady", message, {
  status: 503,
  description: "Fivetran cannot be reached with the configured key"
})

/** A bug in the service, never the caller's input; the message says so and the log has the details. */
export class InternalError extends Schema.TaggedError<InternalError>()("InternalError", message) {}
export const InternalErrorBody = taggedErrorBody(InternalError, "InternalError", message, { status: 500 })

/** connector-core's ProvisioningError kinds, grouped by the status they answer with. */
const badRequestKinds = ["InvalidId", "InvalidInput"] as const
const forbiddenKinds = ["ProvisioningDisabled", "MissingPermission"] as const
const notFoundKinds = ["UnknownEntitlement", "UnknownPrincipal", "NotFound"] as const
const conflictKinds = ["InheritedGrant"] as const
const unprocessableKinds = ["UnknownRole", "WrongScope", "NotGrantable", "Unsupported"] as const
const upstreamKinds = ["Upstream"] as const

export const ProvisioningErrorKind = Schema.Literal(
  ...badRequestKinds,
  ...forbiddenKinds,
  ...notFoundKinds,
  ...conflictKinds,
  ...unprocessableKinds,
  ...upstreamKinds
)
export type ProvisioningErrorKind = typeof ProvisioningErrorKind.Type

const refusal = <Kinds extends ReadonlyArray<string>>(kinds: Kinds) => ({
  kind: Schema.Literal(...kinds),
  message: Schema.String
})

/** 400: the id or the input cannot be understood (InvalidId, InvalidInput). */
export class ProvisioningBadRequest
  extends Schema.TaggedError<ProvisioningBadRequest>()("ProvisioningBadRequest", refusal(badRequestKinds))
{}
export const ProvisioningBadRequestBody = kindErrorBody(ProvisioningBadRequest, "ProvisioningBadRequest", badRequestKinds, {
  status: 400
})

/** 403: provisioning is switched off, or the Fivetran key lacks a permission. */
export class ProvisioningForbidden
  extends Schema.TaggedError<ProvisioningForbidden>()("ProvisioningForbidden", refusal(forbiddenKinds))
{}
export const ProvisioningForbiddenBody = kindErrorBody(ProvisioningForbidden, "ProvisioningForbidden", forbiddenKinds, {
  status: 403
})

/** 404: the entitlement, the principal or the target does not exist. */
export class ProvisioningNotFound
  extends Schema.TaggedError<ProvisioningNotFound>()("ProvisioningNotFound", refusal(notFoundKinds))
{}
export const ProvisioningNotFoundBody = kindErrorBody(ProvisioningNotFound, "ProvisioningNotFound", notFoundKinds, {
  status: 404
})

/** 409: the grant is inherited through a team and can only be revoked there. */
export class ProvisioningConflict
  extends Schema.TaggedError<ProvisioningConflict>()("ProvisioningConflict", refusal(conflictKinds))
{}
export const ProvisioningConflictBody = kindErrorBody(ProvisioningConflict, "ProvisioningConflict", conflictKinds, {
  status: 409
})

/** 422: well-formed but not allowed (unknown role, wrong scope, not grantable, unsupported). */
export class ProvisioningUnprocessable
  extends Schema.TaggedError<ProvisioningUnprocessable>()("ProvisioningUnprocessable", refusal(unprocessableKinds))
{}
export const ProvisioningUnprocessableBody = kindErrorBody(
  ProvisioningUnprocessable,
  "ProvisioningUnprocessable",
  unprocessableKinds,
  { status: 422 }
)

/** 502: Fivetran failed while carrying the request out. */
export class UpstreamFailed extends Schema.TaggedError<UpstreamFailed>()("UpstreamFailed", refusal(upstreamKinds)) {}
export const UpstreamFailedBody = kindErrorBody(UpstreamFailed, "UpstreamFailed", upstreamKinds, { status: 502 })

// ---------------------------------------------------------------------------------------------
// Authentication: `Authorization: Bearer <token>` on every endpoint except /healthz.

export class Authentication extends HttpApiMiddleware.Tag<Authentication>()("baton-http/Authentication", {
  failure: UnauthorizedBody,
  security: { bearer: HttpApiSecurity.bearer }
}) {}

// ---------------------------------------------------------------------------------------------
// Shared shapes.

/** Job ids are generated by the service; the pattern keeps them safe as file names. */
export const SyncId = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9-]{1,64}$/),
  Schema.annotations({ identifier: "SyncId", description: "A sync job id, e.g. 20261128T171500Z-3f9a" })
)

export const SyncStatus = Schema.Literal("queued", "running", "succeeded", "failed", "cancelled")
export type SyncStatus = typeof SyncStatus.Type

export const SyncJob = Schema.Struct({
  id: SyncId,
  status: SyncStatus,
  created_at: Schema.String,
  started_at: Schema.NullOr(Schema.String),
  finished_at: Schema.NullOr(Schema.String),
  sync_connections: Schema.Boolean,
  progress: Schema.NullOr(SyncProgress),
  summary: Schema.NullOr(SyncSummary),
  error: Schema.NullOr(Schema.String),
  /** Size of the kept `.c1z`, or null when there is none (not finished, failed, or pruned). */
  file_bytes: Schema.NullOr(Schema.Number)
}).annotations({ identifier: "SyncJob" })
export type SyncJob = typeof SyncJob.Type

/**
 * The resource types a sync can hold (design.md §1; connector-core's `resourceTypes` with
 * connections, pinned equal by a test). A filter naming another type is a 400, not an empty page.
 */
const resourceTypeNames = ["user", "role", "group", "team", "connection"] as const
const typeAlternatives = resourceTypeNames.join("|")
const typeList = resourceTypeNames.join(", ")

/** One message naming the choices, rather than one "Expected ..." issue per literal. */
export const ResourceTypeName = Schema.Literal(...resourceTypeNames).annotations({
  identifier: "ResourceType",
  message: () => ({ message: `must be one of ${typeList}`, override: true })
})

/** `type:id`, e.g. `user:abc123` or `team:xyz`; the id is everything after the first `:`. */
export const ResourceRef = Schema.String.pipe(
  Schema.pattern(new RegExp(`^(${typeAlternatives}):.+$`), {
    message: () => `expected <resource type>:<resource id> with a type of ${typeList}, e.g. user:abc123`
  }),
  Schema.annotations({ identifier: "ResourceRef", description: "`<resource type>:<resource id>`" })
)

/** `type:id:slug` (design.md §2), e.g. `team:xyz:member`. */
export const EntitlementRef = Schema.String.pipe(
  Schema.pattern(new RegExp(`^(${typeAlternatives}):.+:.+$`), {
    message: () => `expected an entitlement id <resource type>:<resource id>:<slug> with a type of ${typeList}, e.g. team:xyz:member`
  }),
  Schema.annotations({ identifier: "EntitlementRef", description: "`<resource type>:<resource id>:<slug>`" })
)

const PageSize = Schema.NumberFromString.pipe(
  Schema.int(),
  Schema.between(1, 1000, { message: () => "page_size must be an integer from 1 to 1000" })
)

const paging = {
  page_size: Schema.optional(PageSize).annotations({ description: "1..1000, default 100" }),
  page_token: Schema.optional(Schema.String).annotations({ description: "`next_page_token` of the previous page" })
}

const page = <A, I, R>(item: Schema.Schema<A, I, R>, identifier: string) =>
  Schema.Struct({
    /** The finished sync the page was read from. */
    sync_id: Schema.String,
    items: Schema.Array(item),
    /** Pass as `page_token` for the next page; null on the last page. */
    next_page_token: Schema.NullOr(Schema.String)
  }).annotations({ identifier })

export const ResourcePage = page(Resource, "ResourcePage")
export const EntitlementPage = page(Entitlement, "EntitlementPage")
export const GrantPage = page(Grant, "GrantPage")

/** Where an inherited grant comes from: the team entitlement whose holders receive it. */
export const AccessSource = Schema.Struct({
  entitlement_id: Schema.String,
  resource: ResourceId
})

export const AccessEntry = Schema.Struct({
  grant: Grant,
  /** Held in its own right (and revocable), not only through a team. */
  direct: Schema.Boolean,
  /** The team entitlements it is inherited through; empty for a grant held only directly. */
  sources: Schema.Array(AccessSource)
})
export type AccessEntry = typeof AccessEntry.Type

export const PrincipalAccess = Schema.Struct({
  sync_id: Schema.String,
  principal: Resource,
  grants: Schema.Array(AccessEntry)
}).annotations({ identifier: "PrincipalAccess" })
export type PrincipalAccess = typeof PrincipalAccess.Type

const NonEmpty = Schema.Trim.pipe(Schema.nonEmptyString({ message: () => "must not be empty" }))

export const PrincipalType = Schema.Literal("user", "team")

export const GrantRequest = Schema.Struct({
  entitlement_id: NonEmpty,
  principal: Schema.Struct({ type: PrincipalType, id: NonEmpty })
})

export const GrantCreated = Schema.Struct({
  status: Schema.Literal("granted"),
  grants: Schema.Array(Grant)
}).annotations(HttpApiSchema.annotations({ status: 201 }))

export const GrantAlreadyExists = Schema.Struct({
  status: Schema.Literal("already_exists"),
  grants: Schema.Array(Grant)
})

export const RevokeResult = Schema.Struct({
  grant_id: Schema.String,
  status: Schema.Literal("revoked", "already_revoked")
})

export const AccountRequest = Schema.Struct({
  email: Schema.Trim.pipe(
    Schema.pattern(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, { message: () => "must be an email address" })
  ),
  given_name: NonEmpty,
  family_name: NonEmpty,
  role: Schema.optional(NonEmpty),
  phone: Schema.optional(NonEmpty)
})

export const AccountCreated = Schema.Struct({
  status: Schema.Literal("created"),
  resource: Resource
}).annotations(HttpApiSchema.annotations({ status: 201 }))

export const AccountAlreadyExists = Schema.Struct({
  status: Schema.Literal("already_exists"),
  resource: Resource
})

export const DeleteResult = Schema.Struct({
  resource: ResourceId,
  status: Schema.Literal("deleted", "does_not_exist")
})

export const Ready = Schema.Struct({
  status: Schema.Literal("ready"),
  account_id: Schema.String,
  account_name: Schema.String
})


// ---------------------------------------------------------------------------------------------
// Groups.

const SyncIdPath = Schema.Struct({ id: SyncId })

export class HealthGroup extends HttpApiGroup.make("health")
  .add(
    HttpApiEndpoint.get("healthz", "/healthz")
      .addSuccess(Schema.Struct({ status: Schema.Literal("ok") }))
      .annotate(OpenApi.Description, "The process is up. The only endpoint without authentication.")
  )
  .annotate(OpenApi.Title, "Health")
{}

export class ServiceGroup extends HttpApiGroup.make("service")
  .add(
    HttpApiEndpoint.get("readyz", "/readyz")
      .addSuccess(Ready)
      .addError(NotReadyBody)
      .annotate(OpenApi.Description, "Fivetran answers GET /v1/account/info with the configured key.")
  )
  .add(
    HttpApiEndpoint.get("capabilities", "/v1/capabilities")
      .addSuccess(ConnectorCapabilitiesJson)
      .annotate(OpenApi.Description, "Resource types and what the connector can sync and provision for each.")
  )
  .middleware(Authentication)
  .annotate(OpenApi.Title, "Service")
{}

export class SyncsGroup extends HttpApiGroup.make("syncs")
  .add(
    HttpApiEndpoint.post("start", "/v1/syncs")
      .addSuccess(SyncJob, { status: 202 })
      .addError(SyncInProgressBody)
      .annotate(OpenApi.Description, "Starts a sync. One runs at a time: while one runs, the answer is 409 with its id.")
  )
  .add(
    HttpApiEndpoint.get("list", "/v1/syncs")
      .addSuccess(Schema.Struct({ items: Schema.Array(SyncJob) }))
      .annotate(OpenApi.Description, "Known sync jobs, newest first.")
  )
  .add(HttpApiEndpoint.get("get", "/v1/syncs/:id").setPath(SyncIdPath).addSuccess(SyncJob).addError(NotFoundBody))
  .add(
    HttpApiEndpoint.post("cancel", "/v1/syncs/:id/cancel")
      .setPath(SyncIdPath)
      .addSuccess(SyncJob)
      .addError(NotFoundBody)
      .annotate(OpenApi.Description, "Cancels a queued or running sync (no file is kept); a finished job is returned as is.")
  )
  .add(
    HttpApiEndpoint.get("file", "/v1/syncs/:id/file")
      .setPath(SyncIdPath)
      .addSuccess(HttpApiSchema.Uint8Array({ contentType: "application/octet-stream" }))
      .addError(NotFoundBody)
      .annotate(OpenApi.Description, "The sync's `.c1z` file, streamed.")
  )
  .middleware(Authentication)
  .annotate(OpenApi.Title, "Sync jobs")
{}

export class QueriesGroup extends HttpApiGroup.make("queries")
  .add(
    HttpApiEndpoint.get("resources", "/v1/resources")
      .setUrlParams(Schema.Struct({ type: Schema.optional(ResourceTypeName), parent: Schema.optional(ResourceRef), ...paging }))
      .addSuccess(ResourcePage)
  )
  .add(
    HttpApiEndpoint.get("entitlements", "/v1/entitlements")
      .setUrlParams(Schema.Struct({ resource: Schema.optional(ResourceRef), ...paging }))
      .addSuccess(EntitlementPage)
  )
  .add(
    HttpApiEndpoint.get("grants", "/v1/grants")
      .setUrlParams(
        Schema.Struct({ entitlement: Schema.optional(EntitlementRef), principal: Schema.optional(ResourceRef), ...paging })
      )
      .addSuccess(GrantPage)
  )
  .add(
    HttpApiEndpoint.get("access", "/v1/principals/:type/:id/access")
      .setPath(Schema.Struct({ type: PrincipalType, id: Schema.String }))
      .addSuccess(PrincipalAccess)
      .annotate(OpenApi.Description, "Everything one user or team holds, direct and inherited through teams.")
  )
  .addError(NotFoundBody)
  .middleware(Authentication)
  .annotate(OpenApi.Title, "Queries over the latest finished sync")
{}

export class ProvisioningGroup extends HttpApiGroup.make("provisioning")
  .add(
    HttpApiEndpoint.post("grant", "/v1/grants")
      .setPayload(GrantRequest)
      .addSuccess(GrantCreated)
      .addSuccess(GrantAlreadyExists)
  )
  .add(
    HttpApiEndpoint.del("revoke", "/v1/grants/:grant_id")
      .setPath(Schema.Struct({ grant_id: Schema.String }))
      .addSuccess(RevokeResult)
  )
  .add(
    HttpApiEndpoint.post("createAccount", "/v1/accounts")
      .setPayload(AccountRequest)
      .addSuccess(AccountCreated)
      .addSuccess(AccountAlreadyExists)
  )
  .add(
    HttpApiEndpoint.del("deleteResource", "/v1/resources/:type/:id")
      .setPath(Schema.Struct({ type: Schema.String, id: Schema.String }))
      .addSuccess(DeleteResult)
  )
  .addError(ProvisioningBadRequestBody)
  .addError(ProvisioningForbiddenBody)
  .addError(ProvisioningNotFoundBody)
  .addError(ProvisioningConflictBody)
  .addError(ProvisioningUnprocessableBody)
  .addError(UpstreamFailedBody)
  .middleware(Authentication)
  .annotate(OpenApi.Title, "Provisioning (only with --provisioning)")
{}

// ---------------------------------------------------------------------------------------------
// Access review: the diff of two syncs, the review sheet, and a search for its principals.

export const DiffPage = Schema.Struct({
  /** The newer sync (the path's) and the older one (`base`). */
  sync_id: Schema.String,
  base_sync_id: Schema.String,
  items: Schema.Array(DiffEntry),
  next_page_token: Schema.NullOr(Schema.String)
}).annotations({ identifier: "DiffPage" })
export type DiffPage = typeof DiffPage.Type

export const ExportFormat = Schema.Literal("csv", "jsonl").annotations({
  message: () => ({ message: "must be csv or jsonl", override: true })
})

export const PrincipalMatch = Schema.Struct({
  /** `user:<id>` or `team:<id>`. */
  id: Schema.String,
  type: PrincipalType,
  name: Schema.String,
  email: Schema.String,
  /** enabled, disabled or invited for users; "" for teams. */
  status: Schema.String
}).annotations({ identifier: "PrincipalMatch" })
export type PrincipalMatch = typeof PrincipalMatch.Type

const SearchLimit = Schema.NumberFromString.pipe(
  Schema.int(),
  Schema.between(1, 100, { message: () => "limit must be an integer from 1 to 100" })
)

export class ReviewGroup extends HttpApiGroup.make("review")
  .add(
    HttpApiEndpoint.get("diff", "/v1/syncs/:id/diff")
      .setPath(SyncIdPath)
      .setUrlParams(Schema.Struct({ base: SyncId.annotations({ description: "The older sync to compare with" }), ...paging }))
      .addSuccess(DiffPage)
      .addError(NotFoundBody)
      .annotate(
        OpenApi.Description,
        "What changed from sync `base` to this one: resources, entitlements and grants added or removed, and grants " +
          "whose paths changed; resources first, then entitlements, then grants, each in id order. Derived grants carry " +
          "their team in `paths`. Same content as `baton-fivetran diff`."
      )
  )
  .add(
    HttpApiEndpoint.get("export", "/v1/export")
      .setUrlParams(Schema.Struct({
        format: Schema.optional(ExportFormat).annotations({ description: "csv (default, RFC 4180) or jsonl" }),
        principal: Schema.optional(ResourceRef).annotations({ description: "Only this user's or team's rows" }),
        entitlement: Schema.optional(EntitlementRef).annotations({ description: "Only this entitlement's holders" })
      }))
      .addSuccess(Schema.String.pipe(HttpApiSchema.withEncoding({ kind: "Text", contentType: "text/csv" })))
      .addError(NotFoundBody)
      .annotate(
        OpenApi.Description,
        "The access-review sheet of the latest sync, streamed: one row per principal, entitlement and path (direct or " +
          "via a team) with principal name, email, status and last login, in a stable order. `text/csv` with a header " +
          "row, or JSON lines (`application/x-ndjson`) of objects with the same keys. Same rows as `baton-fivetran export`."
      )
  )
  .add(
    HttpApiEndpoint.get("searchPrincipals", "/v1/principals")
      .setUrlParams(Schema.Struct({
        q: Schema.optional(Schema.String).annotations({ description: "Part of a name, email or id (any case); empty lists all" }),
        limit: Schema.optional(SearchLimit).annotations({ description: "1..100, default 20" })
      }))
      .addSuccess(Schema.Struct({ sync_id: Schema.String, items: Schema.Array(PrincipalMatch) }))
      .addError(NotFoundBody)
      .annotate(OpenApi.Description, "Users, then teams, of the latest sync whose name, email or id contains `q`, by id.")
  )
  .middleware(Authentication)
  .annotate(OpenApi.Title, "Access review")
{}

export class BatonApi extends HttpApi.make("baton-fivetran")
  .add(HealthGroup)
  .add(ServiceGroup)
  .add(SyncsGroup)
  .add(QueriesGroup)
  .add(ProvisioningGroup)
  .add(ReviewGroup)
  .addError(InvalidRequestBody)
  .addError(PayloadTooLargeBody)
  .addError(UnsupportedMediaTypeBody)
  .addError(NotFoundBody)
  .addError(InternalErrorBody)
  .annotate(OpenApi.Title, "baton-fivetran")
  .annotate(OpenApi.Transform, withoutPlatformDecodeError)
  .annotate(
    OpenApi.Description,
    "Fivetran identity governance in the ConductorOne baton model: sync jobs producing .c1z files, queries over the latest sync, and provisioning."
  )
{}
