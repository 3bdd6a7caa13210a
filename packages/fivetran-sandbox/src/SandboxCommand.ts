import { Console, Data, Effect, Either, Layer, ParseResult, Schema } from "effect"
import { defaultSeed, generatePreset, PresetName } from "./generator/Presets.js"
import { readSnapshot } from "./generator/SnapshotFile.js"
import { DEFAULT_HOURLY_LIMIT, DEFAULT_RATE_WINDOW_SECONDS, Sandbox } from "./Sandbox.js"
import type { AccountSnapshot, Credential } from "./state/AccountSnapshot.js"

export const USAGE = `Usage: fivetran-sandbox [--port 8080] [--host 127.0.0.1]
                        [--preset small|medium|large | --state account.json] [--seed N]
                        [--api-key KEY --api-secret SECRET]
                        [--hourly-limit N] [--rate-window-seconds S]

Serves an in-memory Fivetran REST API. --preset generates an account (default: small);
--state loads one written by the generator. --seed seeds the preset and the ids of entities
created through the API. --api-key/--api-secret add a user key for the first Account
Administrator next to the account's own keys. Every accepted credential is printed.
--hourly-limit (default 20000) is the request budget per rolling window of
--rate-window-seconds (default 3600); a short window shows rate limiting in seconds.`

export class UsageError extends Data.TaggedError("UsageError")<{ readonly detail: string }> {
  override get message() {
    return `${this.detail}\n\n${USAGE}`
  }
}

const Flags = Schema.Struct({
  port: Schema.optionalWith(Schema.NumberFromString.pipe(Schema.int(), Schema.between(0, 65535)), {
    default: () => 8080
  }),
  host: Schema.optionalWith(Schema.NonEmptyString, { default: () => "127.0.0.1" }),
  preset: Schema.optional(PresetName),
  state: Schema.optional(Schema.NonEmptyString),
  seed: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.between(0, 0xffffffff))),
  "api-key": Schema.optional(Schema.NonEmptyString),
  "api-secret": Schema.optional(Schema.NonEmptyString),
  "hourly-limit": Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 10_000_000))),
  "rate-window-seconds": Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 86_400)))
})
type Flags = typeof Flags.Type

/** `--name value` or `--name=value` pairs, decoded by the Flags schema (unknown flags refused). */
const parseFlags = (argv: ReadonlyArray<string>): Either.Either<Flags, UsageError> => {
  const pairs: Record<string, string> = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg)
    if (match === null) return Either.left(new UsageError({ detail: `Unexpected argument '${arg}'` }))
    const value = match[2] ?? argv[++i]
    if (value === undefined) return Either.left(new UsageError({ detail: `--${match[1]} needs a value` }))
    pairs[match[1]!] = value
  }
  return Schema.decodeUnknownEither(Flags, { onExcessProperty: "error" })(pairs).pipe(
    Either.mapLeft((error) => {
      const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
      return new UsageError({ detail: `--${String(issue?.path[0] ?? "?")}: ${issue?.message ?? "invalid"}` })
    }),
    Either.filterOrLeft(
      (flags) => flags.preset === undefined || flags.state === undefined,
      () => new UsageError({ detail: "Give either --preset or --state, not both" })
    ),
    Either.filterOrLeft(
      (flags) => (flags["api-key"] === undefined) === (flags["api-secret"] === undefined),
      () => new UsageError({ detail: "--api-key and --api-secret go together" })
    )
  )
}

/** Adds the given key as a user key of the first Account Administrator. */
const withGivenKey = (snapshot: AccountSnapshot, flags: Flags): Either.Either<AccountSnapshot, UsageError> => {
  const key = flags["api-key"]
  const secret = flags["api-secret"]
  if (key === undefined || secret === undefined) return Either.right(snapshot)
  const admin = snapshot.users.find((user) => user.role === "Account Administrator")
  if (admin === undefined) {
    return Either.left(new UsageError({ detail: "The account has no Account Administrator to own --api-key" }))
  }
  const credential: Credential = { _tag: "UserKey", key, secret, user_id: admin.id }
  return Either.right({
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

/**
 * Parses `argv` (without node and script), loads or generates the account, serves it and prints
 * the base URL and the accepted credentials; runs until interrupted.
 */
export const serveSandbox = (argv: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const flags = yield* parseFlags(argv)
    const loaded = flags.state === undefined
      ? generatePreset(flags.preset ?? "small", flags.seed ?? defaultSeed)
      : yield* readSnapshot(flags.state)
    const snapshot = yield* withGivenKey(loaded, flags)
    const announce = Effect.gen(function*() {
      const sandbox = yield* Sandbox
      yield* Console.log(`Fivetran sandbox listening on ${sandbox.baseUrl}`)
      if (flags["hourly-limit"] !== undefined || flags["rate-window-seconds"] !== undefined) {
        yield* Console.log(
          `Rate limit: ${flags["hourly-limit"] ?? DEFAULT_HOURLY_LIMIT} requests per ${
            flags["rate-window-seconds"] ?? DEFAULT_RATE_WINDOW_SECONDS
          } s rolling window`
        )
      }
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
            port: flags.port,
            host: flags.host,
            ...(flags.seed === undefined ? {} : { seed: flags.seed }),
            rateLimit: {
              ...(flags["hourly-limit"] === undefined ? {} : { hourly: flags["hourly-limit"] }),
              ...(flags["rate-window-seconds"] === undefined ? {} : { windowSeconds: flags["rate-window-seconds"] })
            }
          })
        )
      )
    )
  })
