import { generatePreset, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Layer, Ref, Schedule } from "effect"
import type { Page, Request } from "playwright-core"
import { refusedKeyServiceArgs, sandboxServiceArgs, serviceProcessOver } from "./ServiceProcess.js"
import { audit } from "./support/AxeAudit.js"
import {
  call,
  openExplorer,
  promise,
  renameInFivetran,
  type Service,
  startService,
  step,
  syncNow,
  tempDir
} from "./support/ExplorerBrowser.js"

/**
 * "Start a sync" in the access explorer follows the job it started: the page asks after it every
 * 2 s and, once it has ended, reloads the syncs (the status line, the diff's choices) and says how
 * it ended in the message line, a failure as an error, with the service's reason. A sync found
 * running at sign-in is followed too, and either can be cancelled from the page. Nobody presses
 * "Reload syncs". A view open as the sync succeeds is offered again from it, when asked. Real
 * Chromium, the bundled service.
 */

const Token = "token-for-the-explorer-sync-follow-test"

const account = generatePreset("small")

/** The bundled service over the test's sandbox, taking `Token`; with `refusedKey`, a secret Fivetran refuses. */
const serviceOverSandbox = (options: { readonly refusedKey: boolean }) =>
  Effect.gen(function*() {
    const launch = yield* (options.refusedKey ? refusedKeyServiceArgs(Token) : sandboxServiceArgs(Token))
    const running = yield* serviceProcessOver(yield* tempDir("explorer-sync-follow-"), launch.args, { env: launch.env })
    return { url: running.url, token: Token, sandboxUrl: (yield* Sandbox).baseUrl } satisfies Service
  })

/** A sandbox of `small`. */
const sandbox = Sandbox.layer({ snapshot: account, port: 0 }).pipe(Layer.provideMerge(NodeContext.layer))

/**
 * Holds every request a sync sends the sandbox after its first, but the account's (the readiness
 * check's), until `release`, which the end of the test's scope runs too, inside the sandbox's: the
 * sync runs for as long as the test needs it to, however slow the machine (a sandbox a second late
 * per request let a loaded machine's sign-in or accessibility check outlast the whole sync). The
 * first is answered so the job has progress to show (it has none before a request is answered).
 */
const holdSyncRequests = Effect.gen(function*() {
  const gate = yield* Deferred.make<void>()
  const passed = yield* Ref.make(0)
  yield* (yield* Sandbox).setRequestHook(({ path }) =>
    path === "/v1/account/info"
      ? Effect.void
      : Effect.flatMap(Ref.getAndUpdate(passed, (count) => count + 1), (before) => before === 0 ? Effect.void : Deferred.await(gate))
  )
  const release = Deferred.succeed(gate, undefined)
  yield* Effect.addFinalizer(() => release)
  return release
})

/** Clicks "Start a sync"; the id of the job the service answered with. */
const startFromPage = (page: Page) =>
  promise(async () => {
    const [response] = await Promise.all([
      page.waitForResponse((answer) => new URL(answer.url()).pathname === "/v1/syncs" && answer.request().method() === "POST"),
      page.click("#start-sync")
    ])
    return String(((await response.json()) as { readonly id: unknown }).id)
  })

/** The page's requests for the syncs from now on: `GET /v1/syncs` and each job's. */
const syncRequests = (page: Page) => {
  const asked: Array<string> = []
  page.on("request", (request: Request) => {
    const path = new URL(request.url()).pathname
    if (request.method() === "GET" && path.startsWith("/v1/syncs")) asked.push(path)
  })
  return asked
}

const jobOf = (service: Service, id: string) =>
  Effect.map(call(service, "GET", `/v1/syncs/${id}`), (answer) =>
    answer.body as {
      readonly status: string
      readonly error: string | null
      readonly summary: {
        readonly resources: Record<string, number>
        readonly grants: { readonly direct: number; readonly derived: number }
      }
    })

/** What the message line says of sync `id` once it has succeeded, from the job the service answers with. */
const finishedText = (service: Service, id: string) =>
  Effect.map(jobOf(service, id), (job) => {
    const resources = Object.values(job.summary.resources).reduce((sum, count) => sum + count, 0)
    const grants = job.summary.grants.direct + job.summary.grants.derived
    return `Sync ${id} finished: ${resources.toLocaleString("en-US")} resources, ${
      grants.toLocaleString("en-US")
    } grants. Searches and views opened from now on read it.`
  })

