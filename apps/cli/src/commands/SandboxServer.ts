import {
  accountSource,
  type Credential,
  decodeTrafficFlags,
  defaultSeed,
  faultLines,
  generatePreset,
  howToMakeSnapshot,
  rateLimitText,
  SandboxHost,
  sandboxHostAccepted,
  SandboxPort,
  SandboxPreset,
  SandboxSeed,
  serve,
  type ServedAccount,
  type ServedSandbox,
  type ServeSettings,
  SnapshotPath,
  type TrafficFlagValues,
  wildcardLoopback,
  writeSnapshot
} from "@baton-fivetran/fivetran-sandbox"
import { isLoopback } from "@baton-fivetran/fivetran-client"
import { longestAtomicFileName } from "@baton-fivetran/settings"
import { Console, Effect, LogLevel, Option } from "effect"
import { setFlagsFromString } from "node:v8"
import { notice } from "../output/Notice.js"
import { interruptionNotice } from "../output/InterruptionNotice.js"
import { decodeFlag } from "../settings/FlagValue.js"
import { UsageError } from "../UsageError.js"
import { SandboxV8Flags } from "../V8Flags.js"
import { checkSyncTarget } from "./SyncTarget.js"

/**
 * `baton-fivetran sandbox`: serves the in-memory Fivetran API (on loopback, unless --host) for trying the CLI (or
 * the HTTP service, or curl) by hand, until SIGINT/SIGTERM, as `fivetran-sandbox` serves it
 * (its SandboxServe.ts); its own are the words of its refusals, its banner (its credentials are
 * generated test keys, printed so they can be used), the warning of a --host beyond loopback, its
 * V8 flags and its stop line.
 */

/** How this command makes a file --state reads. */
const howToSaveState = "write one with baton-fivetran sandbox --save-state file.json (of --preset and --seed) and edit it; " +
  "or serve a generated account with --preset instead"

/** The command's own flags, and the sandbox layer's fault and rate-limit flags (TrafficFlags.ts). */
export interface SandboxFlags extends TrafficFlagValues {
  readonly port: Option.Option<string>
  readonly host: Option.Option<string>
  readonly preset: Option.Option<string>
  readonly state: Option.Option<string>
  readonly seed: Option.Option<string>
}

/** The generated account's flags, as both serving and saving it read them. */
const presetOf = (flags: SandboxFlags) => decodeFlag("preset", SandboxPreset, "small, medium or large", flags.preset)
const seedOf = (flags: SandboxFlags) => decodeFlag("seed", SandboxSeed, "a whole number from 0 to 4294967295", flags.seed)

const settingsOf = (flags: SandboxFlags): Effect.Effect<ServeSettings, UsageError> =>
  Effect.gen(function*() {
    const preset = yield* presetOf(flags)
    const seed = yield* seedOf(flags)
    const state = yield* decodeFlag("state", SnapshotPath, "the path of a snapshot file", flags.state)
    if (Option.isSome(state) && (Option.isSome(preset) || Option.isSome(seed))) {
      return yield* new UsageError({ reason: "--state loads a saved account: it cannot be combined with --preset or --seed" })
    }
    const port = yield* decodeFlag("port", SandboxPort, "a port number from 0 to 65535", flags.port)
    const host = yield* decodeFlag("host", SandboxHost, sandboxHostAccepted, flags.host)
    const traffic = yield* decodeTrafficFlags(flags).pipe(Effect.mapError((refusal) => new UsageError({ reason: refusal.reason })))
    return {
      account: accountSource(preset, state, seed),
      port: Option.getOrElse(port, () => 0),
      host: Option.getOrElse(host, () => "127.0.0.1"),
      idSeed: Option.none(),
      givenKey: Option.none(),
      traffic
    }
  })

const credentialLine = (credential: Credential) =>
  credential._tag === "SystemKey"
    ? `  system key ${credential.system_key_id}: --api-key ${credential.key} --api-secret ${credential.secret}`
    : `  user key of ${credential.user_id}: --api-key ${credential.key} --api-secret ${credential.secret}`

const describe = (account: ServedAccount) => account._tag === "Preset" ? `"${account.preset}" preset, seed ${account.seed}` : account.path

/** After the URL, on a wildcard address: the URL is this machine's loopback one, and other machines reach it too. */
const boundNote = (host: string) =>
  wildcardLoopback(host) === undefined
    ? ""
    : ` (bound to ${host}, every address of this machine: from another machine, use one of its addresses)`

