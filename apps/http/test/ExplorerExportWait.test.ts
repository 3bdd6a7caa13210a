import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { explorerWaiting, manyRows } from "./HeldExports.js"
import { focusedId, holdExportSlot, openExplorer, promise, step, syncedServicePerFile } from "./support/ExplorerBrowser.js"

/**
 * A view opened while the service streams as many exports as it runs at once (429 TooManyExports,
 * `--max-concurrent-exports 1` here) waits out Retry-After, saying so, and loads once an export
 * ends; the refusal is shown only when it keeps coming. Real Chromium, the bundled service, and a
 * whole-sheet download the test holds open by not reading it.
 */

const Token = "token-for-the-explorer-export-wait-test"

const team = `team:${manyRows.teams[0]!.id}`

/** The team's rows as the service's export has them (read once no download is held). */
const sheetLength = (url: string) =>
  promise(async () => {
    const response = await fetch(`${url}/v1/export?${new URLSearchParams({ format: "jsonl", principal: team })}`, {
      headers: { authorization: `Bearer ${Token}` }
    })
    return (await response.text()).split("\n").filter((line) => line !== "").length
  })

const waiting = explorerWaiting(2)

/** One service and sync for the file: its tests only read them. */
const startService = syncedServicePerFile(manyRows, Token, ["--max-concurrent-exports", "1"])

describe("access explorer while the service is sending as many exports as it runs at once", () => {
  it.scopedLive("a view waits, saying so, and loads once the export ahead of it ends", () =>
    Effect.gen(function*() {
      const service = yield* startService
      const held = yield* holdExportSlot(service)
      assert.strictEqual(held.status, 200)
      const { page } = yield* openExplorer(service, `/#principal=${team}`)

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
      yield* promise(() => page.locator("[data-testid=access-table]").waitFor())
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
    }), { timeout: 240_000 })

  it.scopedLive(
    "a view opened from a link in the view before keeps the keyboard's place: on the wait, then its heading, or the search if refused",
    () =>
      Effect.gen(function*() {
        const service = yield* startService
        const { page } = yield* openExplorer(service, `/#principal=${team}`)
        yield* promise(() => page.locator("[data-testid=access-table]").waitFor())
        const links = page.locator("[data-testid=access-table] a[href^='#entitlement=']")
        const [first, second] = [yield* promise(() => links.nth(0).textContent()), yield* promise(() => links.nth(1).textContent())]

        // The first entitlement's link, from the keyboard, while a download holds the only slot: the wait has the focus.
        const held = yield* holdExportSlot(service)
        assert.strictEqual(held.status, 200)
        yield* promise(() => links.nth(0).focus())
        yield* promise(() => page.keyboard.press("Enter"))
        yield* promise(() => page.locator("[data-testid=details-waiting]").waitFor())
        yield* step(page, "export-waiting-focused")
        assert.deepStrictEqual([yield* focusedId(page), yield* promise(() => page.textContent("#details-status"))], [
          "details-waiting",
          waiting
        ])
        // The slot frees: the holders show, the focus on their heading.
        yield* held.hangUp
        yield* promise(() => page.locator("[data-testid=holders-table]").waitFor())
        assert.deepStrictEqual(
          [yield* promise(() => page.textContent("[data-testid=details-title]")), yield* focusedId(page)],
          [`Holders of ${first}`, "details-title"]
        )

        // Back to the team, then its second entitlement while the slot is held until the page gives up: the search has the focus.
        yield* promise(() => page.goBack())
        yield* promise(() => links.nth(1).waitFor())
        const heldAgain = yield* holdExportSlot(service)
        assert.strictEqual(heldAgain.status, 200)
        yield* promise(() => links.nth(1).focus())
        yield* promise(() => page.keyboard.press("Enter"))
        yield* promise(() => page.locator("#message", { hasText: "(the page tried 4 times)" }).waitFor({ timeout: 60_000 }))
        assert.deepStrictEqual(
          [yield* focusedId(page), yield* promise(() => page.locator("[data-testid=details-waiting]").count()), page.url()],
          ["query", 0, `${service.url}/#entitlement=${encodeURIComponent(second!).replaceAll("%3A", ":")}`]
        )
      }),
    { timeout: 240_000 }
  )

  it.scopedLive("a refusal that keeps coming is shown after the page's four tries", () =>
    Effect.gen(function*() {
      const service = yield* startService
      const held = yield* holdExportSlot(service)
      assert.strictEqual(held.status, 200)
      const { page } = yield* openExplorer(service, `/#principal=${team}`)

      const message = page.locator("#message", {
        hasText: "the service is already streaming 1 sheet export, as many as it runs at once " +
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
    }), { timeout: 240_000 })
})
