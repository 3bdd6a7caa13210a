import { generate } from "@baton-fivetran/fivetran-sandbox"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { openExplorer, promise, sandboxOf, step, syncedServiceOver } from "./support/ExplorerBrowser.js"

/**
 * A view past the page's 100,000 rows: one destination that 101 teams of the same 1,000 users
 * each hold (101,101 rows on it: each team, and each member through each team). The page reads
 * the first 100,000 of its sheet and stops the download there, says so, shows 1,000 at a time, and
 * offers the whole sheet as CSV. Real Chromium, the bundled service over a sandbox of the test's.
 */

const Token = "token-for-the-explorer-huge-views-test"

const account = generate({
  seed: 11,
  users: 1000,
  groups: 1,
  teams: 101,
  connections: 0,
  customRoles: 0,
  groupsPerUser: { min: 0, max: 0 },
  connectionsPerUser: { min: 0, max: 0 },
  usersPerTeam: { min: 1000, max: 1000 },
  groupsPerTeam: { min: 1, max: 1 },
  connectionsPerTeam: { min: 0, max: 0 },
  invitedShare: 0,
  suspendedShare: 0,
  serviceAccountShare: 0,
  noAccountRoleShare: 0,
  deprecatedRoleShare: 0
})
const destination = `group:${account.groups[0]!.id}`

/** How many rows the service's export of the destination has (counted as they stream). */
const sheetLength = (url: string) =>
  promise(async () => {
    const response = await fetch(`${url}/v1/export?${new URLSearchParams({ format: "jsonl", resource: destination })}`, {
      headers: { authorization: `Bearer ${Token}` }
    })
    let lines = 0
    for await (const chunk of response.body!) {
      for (const byte of chunk as Uint8Array) if (byte === 10) lines++
    }
    return lines
  })

describe("access explorer over a view of more than 100,000 rows", () => {
  it.scopedLive("the first 100,000 are read and said to be, 1,000 shown at a time, from the keyboard too", () =>
    Effect.gen(function*() {
      const service = yield* syncedServiceOver(Token)
      assert.strictEqual(yield* sheetLength(service.url), 101_101)

      const { page } = yield* openExplorer(service, `/#resource=${destination}`)
      const rows = page.locator("[data-testid=resource-table] tbody tr")
      yield* promise(() => rows.nth(999).waitFor({ timeout: 120_000 }))
      yield* step(page, "huge-view-first-page")
      const count = () => promise(() => page.textContent("[data-testid=rows-count]"))
      const counted = (shown: string) =>
        `${shown} of the first 100,000 rows the service sent; the view has more, which the page does not read: ` +
        "download these rows (CSV) for all of them."
      assert.deepStrictEqual(
        [yield* count(), yield* promise(() => rows.count()), yield* promise(() => page.textContent("#message"))],
        [counted("1,000"), 1000, ""]
      )
      // The page holds the rows it read, not the sheet: a bound on its heap, not a timing.
      const heap = yield* promise(() => page.evaluate<number>("performance.memory.usedJSHeapSize"))
      assert.isBelow(heap, 256 * 1024 * 1024)

      // From the keyboard: the view's heading, its download, then "Show more rows" above the table
      // (not past 1,000 rows of links): the next 1,000 come, and the focus is on the first of them.
      const focused = () => promise(() => page.evaluate<string>("document.activeElement.dataset.testid ?? document.activeElement.tagName"))
      assert.strictEqual(yield* focused(), "details-title")
      yield* promise(() => page.keyboard.press("Tab"))
      yield* promise(() => page.keyboard.press("Tab"))
      assert.strictEqual(yield* focused(), "rows-more-above")
      yield* promise(() => page.keyboard.press("Enter"))
      yield* promise(() => rows.nth(1999).waitFor())
      assert.deepStrictEqual(
        [
          yield* count(),
          yield* focused(),
          yield* promise(() => page.evaluate<number>("document.activeElement.sectionRowIndex"))
        ],
        [counted("2,000"), "TR", 1000]
      )
      yield* step(page, "huge-view-more-rows")
    }).pipe(Effect.provide(sandboxOf(account))), { timeout: 900_000 })
})
