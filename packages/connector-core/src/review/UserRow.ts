import { Schema } from "effect"
import type { Grant, Resource } from "../model/Baton.js"
import { RoleResourceType } from "../resources/Role.js"
import { accessPaths } from "./AccessPath.js"
import { PrincipalColumns, principalCells, principalFields, type SheetSync, SyncColumns, syncCells, syncFields } from "./ReviewRow.js"

/**
 * One line of the users sheet: every user of a sync once, access or not, with what a review of the
 * accounts themselves checks (status, last login, human or service account), the account role it
 * holds directly and how many lines of the access-review sheet are its (`access_paths`; 0: it holds
 * nothing). The access sheet has a line per path only, so a user who held nothing (an invitation
 * never accepted, a suspended leaver) was on no sheet: "who is disabled, who never signed in" could
 * not be answered from a download. Every field is text, as the access sheet's. Its users are the
 * sync's user rows: a damaged or another writer's file that grants to a user it has no row of puts
 * that user on the access sheet (at its end) and not here.
 */
export const UserRow = Schema.Struct({
  ...principalFields(),
  account_role: Schema.String,
  access_paths: Schema.String,
  ...syncFields()
}).annotations({ identifier: "UserRow" })
export type UserRow = typeof UserRow.Type

/** The columns in sheet order (the CSV header); the sync's last, as on the access sheet. */
export const UserColumns = [...PrincipalColumns, "account_role", "access_paths", ...SyncColumns] as const satisfies ReadonlyArray<
  keyof UserRow
>

/** What a user's grants add up to on the users sheet, counted as they stream by. */
export interface UserTally {
  /** Its lines on the access-review sheet: one per grant and path. */
  readonly accessPaths: number
  /** The account role it holds directly (`role:R:assigned`), "" when none. */
  readonly accountRole: string
}

export const emptyTally: UserTally = { accessPaths: 0, accountRole: "" }

/** `tally` with one more of the user's grants. */
export const tallied = (tally: UserTally, grant: Grant): UserTally => {
  const paths = accessPaths(grant)
  const direct = grant.entitlement.resource.id.resourceType === RoleResourceType.id && paths.some((path) => path.via === "direct")
  return {
    accessPaths: tally.accessPaths + paths.length,
    accountRole: direct ? grant.entitlement.resource.id.resource : tally.accountRole
  }
}

export const userRow = (user: Resource, tally: UserTally, sync: SheetSync): UserRow => ({
  ...principalCells(user),
  account_role: tally.accountRole,
  access_paths: String(tally.accessPaths),
  ...syncCells(sync)
})