const banner = ({ host, traffic }: ServeSettings) => ({ account, baseUrl, snapshot }: ServedSandbox) => {
  const faults = faultLines(traffic.faults)
  return [
    `Fivetran sandbox (${describe(account)}) listening on ${baseUrl}${boundNote(host)}`,
    `  ${snapshot.users.length} users, ${snapshot.groups.length} groups, ${snapshot.teams.length} teams, ` +
    `${snapshot.connections.length} connections, ${snapshot.roles.length} roles`,
    ...(faults.length === 0 ? [] : ["  faults:", ...faults.map((line) => `    ${line}`)]),
    ...Option.toArray(rateLimitText(traffic.rateLimit)).map((text) => `  rate limit: ${text}`),
    ...snapshot.credentials.map(credentialLine),
    `Try: baton-fivetran --base-url ${baseUrl} --api-key <key> --api-secret <secret>`,
    "Stop with Ctrl-C."
  ]
}

/**
 * Its keys are no secret: generated from the preset and seed (the same on every run, and anyone can
 * print them with this command) or read from a snapshot file, and sent over plain HTTP.
 */
const beyondLoopbackWarning = ({ account, host }: ServeSettings) => {
  const keys = account._tag === "State"
    ? `its keys are those in ${account.path}`
    : "its keys are the same on every run of a preset and seed, and anyone can print them with baton-fivetran sandbox"
  const text = `--host ${host} serves the sandbox to other machines, and it has no authentication worth the name: ${keys}, ` +
    "and it speaks plain HTTP; leave --host at 127.0.0.1 unless another machine must reach it"
  return notice(LogLevel.Warning, `warning: ${text}`, { msg: "sandbox served beyond loopback", fields: { host } })
}

export const serveSandbox = (flags: SandboxFlags) =>
  Effect.flatMap(settingsOf(flags), (settings) =>
    serve(settings, {
      banner: banner(settings),
      // Read at every collection: from here on the server collects under V8's defaults (V8Flags.ts).
      beforeListen: Effect.sync(() => SandboxV8Flags.forEach((flag) => setFlagsFromString(flag))),
      onListening: isLoopback(settings.host) ? Effect.void : beyondLoopbackWarning(settings)
    }).pipe(
      // The sandbox's refusals (a --state file it cannot read, a busy port) as the CLI's own: exit 2,
      // a snapshot's way to be made said as this command makes one.
      Effect.catchTag(
        "UsageError",
        (refusal) => Effect.fail(new UsageError({ reason: refusal.reason.replace(howToMakeSnapshot, howToSaveState) }))
      ),
      // On stderr: stdout carries the banner only, for a script reading the URL and keys.
      Effect.onInterrupt(() => interruptionNotice(LogLevel.Info, "sandbox stopped", { msg: "sandbox stopped" }))
    ))

/**
 * `sandbox --save-state file.json`: the account --preset and --seed generate, written as a snapshot
 * (atomically, owner-only) instead of served: a start to edit (a user to disable, a team to
 * empty) and serve with --state. Nothing else is saved: faults and limits are flags of the serve.
 */
export const saveSandboxState = (flags: SandboxFlags, file: string) =>
  Effect.gen(function*() {
    if (Option.isSome(flags.state)) {
      return yield* new UsageError({
        reason: "--save-state writes a generated account: it cannot be combined with --state (copy that file instead)"
      })
    }
    const preset = Option.getOrElse(yield* presetOf(flags), () => "small" as const)
    const seed = Option.getOrElse(yield* seedOf(flags), () => defaultSeed)
    const path = Option.getOrElse(
      yield* decodeFlag("save-state", SnapshotPath, "the path of a snapshot file", Option.some(file)),
      () => file
    )
    // Checked as the sync's files are: a directory that exists and is writable, no directory or pipe at the path.
    yield* checkSyncTarget("save-state", path, {
      example: "account.json",
      longestName: longestAtomicFileName,
      writer: "the sandbox"
    })
    const snapshot = generatePreset(preset, seed)
    yield* writeSnapshot(path, snapshot).pipe(
      Effect.mapError((failure) => new UsageError({ reason: `--save-state ${path}: ${failure.message}` }))
    )
    yield* Console.log(
      `wrote ${path}: the "${preset}" preset, seed ${seed}: ${snapshot.users.length} users, ${snapshot.groups.length} groups, ` +
        `${snapshot.teams.length} teams, ${snapshot.connections.length} connections, ${snapshot.roles.length} roles; ` +
        `serve it with: baton-fivetran sandbox --state ${path}`
    )
  })
