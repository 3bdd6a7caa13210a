import { Schema } from "effect"

const Count = Schema.Int.pipe(Schema.nonNegative())
const Share = Schema.Number.pipe(Schema.between(0, 1))

/** An inclusive range of counts, drawn uniformly per owner (e.g. groups per user). */
export const CountRange = Schema.Struct({ min: Count, max: Count }).pipe(
  Schema.filter((range) => range.min <= range.max || `min (${range.min}) must not exceed max (${range.max})`)
)
export type CountRange = typeof CountRange.Type

/**
 * What to generate. Counts are exact; ranges are drawn per owner and capped by what exists
 * (a user cannot join more groups than there are); shares are of all users and rounded.
 * Decode untrusted input (CLI flags, files) through this schema; `generate` trusts its argument.
 */
export const GeneratorOptions = Schema.Struct({
  /** Everything is derived from this: the same seed and sizes give the same account, byte for byte. */
  seed: Schema.Int.pipe(Schema.between(0, 0xffffffff)),
  /** At least one: the first user is the active Account Administrator that owns the user key. */
  users: Schema.Int.pipe(Schema.greaterThanOrEqualTo(1)),
  groups: Count,
  teams: Count,
  connections: Count,
  /** Custom roles, their scopes cycling ACCOUNT, DESTINATION, CONNECTOR. */
  customRoles: Count,
  groupsPerUser: CountRange,
  connectionsPerUser: CountRange,
  usersPerTeam: CountRange,
  groupsPerTeam: CountRange,
  connectionsPerTeam: CountRange,
  /** Pending invitations: invited, not verified, never logged in. */
  invitedShare: Share,
  /** Suspended users (`active: false`). */
  suspendedShare: Share,
  /** `user_type: SERVICE_ACCOUNT`. */
  serviceAccountShare: Share,
  /** Users with `role: null`: they reach the account only through memberships. */
  noAccountRoleShare: Share,
  /** Chance that a group or connection membership uses a deprecated role name. */
  deprecatedRoleShare: Share
}).pipe(
  Schema.filter((options) =>
    options.invitedShare + options.suspendedShare + options.serviceAccountShare <= 1 ||
    "invitedShare + suspendedShare + serviceAccountShare must not exceed 1"
  ),
  Schema.filter((options) => options.connections === 0 || options.groups > 0 || "connections need at least one group to belong to")
)
export type GeneratorOptions = typeof GeneratorOptions.Type
