import { generate, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, type Scope } from "effect"
import { get } from "node:http"
import { launchBrowser, promise, signIn, step, syncNow, tempDir } from "./ExplorerBrowser.js"
import { sandboxServiceArgs, serviceProcessOver } from "./ServiceProcess.js"

/**
 * A view opened while the service streams as many exports as it runs at once (429 TooManyExports,
 * `--max-concurrent-exports 1` here) waits out Retry-After, saying so, and loads once an export
 * ends; the refusal is shown only when it keeps coming. Real Chromium, the bundled service, and a
 * whole-sheet download the test holds open by not reading it.
 */

const Token = "token-for-the-explorer-export-wait-test"

/**
 * Eight teams of 300-400 users, each holding 30-40 groups: ~100,000 sheet rows (~15 MB of CSV),
 * far more than the loopback socket buffers hold, so an unread download keeps its slot.
 */
const account = generate({
  seed: 7,
  users: 400,
  groups: 40,
  teams: 8,
  connections: 0,
  customRoles: 0,
  groupsPerUser: { min: 0, max: 1 },
  connectionsPerUser: { min: 0, max: 0 },
  usersPerTeam: { min: 300, max: 400 },
  groupsPerTeam: { min: 30, max: 40 },
  connectionsPerTeam: { min: 0, max: 0 },
  invitedShare: 0,
  suspendedShare: 0,
  serviceAccountShare: 0,
  noAccountRoleShare: 0,
  deprecatedRoleShare: 0
})
const team = `team:${account.teams[0]!.id}`

/** The whole sheet, its answer's head read and its body not: the service's slot stays taken until `hangUp`. */
const holdExport = (url: string): Effect.Effect<{ readonly status: number; readonly hangUp: Effect.Effect<void> }, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ readonly status: number; readonly hangUp: Effect.Effect<void> }>((resume) => {
      const request = get(
        `${url}/v1/export`,
        { headers: { authorization: `Bearer ${Token}` }, agent: false },
        (response) => resume(Effect.succeed({ status: response.statusCode ?? 0, hangUp: Effect.sync(() => request.destroy()) }))
      )
      request.on("error", (error) => resume(Effect.die(error)))
    }),
    (held) => held.hangUp
  )

/** The team's rows as the service's export has them (read once no download is held). */
const sheetLength = (url: string) =>
  promise(async () => {
    const response = await fetch(`${url}/v1/export?${new URLSearchParams({ format: "jsonl", principal: team })}`, {
      headers: { authorization: `Bearer ${Token}` }
    })
    return (await response.text()).split("\n").filter((line) => line !== "").length
  })

const waiting = "Waiting for the service: it is already sending as many exports as it runs at once. Trying again in 5 s (try 2 of 4)…"

const startService = Effect.gen(function*() {
  const dataDir = yield* tempDir("explorer-export-wait-")
  const running = yield* serviceProcessOver(dataDir, [...yield* sandboxServiceArgs(Token), "--max-concurrent-exports", "1"])
  const service = { url: running.url, token: Token, sandboxUrl: (yield* Sandbox).baseUrl }
  yield* syncNow(service)
  return service
})

describe("access explorer while the service is sending as many exports as it runs at once", () => {
  it.scopedLive("a view waits, saying so, and loads once the export ahead of it ends", () =>
    Effect.gen(function*() {
      const service = yield* startService
      const held = yield* holdExport(service.url)
      assert.strictEqual(held.status, 200)
      const context = yield* launchBrowser
      const page = yield* promise(() => context.newPage())
      yield* signIn(page, service, `/#principal=${team}`)

      const shown = page.locator("[data-testid=details-waiting]")
      yield* promise(() => shown.waitFor())
      yield* step(page, "export-waiting")
      assert.deepStrictEqual(
        [yield* promise(() => shown.textContent()), yield* promise(() => page.textContent("#details-status"))],
        [waiting, waiting]
      )
      assert.strictEqual(yield* promise(() => page.getAttribute("#details-status", "role")), "status")
      assert.strictEqual(yield* promise(() => page.textContent("#message")), "")

      // The download ahead ends: the next try is served, and the view shows the team's rows.
      yield* held.hangUp
      yield* promise(() => page.locator("[data-testid=access-table]").waitFor({ timeout: 30_000 }))
      const rows = yield* sheetLength(service.url)
      assert.strictEqual(rows, 39)
      assert.deepStrictEqual(
        [
          yield* promise(() => page.locator("[data-testid=rows-count]").textContent()),
          yield* promise(() => page.locator("[data-testid=access-table] tbody tr").count()),
          yield* promise(() => shown.count()),
          yield* promise(() => page.textContent("#details-status")),
          yield* promise(() => page.textContent("#message"))
        ],
        [`${rows} rows.`, rows, 0, "", ""]
      )
    }).pipe(Effect.provide(Sandbox.layer({ snapshot: account, port: 0 })), Effect.provide(NodeContext.layer)), { timeout: 240_000 })

  it.scopedLive("a refusal that keeps coming is shown after the page's four tries", () =>
    Effect.gen(function*() {
      const service = yield* startService
      const held = yield* holdExport(service.url)
      assert.strictEqual(held.status, 200)
      const context = yield* launchBrowser
      const page = yield* promise(() => context.newPage())
      yield* signIn(page, service, `/#principal=${team}`)

      const message = page.locator("#message", {
        hasText: "the service is already streaming 1 access-review export, as many as it runs at once " +
          "(--max-concurrent-exports); send this request again in 5 s (the page tried 4 times)"
      })
      yield* promise(() => message.waitFor({ timeout: 60_000 }))
      yield* step(page, "export-refused")
      assert.deepStrictEqual(
        [
          yield* promise(() => page.getAttribute("#message", "class")),
          yield* promise(() => page.locator("[data-testid=details-waiting]").count()),
          yield* promise(() => page.textContent("#details-status"))
        ],
        ["error", 0, ""]
      )
    }).pipe(Effect.provide(Sandbox.layer({ snapshot: account, port: 0 })), Effect.provide(NodeContext.layer)), { timeout: 240_000 })
})
