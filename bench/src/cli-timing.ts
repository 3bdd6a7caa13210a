/**
 * Times the built CLI as a user meets it: each run is a fresh `node` process.
 *   1. `baton-fivetran --version` (start-up: loading @effect/cli and the settings code), each run
 *      paired with a `node -e 0` right after it: the ratio of each pair, so that the machine's
 *      drifting load (it is shared) moves both sides of a ratio alike;
 *   2. a one-shot grant against a sandbox running in this process (start-up + connector-core + the
 *      read-then-write of docs/architecture.md §3), each run granting a different user so every run writes.
 *   3. the HTTP service (`baton-fivetran-http --port 0` against the same sandbox): from spawn to the
 *      first `/healthz` answering 200.
 * Prints the median (and min/max) of N runs with the exact command. Build first:
 *   pnpm --filter @baton-fivetran/cli... build
 *   cd bench && npx tsx src/cli-timing.ts            # N = 7
 *   cd bench && npx tsx src/cli-timing.ts --runs 15
 * --latency MILLIS makes the sandbox answer each request that much later (default 0), to see what a
 * grant's round trips cost against a Fivetran further away (the goals are set at 0).
 * --cli PATH and --http PATH time other builds (e.g. an older checkout's dist/bin.js and dist/main.js).
 * --vs ROOT then also alternates grants and HTTP starts of this build with those of another
 * checkout's bundles (ROOT/apps/cli/bundle, ROOT/apps/http/bundle; build it first) and prints each
 * build's median and the median of the run-by-run ratios: a before/after in one run, on a machine
 * whose speed drifts by minutes:
 *   cd bench && npx tsx src/cli-timing.ts --runs 15 --vs ../../base
 */
import { generatePreset, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { Command } from "@effect/platform"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Option, Schedule, Schema, Stream } from "effect"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { median, range } from "./Stats.js"
import { tempDirectory } from "./TempDirectory.js"

const argument = (name: string): string | undefined => {
  const index = process.argv.indexOf(`--${name}`)
  return index < 0 ? undefined : process.argv[index + 1]
}

const runs = Schema.decodeUnknownSync(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 100)))(
  argument("runs") ?? "7"
)

const latencyMillis = Schema.decodeUnknownSync(Schema.NumberFromString.pipe(Schema.int(), Schema.between(0, 10_000)))(
  argument("latency") ?? "0"
)

const bin = argument("cli") ?? fileURLToPath(new URL("../../apps/cli/bundle/baton-fivetran.js", import.meta.url))
const httpBin = argument("http") ?? fileURLToPath(new URL("../../apps/http/bundle/baton-fivetran-http.js", import.meta.url))
const vsRoot = argument("vs")
const other = vsRoot === undefined ? undefined : {
  cli: join(vsRoot, "apps/cli/bundle/baton-fivetran.js"),
  http: join(vsRoot, "apps/http/bundle/baton-fivetran-http.js")
}
/** How the output names a script: from the repository's root, as the README's commands do. */
const fromRoot = (script: string) => relative(fileURLToPath(new URL("../..", import.meta.url)), script)

/** One HTTP service process, timed from spawn to its first `/healthz` 200; then stopped. */
const httpReady = (script: string, args: ReadonlyArray<string>, env: Record<string, string>) =>
  Effect.scoped(Effect.gen(function*() {
    const dataDir = yield* tempDirectory("bench-http-ready-")
    const start = performance.now()
    const child = yield* Command.start(
      Command.make(process.execPath, script, ...args, "--port", "0", "--data-dir", dataDir).pipe(Command.env(env))
    )
    const url = yield* child.stdout.pipe(
      Stream.decodeText(),
      Stream.splitLines,
      Stream.filterMap((line) => Option.fromNullable(line.match(/listening on (http:\/\/\S+)/)?.[1])),
      Stream.runHead,
      Effect.flatten,
      Effect.orElse(() => Effect.dieMessage("the HTTP service printed no URL"))
    )
    const healthy = Effect.tryPromise(() => fetch(`${url}/healthz`).then((r) => r.status === 200)).pipe(
      Effect.orElseSucceed(() => false)
    )
    yield* healthy.pipe(Effect.repeat({ until: (ok) => ok, schedule: Schedule.spaced("5 millis") }))
    return { millis: performance.now() - start }
  }))

/** One fresh process of a CLI build (this one unless told), timed from spawn to exit; fails unless it exits 0. */
const timed = (args: ReadonlyArray<string>, script = bin) => timedNode([script, ...args])

const timedNode = (args: ReadonlyArray<string>) =>
  Effect.scoped(Effect.gen(function*() {
    const start = performance.now()
    const child = yield* Command.start(Command.make(process.execPath, ...args))
    const [stdout, stderr, exitCode] = yield* Effect.all([
      child.stdout.pipe(Stream.decodeText(), Stream.mkString),
      child.stderr.pipe(Stream.decodeText(), Stream.mkString),
      child.exitCode
    ], { concurrency: "unbounded" })
    const millis = performance.now() - start
    if (exitCode !== 0) return yield* Effect.dieMessage(`exit ${exitCode}: ${stdout}${stderr}`)
    return { millis, stdout }
  }))

