import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import type { Request } from "playwright-core"
import { explorerWaiting as waiting, manyRows } from "./HeldExports.js"
import { call, holdExportSlot, openExplorer, promise, step, syncedServicePerFile } from "./support/ExplorerBrowser.js"

/**
 * Views and searches the user has left: a view waiting out the service's 429s (the export cap,
 * `--max-concurrent-exports 1` here, held by a download the test does not read) stops trying once
 * the address shows another view, so its late refusal is never said over the view now open; a
 * view's download waiting so says it in the view and ends with it; the whole sheet's download
 * ends with the sign-out; and an earlier, slower search never replaces the results of a later one.
 * Real Chromium, the bundled service over a sandbox of the file's (one for all its tests: they
 * only read its sync).
 */

const Token = "token-for-the-explorer-abandoned-views-test"

const [left, opened] = manyRows.teams.map((team) => `team:${team.id}`)

/** One service and sync for the file: its tests only read them. */
const startService = syncedServicePerFile(manyRows, Token, ["--max-concurrent-exports", "1"])

/** The principal an export request of the page asks for. */
const exported = (request: Request) => {
  const url = new URL(request.url())
  return url.pathname === "/v1/export" ? url.searchParams.get("principal") ?? "" : undefined
}

describe("access explorer: views and searches the user has left", () => {
  it.scopedLive(
    "a view waiting out 429s stops trying when another view is opened; its refusal is never shown",
    () =>
      Effect.gen(function*() {
        const service = yield* startService
        const held = yield* holdExportSlot(service)
        assert.strictEqual(held.status, 200)
        const { page } = yield* openExplorer(service, `/#principal=${left}`)
        const shown = page.locator("[data-testid=details-waiting]")
        // The left view's last wait: its fourth try would be refused too, and said in the message line.
        yield* promise(() => shown.filter({ hasText: waiting(4) }).waitFor())

        const asked: Array<string> = []
        page.on("request", (request) => {
          const principal = exported(request)
          if (principal !== undefined) asked.push(principal)
        })
        yield* promise(() => page.goto(`${service.url}/#principal=${opened}`))
        // The opened view's third try comes after the left view's fourth would have (its timer was set first).
        yield* promise(() => shown.filter({ hasText: waiting(3) }).waitFor())
        yield* step(page, "abandoned-view-waiting")
        assert.deepStrictEqual(
          [asked, yield* promise(() => page.textContent("#message")), yield* promise(() => page.textContent("#details-status"))],
          [[opened, opened], "", waiting(3)]
        )

        // The download ahead ends: the opened view loads, and nothing of the left one shows.
        yield* held.hangUp
        yield* promise(() => page.locator("[data-testid=access-table]").waitFor())
        const team = manyRows.teams[1]!
        assert.deepStrictEqual(
          [
            yield* promise(() => page.textContent("[data-testid=details-title]")),
            yield* promise(() => page.textContent("#message")),
            asked.filter((principal) => principal !== opened)
          ],
          [`${team.name} (${opened})`, "", []]
        )
      }),
    { timeout: 240_000 }
  )

  it.scopedLive(
    "a view's download waiting out 429s says so in the view and ends when another view is opened: no notice over it, no file",
    () =>
      Effect.gen(function*() {
        const service = yield* startService
        const { page } = yield* openExplorer(service, `/#principal=${left}`)
        yield* promise(() => page.locator("[data-testid=access-table]").waitFor())
        const held = yield* holdExportSlot(service)
        assert.strictEqual(held.status, 200)
        const downloads: Array<string> = []
        page.on("download", (download) => downloads.push(download.suggestedFilename()))
        yield* promise(() => page.click("[data-testid=details-export]"))
        yield* promise(() => page.getByText(waiting(2)).first().waitFor())
        yield* step(page, "view-download-waiting")
        const said = [
          yield* promise(() => page.locator("[data-testid=details-export-waiting]").allTextContents()),
          yield* promise(() => page.textContent("#details-status")),
          yield* promise(() => page.textContent("#message"))
        ]

        const asked: Array<string> = []
        page.on("request", (request) => {
          const principal = exported(request)
          if (principal !== undefined) asked.push(`${new URL(request.url()).searchParams.get("format")} ${principal}`)
        })
        yield* promise(() => page.goto(`${service.url}/#principal=${opened}`))
        // The opened view's third try comes after the download's third would have (its timer was set first).
        yield* promise(() => page.locator("[data-testid=details-waiting]", { hasText: waiting(3) }).waitFor())
        yield* step(page, "view-download-left")
        assert.deepStrictEqual(
          [yield* promise(() => page.textContent("#message")), asked, yield* promise(() => page.textContent("#details-status"))],
          ["", [`jsonl ${opened}`, `jsonl ${opened}`], waiting(3)]
        )
        assert.deepStrictEqual(said, [[waiting(2)], waiting(2), ""])

        // The slot frees: the opened view loads; a page timer of the wait's length, set after the
        // download's own would have been, ends after its next try would have been sent.
        yield* held.hangUp
        yield* promise(() => page.locator("[data-testid=access-table]").waitFor())
        yield* promise(() => page.evaluate("new Promise((resolve) => setTimeout(resolve, 5000))"))
        assert.deepStrictEqual(
          [
            asked.filter((request) => request !== `jsonl ${opened}`),
            downloads,
            yield* promise(() => page.textContent("#message")),
            yield* promise(() => page.locator("[data-testid=details-export-waiting]").count())
          ],
          [[], [], "", 0]
        )
      }),
    { timeout: 240_000 }
  )

  it.scopedLive(
    "a download waiting out 429s ends with the sign-out: the next person's download is the only one",
    () =>
      Effect.gen(function*() {
        const service = yield* startService
        const held = yield* holdExportSlot(service)
        assert.strictEqual(held.status, 200)
        const { page } = yield* openExplorer(service)
        yield* promise(() => page.click("#export"))
        yield* promise(() => page.locator("#message", { hasText: waiting(2) }).waitFor())

        const asked: Array<string> = []
        page.on("request", (request) => {
          if (exported(request) !== undefined) asked.push(new URL(request.url()).search)
        })
        const downloads: Array<string> = []
        page.on("download", (download) => downloads.push(download.suggestedFilename()))
        yield* promise(() => page.click("#sign-out"))
        assert.strictEqual(yield* promise(() => page.textContent("#message")), "")
        // The slot frees; a page timer of the wait's length, set after the download's own, ends after
        // its next try would have been sent.
        yield* held.hangUp
        yield* promise(() => page.evaluate("new Promise((resolve) => setTimeout(resolve, 5000))"))
        // The next sign-in, in the same page: its download is the only one, at its first try.
        yield* promise(() => page.fill("#token", Token))
        yield* promise(() => page.press("#token", "Enter"))
        yield* promise(() => page.locator("#app").waitFor())
        // The whole sheet (~15 MB) is made and read before the browser saves it: 5-10 s on a quiet
        // machine, past Playwright's 30 s default under the full suite's load (twice on 2026-12-07).
        const [download] = yield* promise(() => Promise.all([page.waitForEvent("download", { timeout: 180_000 }), page.click("#export")]))
          .pipe(
            // Without a file, what the page asked and said tells a slow sheet from a slot still taken (429s).
            Effect.tapErrorCause(() =>
              Effect.flatMap(promise(() => page.textContent("#message")), (message) => Effect.logError("no download", { asked, message }))
            )
          )
        assert.deepStrictEqual(
          [asked, downloads, yield* promise(() => page.textContent("#message"))],
          [["?format=csv"], [download.suggestedFilename()], ""]
        )
      }),
    { timeout: 240_000 }
  )

  it.scopedLive(
    "a view that cannot be opened empties the panel, the view before not left under its address; the focus goes to the search",
    () =>
      Effect.gen(function*() {
        const service = yield* startService
        const { page } = yield* openExplorer(service, `/#principal=${opened}`)
        yield* promise(() => page.locator("[data-testid=access-table]").waitFor())
        // The reader's place is in the open view, as after following a link of it.
        yield* promise(() => page.locator("[data-testid=details-title]").focus())
        const latest = (yield* call(service, "GET", "/v1/syncs")).body as { readonly items: ReadonlyArray<{ readonly id: string }> }
        yield* promise(() => page.evaluate("location.hash = '#principal=user:no_such_user'"))
        yield* promise(() => page.locator("#message", { hasText: "is not in the latest sync" }).waitFor())
        yield* step(page, "view-not-opened")
        assert.deepStrictEqual(
          [
            yield* promise(() => page.textContent("#message")),
            yield* promise(() => page.evaluate<number>("document.getElementById('details').childElementCount")),
            yield* promise(() => page.evaluate<string>("document.activeElement.id"))
          ],
          [`user no_such_user is not in the latest sync (${latest.items[0]!.id})`, 0, "query"]
        )
        // An address no view reads (hand-edited, broken percent-encoding) says so, not the error before it.
        yield* promise(() => page.evaluate("location.hash = '#principal=%E0%A4%A'"))
        yield* promise(() => page.locator("#message", { hasText: "names no view" }).waitFor())
        assert.strictEqual(
          yield* promise(() => page.textContent("#message")),
          "The address names no view this page knows (#principal=, #entitlement= or #resource=, then an id): search for one instead."
        )
      }),
    { timeout: 120_000 }
  )

  it.scopedLive("an earlier search answered after a later one does not replace its results", () =>
    Effect.gen(function*() {
      const service = yield* startService
      const { page } = yield* openExplorer(service)
      // A first search opens the sync for reading, which the searches below would otherwise share.
      yield* promise(() => page.fill("#query", "a"))
      yield* promise(() => page.press("#query", "Enter"))
      yield* promise(() => page.locator("[data-testid=results]").waitFor())
      const [first, second] = manyRows.users
      // The first search's answer is held until the second's results show (a slow network, or a slow service).
      let release: () => void = () => {}
      const released = new Promise<void>((resolve) => release = resolve)
      const searchOf = (request: Request) => {
        const url = new URL(request.url())
        return url.pathname === "/v1/principals" ? url.search : undefined
      }
      const heldSearch = `?q=${encodeURIComponent(first!.email)}&limit=51`
      // How the held search ended: cancelled by the page, or answered once let go.
      const cancelled: Array<string> = []
      let heldEnded: () => void = () => {}
      const heldEnd = new Promise<void>((resolve) => heldEnded = resolve)
      page.on("requestfailed", (request) => {
        const search = searchOf(request)
        if (search !== undefined) cancelled.push(search)
        if (search === heldSearch) heldEnded()
      })
      page.on("requestfinished", (request) => {
        if (searchOf(request) === heldSearch) heldEnded()
      })
      yield* promise(() =>
        page.route((url) => url.pathname === "/v1/principals" && url.searchParams.get("q") === first!.email, async (route) => {
          const response = await route.fetch()
          await released
          await route.fulfill({ response }).catch(() => undefined)
        })
      )
      yield* promise(() => page.fill("#query", first!.email))
      yield* promise(() => page.press("#query", "Enter"))
      yield* promise(() => page.fill("#query", second!.email))
      yield* promise(() => page.press("#query", "Enter"))
      const results = page.locator("[data-testid=results] li")
      yield* promise(() => results.filter({ hasText: second!.email }).waitFor())
      // The held answer is let go: the page cancelled its request, or it comes and must not show.
      release()
      yield* promise(() => heldEnd)
      yield* promise(() => page.evaluate("new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)))"))
      assert.deepStrictEqual(
        [
          yield* promise(() => results.allTextContents()),
          yield* promise(() => page.textContent("#results-status")),
          cancelled
        ],
        [
          [`${second!.given_name} ${second!.family_name} <${second!.email}> user:${second!.id}, enabled`],
          `1 match for "${second!.email}".`,
          [heldSearch]
        ]
      )
    }), { timeout: 240_000 })
})
