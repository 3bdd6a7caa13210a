import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import type { Page, Request } from "playwright-core"
import { explorerWaiting, manyRows } from "./HeldExports.js"
import { audit } from "./support/AxeAudit.js"
import {
  focusedId,
  holdExportSlot,
  noExportStreaming,
  openExplorer,
  promise,
  step,
  syncedServicePerFile
} from "./support/ExplorerBrowser.js"

/**
 * A download in progress, from the whole sheet's button or a view's: the page says it is being
 * prepared (a large account's sheet takes tens of seconds to make and read) and its waits, the
 * button is marked unavailable but keeps the keyboard's place, and pressing it again starts no
 * second export. `--max-concurrent-exports 1`, held by a download the test does not read, keeps
 * the first download waiting for as long as the test presses. Real Chromium, the bundled service.
 */

const Token = "token-for-the-explorer-download-in-progress-test"

const team = `team:${manyRows.teams[0]!.id}`

const waiting = explorerWaiting(2)

const preparing = (what: string) => `Preparing ${what} (CSV): the download starts when it is ready.`

/** One service and sync for the file: its tests only read them. */
const startService = syncedServicePerFile(manyRows, Token, ["--max-concurrent-exports", "1"])

/** Every text `selector`'s element is given from now on, in order (read with `said`); the page's own script, as a string (no DOM types here). */
const recordTexts = (page: Page, selector: string) =>
  promise(() =>
    page.evaluate(`{
      const target = document.querySelector(${JSON.stringify(selector)})
      window.said = []
      new MutationObserver(() => window.said.push(target.textContent))
        .observe(target, { childList: true, characterData: true, subtree: true })
    }`)
  )

const said = (page: Page) => promise(() => page.evaluate<ReadonlyArray<string>>("window.said"))

/** The export requests the page sends from now on: their query strings. */
const exportsAsked = (page: Page) => {
  const asked: Array<string> = []
  page.on("request", (request: Request) => {
    const url = new URL(request.url())
    if (url.pathname === "/v1/export") asked.push(url.search)
  })
  return asked
}

/** A page timer of a second: set after the download's wait of five, it ends before the next try is sent. */
const aSecond = (page: Page) => promise(() => page.evaluate("new Promise((resolve) => setTimeout(resolve, 1000))"))

/**
 * What a download said, in order, with its waits in the middle reduced to the first: how many tries
 * the service refused depends on how long the test's picture and audit took under load.
 */
const saidOnce = (texts: ReadonlyArray<string>) =>
  texts.filter((text, index) => !(text.startsWith("Waiting for the service") && texts[index - 1]?.startsWith("Waiting for the service")))

describe("access explorer: a download in progress", () => {
  it.scopedLive(
    "the whole sheet's button says it is preparing, keeps the focus, and a second press starts no second export",
    () =>
      Effect.gen(function*() {
        const service = yield* startService
        const held = yield* holdExportSlot(service)
        assert.strictEqual(held.status, 200)
        const { page } = yield* openExplorer(service)
        yield* recordTexts(page, "#message")
        const asked = exportsAsked(page)
        const downloads: Array<string> = []
        page.on("download", (download) => downloads.push(download.suggestedFilename()))

        yield* promise(() => page.focus("#export"))
        yield* promise(() => page.keyboard.press("Enter"))
        yield* promise(() => page.locator("#message", { hasText: waiting }).waitFor())
        yield* promise(() => page.keyboard.press("Enter"))
        yield* promise(() => page.keyboard.press("Enter"))
        yield* aSecond(page)
        // Read before the picture and the audit, which under load can outlast the wait before the next try.
        const askedWhilePressed = [...asked]
        yield* step(page, "sheet-download-in-progress")
        assert.deepStrictEqual(
          [
            askedWhilePressed,
            yield* promise(() => page.getAttribute("#export", "aria-disabled")),
            yield* focusedId(page),
            yield* audit(page, "the whole sheet's download in progress")
          ],
          [["?format=csv"], "true", "export", []]
        )

        // The slot frees: the next try is served, the sheet (~15 MB) is made and read, the browser saves it.
        yield* held.hangUp
        const download = yield* promise(() => page.waitForEvent("download", { timeout: 180_000 }))
        assert.deepStrictEqual(
          [
            asked.every((search) => search === "?format=csv"),
            downloads,
            saidOnce(yield* said(page)),
            yield* promise(() => page.getAttribute("#export", "aria-disabled")),
            yield* focusedId(page)
          ],
          [
            true,
            [download.suggestedFilename()],
            [preparing("the review sheet"), waiting, preparing("the review sheet"), ""],
            null,
            "export"
          ]
        )

        // Free again, once the service has freed the slot (just after the last byte, which the page
        // may have read first): the next press is a new download.
        yield* noExportStreaming(service)
        const askedBefore = asked.length
        yield* promise(() => Promise.all([page.waitForEvent("download", { timeout: 180_000 }), page.keyboard.press("Enter")]))
        assert.deepStrictEqual([asked.length - askedBefore, downloads.length], [1, 2])
      }),
    { timeout: 240_000 }
  )

  it.scopedLive("a view's button says it is preparing under it, and a second press starts no second export", () =>
    Effect.gen(function*() {
      const service = yield* startService
      const { page } = yield* openExplorer(service, `/#principal=${team}`)
      yield* promise(() => page.locator("[data-testid=access-table]").waitFor())
      const held = yield* holdExportSlot(service)
      assert.strictEqual(held.status, 200)
      yield* recordTexts(page, "#details-status")
      const asked = exportsAsked(page)
      const downloads: Array<string> = []
      page.on("download", (download) => downloads.push(download.suggestedFilename()))

      const button = page.locator("[data-testid=details-export]")
      yield* promise(() => button.focus())
      yield* promise(() => page.keyboard.press("Enter"))
      yield* promise(() => page.locator("[data-testid=details-export-waiting]", { hasText: waiting }).waitFor())
      yield* promise(() => page.keyboard.press("Enter"))
      yield* aSecond(page)
      // Read before the picture and the audit, which under load can outlast the wait before the next try.
      const askedWhilePressed = [...asked]
      yield* step(page, "view-download-in-progress")
      const scope = `?${new URLSearchParams({ format: "csv", principal: team })}`
      assert.deepStrictEqual(
        [
          askedWhilePressed,
          yield* promise(() => button.getAttribute("aria-disabled")),
          yield* focusedId(page),
          yield* audit(page, "a view's download in progress")
        ],
        [[scope], "true", "details-export", []]
      )

      yield* held.hangUp
      const download = yield* promise(() => page.waitForEvent("download", { timeout: 60_000 }))
      assert.deepStrictEqual(
        [
          asked.every((search) => search === scope),
          downloads,
          saidOnce(yield* said(page)),
          yield* promise(() => page.locator("[data-testid=details-export-waiting]").count()),
          yield* promise(() => button.getAttribute("aria-disabled")),
          yield* focusedId(page)
        ],
        [
          true,
          [download.suggestedFilename()],
          [preparing("these rows"), waiting, preparing("these rows"), ""],
          0,
          null,
          "details-export"
        ]
      )
    }), { timeout: 240_000 })
})
