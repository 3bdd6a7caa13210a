import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { existsSync } from "node:fs"
import type { Page } from "playwright-core"
import { chromiumPath, newPage, promise, startPresetService, step } from "./support/ExplorerBrowser.js"

/**
 * The message line stays at the window's top while it says something; before, only the next action
 * cleared it, so an error sat over the rows a reviewer was reading. Its Dismiss button clears it and
 * gives the keyboard back to where it was before it came to the button. Real Chromium, the real
 * service process on its `small` sandbox (no sync yet: signing in says so in the line).
 */

const Token = "token-for-the-explorer-message-dismiss-test"

const startService = startPresetService([], Token)

/** What the line and its button show, and where the keyboard is (in the page, as a string: the tests have no DOM types). */
const lineOf = (page: Page) =>
  promise(() =>
    page.evaluate<{ text: string; dismissShown: boolean; focused: string; scrollPaddingTop: string }>(`(() => {
      const focused = document.activeElement
      return {
        text: document.getElementById("message").textContent,
        dismissShown: !document.getElementById("dismiss-message").hidden,
        focused: focused === null || focused === document.body ? "body" : focused.id,
        scrollPaddingTop: document.documentElement.style.scrollPaddingTop
      }
    })()`)
  )

/**
 * The line once its scroll padding has followed it: a ResizeObserver sets it a frame after the line
 * grows or shrinks. Read again until it has (at most 5 s), not waitForFunction with a string: the
 * page's CSP (script-src 'self') refuses the eval that such a wait runs each time it polls.
 */
const lineOnceScrollPaddingIs = (page: Page, padded: boolean) =>
  lineOf(page).pipe(
    Effect.delay("50 millis"),
    Effect.repeat({ until: (line) => (line.scrollPaddingTop !== "0px") === padded, times: 100 })
  )

const clearedLineOf = (page: Page) => lineOnceScrollPaddingIs(page, false)

describe("the explorer's message line", () => {
  it.scopedLive(
    "Dismiss clears an error and a notice; the keyboard goes back where it was",
    () =>
      Effect.gen(function*() {
        assert.isTrue(existsSync(chromiumPath), `no ${chromiumPath}: apt-get install -y chromium (.ci/run installs it)`)
        const service = yield* startService
        const { page } = yield* newPage
        yield* promise(() => page.goto(`${service.url}/`))
        assert.deepStrictEqual(yield* clearedLineOf(page), { text: "", dismissShown: false, focused: "body", scrollPaddingTop: "0px" })

        // A wrong token: the error, with its Dismiss (named for a screen reader); a click clears it, and the
        // keyboard stays in the token field the refusal put it in.
        yield* promise(() => page.fill("#token", "not-the-token"))
        yield* promise(() => page.click("#login-form button"))
        yield* promise(() => page.locator("#message", { hasText: "did not accept this token" }).waitFor())
        const dismiss = page.getByRole("button", { name: "Dismiss the message" })
        assert.strictEqual(yield* promise(() => dismiss.count()), 1)
        yield* step(page, "message-dismiss-1-error")
        yield* promise(() => dismiss.click())
        assert.deepStrictEqual(yield* clearedLineOf(page), {
          text: "",
          dismissShown: false,
          focused: "token",
          scrollPaddingTop: "0px"
        })

        // Signed in before any sync: the notice; from the keyboard, Enter on Dismiss returns to Reload syncs.
        yield* promise(() => page.fill("#token", service.token))
        yield* promise(() => page.click("#login-form button"))
        yield* promise(() => page.locator("#message", { hasText: "No finished sync" }).waitFor())
        const shown = yield* lineOnceScrollPaddingIs(page, true)
        assert.deepStrictEqual([shown.text, shown.dismissShown, shown.scrollPaddingTop === "0px"], [
          "No finished sync can be explored, so there is nothing to show. Start one with \"Start a sync\".",
          true,
          false
        ])
        yield* promise(() => page.focus("#reload"))
        yield* promise(() => page.focus("#dismiss-message"))
        yield* promise(() => page.keyboard.press("Enter"))
        yield* promise(() => page.locator("#dismiss-message").waitFor({ state: "hidden" }))
        assert.deepStrictEqual(yield* clearedLineOf(page), { text: "", dismissShown: false, focused: "reload", scrollPaddingTop: "0px" })
        yield* step(page, "message-dismiss-2-cleared")
      }),
    { timeout: 180_000 }
  )
})
