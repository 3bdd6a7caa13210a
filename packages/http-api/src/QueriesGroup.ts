import { Entitlement, Grant, Resource, ResourceId } from "@baton-fivetran/connector-core"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { Authentication } from "./Authentication.js"
import { NotFoundBody, StorageUnavailableBody } from "./Errors.js"
import { EntitlementRef, PrincipalRef, PrincipalType, ResourceRef, ResourceTypeName } from "./Ids.js"
import { page, paging } from "./Paging.js"
import { queryParameters } from "./Parameters.js"

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

export class QueriesGroup extends HttpApiGroup.make("queries")
  .add(
    HttpApiEndpoint.get("resources", "/v1/resources")
      .setUrlParams(queryParameters({ type: Schema.optional(ResourceTypeName), parent: Schema.optional(ResourceRef), ...paging }))
      .addSuccess(ResourcePage)
      .annotate(
        OpenApi.Description,
        "Resources of the latest finished sync, in pages; `type` is a registered resource type, `parent` is `type:id` " +
          "(a parent the sync does not hold is a 404)."
      )
  )
  .add(
    HttpApiEndpoint.get("entitlements", "/v1/entitlements")
      .setUrlParams(queryParameters({ resource: Schema.optional(ResourceRef), ...paging }))
      .addSuccess(EntitlementPage)
      .annotate(
        OpenApi.Description,
        "Entitlements of the latest finished sync, in pages; `resource` is `type:id` (one the sync does not hold is a 404)."
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
        "Grants of the latest finished sync, in pages; `entitlement` is an entitlement id (`type:id:slug`), " +
          "`principal` is `user:<id>` or `team:<id>`. A grant reached through a team names it in `sources`. " +
          "A filter naming what the sync does not hold is a 404."
      )
  )
  .add(
    HttpApiEndpoint.get("access", "/v1/principals/:type/:id/access")
      .setPath(Schema.Struct({ type: PrincipalType, id: Schema.String }))
      .addSuccess(PrincipalAccess)
      .annotate(OpenApi.Description, "Everything one user or team holds, direct and inherited through teams.")
  )
  .addError(NotFoundBody)
  .addError(StorageUnavailableBody)
  .middleware(Authentication)
  .annotate(OpenApi.Title, "Queries over the latest finished sync")
{}
