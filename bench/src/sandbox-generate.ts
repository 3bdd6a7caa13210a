/**
 * Generates the `large` sandbox account, serializes it, writes it to a temporary file, serves it
 * and lists every user through the real client once; prints the time of each step and the peak
 * RSS so far. Run from the repo root after building the packages (tsx lives in the bench package):
 *   pnpm --filter @baton-fivetran/fivetran-sandbox... build
 *   pnpm --dir bench exec tsx src/sandbox-generate.ts
 */
import { FivetranClient, FivetranClientConfig } from "@baton-fivetran/fivetran-client"
import { generatePreset, readSnapshot, Sandbox, writeSnapshot } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem, Path } from "@effect/platform"
import { NodeContext, NodeHttpClient, NodeRuntime } from "@effect/platform-node"
import { Clock, Console, Context, Effect, Layer, Redacted, Stream } from "effect"

const peakRssMb = () => (process.resourceUsage().maxRSS / 1024).toFixed(0)

/** Runs `effect`, printing how long it took and the peak RSS after it. */
const step = <A, E, R>(label: string, effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const started = yield* Clock.currentTimeMillis
    const result = yield* effect
    const ended = yield* Clock.currentTimeMillis
    yield* Console.log(`${label.padEnd(34)} ${String(ended - started).padStart(6)} ms   peak RSS ${peakRssMb()} MB`)
    return result
  })

const program = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  yield* Console.log(`baseline (modules loaded)                          peak RSS ${peakRssMb()} MB`)
  const snapshot = yield* step("generate large", Effect.sync(() => generatePreset("large")))
  yield* Console.log(
    `  ${snapshot.users.length} users, ${snapshot.groups.length} groups, ${snapshot.teams.length} teams, ` +
      `${snapshot.connections.length} connections, ${
        snapshot.user_groups.length + snapshot.user_connections.length + snapshot.team_users.length +
        snapshot.team_groups.length + snapshot.team_connections.length
      } membership rows`
  )
  const json = yield* step("serialize (JSON.stringify)", Effect.sync(() => JSON.stringify(snapshot)))
  yield* Console.log(`  ${(json.length / 1e6).toFixed(1)} MB of compact JSON`)
  const file = path.join(yield* fs.makeTempDirectoryScoped({ prefix: "sandbox-bench-" }), "large.json")
  yield* step("writeSnapshot (pretty, atomic)", writeSnapshot(file, snapshot))
  yield* step("readSnapshot (decode + integrity)", readSnapshot(file))

  const sandbox = yield* step("start sandbox", Layer.build(Sandbox.layer({ snapshot, port: 0 })))
  const { baseUrl } = Context.get(sandbox, Sandbox)
  const systemKey = snapshot.credentials.find((credential) => credential._tag === "SystemKey")!
  const users = yield* step(
    "list all users via the client",
    Stream.runCount(Stream.unwrap(Effect.map(FivetranClient, (client) => client.listUsers))).pipe(
      Effect.provide(
        FivetranClient.layer(
          FivetranClientConfig.make({
            apiKey: Redacted.make(systemKey.key),
            apiSecret: Redacted.make(systemKey.secret),
            baseUrl
          })
        )
      )
    )
  )
  yield* Console.log(`  ${users} users listed`)
})

program.pipe(
  Effect.scoped,
  Effect.provide(Layer.mergeAll(NodeContext.layer, NodeHttpClient.layerUndici)),
  NodeRuntime.runMain
)