const stats = (millis: ReadonlyArray<number>) => {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`
  return `median ${seconds(median(millis))} (min ${seconds(Math.min(...millis))}, max ${
    seconds(Math.max(...millis))
  }, ${millis.length} runs)`
}

const ratios = (values: ReadonlyArray<number>) => `${median(values).toFixed(2)}× (${range(values, 2)}×)`

const quote = (arg: string) => /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg}'`

const snapshot = generatePreset("medium")

const program = Effect.gen(function*() {
  const sandbox = yield* Sandbox
  const key = snapshot.credentials.find((credential) => credential._tag === "SystemKey")!
  // A group, a destination role and `runs` users outside the group: run i grants user i.
  const group = snapshot.groups[0]!
  const members = new Set(snapshot.user_groups.filter((row) => row.group_id === group.id).map((row) => row.user_id))
  // Run i grants user i; with --vs, the alternating runs grant the users after those.
  const outside = snapshot.users.filter((user) => !members.has(user.id))
  if (outside.length < (other === undefined ? runs : 3 * runs)) return yield* Effect.dieMessage("too many --runs for the preset's users")
  const users = outside.slice(0, runs)
  const role = snapshot.roles.find((r) => r.scope.includes("DESTINATION"))!.name
  const entitlementId = `group:${group.id}:${role}`
  const grantArgs = (userId: string) => [
    "--base-url",
    sandbox.baseUrl,
    "--api-key",
    key.key,
    "--api-secret",
    key.secret,
    "-p",
    "--grant-entitlement",
    entitlementId,
    "--grant-principal",
    userId,
    "--grant-principal-type",
    "user",
    "--log-level",
    "warn"
  ]

  const versionPairs = yield* Effect.forEach(
    Array.from({ length: runs }),
    () => Effect.all([timed(["--version"]), timedNode(["-e", "0"])])
  )
  const version = versionPairs.map(([cli]) => cli)
  const nodeOnly = versionPairs.map(([, node]) => node)
  const grants = yield* Effect.forEach(users, (user) => timed(grantArgs(user.id)))
  const granted = grants.filter((run) => run.stdout.startsWith("granted ")).length
  const httpArgs = ["--base-url", sandbox.baseUrl, "--api-key", key.key]
  // The secrets in the environment, as a deployment gives them: as flags the service warns of them.
  const httpEnv = { BATON_API_SECRET: key.secret, BATON_HTTP_TOKENS: "bench-token-0123456789" }
  const ready = yield* Effect.forEach(Array.from({ length: runs }), () => httpReady(httpBin, httpArgs, httpEnv))
  const versus = other === undefined ? [] : yield* Effect.gen(function*() {
    const grantPairs = yield* Effect.forEach(
      Array.from({ length: runs }),
      (_, i) => Effect.all([timed(grantArgs(outside[runs + 2 * i]!.id)), timed(grantArgs(outside[runs + 2 * i + 1]!.id), other.cli)])
    )
    const readyPairs = yield* Effect.forEach(
      Array.from({ length: runs }),
      () => Effect.all([httpReady(httpBin, httpArgs, httpEnv), httpReady(other.http, httpArgs, httpEnv)])
    )
    const compared = (name: string, pairs: ReadonlyArray<readonly [{ readonly millis: number }, { readonly millis: number }]>) =>
      `    ${name}: this build ${stats(pairs.map(([mine]) => mine.millis))}; the other ${
        stats(pairs.map(([, theirs]) => theirs.millis))
      }; this build took ${ratios(pairs.map(([mine, theirs]) => mine.millis / theirs.millis))} the other's time, run by run`
    return [
      `  alternating run by run with ${fromRoot(other.cli)} and ${fromRoot(other.http)}:`,
      compared("grant", grantPairs),
      compared("HTTP service ready", readyPairs)
    ]
  })

  const shown = (args: ReadonlyArray<string>) =>
    ["node", fromRoot(bin), ...args].map((arg) => arg === key.secret ? "<secret>" : quote(arg)).join(" ")
  yield* Console.log([
    `baton-fivetran CLI timing (node ${process.version}, each run a fresh process)`,
    `  ${shown(["--version"])}`,
    `    ${stats(version.map((run) => run.millis))}; ${
      ratios(versionPairs.map(([cli, node]) => cli.millis / node.millis))
    } the \`node -e 0\` run after it`,
    `  ${shown(grantArgs("<user>"))}`,
    `    ${stats(grants.map((run) => run.millis))}; ${granted}/${grants.length} printed "granted"`,
    `  BATON_API_SECRET=<secret> BATON_HTTP_TOKENS=<token> ${["node", fromRoot(httpBin), ...httpArgs, "--port", "0"].map(quote).join(" ")}`,
    `    first /healthz 200 after ${stats(ready.map((run) => run.millis))}`,
    `  node -e 0 (the floor: a bare node process, run after each --version)`,
    `    ${stats(nodeOnly.map((run) => run.millis))}`,
    ...versus,
    `  against the in-process sandbox ("medium" preset, ${latencyMillis} ms latency) at ${sandbox.baseUrl}`
  ].join("\n"))
}).pipe(Effect.provide(Sandbox.layer({
  snapshot,
  port: 0,
  ...(latencyMillis > 0 ? { faults: { latency: { minMillis: latencyMillis, maxMillis: latencyMillis } } } : {})
})))

NodeRuntime.runMain(program.pipe(Effect.provide(NodeContext.layer)))
