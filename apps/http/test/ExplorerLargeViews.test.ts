import { generatePreset } from "@baton-fivetran/fivetran-sandbox"
import axe from "axe-core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { existsSync } from "node:fs"
import { chromiumPath, openExplorer, promise, sandboxOf, step, syncedServiceOver } from "./support/ExplorerBrowser.js"

/**
 * The explorer over an account whose views pass a table's 1,000 rows: the `small` preset and 1,100
 * more Account Reviewers named "Reviewer 1" to "Reviewer 1100" (1,116 rows on the role), served by the bundled service from
 * a sandbox of the test's. The search asks the service (q), the tables are sorted by name (a
 * person's number as a number), and "Show more rows" reaches the rows past the first 1,000.
 */

const Token = "token-for-the-explorer-large-views-test"
const Role = "Account Reviewer"
const small = generatePreset("small")
const template = small.users.find((user) => user.role === Role)!
const reviewers = Array.from({ length: 1100 }, (_, index) => ({
  ...template,
  id: `reviewer_${String(index + 1).padStart(4, "0")}`,
  email: `reviewer.${index + 1}@acmedata.com`,
  given_name: "Reviewer",
  family_name: String(index + 1)
}))
const account = { ...small, users: [...small.users, ...reviewers] }

interface SheetRow {
  readonly principal: string
  readonly principal_name: string
  readonly resource: string
  readonly resource_name: string
  readonly entitlement: string
  readonly via: string
}

/** Review rows (direct, and through teams) from the service's export, in its order. */
const sheetRows = (url: string, filter: Readonly<Record<string, string>>) =>
  promise(async () => {
    const response = await fetch(`${url}/v1/export?${new URLSearchParams({ format: "jsonl", ...filter })}`, {
      headers: { authorization: `Bearer ${Token}` }
    })
    return (await response.text()).split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as SheetRow)
  })

/** Rows as the page should list them: by name (any case, numbers as numbers), then principal, entitlement and path. */
const collator = new Intl.Collator("en", { sensitivity: "base", numeric: true })
const key = (row: SheetRow) => `${row.principal}\n${row.entitlement}\n${row.via}`
const byName = (a: SheetRow, b: SheetRow) =>
  collator.compare(a.principal_name, b.principal_name) || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)