describe("access explorer: a sync started from the page, or found running, is followed to its end", () => {
  it.scopedLive(
    "a sync started from the page: its end is said, the syncs reload, the new sync can be searched",
    () =>
      Effect.gen(function*() {
        const service = yield* startService
        const { page } = yield* openExplorer(service)
        const asked = syncRequests(page)
        const id = yield* startFromPage(page)
        yield* promise(() => page.locator("#message", { hasText: `Sync ${id} finished` }).waitFor({ timeout: 60_000 }))
        yield* step(page, "sync-followed-finished")

        const job = yield* jobOf(service, id)
        assert.deepStrictEqual(
          [
            yield* promise(() => page.textContent("#message")),
            yield* promise(() => page.getAttribute("#message", "class")),
            (yield* promise(() => page.textContent("#sync-status")))?.startsWith(`Latest sync: ${id} (`),
            yield* promise(() => page.inputValue("#diff-target")),
            asked.includes(`/v1/syncs/${id}`),
            asked.at(-1)
          ],
          [
            yield* finishedText(service, id),
            "info",
            true,
            id,
            true,
            "/v1/syncs"
          ]
        )
        assert.strictEqual(job.status, "succeeded")

        // The new sync is what the page explores now.
        const user = account.users.find((candidate) => candidate.role !== null)!
        yield* promise(() => page.fill("#query", user.email))
        yield* promise(() => page.press("#query", "Enter"))
        yield* promise(() => page.locator(`[data-testid=results] a[href="#principal=user:${user.id}"]`).waitFor())
      }),
    { timeout: 120_000 }
  )

  it.scopedLive(
    "a view open as the followed sync finishes: the message links to it from the new sync, shown then as it is now",
    () =>
      Effect.gen(function*() {
        const service = yield* startService
        yield* syncNow(service)
        const user = account.users.find((candidate) =>
          candidate.role !== null && candidate.given_name !== "Renamed" && candidate.family_name !== ""
        )!
        const { page } = yield* openExplorer(service, `/#principal=user:${user.id}`)
        const title = page.getByTestId("details-title")
        yield* promise(() => title.waitFor())
        const before = yield* promise(() => title.textContent())
        assert.strictEqual(yield* renameInFivetran(service, user.id, "Renamed"), 200)

        const id = yield* startFromPage(page)
        yield* promise(() => page.locator("#message", { hasText: `Sync ${id} finished` }).waitFor({ timeout: 60_000 }))
        yield* step(page, "sync-followed-view-open")
        const reread = page.getByTestId("reread-view")
        const ended = yield* finishedText(service, id)
        // Not re-read unasked: the view still shows the name from the sync before.
        assert.deepStrictEqual(
          [
            yield* promise(() => page.textContent("#message")),
            yield* promise(() => reread.getAttribute("href")),
            yield* promise(() => title.textContent())
          ],
          [
            `${ended} The view open below was read from the sync before: show it from this sync.`,
            `#principal=user:${user.id}`,
            before
          ]
        )
        assert.deepStrictEqual(yield* audit(page, "a view read from the sync before"), [])

        yield* promise(() => reread.click())
        yield* promise(() => page.getByTestId("details-title").filter({ hasText: "Renamed" }).waitFor())
        yield* step(page, "sync-followed-view-reread")
        assert.deepStrictEqual(
          [
            before?.startsWith(`${user.given_name} `),
            yield* promise(() => page.getByTestId("details-title").textContent()),
            yield* promise(() => page.textContent("#message")),
            yield* promise(() => page.evaluate<string | null>("document.activeElement?.getAttribute('data-testid') ?? null")),
            yield* promise(() => page.evaluate<string>("location.hash"))
          ],
          [
            true,
            before?.replace(`${user.given_name} `, "Renamed "),
            ended,
            "details-title",
            `#principal=user:${user.id}`
          ]
        )
      }),
    { timeout: 120_000 }
  )

  it.scopedLive(
    "a view opened after the followed sync ended, before the page's next poll, is read from it: not offered again",
    () =>
      Effect.gen(function*() {
        const service = yield* startService
        const user = account.users.find((candidate) =>
          candidate.role !== null && candidate.given_name !== "Renamed" && candidate.family_name !== ""
        )!
        const { page } = yield* openExplorer(service)
        assert.strictEqual(yield* renameInFivetran(service, user.id, "Renamed"), 200)
        // The page's questions after the job wait until the view is open: its end falls between two polls.
        const polled = yield* Deferred.make<void>()
        yield* promise(() =>
          page.route(/\/v1\/syncs\/[^/]+$/, async (route) => {
            await Effect.runPromise(Deferred.await(polled))
            await route.continue()
          })
        )
        const id = yield* startFromPage(page)
        yield* Effect.retry(
          Effect.filterOrFail(jobOf(service, id), (job) => job.status === "succeeded", () => "still running"),
          Schedule.spaced("200 millis")
        )
        yield* promise(() => page.evaluate(`location.hash = "#principal=user:${user.id}"`))
        yield* promise(() => page.getByTestId("details-title").filter({ hasText: "Renamed" }).waitFor())
        yield* Deferred.succeed(polled, undefined)
        yield* promise(() => page.locator("#message", { hasText: `Sync ${id} finished` }).waitFor({ timeout: 60_000 }))
        assert.deepStrictEqual(
          [yield* promise(() => page.textContent("#message")), yield* promise(() => page.getByTestId("reread-view").count())],
          [yield* finishedText(service, id), 0]
        )
      }),
    { timeout: 120_000 }
  )

  it.scopedLive("a sync that fails: the message line says so as an error, with the service's reason", () =>
    Effect.gen(function*() {
      const service = yield* serviceOverSandbox({ refusedKey: true })
      const { page } = yield* openExplorer(service)
      const id = yield* startFromPage(page)
      yield* promise(() => page.locator("#message", { hasText: `Sync ${id} failed` }).waitFor({ timeout: 60_000 }))
      yield* step(page, "sync-followed-failed")
      const job = yield* jobOf(service, id)
      assert.strictEqual(job.status, "failed")
      assert.isNotNull(job.error)
      assert.deepStrictEqual(
        [
          yield* promise(() => page.textContent("#message")),
          yield* promise(() => page.getAttribute("#message", "class")),
          yield* promise(() => page.textContent("#sync-status"))
        ],
        [
          `Sync ${id} failed: ${job.error}`,
          "error",
          `No finished sync can be explored yet. Start one with "Start a sync". The newest sync, ${id}, failed: ${job.error}`
        ]
      )
    }).pipe(Effect.scoped, Effect.provide(sandbox)), { timeout: 120_000 })

  it.scopedLive("a sync found running at sign-in is followed: the status line says so, then its end is said", () =>
    Effect.gen(function*() {
      const service = yield* serviceOverSandbox({ refusedKey: false })
      const release = yield* holdSyncRequests
      const started = yield* call(service, "POST", "/v1/syncs")
      const id = String(started.body.id)
      const { page } = yield* openExplorer(service)
      const during = yield* promise(() => page.textContent("#sync-status"))
      const saidAtSignIn = yield* promise(() => page.textContent("#message"))
      // Its progress, from the first poll on: a line under the bar, not announced at every poll.
      const progress = page.locator("#sync-progress")
      yield* promise(() => progress.waitFor())
      const progressShown = yield* promise(() => progress.textContent())
      yield* step(page, "sync-found-running-progress")
      yield* release
      yield* promise(() => page.locator("#message", { hasText: `Sync ${id} finished` }).waitFor({ timeout: 60_000 }))
      yield* step(page, "sync-found-running-followed")
      assert.strictEqual((yield* jobOf(service, id)).status, "succeeded")
      assert.match(progressShown ?? "", new RegExp(`^Sync ${id}: syncing [a-z ]+; [0-9,]+ requests? so far(, ~[0-9,]+ left)?\\.$`))
      assert.deepStrictEqual(
        [
          during,
          saidAtSignIn,
          (yield* promise(() => page.textContent("#sync-status")))?.startsWith(`Latest sync: ${id} (`),
          yield* promise(() => progress.isHidden()),
          yield* promise(() => progress.evaluate((line) => [line.getAttribute("role"), line.getAttribute("aria-live")]))
        ],
        [
          `No finished sync can be explored yet. Sync ${id} is ${
            during?.includes("is queued") === true ? "queued" : "running"
          }; the page reloads the syncs when it has finished.`,
          "No finished sync can be explored yet: one is running, and the page says here when it has finished.",
          true,
          true,
          [null, null]
        ]
      )
    }).pipe(Effect.scoped, Effect.provide(sandbox)), { timeout: 120_000 })

  it.scopedLive(
    "a sync waiting out Fivetran's rate limit is followed as running: its wait shown, Cancel offered, then its end said",
    () =>
      Effect.gen(function*() {
        const service = yield* serviceOverSandbox({ refusedKey: false })
        const { page } = yield* openExplorer(service)
        // The sync's first request is answered 429 with Retry-After: 8: its job waits (waiting_for_rate_limit).
        yield* (yield* Sandbox).setFaults({ rateLimitBurst: { requests: 1, retryAfterSeconds: 8 } })
        const id = yield* startFromPage(page)
        const progress = page.locator("#sync-progress", { hasText: "for the rate limit" })
        yield* promise(() => progress.waitFor({ timeout: 30_000 }))
        const during = {
          status: (yield* jobOf(service, id)).status,
          progress: yield* promise(() => progress.textContent()),
          cancel: yield* promise(() => page.locator("#cancel-sync").isVisible()),
          message: yield* promise(() => page.textContent("#message"))
        }
        yield* step(page, "sync-followed-rate-limit-wait")
        yield* promise(() => page.locator("#message", { hasText: `Sync ${id} finished` }).waitFor({ timeout: 60_000 }))
        assert.strictEqual(during.status, "waiting_for_rate_limit")
        assert.match(
          during.progress ?? "",
          new RegExp(
            `^Sync ${id}: syncing [a-z ]+; [0-9,]+ requests? so far(, ~[0-9,]+ left)?; waiting until ` +
              "[0-9]{2}:[0-9]{2}:[0-9]{2} UTC for the rate limit: Fivetran answered 429 with Retry-After 8s\\.$"
          )
        )
        assert.deepStrictEqual([during.cancel, during.message?.includes("failed")], [true, false])
        assert.deepStrictEqual(
          [yield* promise(() => page.textContent("#message")), yield* promise(() => page.getAttribute("#message", "class"))],
          [yield* finishedText(service, id), "info"]
        )
      }).pipe(Effect.scoped, Effect.provide(sandbox)),
    { timeout: 120_000 }
  )

  it.scopedLive(
    "a running sync cancelled from the page, from the keyboard: its end is said, the button goes, the focus stays in the bar",
    () =>
      Effect.gen(function*() {
        const service = yield* serviceOverSandbox({ refusedKey: false })
        yield* holdSyncRequests
        const { page } = yield* openExplorer(service)
        const id = yield* startFromPage(page)
        const cancel = page.locator("#cancel-sync")
        yield* promise(() => cancel.waitFor())
        assert.deepStrictEqual(yield* audit(page, "a sync running"), [])
        yield* promise(() => cancel.focus())
        yield* promise(() => page.keyboard.press("Enter"))
        yield* promise(() => page.locator("#message", { hasText: `Sync ${id} was cancelled` }).waitFor({ timeout: 60_000 }))
        yield* step(page, "sync-cancelled-from-page")
        const job = yield* jobOf(service, id)
        assert.deepStrictEqual(
          [
            job.status,
            yield* promise(() => page.textContent("#message")),
            yield* promise(() => page.getAttribute("#message", "class")),
            yield* promise(() => cancel.isHidden()),
            yield* promise(() => page.evaluate<string>("document.activeElement.id"))
          ],
          ["cancelled", `Sync ${id} was cancelled${job.error === null ? "" : `: ${job.error}`}`, "info", true, "start-sync"]
        )
      }).pipe(Effect.scoped, Effect.provide(sandbox)),
    { timeout: 120_000 }
  )
})
