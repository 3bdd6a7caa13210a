import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { existsSync } from "node:fs"
import { account, call, chromiumPath, invite, openExplorer, promise, startService, step, syncNow } from "./support/ExplorerBrowser.js"

/**
 * A name without spaces as long as Fivetran takes one, in a destination's view at 1280 pixels (the
 * browser's default window): its column kept the whole word's width, and the table, 1,585 pixels
 * in a 906-pixel panel, hid Email, Status and How past a scrollbar under the last row. A cell
 * holding a long word now breaks it; short words ("enabled"), a day and an email's halves do not.
 */

const group = account.groups[0]!
const longName = `Dalia-${"Alexandrina-".repeat(16)}Martin`

interface Measured {
  readonly table: number
  readonly panel: number
  readonly cells: ReadonlyArray<readonly [string, boolean]>
  /** The days of last login drawn on more than one line ("2024-02-" over "12"). */
  readonly splitDays: number
}

describe("access explorer with a long word in a table", () => {
  it.skipIf(!existsSync(chromiumPath))("chromium is installed", () => {})

  it.scopedLive(
    "the table fits its panel: the long name's cell breaks, the status and the other short cells do not",
    () =>
      Effect.gen(function*() {
        const service = yield* startService
        const principal = yield* invite(service, longName, "Martin", "dalia.longname@example.com")
        const granted = yield* call(service, "POST", "/v1/grants", {
          entitlement_id: `group:${group.id}:View Destination`,
          principal: { type: "user", id: principal.slice("user:".length) }
        })
        assert.strictEqual(granted.status, 201)
        yield* syncNow(service)
        const { page } = yield* openExplorer(service, `/#resource=group:${group.id}`)
        yield* promise(() => page.locator("[data-testid=resource-table]").waitFor())
        const measured = yield* promise(() =>
          page.evaluate<Measured>(`(() => {
            const table = document.querySelector("[data-testid=resource-table]")
            const row = [...table.tBodies[0].rows].find((tr) => tr.textContent.includes(${JSON.stringify(principal)}))
            return {
              table: table.scrollWidth,
              panel: document.getElementById("details").clientWidth,
              cells: [...row.cells].map((td) => [td.textContent, td.classList.contains("breakable")]),
              splitDays: [...table.querySelectorAll(".day")].filter((day) => day.getClientRects().length > 1).length
            }
          })()`)
        )
        yield* step(page, "long-words-1-destination")
        assert.isAtMost(measured.table, measured.panel, `the table is ${measured.table} pixels wide in a ${measured.panel}-pixel panel`)
        assert.strictEqual(measured.splitDays, 0)
        assert.deepStrictEqual(measured.cells, [
          ["View Destination", false],
          // An id breaks from 18 characters on (its `user:` counted); the email at its `@` only.
          [principal, principal.length >= 18],
          [`${longName} Martin`, true],
          ["dalia.longname@example.com", false],
          ["invited", false],
          ["none recorded", false],
          ["human", false],
          ["direct", false]
        ])
      }),
    { timeout: 180_000 }
  )
})
