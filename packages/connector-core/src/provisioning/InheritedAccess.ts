import type { FivetranClientShape, FivetranError, MembershipApi, Team } from "@baton-fivetran/fivetran-client"
import { Chunk, Effect, Option, Stream } from "effect"

/**
 * Which teams give a user an entitlement (docs/architecture.md §2: every member of a team holding
 * it gets a derived grant). Asked by a revoke only, while it removes the direct membership or when
 * it finds none to remove; a grant does not ask. Fivetran has no "teams of a user" endpoint: the
 * teams are listed page by page and, for each, whether it holds the entitlement is checked first
 * (free for account roles, which the team list carries; one GET for a group or connection) and
 * only then whether the user is a member (one GET). Costs one request per page of teams plus at
 * most two per team, `concurrency` teams at a time (the `--concurrency` setting): in an account
 * with hundreds of teams the scan is most of a revoke's time.
 */

/** The team scan's teams at a time when the caller sets none. */
export const DefaultTeamScanConcurrency = 4

/** Does this team hold the entitlement? */
export type TeamHolds = (team: Team) => Effect.Effect<boolean, FivetranError>

const absentIsFalse = (effect: Effect.Effect<boolean, FivetranError>) => Effect.catchTag(effect, "NotFound", () => Effect.succeed(false))

export const holdsAccountRole = (role: string): TeamHolds => (team) => Effect.succeed(team.role === role)

/** The team's membership of a group or connection has exactly this role. */
export const holdsMembership = (api: MembershipApi, target: string, role: string): TeamHolds => (team) =>
  absentIsFalse(Effect.map(api.get(team.id, target), (found) => found.role === role))

export const teamsGiving = (
  client: FivetranClientShape,
  userId: string,
  holds: TeamHolds,
  concurrency: number
): Effect.Effect<ReadonlyArray<string>, FivetranError> =>
  client.listTeams.pipe(
    Stream.mapEffect(
      (team) =>
        holds(team).pipe(
          Effect.flatMap((held) => held ? absentIsFalse(Effect.as(client.getTeamUser(team.id, userId), true)) : Effect.succeed(false)),
          Effect.map((gives) => (gives ? Option.some(team.id) : Option.none()))
        ),
      { concurrency }
    ),
    Stream.filterMap((teamId) => teamId),
    Stream.runCollect,
    Effect.map(Chunk.toReadonlyArray)
  )
