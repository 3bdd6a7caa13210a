import { Schema } from "effect"
import type { Grant } from "../model/Baton.js"
import { TeamMemberSlug } from "../resources/Team.js"

/**
 * How a principal holds a grant: in its own right, or through membership of a team that holds
 * the entitlement (docs/architecture.md §2 grant expansion). A grant held both ways has one path of each.
 */
export const AccessPath = Schema.Struct({
  via: Schema.Literal("direct", "team"),
  /** The team's id, for `via: "team"`. */
  team: Schema.optional(Schema.String)
}).annotations({ identifier: "AccessPath" })
export type AccessPath = typeof AccessPath.Type

export const DirectPath: AccessPath = { via: "direct" }

const teamMemberSuffix = `:${TeamMemberSlug}`

/** `team:T:member` -> T; the ids of team sources are built by `teamMemberEntitlementId`. */
const sourceTeam = (sourceEntitlementId: string): string | undefined =>
  sourceEntitlementId.startsWith("team:") && sourceEntitlementId.endsWith(teamMemberSuffix)
    ? sourceEntitlementId.slice("team:".length, -teamMemberSuffix.length)
    : undefined

/**
 * The paths of a grant, direct first, then the teams in id order. A grant without sources is
 * direct; one whose sources name its own entitlement is direct too, besides the teams.
 */
export const accessPaths = (grant: Grant): ReadonlyArray<AccessPath> => {
  if (grant.sources === undefined) return [DirectPath]
  const own = grant.entitlement.id
  const teams = Object.keys(grant.sources)
    .filter((id) => id !== own)
    .flatMap((id) => {
      const team = sourceTeam(id)
      return team === undefined ? [] : [team]
    })
    .sort()
  const direct = own in grant.sources || teams.length === 0
  return [...(direct ? [DirectPath] : []), ...teams.map((team): AccessPath => ({ via: "team", team }))]
}

/** `direct` or `team:<id>`, the form the CLI and the export print. */
export const pathText = (path: AccessPath): string => path.via === "direct" ? "direct" : `team:${path.team ?? ""}`

/** Two grants reach their principal the same ways. */
export const samePaths = (a: ReadonlyArray<AccessPath>, b: ReadonlyArray<AccessPath>): boolean =>
  a.length === b.length && a.every((path, i) => pathText(path) === pathText(b[i]!))
