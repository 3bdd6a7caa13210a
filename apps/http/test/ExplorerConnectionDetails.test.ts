import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { cellsOf, openExplorer, promise, startPresetService, step, syncNow } from "./support/ExplorerBrowser.js"

/**
 * A connection's view gets its destination and the destination's holders' count from
 * `GET /v1/resources/connection/<id>`, which a read-only token may ask; when that request fails,
 * the view still shows the connection's own rows and account roles, and says the destination part
 * could not be read (before, the view failed whole when the destination's sheet was refused).
 * Real Chromium, the real service process with the `small` sandbox, its connections synced.
 */

const FullToken = "full-token-for-the-connection-details-test"
const ReadToken = "read-token-for-the-connection-details-test"

const startService = startPresetService(["--sync-connections", "--read-token", ReadToken], FullToken)

const cascade = "Its destination's roles also reach this connection, as far as each role's permissions go (Fivetran's roles " +
  "cascade from a destination to its connections)"

describe("access explorer: a connection's destination", () => {
  it.scopedLive(
    "read with a read-only token; when it cannot be read, the connection's rows and account roles still show",
    () =>
      Effect.gen(function*() {
        const service = yield* startService
        yield* syncNow(service)
        const { page } = yield* openExplorer(service, "/#resource=connection:flying_panther", ReadToken)
        const destination = page.locator("[data-testid=destination-roles]")
        yield* promise(() => destination.waitFor())
        assert.deepStrictEqual(yield* promise(() => destination.locator("li").allTextContents()), [
          "events_archive (group:trusty_inlet) 16 holders"
        ])
        const rows = yield* cellsOf(page, "[data-testid=resource-table]")

        // The details request fails (the connection to the service drops): the rest of the view is as before.
        yield* promise(() => page.route("**/v1/resources/connection/**", (route) => route.abort("connectionreset")))
        yield* promise(() => page.goto(`${service.url}/#resource=team:sunny_barley`))
        yield* promise(() => page.locator("[data-testid=details-title]", { hasText: "team:sunny_barley" }).waitFor())
        yield* promise(() => page.goto(`${service.url}/#resource=connection:flying_panther`))
        const failed = page.locator("[data-testid=destination-failed]")
        yield* promise(() => failed.waitFor())
        yield* step(page, "connection-destination-failed")
        assert.deepStrictEqual(
          [
            yield* promise(() => page.locator("[data-testid=details-title]").textContent()),
            yield* cellsOf(page, "[data-testid=resource-table]"),
            yield* promise(() => page.locator("[data-testid=account-roles] li").count()),
            yield* promise(() => failed.textContent()),
            yield* promise(() => destination.locator("a").count()),
            yield* promise(() => page.locator("#message").textContent())
          ],
          [
            "Access on google_analytics_4 google_analytics_4 (connection:flying_panther)",
            rows,
            5,
            `${cascade}; which destination, and how many hold its roles, could not be read: ` +
            "The service could not be reached (Failed to fetch).",
            0,
            ""
          ]
        )
        assert.strictEqual(rows.length, 1)
        // Its place: after the connection's rows and the account roles.
        assert.deepStrictEqual(
          yield* promise(() =>
            page.locator(
              "#details [data-testid=resource-table], #details [data-testid=account-roles], #details [data-testid=destination-roles]"
            ).evaluateAll((found) => found.map((element) => element.getAttribute("data-testid")))
          ),
          ["resource-table", "account-roles", "destination-roles"]
        )
      }),
    { timeout: 180_000 }
  )
})
