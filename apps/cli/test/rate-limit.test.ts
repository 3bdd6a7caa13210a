import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { assertExit, jsonLines, runCli } from "./support/CliProcess.js"
import { clockSetBackOptions } from "./support/ClockSteps.js"
import { connectionFlags, smallAccount } from "./support/Sandboxes.js"

/**
 * The CLI against a rate-limited sandbox, as real processes on loopback. A sync of the small
 * preset costs 14 requests; a budget of 20 with the default 20% reserve (4) fits one sync, not two.
 */
const SmallSyncCost = 14

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-rate-" }))

const limitedSandbox = (options: Omit<Parameters<typeof Sandbox.layer>[0], "snapshot" | "port">) =>
  Layer.merge(Sandbox.layer({ snapshot: smallAccount, port: 0, ...options }), NodeContext.layer)

const summaryOf = (stderr: string) => jsonLines(stderr).find((line) => line.msg === "sync complete")
const waitLines = (stderr: string) => jsonLines(stderr).filter((line) => String(line.msg).startsWith("waiting "))

// Side by side: most of each test's time is a wait on its own sandbox's Retry-After or window (the
// back-to-back syncs' first takes ~1 s of its 10 s window, so a busier machine still fits it).
describe.concurrent("rate limits (issue 12's silent 429 wait, issue 13's budget)", () => {
  it.scopedLive("a 429 with Retry-After is waited out visibly: one warn line saying why, how long and until when", () =>
    Effect.gen(function*() {
      const { flags } = yield* connectionFlags
      const dir = yield* tempDir
      const result = yield* runCli([...flags, "-f", `${dir}/out.c1z`, "--log-format", "json"])
      assertExit(result, 0)
      const [wait, ...others] = waitLines(result.stderr)
      assert.strictEqual(others.length, 0)
      // One `msg` for every such wait: its length, end and reason are fields (the console's sentence has them).
      const { ts: _ts, c1z_sync_id: syncId, wait_until: until, ...fields } = wait!
      assert.deepStrictEqual(fields, {
        level: "warn",
        msg: "waiting before retrying a request",
        endpoint: "GET /v1/roles",
        wait_kind: "rate_limited",
        wait_ms: 2000,
        wait_reason: "Fivetran answered 429 with Retry-After 2s"
      })
      assert.match(String(syncId), /^[0-9A-Za-z]{27}$/)
      assert.match(String(until), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
      const summary = summaryOf(result.stderr)!
      assert.deepStrictEqual([summary.retries, summary.rate_limit_wait_ms, summary.retry_backoff_ms], [1, 2000, 0])
    }).pipe(Effect.provide(limitedSandbox({ faults: { rateLimitBurst: { requests: 1, retryAfterSeconds: 2 } } }))))

  it.scopedLive("a run of 429s carrying X-Rate-Limit-Remaining: the summary's lowest remaining is theirs, not 0", () =>
    Effect.gen(function*() {
      const { flags } = yield* connectionFlags
      const dir = yield* tempDir
      const result = yield* runCli([...flags, "-f", `${dir}/out.c1z`, "--log-format", "console"])
      assertExit(result, 0)
      // The small preset's 14 requests counted by the sandbox, the 3 injected 429s not (a gateway's answers), as each answer said: 19,986 left at the last.
      assert.include(
        result.stderr.split("\n"),
        "  rate limit    20,000/h, lowest remaining 19,986 during the sync, 4,000 kept in reserve; a repeat sync fits the budget now"
      )
      assert.include(result.stderr.split("\n"), "  requests      17 (3 retries; waited 3.0s for the rate limit, 0.0s in retry backoff)")
    }).pipe(Effect.provide(limitedSandbox({ faults: { rateLimitBurst: { requests: 3, retryAfterSeconds: 1 } } }))))

  it.scopedLive("a Retry-After longer than --max-rate-limit-wait fails at once, saying how long it needed; the previous file stays", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const { flags } = yield* connectionFlags
      const dir = yield* tempDir
      const file = `${dir}/out.c1z`
      yield* fs.writeFileString(file, "C1ZF\u0000the previous sync")
      const result = yield* runCli([...flags, "-f", file, "--max-rate-limit-wait", "10m", "--log-format", "console"])
      assertExit(result, 1)
      assert.include(
        result.stderr,
        "could not list roles: GET /v1/roles: Fivetran answered 429 with Retry-After 3081s; that needs a wait of 51m 21s, " +
          "longer than max-rate-limit-wait (10m): raise it or retry later"
      )
      assert.strictEqual(yield* fs.readFileString(file), "C1ZF\u0000the previous sync")
      assert.deepStrictEqual(yield* fs.readDirectory(dir), ["out.c1z"])
    }).pipe(Effect.provide(limitedSandbox({ faults: { rateLimitBurst: { requests: 1, retryAfterSeconds: 3081 } } }))))

  it.scopedLive("429s on every attempt fail the sync saying it gave up after waiting each out, not \"retry after 1s\"", () =>
    Effect.gen(function*() {
      const { flags } = yield* connectionFlags
      const dir = yield* tempDir
      const result = yield* runCli([...flags, "-f", `${dir}/out.c1z`, "--log-format", "json"])
      assertExit(result, 1)
      assert.strictEqual(waitLines(result.stderr).length, 4)
      assert.include(
        result.stderr,
        "GET /v1/roles: rate limited by Fivetran (429) on all 5 attempts, each waited out; " +
          "gave up (the account's budget is used by something else too: retry later)"
      )
    }).pipe(Effect.provide(limitedSandbox({ faults: { rateLimitBurst: { requests: 5, retryAfterSeconds: 1 } } }))))

  it.scopedLive("a provisioning action refused for too long a wait says to retry later, not to sync later", () =>
    Effect.gen(function*() {
      const { flags } = yield* connectionFlags
      const membership = smallAccount.user_groups[0]!
      const grantId = `group:${membership.group_id}:${membership.role}:user:${membership.user_id}`
      const result = yield* runCli([...flags, "-p", "--revoke-grant", grantId, "--max-rate-limit-wait", "10m", "--log-format", "json"])
      assertExit(result, 1)
      // The roles, the group, the user and the membership are read at once, all answered 429; the roles' refusal is the one reported.
      assert.deepStrictEqual(jsonLines(result.stderr).map((line) => [line["level"], line["msg"], line["outcome"], line["exit_code"]]), [
        ["info", "provisioning action", "rate_limited", undefined],
        [
          "error",
          `cannot revoke ${grantId}: GET /v1/roles: Fivetran answered 429 with Retry-After 3081s; that needs a wait ` +
          "of 51m 21s, longer than max-rate-limit-wait (10m): raise it or retry later; nothing was changed in Fivetran (no " +
          "write reached it, or Fivetran turned it away); running the same command again is safe",
          undefined,
          1
        ]
      ])
    }).pipe(Effect.provide(limitedSandbox({ faults: { rateLimitBurst: { requests: 4, retryAfterSeconds: 3081 } } }))))

  it.scopedLive(
    "two back-to-back syncs both succeed, the second after waiting for the window; no answer went below the reserve",
    () =>
      Effect.gen(function*() {
        const sandbox = yield* Sandbox
        const { flags } = yield* connectionFlags
        const dir = yield* tempDir
        const first = yield* runCli([...flags, "-f", `${dir}/first.c1z`, "--log-format", "console"])
        assertExit(first, 0)
        // The console summary names the window the sandbox announced, not Fivetran's hour.
        assert.match(
          first.stderr,
          new RegExp(`^ {2}requests {6}${SmallSyncCost} \\(0 retries; waited 0\\.0s for the rate limit, 0\\.0s in retry backoff\\)$`, "m")
        )
        assert.match(first.stderr, /^ {2}rate limit {4}20\/10s, lowest remaining 6 during the sync, 4 kept in reserve; /m)
        const second = yield* runCli([...flags, "-f", `${dir}/second.c1z`, "--log-format", "json"])
        assertExit(second, 0)
        const summary = summaryOf(second.stderr)!
        assert.strictEqual(summary.requests, SmallSyncCost)
        assert.isAbove(summary.rate_limit_wait_ms as number, 0)
        assert.deepStrictEqual(
          [summary.rate_limit, summary.rate_limit_window_seconds, summary.rate_limit_reserve, summary.rate_limit_lowest_remaining],
          [20, 10, 4, 4]
        )
        const waits = waitLines(second.stderr)
        assert.isAbove(waits.length, 0)
        assert.deepStrictEqual(waits[0]!.wait_kind, "reserve")
        assert.strictEqual(waits[0]!.level, "warn")
        assert.strictEqual(waits[0]!.msg, "waiting before sending a request")
        assert.include(String(waits[0]!.wait_reason), "kept in reserve for other tools (rate-limit-reserve 20%)")
        const log = yield* sandbox.requestLog
        assert.strictEqual(log.length, 2 * SmallSyncCost)
        assert.deepStrictEqual(log.filter((entry) => entry.status !== 200), [])
        assert.strictEqual(Math.min(...log.map((entry) => entry.rateLimitRemaining ?? 0)), 4)
      }).pipe(Effect.provide(limitedSandbox({ rateLimit: { hourly: 20, windowSeconds: 10 } }))),
    180_000
  )

  it.scopedLive(
    "a sync during which the clock is set back an hour still waits the window, not the hour, and says a repeat fits within it",
    () =>
      Effect.gen(function*() {
        const { flags } = yield* connectionFlags
        const dir = yield* tempDir
        assertExit(yield* runCli([...flags, "-f", `${dir}/first.c1z`]), 0)
        // Node's Date.now goes back an hour as the second connection opens.
        const nodeOptions = yield* clockSetBackOptions(dir, { at: "connection", connection: 2 })
        const second = yield* runCli([...flags, "-f", `${dir}/second.c1z`, "--log-format", "json"], {
          env: { NODE_OPTIONS: nodeOptions }
        })
        assertExit(second, 0)
        const summary = summaryOf(second.stderr)!
        // The budget's window was the wall clock's: the summary said a repeat would wait ~46 minutes.
        assert.isAtMost(summary.rate_limit_wait_ms as number, 10_000)
        assert.isAtMost(summary.repeat_budget_wait_ms as number, 10_000)
      }).pipe(Effect.provide(limitedSandbox({ rateLimit: { hourly: 20, windowSeconds: 10 } }))),
    180_000
  )

  it.scopedLive(
    "a reserve of the whole limit fails at once saying to lower it, instead of spinning on 1 ms waits",
    () =>
      Effect.gen(function*() {
        const { flags } = yield* connectionFlags
        const dir = yield* tempDir
        const result = yield* runCli([...flags, "-f", `${dir}/out.c1z`, "--rate-limit-reserve", "67", "--log-format", "json"])
        assertExit(result, 1)
        const lines = jsonLines(result.stderr)
        // One request went (nothing was known of the budget); the next would keep nothing for this tool.
        assert.deepStrictEqual(waitLines(result.stderr), [])
        assert.isBelow(lines.length, 10)
        assert.include(
          result.stderr,
          "the reserve for other tools (rate-limit-reserve 67%) is 3 of the account's 3 requests; " +
            "no wait leaves a request for this tool: lower rate-limit-reserve"
        )
        assert.deepStrictEqual(yield* Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readDirectory(dir)), [])
      }).pipe(Effect.provide(limitedSandbox({ rateLimit: { hourly: 3, windowSeconds: 5 } }))),
    60_000
  )

  it.scopedLive(
    "a reserve wait longer than --max-rate-limit-wait fails cleanly, the previous file byte-identical",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const { flags } = yield* connectionFlags
        const dir = yield* tempDir
        assertExit(yield* runCli([...flags, "-f", `${dir}/out.c1z`]), 0)
        const before = yield* fs.readFile(`${dir}/out.c1z`)
        const second = yield* runCli([...flags, "-f", `${dir}/out.c1z`, "--max-rate-limit-wait", "5s", "--log-format", "console"])
        assertExit(second, 1)
        assert.match(
          second.stderr,
          /kept in reserve for other tools \(rate-limit-reserve 20%\); that needs a wait of (\d+m \d+s|\d+m|5\d\.\ds), longer than max-rate-limit-wait \(5\.0s\)/
        )
        assert.deepStrictEqual(yield* fs.readFile(`${dir}/out.c1z`), before)
        assert.deepStrictEqual(yield* fs.readDirectory(dir), ["out.c1z"])
      }).pipe(Effect.provide(limitedSandbox({ rateLimit: { hourly: 20, windowSeconds: 600 } }))),
    180_000
  )
})
