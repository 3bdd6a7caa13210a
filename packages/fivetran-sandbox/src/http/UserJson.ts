import { User } from "@baton-fivetran/fivetran-client"
import { Schema } from "effect"

/**
 * User bodies for the user lists, encoded through the client's `User` schema once per stored user
 * object rather than once per request: a large account's group user lists repeat every account-role
 * holder in every group, millions of rows. The state replaces a user object on every write, so a
 * cache keyed by object identity can never serve a stale body. The role is spliced in per row
 * (a group's user list shows the group role), between the fields before and after it. The parts are
 * kept as UTF-8 bytes: a page is then one copy of them, where building it as a string and encoding
 * that cost most of the sandbox's CPU in a large sync.
 */
interface EncodedUser {
  /** `{"id":...,...,"role":` */
  readonly beforeRole: Uint8Array
  /** `,"logged_in_at":...}` */
  readonly afterRole: Uint8Array
}

/** A JSON value as pieces of UTF-8 to be written one after the other. */
export type JsonPieces = readonly [Uint8Array, ...Array<Uint8Array>]

const encodeUser = Schema.encodeSync(User)
const encoded = new WeakMap<User, EncodedUser>()
/** `null` and each role name as JSON: an account has a few dozen roles. */
const roleJson = new Map<string | null, Uint8Array>()

const member = ([key, value]: readonly [string, unknown]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`

const encodeParts = (user: User): EncodedUser => {
  // JSON.stringify leaves out undefined members; so do these parts.
  const members = Object.entries(encodeUser(user)).filter(([, value]) => value !== undefined)
  const at = members.findIndex(([key]) => key === "role")
  return {
    beforeRole: Buffer.from(`{${members.slice(0, at).map((m) => `${member(m)},`).join("")}"role":`),
    afterRole: Buffer.from(`${members.slice(at + 1).map((m) => `,${member(m)}`).join("")}}`)
  }
}

/** The user's JSON with `role` in place of its account role; the same bytes as `JSON.stringify`. */
export const userJson = (user: User, role: string | null): JsonPieces => {
  let parts = encoded.get(user)
  if (parts === undefined) {
    parts = encodeParts(user)
    encoded.set(user, parts)
  }
  let roleBytes = roleJson.get(role)
  if (roleBytes === undefined) {
    roleBytes = Buffer.from(JSON.stringify(role))
    roleJson.set(role, roleBytes)
  }
  return [parts.beforeRole, roleBytes, parts.afterRole]
}
