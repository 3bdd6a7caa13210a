import { Console, Effect, Layer, Option } from "effect"
import { defaultSeed, generatePreset, type PresetName } from "./generator/Presets.js"
import { isSnapshotInputError, readSnapshot } from "./generator/SnapshotFile.js"
import { Sandbox } from "./Sandbox.js"
import type { Flags } from "./SandboxFlags.js"
import type { AccountSnapshot, Credential } from "./state/AccountSnapshot.js"
import { faultsText, rateLimitText } from "./TrafficFlags.js"
import { UsageError } from "./UsageError.js"

/**
 * What `fivetran-sandbox` does once its flags are good: the account generated or read, served,
 * announced. Loaded by the command only then (SandboxCommand.ts), with all of the server.
 */

/** Adds the given key as a user key of the first Account Administrator. */
const withGivenKey = (snapshot: AccountSnapshot, key: string, secret: string) => {
  const admin = snapshot.users.find((user) => user.role === "Account Administrator")
  if (admin === undefined) {
    return Effect.fail(new UsageError({ reason: "The account has no Account Administrator to own --api-key" }))
  }
  const credential: Credential = { _tag: "UserKey", key, secret, user_id: admin.id }
  return Effect.succeed({
    ...snapshot,
    credentials: [credential, ...snapshot.credentials.filter((c) => c.key !== key)]
  })
}

const describe = (credential: Credential) =>
  credential._tag === "UserKey"
    ? `user key    ${credential.key}:${credential.secret}  (acts as user ${credential.user_id})`
    : `system key  ${credential.key}:${credential.secret}  (${credential.system_key_id}; ${
      credential.permissions.map((p) => `${p.resource_type}:${p.access_level}`).join(", ")
    })`

const loadAccount = (flags: Flags) =>
  Effect.gen(function*() {
    const loaded = Option.isSome(flags.state)
      ? yield* readSnapshot(flags.state.value).pipe(
        // A file that is missing, not a file, not JSON or not an account is bad usage (the bin's exit 2), as in baton-fivetran.
        Effect.catchIf(isSnapshotInputError, (error) => Effect.fail(new UsageError({ reason: error.message })))
      )
      : generatePreset(Option.getOrElse(flags.preset, (): PresetName => "small"), Option.getOrElse(flags.seed, () => defaultSeed))
    return Option.isSome(flags.apiKey) && Option.isSome(flags.apiSecret)
      ? yield* withGivenKey(loaded, flags.apiKey.value, flags.apiSecret.value)
      : loaded
  })

/** Loads or generates the account, serves it and prints the base URL and the accepted credentials; runs until interrupted. */
export const serve = (flags: Flags) =>
  Effect.gen(function*() {
    const snapshot = yield* loadAccount(flags)
    const announce = Effect.gen(function*() {
      const sandbox = yield* Sandbox
      yield* Console.log(`Fivetran sandbox listening on ${sandbox.baseUrl}`)
      for (const faults of Option.toArray(faultsText(flags.traffic.faults))) yield* Console.log(`Faults: ${faults}`)
      for (const rateLimit of Option.toArray(rateLimitText(flags.traffic.rateLimit))) yield* Console.log(`Rate limit: ${rateLimit}`)
      yield* Console.log(
        `Account ${snapshot.account.account_name} (${snapshot.account.account_id}): ${snapshot.users.length} users, ` +
          `${snapshot.groups.length} groups, ${snapshot.teams.length} teams, ${snapshot.connections.length} connections`
      )
      yield* Console.log("Accepted credentials (HTTP Basic key:secret; sandbox-only, not real Fivetran keys):")
      for (const credential of snapshot.credentials) yield* Console.log(`  ${describe(credential)}`)
    })
    return yield* Layer.launch(
      Layer.effectDiscard(announce).pipe(
        Layer.provideMerge(
          Sandbox.layer({
            snapshot,
            port: Option.getOrElse(flags.port, () => 8080),
            host: Option.getOrElse(flags.host, () => "127.0.0.1"),
            ...Option.match(flags.seed, { onNone: () => ({}), onSome: (seed) => ({ seed }) }),
            faults: flags.traffic.faults,
            rateLimit: flags.traffic.rateLimit
          })
        )
      )
    )
  })
