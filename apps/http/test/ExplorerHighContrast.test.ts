import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import type { Page } from "playwright-core"
import { inherited, newPage, promise, signIn, startService, step, syncNow } from "./support/ExplorerBrowser.js"

/**
 * The access explorer in high contrast: Chromium emulating Windows' forced colours (which drop
 * backgrounds and repaint every colour from the system's few) and `prefers-contrast: more`. What
 * the page tells apart must stay apart without its colours: an error from a notice, a link from
 * text, the headers from the rows, and where the keyboard is.
 */

/** What the page draws of an element, as high contrast leaves it. */
interface Drawn {
  readonly frame: string
  readonly before: string
  readonly underline: boolean
  readonly outline: string
  readonly weight: string
  readonly color: string
}

/** Runs in the page (the tests have no DOM types): `Drawn` of the element `selector`, or of the focused one for ":focus". */
const drawnIn = `(selector) => {
  const element = selector === ":focus" ? document.activeElement : document.querySelector(selector)
  const style = getComputedStyle(element)
  return {
    frame: style.borderLeftStyle + " " + style.borderLeftWidth + " / " + style.borderBottomStyle + " " + style.borderBottomWidth,
    before: getComputedStyle(element, "::before").content,
    underline: style.textDecorationLine.includes("underline"),
    outline: style.outlineStyle,
    weight: style.fontWeight,
    color: style.color
  }
}`

const drawn = (page: Page, selector: string) => promise(() => page.evaluate<Drawn>(`(${drawnIn})(${JSON.stringify(selector)})`))

const press = (page: Page, key: string) => promise(() => page.keyboard.press(key))

/** Presses Tab until `selector` has the focus (at most 80 times). */
const tabTo = (page: Page, selector: string) =>
  promise(async () => {
    for (let i = 0; i < 80; i++) {
      if (await page.evaluate<boolean>(`document.activeElement?.matches(${JSON.stringify(selector)}) === true`)) return true
      await page.keyboard.press("Tab")
    }
    return false
  })

describe("access explorer in high contrast", () => {
  it.scopedLive(
    "forced colours: an error reads as one, messages keep their bar, links are underlined, headers ruled, the focus outlined",
    () =>
      Effect.gen(function*() {
        const service = yield* startService
        const { page } = yield* newPage
        yield* promise(() => page.emulateMedia({ forcedColors: "active", contrast: "more" }))
        yield* promise(() => page.goto(`${service.url}/`))
        assert.isTrue(yield* promise(() => page.evaluate<boolean>("matchMedia('(forced-colors: active)').matches")))

        // An error and a notice: the same system colours, so the words and the bar tell them apart.
        yield* promise(() => page.fill("#token", "not-the-token"))
        yield* press(page, "Enter")
        yield* promise(() => page.locator("#message", { hasText: "did not accept this token" }).waitFor())
        yield* step(page, "high-contrast-error")
        const error = yield* drawn(page, "#message")
        yield* signIn(page, service)
        yield* promise(() => page.locator("#message", { hasText: "No finished sync" }).waitFor())
        const notice = yield* drawn(page, "#message")
        assert.deepStrictEqual(
          [error.frame, error.before, notice.frame, notice.before, notice.color === error.color],
          ["solid 4px / none 0px", "\"Error: \"", "solid 4px / none 0px", "none", true]
        )

        // From the keyboard: a result's link, underlined and outlined when focused; its view's heading, headers and download.
        yield* syncNow(service)
        yield* promise(() => page.click("#reload"))
        yield* promise(() => page.locator("#message:empty").waitFor({ state: "attached" }))
        yield* promise(() => page.focus("#query"))
        yield* promise(() => page.keyboard.type(inherited.user.email))
        yield* press(page, "Enter")
        const result = `[data-principal="user:${inherited.user.id}"]`
        yield* promise(() => page.locator(result).waitFor())
        assert.isTrue(yield* tabTo(page, result))
        const link = yield* drawn(page, ":focus")
        yield* press(page, "Enter")
        yield* promise(() => page.locator("[data-testid=access-table]").waitFor())
        yield* step(page, "high-contrast-view")
        const title = yield* drawn(page, ":focus")
        const header = yield* drawn(page, "[data-testid=access-table] th")
        const cell = yield* drawn(page, "[data-testid=access-table] td")
        assert.isTrue(yield* tabTo(page, "[data-testid=details-export]"))
        const button = yield* drawn(page, ":focus")
        assert.deepStrictEqual(
          [link.underline, link.outline, title.outline, header.frame, header.weight, cell.frame, button.outline],
          [true, "auto", "auto", "none 0px / solid 2px", "700", "none 0px / solid 1px", "auto"]
        )
        const [download] = yield* promise(() => Promise.all([page.waitForEvent("download"), page.keyboard.press("Enter")]))
        assert.match(download.suggestedFilename(), new RegExp(`^access-review-.+-user_${inherited.user.id}\\.csv$`))
      }),
    { timeout: 180_000 }
  )

  it.scopedLive("more contrast without forced colours: notes in the text's colour, links underlined", () =>
    Effect.gen(function*() {
      const service = yield* startService
      yield* syncNow(service)
      const { page } = yield* newPage
      yield* promise(() => page.emulateMedia({ contrast: "more" }))
      yield* signIn(page, service)
      yield* promise(() => page.fill("#query", inherited.user.email))
      yield* promise(() => page.press("#query", "Enter"))
      yield* promise(() => page.locator(`[data-principal="user:${inherited.user.id}"]`).waitFor())
      yield* step(page, "more-contrast-results")
      const [body, note, link] = [yield* drawn(page, "body"), yield* drawn(page, "#results .note"), yield* drawn(page, "#results a")]
      assert.deepStrictEqual([note.color, link.underline], [body.color, true])
    }), { timeout: 120_000 })
})
