import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { openExplorer, promise, startPresetService, step, syncNow } from "./support/ExplorerBrowser.js"

/**
 * The explorer's view of a destination or connection names the account roles that reach it (they
 * have no rows on its sheet), each with its holders' count and a link to them, and a connection's
 * view its destination, whose roles reach it too (counted by the service: the view reads no sheet
 * but its own); a team's or a role's view does not. Real Chromium, the real service process with
 * the `small` sandbox.
 */

/** The bundled service on the `small` sandbox, its connections synced too. */
const startService = startPresetService(["--sync-connections"])

const note = (what: string) =>
  `Account roles also reach this ${what}, as far as each role's permissions go (Fivetran's roles cascade from the ` +
  "account to every destination and connection); their holders are not among these rows:"

/** The small sandbox's held account roles, by id, and their holders (users and teams, each once). */
const roles = [
  ["Account Administrator", "1 holder"],
  ["Account Analyst", "12 holders"],
  ["Account Reviewer", "15 holders"],
  ["Destination Creator", "1 holder"],
  ["Security Auditor", "4 holders"]
]

describe("access explorer: account roles beside a destination's holders", () => {
  it.scopedLive(
    "destination and connection views list the account roles, a connection's its destination, each a link",
    () =>
      Effect.gen(function*() {
        const service = yield* startService
        yield* syncNow(service)
        const { page } = yield* openExplorer(service, "/#resource=group:trusty_inlet")

        const shown = page.locator("[data-testid=account-roles]")
        yield* promise(() => shown.waitFor())
        yield* step(page, "destination-account-roles")
        assert.strictEqual(yield* promise(() => shown.locator("p").textContent()), note("destination"))
        assert.deepStrictEqual(
          yield* promise(() => shown.locator("li").allTextContents()),
          roles.map(([name, holders]) => `${name} ${holders}`)
        )
        assert.deepStrictEqual(
          yield* promise(() => shown.locator("a").evaluateAll((links) => links.map((link) => link.getAttribute("href")))),
          roles.map(([name]) => `#resource=role:${encodeURIComponent(name!)}`)
        )
        // Below the destination's own rows, which stay its grants alone (document order).
        assert.deepStrictEqual(
          yield* promise(() =>
            page.locator("#details [data-testid=resource-table], #details [data-testid=account-roles]")
              .evaluateAll((found) => found.map((element) => element.getAttribute("data-testid")))
          ),
          ["resource-table", "account-roles"]
        )

        // The link opens the role's holders: the one Account Administrator.
        yield* promise(() => shown.locator("a", { hasText: "Account Administrator" }).click())
        yield* promise(() => page.locator("[data-testid=details-title]", { hasText: "Access on Account Administrator" }).waitFor())
        assert.strictEqual(page.url(), `${service.url}/#resource=role:Account%20Administrator`)
        assert.strictEqual(yield* promise(() => page.locator("[data-testid=resource-table] tbody tr").count()), 1)
        assert.strictEqual(yield* promise(() => page.locator("[data-testid=account-roles]").count()), 0)

        // A connection's view says the same of the connection, and then names its destination, whose roles reach it too:
        // flying_panther is trusty_inlet's, whose sheet has 24 rows of 16 users and teams. The service counts them: the
        // view reads its own sheet and no other (the destination's whole sheet was a second export per view).
        const asked: Array<string> = []
        page.on("request", (request) => {
          const url = new URL(request.url())
          if (url.pathname.startsWith("/v1/")) asked.push(`${url.pathname}${url.search}`)
        })
        yield* promise(() => page.goto(`${service.url}/#resource=connection:flying_panther`))
        yield* promise(() => page.locator("[data-testid=destination-roles]").waitFor())
        assert.deepStrictEqual(asked.sort(), [
          "/v1/account-roles",
          "/v1/export?format=jsonl&resource=connection%3Aflying_panther",
          "/v1/resources/connection/flying_panther"
        ])
        yield* step(page, "connection-destination-roles")
        assert.strictEqual(yield* promise(() => page.locator("[data-testid=account-roles] p").textContent()), note("connection"))
        const destination = page.locator("[data-testid=destination-roles]")
        assert.deepStrictEqual(
          [
            yield* promise(() => destination.locator("p").textContent()),
            yield* promise(() => destination.locator("li").allTextContents()),
            yield* promise(() => destination.locator("a").getAttribute("href"))
          ],
          [
            "Its destination's roles also reach this connection, as far as each role's permissions go (Fivetran's roles " +
            "cascade from a destination to its connections); their holders are not among these rows:",
            ["events_archive (group:trusty_inlet) 16 holders"],
            "#resource=group:trusty_inlet"
          ]
        )
        // After the account roles, below the connection's own rows.
        assert.deepStrictEqual(
          yield* promise(() =>
            page.locator(
              "#details [data-testid=resource-table], #details [data-testid=account-roles], #details [data-testid=destination-roles]"
            )
              .evaluateAll((found) => found.map((element) => element.getAttribute("data-testid")))
          ),
          ["resource-table", "account-roles", "destination-roles"]
        )
        // The link opens the destination's holders: its 24 rows, and no destination note of its own.
        yield* promise(() => destination.locator("a").click())
        yield* promise(() =>
          page.locator("[data-testid=details-title]", { hasText: "Access on events_archive (group:trusty_inlet)" }).waitFor()
        )
        assert.strictEqual(page.url(), `${service.url}/#resource=group:trusty_inlet`)
        assert.strictEqual(
          yield* promise(() => page.locator("[data-testid=rows-count]").textContent()),
          // As the CLI's access --resource counts them: 24 access paths of 16 holders.
          "24 rows, the access paths of 16 holders."
        )
        assert.strictEqual(yield* promise(() => page.locator("[data-testid=destination-roles]").count()), 0)

        // A team's view has no such note: account roles reach destinations and connections.
        yield* promise(() => page.goto(`${service.url}/#resource=team:sunny_barley`))
        yield* promise(() => page.locator("[data-testid=details-title]", { hasText: "team:sunny_barley" }).waitFor())
        yield* promise(() => page.locator("[data-testid=resource-table]").waitFor())
        assert.strictEqual(yield* promise(() => page.locator("[data-testid=account-roles]").count()), 0)
      }),
    { timeout: 180_000 }
  )
})
