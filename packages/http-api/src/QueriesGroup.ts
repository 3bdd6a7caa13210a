import { Entitlement, Grant, Resource, ResourceId } from "@baton-fivetran/connector-core"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { Authentication } from "./Authentication.js"
import { NotFoundBody, StorageUnavailableBody } from "./Errors.js"
import { EntitlementRef, PrincipalRef, PrincipalType, ResourceRef, ResourceTypeName } from "./Ids.js"
import { page, paging } from "./Paging.js"
import { queryParameters, takes } from "./Parameters.js"

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

/**
 * What a resource search looks for. Blank is refused, not read as "everything": a blank search box
 * sent as `q=` would otherwise page through the whole sync as if each resource matched.
 */
export const SearchText = Schema.String.pipe(
  Schema.filter((text) => text.trim() !== ""),
  Schema.annotations({
    ...takes("a part of a name, email or id, not blank (leave q out to list every resource)"),
    // Documented, or a client generated from the document sends `q=` for an empty search box and meets a 400.
    jsonSchema: { pattern: "\\S" }
  })
)

/** A connection's destination (`group:<id>`) and how many users and teams hold its roles, each once. */
export const DestinationHolders = Schema.Struct({
  /** `group:<id>`: its holders are `GET /v1/export?resource=group:<id>`. */
  id: Schema.String,
  /** Its display name; "" when it has none. */
  name: Schema.String,
  holders: Schema.Int
}).annotations({ identifier: "DestinationHolders" })

/**
 * One resource of the latest sync and who holds it: enough for a view of it without reading its
 * sheet, nor its destination's (a second whole export of a large account).
 */
export const ResourceDetails = Schema.Struct({
  sync_id: Schema.String,
  /** As `GET /v1/resources` lists it: its id, display name and parent (`parentResourceId`) among the rest. */
  resource: Resource,
  /** The parent's display name; null without a parent, or when the parent has no name or is not in the sync. */
  parent_name: Schema.NullOr(Schema.String),
  /** Users and teams holding any of its entitlements, each once however many paths (0 for a user: users hold, they are not held). */
  holders: Schema.Int,
  /** A connection's destination, whose roles cascade to its connections; null for any other resource. */
  destination: Schema.NullOr(DestinationHolders)
}).annotations({ identifier: "ResourceDetails" })
export type ResourceDetails = typeof ResourceDetails.Type

export class QueriesGroup extends HttpApiGroup.make("queries")
  .add(
    HttpApiEndpoint.get("resources", "/v1/resources")
      .setUrlParams(queryParameters({
        type: Schema.optional(ResourceTypeName),
        parent: Schema.optional(ResourceRef),
        q: Schema.optional(SearchText).annotations({
          description: "Only resources whose `type:id`, display name or (a user's) email contains this text, in any case; " +
            "surrounding spaces are ignored, blank is a 400"
        }),
        ...paging
      }))
      .addSuccess(ResourcePage)
      .annotate(
        OpenApi.Description,
        "Resources of the latest finished sync, in pages, by id (`type:id`, as `baton-fivetran resources` lists them); " +
          "`type` is a registered resource type, " +
          "`parent` is `type:id` (a parent the sync does not hold is a 404), `q` searches the ids, names and emails " +
          "server-side. A search page holds up to `page_size` matches; a page token continues after the last."
      )
  )
  .add(
    HttpApiEndpoint.get("resourceDetails", "/v1/resources/:type/:id")
      .setPath(Schema.Struct({ type: ResourceTypeName, id: Schema.String }))
      .addSuccess(ResourceDetails)
      .annotate(
        OpenApi.Description,
        "One resource of the latest finished sync (`type` a registered resource type, `id` URL-encoded: role names " +
          "have spaces), its parent's name, and how many users and teams hold any of its entitlements, each once; for a " +
          "connection also its destination with its holders' count (a destination's roles cascade to its connections). " +
          "The counts are those of `GET /v1/account-roles` and of the notes after `baton-fivetran access --resource`. " +
          "An id the sync does not hold is a 404."
      )
  )
  .add(
    HttpApiEndpoint.get("entitlements", "/v1/entitlements")
      .setUrlParams(queryParameters({ resource: Schema.optional(ResourceRef), ...paging }))
      .addSuccess(EntitlementPage)
      .annotate(
        OpenApi.Description,
        "Entitlements of the latest finished sync, in pages, by id (as `baton-fivetran entitlements` lists them); " +
          "`resource` is `type:id` (one the sync does not hold is a 404)."
      )
  )
  .add(
    HttpApiEndpoint.get("grants", "/v1/grants")
      .setUrlParams(
        queryParameters({ entitlement: Schema.optional(EntitlementRef), principal: Schema.optional(PrincipalRef), ...paging })
      )
      .addSuccess(GrantPage)
      .annotate(
        OpenApi.Description,
        "Grants of the latest finished sync, in pages, in `baton-fivetran grants`' order: by grant id; with `principal`, " +
          "by entitlement id (as its access lists them); with `entitlement`, by principal. `entitlement` is an entitlement id (`type:id:slug`), " +
          "`principal` is `user:<id>` or `team:<id>`. A grant reached through a team names it in `sources`. " +
          "A filter naming what the sync does not hold is a 404."
      )
  )
  .add(
    HttpApiEndpoint.get("access", "/v1/principals/:type/:id/access")
      .setPath(Schema.Struct({ type: PrincipalType, id: Schema.String }))
      .addSuccess(PrincipalAccess)
      .annotate(
        OpenApi.Description,
        "Everything one user or team holds, direct and inherited through teams, by entitlement id (as " +
          "`baton-fivetran access user:<id>` and `grants --principal` list it)."
      )
  )
  .addError(NotFoundBody)
  .addError(StorageUnavailableBody)
  .middleware(Authentication)
  .annotate(OpenApi.Title, "Queries over the latest finished sync")
{}
