import { Command } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { type FaultOptions, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Stream } from "effect"
import { cliCommand, logFields } from "./support/CliProcess.js"
import { connectionFlags, sandboxLayer, smallAccount } from "./support/Sandboxes.js"

/**
 * Ctrl-C while a grant or revoke waits out Fivetran's 429 said the change "may or may not" have
 * been made, though no write had reached Fivetran: the 429 was a read's, or the write's own (Fivetran
 * turns a 429 away unmade). An admin then checked Fivetran by hand. It now says nothing was changed
 * and that the same command is safe to run again; "may or may not" stays for a write sent whose
 * answer was not read (json-logs.test.ts).
 */

/** A team, a user who is not its member, and a user's direct group role. */
const team = smallAccount.teams[0]!
const outsider = smallAccount.users.find((user) =>
  !smallAccount.team_users.some((row) => row.team_id === team.id && row.user_id === user.id)
)!
const groupRole = smallAccount.user_groups[0]!

/**
 * Runs a -p action with json logs against the test's sandbox, with `faults`, and sends SIGINT as
 * soon as it logs that it waits out a 429: its exit code, its log lines, the sandbox's writes and
 * the account after.
 */
const interruptedWhileRateLimited = (faults: FaultOptions, ...action: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox
    const { flags } = yield* connectionFlags
    yield* sandbox.setFaults(faults)
    const waiting = yield* Deferred.make<void>()
    const child = yield* Command.start(cliCommand([...flags, "-p", ...action, "--log-format", "json"]))
    const stderr = yield* Effect.fork(child.stderr.pipe(
      Stream.decodeText(),
      Stream.tap((text) => text.includes("Fivetran answered 429") ? Deferred.succeed(waiting, undefined) : Effect.void),
      Stream.mkString
    ))
    // A run that ends before it waits (it wrote, or was refused) fails here with what it printed.
    yield* Effect.raceFirst(
      Deferred.await(waiting),
      Effect.flatMap(child.exitCode, (code) =>
        Effect.flatMap(stderr.await, (printed) => Effect.dieMessage(`exit ${code} before any 429: ${JSON.stringify(printed)}`)))
    )
    yield* child.kill("SIGINT")
    const exitCode = yield* child.exitCode
    const lines = logFields(yield* Effect.flatten(stderr.await))
    const writes = (yield* sandbox.requestLog).filter((entry) =>
      entry.method !== "GET"
    ).map((entry) => [entry.method, entry.status])
    return { exitCode, lines, writes, snapshot: yield* sandbox.snapshot }
  })

const rateLimited = (method: "GET" | "POST") => ({ rateLimitBurst: { requests: 1, retryAfterSeconds: 600 }, methods: [method] } as const)

/** The JSON line: one msg whatever the action, which is a field (the console's sentence names it). */
const notMade = (action: string) => ({
  level: "warn",
  msg: "interrupted: the change was not made: nothing was changed in Fivetran; running the same command again is safe",
  action,
  exit_code: 130
})

describe("Ctrl-C while a provisioning action waits out a 429", () => {
  it.scopedLive("on its write, which Fivetran turned away: nothing was changed, exit 130", () =>
    Effect.gen(function*() {
      const { exitCode, lines, snapshot, writes } = yield* interruptedWhileRateLimited(
        rateLimited("POST"),
        "--grant-entitlement",
        `team:${team.id}:member`,
        "--grant-principal",
        outsider.id,
        "--grant-principal-type",
        "user"
      )
      assert.strictEqual(exitCode, 130)
      assert.deepStrictEqual(lines.filter((line) => String(line["msg"]).startsWith("interrupted:")), [notMade("grant")])
      assert.deepStrictEqual(writes, [["POST", 429]])
      assert.isFalse(snapshot.team_users.some((row) => row.team_id === team.id && row.user_id === outsider.id))
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("on a read before its write: nothing was changed, exit 130; the access is still held", () =>
    Effect.gen(function*() {
      const { exitCode, lines, snapshot, writes } = yield* interruptedWhileRateLimited(
        rateLimited("GET"),
        "--revoke-grant",
        `group:${groupRole.group_id}:${groupRole.role}:user:${groupRole.user_id}`
      )
      assert.strictEqual(exitCode, 130)
      assert.deepStrictEqual(lines.filter((line) => String(line["msg"]).startsWith("interrupted:")), [notMade("revoke")])
      assert.deepStrictEqual(writes, [])
      assert.deepStrictEqual(
        snapshot.user_groups.filter((row) => row.user_id === groupRole.user_id && row.group_id === groupRole.group_id)
          .map((row) => row.role),
        [groupRole.role]
      )
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))
})
