import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import type { Page } from "playwright-core"
import { manyRows } from "./HeldExports.js"
import { focusedId, openExplorer, promise, sandboxOf, step, syncedServiceOver } from "./support/ExplorerBrowser.js"

/**
 * The explorer in a window 400 px wide (one column: the search's results above the view) from the
 * keyboard: what a reviewer far down the page sees when an action fails. Real Chromium, the bundled
 * service over a sandbox whose team view is a long table.
 */

const Token = "token-for-the-explorer-narrow-window-test"

const team = `team:${manyRows.teams[0]!.id}`

const startService = syncedServiceOver(Token)

/** A one-column window, with the team's view open and its table shown. */
const narrowTeamView = (service: Parameters<typeof openExplorer>[0]) =>
  Effect.gen(function*() {
    const opened = yield* openExplorer(service, `/#principal=${team}`)
    yield* promise(() => opened.page.setViewportSize({ width: 400, height: 700 }))
    yield* promise(() => opened.page.locator("[data-testid=access-table]").waitFor())
    return opened.page
  })

/** Where an element is against the window: its box's top and bottom, and the window's height. */
const placeOf = (page: Page, selector: string) =>
  promise(() =>
    page.evaluate<{ top: number; bottom: number; innerHeight: number; scrollY: number }>(`(() => {
      const box = document.querySelector(${JSON.stringify(selector)}).getBoundingClientRect()
      return { top: box.top, bottom: box.bottom, innerHeight: window.innerHeight, scrollY: window.scrollY }
    })()`)
  )

describe("access explorer in a narrow window", () => {
  it.scopedLive("an error of an action far down the page is shown in the window, where the reviewer is", () =>
    Effect.gen(function*() {
      const service = yield* startService
      const page = yield* narrowTeamView(service)
      const lastLink = "[data-testid=access-table] tbody tr:last-child a[href^='#entitlement=']"
      const last = page.locator(lastLink)

      // The service goes away; the reviewer, at the table's last row, opens its entitlement from the keyboard.
      assert.strictEqual(yield* service.stop, 0)
      yield* promise(() => last.focus())
      yield* promise(() => page.keyboard.press("Enter"))
      const error = "The service could not be reached (Failed to fetch)."
      yield* promise(() => page.locator("#message", { hasText: error }).waitFor())
      yield* step(page, "narrow-error-in-view")

      const message = yield* placeOf(page, "#message")
      const link = yield* placeOf(page, lastLink)
      assert.deepStrictEqual(
        {
          text: yield* promise(() => page.textContent("#message")),
          kind: yield* promise(() => page.getAttribute("#message", "class")),
          inWindow: message.top >= 0 && message.bottom <= message.innerHeight,
          // The reviewer was not moved: still far down the page, the link pressed in the window, with the focus.
          scrolled: message.scrollY > 0,
          linkInWindow: link.top >= message.bottom && link.bottom <= link.innerHeight,
          focused: yield* promise(() =>
            page.evaluate<boolean>(`document.activeElement === document.querySelector(${JSON.stringify(lastLink)})`)
          )
        },
        { text: error, kind: "error", inWindow: true, scrolled: true, linkInWindow: true, focused: true }
      )
    }).pipe(Effect.provide(sandboxOf(manyRows))), { timeout: 240_000 })

  it.scopedLive(
    "from the search, two Tabs and Enter reach the open view past the results, by a skip shown while focused",
    () =>
      Effect.gen(function*() {
        const service = yield* startService
        const page = yield* narrowTeamView(service)

        // A blank search lists 50 users above the view; the focus stays in the field.
        yield* promise(() => page.focus("#query"))
        yield* promise(() => page.keyboard.press("Enter"))
        yield* promise(() => page.locator("[data-testid=results] li").nth(49).waitFor())
        assert.strictEqual(yield* focusedId(page), "query")

        // Tab past the Search button: the skip, shown in the window; Enter: the view's heading.
        yield* promise(() => page.keyboard.press("Tab"))
        yield* promise(() => page.keyboard.press("Tab"))
        assert.strictEqual(yield* focusedId(page), "skip-to-view")
        const skip = yield* placeOf(page, "#skip-to-view")
        yield* step(page, "narrow-skip-focused")
        assert.deepStrictEqual(
          [
            yield* promise(() => page.textContent("#skip-to-view")),
            skip.top >= 0 && skip.bottom <= skip.innerHeight && skip.bottom - skip.top > 1
          ],
          ["Skip to the open view", true]
        )
        yield* promise(() => page.keyboard.press("Enter"))
        assert.deepStrictEqual(
          [yield* focusedId(page), yield* promise(() => page.evaluate<string>("document.activeElement.textContent"))],
          ["details-title", `${manyRows.teams[0]!.name} (${team})`]
        )
        // Away from it, the skip takes no room.
        const away = yield* placeOf(page, "#skip-to-view")
        assert.strictEqual(away.bottom - away.top, 1)
      }).pipe(Effect.provide(sandboxOf(manyRows))),
    { timeout: 240_000 }
  )
})
