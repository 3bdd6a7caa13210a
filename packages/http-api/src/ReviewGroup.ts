import { DiffRow } from "@baton-fivetran/connector-core"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { flow, Schema } from "effect"
import { Authentication } from "./Authentication.js"
import { NotFoundBody, StorageUnavailableBody, TooManyExportsBody } from "./Errors.js"
import { EntitlementRef, PrincipalRef, PrincipalType, ResourceRef, SyncId, SyncIdPath } from "./Ids.js"
import { paging } from "./Paging.js"
import { queryParameters, takes, wholeNumber } from "./Parameters.js"
import { responseHeaders } from "./ResponseHeaders.js"

/** Access review: the diff of two syncs, the review sheet, and a search for its principals. */

export const DiffPage = Schema.Struct({
  /** The newer sync (the path's) and the older one (`base`). */
  sync_id: Schema.String,
  base_sync_id: Schema.String,
  /** Each entry with the two .c1z syncs it compares (`old_sync_id`, `old_synced_at`, `new_sync_id`, `new_synced_at`), as the CLI's diff rows. */
  items: Schema.Array(DiffRow),
  next_page_token: Schema.NullOr(Schema.String),
  reversed: Schema.Boolean.annotations({
    description: "True when `base` finished after this sync (the two given the other way round): every change reads " +
      "backwards, a grant made since as removed; ask again with them swapped"
  })
}).annotations({ identifier: "DiffPage" })
export type DiffPage = typeof DiffPage.Type

export const ExportFormat = Schema.Literal("csv", "jsonl").annotations(takes("csv or jsonl"))

/**
 * The platform documents one content type per status, the success schema's; the export answers in
 * the one `format` asks for, so its 200 lists both.
 */
