import {
  type Credential,
  defaultSeed,
  generatePreset,
  type PresetName,
  readSnapshot,
  Sandbox
} from "@baton-fivetran/fivetran-sandbox"
import { Console, Effect, Layer, Option } from "effect"

/**
 * `baton-fivetran sandbox`: serves the in-memory Fivetran API on loopback for trying the CLI (or
 * the HTTP service, or curl) by hand, until SIGINT/SIGTERM. Its credentials are generated test
 * keys, printed so they can be used.
 */

export type SandboxSource =
  | { readonly _tag: "Preset"; readonly preset: PresetName; readonly seed: Option.Option<number> }
  | { readonly _tag: "State"; readonly path: string }

const credentialLine = (credential: Credential) =>
  credential._tag === "SystemKey"
    ? `  system key ${credential.system_key_id}: --api-key ${credential.key} --api-secret ${credential.secret}`
    : `  user key of ${credential.user_id}: --api-key ${credential.key} --api-secret ${credential.secret}`

const describe = (source: SandboxSource) =>
  source._tag === "Preset"
    ? `"${source.preset}" preset, seed ${Option.getOrElse(source.seed, () => defaultSeed)}`
    : source.path

const load = (source: SandboxSource) =>
  source._tag === "Preset"
    ? Effect.sync(() => generatePreset(source.preset, Option.getOrElse(source.seed, () => defaultSeed)))
    : readSnapshot(source.path)

export const serveSandbox = (source: SandboxSource, port: number) =>
  Effect.gen(function*() {
    const snapshot = yield* load(source)
    yield* Layer.launch(Layer.effectDiscard(Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const url = sandbox.baseUrl
      yield* Console.log([
        `Fivetran sandbox (${describe(source)}) listening on ${url}`,
        `  ${snapshot.users.length} users, ${snapshot.groups.length} groups, ${snapshot.teams.length} teams, ` +
        `${snapshot.connections.length} connections, ${snapshot.roles.length} roles`,
        ...snapshot.credentials.map(credentialLine),
        `Try: baton-fivetran --base-url ${url} --api-key <key> --api-secret <secret>`,
        "Stop with Ctrl-C."
      ].join("\n"))
    })).pipe(Layer.provideMerge(Sandbox.layer({ snapshot, port }))))
  })