describe("access explorer over views of more than 1,000 rows", () => {
  it.skipIf(!existsSync(chromiumPath))("chromium is installed", () => {})

  it.scopedLive(
    "the search asks the service; a role's 1,116 rows show sorted by name, 1,000 of 1,116, then all after Show more rows",
    () =>
      Effect.gen(function*() {
        const service = yield* syncedServiceOver(Token)
        const sheet = yield* sheetRows(service.url, { resource: `role:${Role}` })
        const holderNames = [...sheet].sort(byName).map((row) => row.principal_name)
        const ofHolders = `the access paths of ${new Set(sheet.map((row) => row.principal)).size.toLocaleString("en")} holders`
        // 1,100 Reviewers and the preset's 16 rows (direct, and through the team that has the role), numbers as numbers.
        assert.deepStrictEqual(
          [holderNames.length, holderNames[0], holderNames[1000], holderNames.at(-1)],
          [1116, "Alberto Phillips", "Reviewer 988", "Samuel Mensah"]
        )
        assert.deepStrictEqual(
          holderNames.filter((name) => name.startsWith("Reviewer ")),
          reviewers.map((user) => `Reviewer ${user.family_name}`)
        )
        const { page } = yield* openExplorer(service)

        // Destinations are found by the service's search: one request per type, each with the text.
        const searched: Array<string> = []
        page.on("request", (request) => {
          const url = new URL(request.url())
          if (url.pathname === "/v1/resources") searched.push(url.search)
        })
        yield* promise(() => page.fill("#query", "LATAM"))
        yield* promise(() => page.click("#search-form button"))
        yield* promise(() => page.locator("[data-testid=resource-results] li").first().waitFor())
        assert.deepStrictEqual(
          [
            yield* promise(() => page.locator("[data-testid=resource-results] li").allTextContents()),
            yield* promise(() => page.textContent("#results-status")),
            [...searched].sort()
          ],
          [
            ["crm_latam (group:hardy_ridge)", "logistics_latam (group:formal_birch)"],
            "No user or team matches \"LATAM\". 2 destinations, connections or roles match.",
            ["?q=LATAM&type=connection&page_size=51", "?q=LATAM&type=group&page_size=51", "?q=LATAM&type=role&page_size=51"]
          ]
        )

        // A user is found by a part of their email; the role by its name.
        yield* promise(() => page.fill("#query", "REVIEWER.1100@"))
        yield* promise(() => page.click("#search-form button"))
        yield* promise(() => page.locator("[data-principal=\"user:reviewer_1100\"]").waitFor())
        assert.deepStrictEqual(yield* promise(() => page.locator("[data-testid=results] li").allTextContents()), [
          "Reviewer 1100 <reviewer.1100@acmedata.com> user:reviewer_1100, enabled"
        ])
        // Users by name, not by id (silver_wren is Eli Ortiz, stout_forest Eli Lehmann).
        yield* promise(() => page.fill("#query", "eli"))
        yield* promise(() => page.click("#search-form button"))
        yield* promise(() => page.locator("[data-principal=\"user:stout_forest\"]").waitFor())
        assert.deepStrictEqual(yield* promise(() => page.locator("[data-testid=results] li a").allTextContents()), [
          "Eli Lehmann <eli.lehmann@acmedata.com>",
          "Eli Ortiz <eli.ortiz@acmedata.com>"
        ])
        yield* promise(() => page.fill("#query", "account reviewer"))
        yield* promise(() => page.click("#search-form button"))
        yield* promise(() => page.locator(`[data-resource="role:${Role}"]`).click())

        // Everyone on the role, by name: the first 1,000, counted honestly, then the rest.
        const rows = page.locator("[data-testid=resource-table] tbody tr")
        yield* promise(() => rows.nth(999).waitFor())
        yield* step(page, "large-view-first-page")
        // One column of every row, read in one go (a locator per row takes seconds on 1,116 rows).
        const names = (selector: string, column: number) =>
          promise(() =>
            page.evaluate<Array<string>>(
              `[...document.querySelectorAll(${JSON.stringify(`${selector} tbody tr`)})].map((row) => row.cells[${column}].textContent)`
            )
          )
        assert.deepStrictEqual(
          [
            yield* promise(() => rows.count()),
            yield* promise(() => page.textContent("[data-testid=rows-count]")),
            yield* names("[data-testid=resource-table]", 2)
          ],
          [1000, `1,000 of 1,116 rows, ${ofHolders}.`, holderNames.slice(0, 1000)]
        )
        // The button and the count pass axe-core's rules (injected through the driver: the CSP allows the page's own scripts only).
        yield* promise(() => page.evaluate(axe.source))
        const audit = yield* promise(() => page.evaluate<axe.AxeResults>("window.axe.run('#details', { resultTypes: ['violations'] })"))
        assert.deepStrictEqual(audit.violations.map((violation) => violation.id), [])
        yield* promise(() => page.click("[data-testid=rows-more]"))
        yield* promise(() => rows.nth(1115).waitFor())
        yield* step(page, "large-view-all-rows")
        assert.deepStrictEqual(
          [
            yield* promise(() => page.textContent("[data-testid=rows-count]")),
            yield* names("[data-testid=resource-table]", 2),
            yield* promise(() => rows.nth(1000).locator("td").nth(2).textContent()),
            yield* promise(() => page.locator("[data-testid=rows-more]").isHidden()),
            // The button went with the last rows: the keyboard's place is the first row it brought.
            yield* promise(() => page.evaluate<string>("document.activeElement.cells[2].textContent"))
          ],
          [`1,116 rows, ${ofHolders}.`, holderNames, "Reviewer 988", true, "Reviewer 988"]
        )

        // The role's holders from its permission: sorted the same, 1,000 first.
        yield* promise(() => page.locator("[data-testid=resource-table] tbody tr").first().locator("a").first().click())
        const holders = page.locator("[data-testid=holders-table] tbody tr")
        yield* promise(() => holders.nth(999).waitFor())
        assert.deepStrictEqual(
          [yield* promise(() => page.textContent("[data-testid=rows-count]")), yield* names("[data-testid=holders-table]", 1)],
          [`1,000 of 1,116 rows, ${ofHolders}.`, holderNames.slice(0, 1000)]
        )

        // A user's access by resource name (the export's order is by entitlement id), then resource, entitlement and path.
        const user = "user:formal_sierra"
        const access = yield* sheetRows(service.url, { principal: user })
        const resourceKey = (row: SheetRow) => `${row.resource}\n${row.entitlement}\n${row.via}`
        const byResource = [...access].sort((a, b) =>
          collator.compare(a.resource_name, b.resource_name) ||
          (resourceKey(a) < resourceKey(b) ? -1 : resourceKey(a) > resourceKey(b) ? 1 : 0)
        ).map((row) => `${row.resource_name} (${row.resource})`)
        assert.notDeepEqual(byResource, access.map((row) => `${row.resource_name} (${row.resource})`))
        yield* promise(() => page.goto(`${service.url}/#principal=${user}`))
        yield* promise(() => page.locator("[data-testid=access-table] tbody tr").first().waitFor())
        assert.deepStrictEqual(
          [yield* promise(() => page.textContent("[data-testid=rows-count]")), yield* names("[data-testid=access-table]", 1)],
          [`${access.length} rows.`, byResource]
        )
      }).pipe(Effect.provide(sandboxOf(account))),
    { timeout: 240_000 }
  )
})
