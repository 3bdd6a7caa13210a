import type { AccountSnapshot, SandboxShape } from "@baton-fivetran/fivetran-sandbox"
import { Effect, Ref } from "effect"

/**
 * An account whose connector key can be revoked in the middle of a run, as a Fivetran administrator
 * revokes one: the sandbox has no call that revokes a key, but a user key goes with its user. For the
 * credential-rotation tests of both apps (docs/deploy.md, "Rotating credentials").
 */

export interface RevocableAccount {
  readonly snapshot: AccountSnapshot
  /** The user whose key the run uses; deleting it revokes the key. */
  readonly holder: string
  readonly userKey: { readonly _tag: "UserKey"; readonly key: string; readonly secret: string; readonly user_id: string }
  /** The account's system key, which stays valid: the key rotated to. */
  readonly systemKey: Extract<AccountSnapshot["credentials"][number], { readonly _tag: "SystemKey" }>
}

/** `account` with its second user made an Account Administrator holding the user key `key`/`secret`. */
export const revocableAccount = (account: AccountSnapshot, key: string, secret: string): RevocableAccount => {
  const holder = account.users[1]!.id
  const userKey = { _tag: "UserKey" as const, key, secret, user_id: holder }
  const systemKey = account.credentials.find((credential) => credential._tag === "SystemKey")
  if (systemKey?._tag !== "SystemKey") throw new Error("the account has no system key")
  return {
    snapshot: {
      ...account,
      users: account.users.map((user) => user.id === holder ? { ...user, role: "Account Administrator" } : user),
      credentials: [...account.credentials, userKey]
    },
    holder,
    userKey,
    systemKey
  }
}

/**
 * Deletes the key's holder (with the system key, over the sandbox's API) the first time a run sends
 * `GET path`, before the sandbox answers it: that request, and every one after, meets the revoked key.
 * Succeeds with the DELETE's status once made (undefined until then).
 */
export const revokeAt = (sandbox: SandboxShape, account: RevocableAccount, path: string) =>
  Effect.gen(function*() {
    const revocation = yield* Ref.make<number | undefined>(undefined)
    const basic = Buffer.from(`${account.systemKey.key}:${account.systemKey.secret}`).toString("base64")
    const revoke = Effect.promise(() =>
      fetch(`${sandbox.baseUrl}/v1/users/${account.holder}`, { method: "DELETE", headers: { authorization: `Basic ${basic}` } })
        .then((response) => response.status)
    )
    yield* sandbox.setRequestHook(({ method, path: requested }) =>
      method !== "GET" || requested !== path
        ? Effect.void
        : Effect.flatMap(
          Ref.get(revocation),
          (done) => done === undefined ? Effect.flatMap(revoke, (status) => Ref.set(revocation, status)) : Effect.void
        )
    )
    return Ref.get(revocation)
  })