const withBothSheetTypes = (sheet: string) => (operation: Record<string, unknown>): Record<string, unknown> => ({
  ...operation,
  responses: {
    ...(typeof operation.responses === "object" ? operation.responses : {}),
    200: {
      description: `${sheet}: CSV (format=csv, the default) or JSON lines (format=jsonl)`,
      content: {
        "text/csv": { schema: { type: "string" } },
        "application/x-ndjson": { schema: { type: "string" } }
      }
    }
  }
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

/** An account role held in the sync, and by how many users and teams (each once, directly or through a team). */
export const AccountRoleHolders = Schema.Struct({
  /** `role:<name>`: its holders are `GET /v1/export?resource=role:<name>`. */
  id: Schema.String,
  name: Schema.String,
  holders: Schema.Int
}).annotations({ identifier: "AccountRoleHolders" })

export const AccountRoles = Schema.Struct({
  sync_id: Schema.String,
  items: Schema.Array(AccountRoleHolders)
}).annotations({ identifier: "AccountRoles" })
export type AccountRoles = typeof AccountRoles.Type

export class ReviewGroup extends HttpApiGroup.make("review")
  .add(
    HttpApiEndpoint.get("diff", "/v1/syncs/:id/diff")
      .setPath(SyncIdPath)
      .setUrlParams(queryParameters({ base: SyncId.annotations({ description: "The older sync to compare with" }), ...paging }))
      .addSuccess(DiffPage)
      .addError(NotFoundBody)
      .annotate(
        OpenApi.Description,
        "What changed from sync `base` to this one: resources, entitlements and grants added or removed, resources " +
          "whose name, status, email or account type changed (each with its `previous_` value, only when it changed; " +
          "an added or removed user with its status, email and account type), and grants " +
          "whose paths changed; resources first, then entitlements, then grants, each in id order. Derived grants carry " +
          "their team in `paths`; a grant's `principal_status` is its user's status (`enabled`, `disabled`, `invited`) in " +
          "the sync it comes from, this one's, `base`'s for a removed grant (\"\" for a team): a suspended or invited user " +
          "cannot use what it gained. Every item ends with the two syncs' .c1z ids and ends (`old_sync_id`, " +
          "`old_synced_at` of `base`, `new_sync_id`, `new_synced_at` of this one; the .c1z's sync ids, which export's rows " +
          "carry too, not the job ids): items kept as evidence name the syncs they compare. Same content as `baton-fivetran diff`."
      )
  )
  .add(
    HttpApiEndpoint.get("export", "/v1/export")
      .setUrlParams(queryParameters({
        format: Schema.optional(ExportFormat).annotations({ description: "csv (default, RFC 4180) or jsonl" }),
        principal: Schema.optional(PrincipalRef).annotations({ description: "Only this user's or team's rows" }),
        entitlement: Schema.optional(EntitlementRef).annotations({ description: "Only this entitlement's holders" }),
        resource: Schema.optional(ResourceRef).annotations({
          description: "Only the holders of this resource's entitlements (a group, connection, role or team): the sheet for " +
            "its owner, by entitlement id, then principal. Give at most one of principal, entitlement and resource"
        })
      }))
      .addSuccess(Schema.String.pipe(HttpApiSchema.withEncoding({ kind: "Text", contentType: "text/csv" })))
      .addError(NotFoundBody)
      .addError(TooManyExportsBody)
      .annotate(
        OpenApi.Transform,
        flow(withBothSheetTypes("The access-review sheet"), responseHeaders({ 200: ["Content-Disposition"], 429: ["Retry-After"] }))
      )
      .annotate(
        OpenApi.Description,
        "The access-review sheet of the latest sync, streamed: one row per principal, entitlement and path (direct or " +
          "via a team) with principal name, email, status and last login, in a stable order. `text/csv` with a header " +
          "row, or JSON lines (`application/x-ndjson`) of objects with the same keys. Same rows as `baton-fivetran export`. " +
          "At most --max-concurrent-exports (default 4) are streamed at once, each until its last row is sent or its " +
          "client hangs up; past that, 429 TooManyExports at once, with Retry-After."
      )
  )
  .add(
    HttpApiEndpoint.get("exportUsers", "/v1/export/users")
      .setUrlParams(queryParameters({
        format: Schema.optional(ExportFormat).annotations({ description: "csv (default, RFC 4180) or jsonl" })
      }))
      .addSuccess(Schema.String.pipe(HttpApiSchema.withEncoding({ kind: "Text", contentType: "text/csv" })))
      .addError(NotFoundBody)
      .addError(TooManyExportsBody)
      .annotate(
        OpenApi.Transform,
        flow(withBothSheetTypes("The users sheet"), responseHeaders({ 200: ["Content-Disposition"], 429: ["Retry-After"] }))
      )
      .annotate(
        OpenApi.Description,
        "The users sheet of the latest sync, streamed: one row per user by id, users holding nothing included, with " +
          "name, email, status (enabled, disabled, invited), last login, account type (human, service), the account " +
          "role held directly and `access_paths`, the user's rows on the access-review sheet (0: it holds nothing). " +
          "Same rows as `baton-fivetran export --sheet users`. Shares the export's --max-concurrent-exports."
      )
  )
  .add(
    HttpApiEndpoint.get("searchPrincipals", "/v1/principals")
      .setUrlParams(queryParameters({
        q: Schema.optional(Schema.String.annotations(takes("a part of a name, email or id"))).annotations({
          description: "Part of a name, email or id (any case); empty lists all"
        }),
        limit: Schema.optional(wholeNumber(1, 100)).annotations({ description: "1..100, default 20" })
      }))
      .addSuccess(Schema.Struct({ sync_id: Schema.String, items: Schema.Array(PrincipalMatch) }))
      .addError(NotFoundBody)
      .annotate(OpenApi.Description, "Users, then teams, of the latest sync whose name, email or id contains `q`, by id.")
  )
  .add(
    HttpApiEndpoint.get("accountRoles", "/v1/account-roles")
      .addSuccess(AccountRoles)
      .addError(NotFoundBody)
      .annotate(
        OpenApi.Description,
        "The account roles of the latest sync that someone holds, by id, each with how many users and teams hold it. " +
          "Fivetran's roles cascade from the account down: an account role reaches every destination and its connections " +
          "as far as its permissions go (Account Administrator all of them, Destination Creator those its holder " +
          "created, a custom role by its permissions), which the sync does not hold, so a destination's or " +
          "connection's sheet (`/v1/export?resource=`) has no rows for them: this is the list to show beside it, each " +
          "role's holders being `/v1/export?resource=role:<name>`. Same roles and counts as the note after " +
          "`baton-fivetran access --resource group:<id>`."
      )
  )
  .addError(StorageUnavailableBody)
  .middleware(Authentication)
  .annotate(OpenApi.Title, "Access review")
{}
