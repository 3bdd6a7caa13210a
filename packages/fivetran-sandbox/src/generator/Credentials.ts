import type { AccountSnapshot, Credential, Permission } from "../state/AccountSnapshot.js"
import { IdAllocator } from "./IdAllocator.js"
import { Prng, seedFromString } from "./Prng.js"

export type UserKey = Extract<Credential, { readonly _tag: "UserKey" }>
export type SystemKey = Extract<Credential, { readonly _tag: "SystemKey" }>

/** MANAGE on every resource type the sandbox checks: a system key that may do anything. */
export const fullAccessPermissions: ReadonlyArray<Permission> = (
  ["ACCOUNT", "USER", "ROLES", "TEAM", "DESTINATION", "CONNECTOR"] as const
).map((resource_type) => ({ resource_type, access_level: "MANAGE" as const }))

/** Key and secret strings drawn from the generator's stream: fake, but shaped like real ones. */
export const keyMaterial = (prng: Prng): { readonly key: string; readonly secret: string } => ({
  key: `sandbox_key_${prng.hex(16)}`,
  secret: prng.hex(32)
})

export const makeUserKey = (prng: Prng, user_id: string): UserKey => ({
  _tag: "UserKey",
  ...keyMaterial(prng),
  user_id
})

export const makeSystemKey = (
  prng: Prng,
  system_key_id: string,
  permissions: ReadonlyArray<Permission>
): SystemKey => ({
  _tag: "SystemKey",
  ...keyMaterial(prng),
  system_key_id,
  permissions
})

const entityIds = (snapshot: AccountSnapshot): Array<string> => [
  snapshot.account.account_id,
  ...snapshot.users.map((user) => user.id),
  ...snapshot.groups.map((group) => group.id),
  ...snapshot.teams.map((team) => team.id),
  ...snapshot.connections.map((connection) => connection.id),
  ...snapshot.credentials.flatMap((credential) => (credential._tag === "SystemKey" ? [credential.system_key_id] : []))
]

/**
 * Adds a system key with the given permissions (e.g. everything but TEAM, to test a 403 path).
 * Deterministic: the key derives from the account id, how many credentials exist and the
 * permission list, so the same call on the same snapshot gives the same key.
 */
export const addSystemKey = (
  snapshot: AccountSnapshot,
  permissions: ReadonlyArray<Permission>
): { readonly snapshot: AccountSnapshot; readonly credential: SystemKey } => {
  const prng = new Prng(
    seedFromString(`${snapshot.account.account_id}|${snapshot.credentials.length}|${JSON.stringify(permissions)}`)
  )
  const credential = makeSystemKey(prng, new IdAllocator(prng, entityIds(snapshot)).next(), permissions)
  return { snapshot: { ...snapshot, credentials: [...snapshot.credentials, credential] }, credential }
}
