import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { account, call, cellsOf, invite, openExplorer, promise, startService, step, syncNow } from "./support/ExplorerBrowser.js"

/**
 * The explorer's diff says what the service's diff items say of a user added or removed between
 * two syncs: its status, email and account type (a changed user's, each when it changed, beside
 * what it was); a grant's row says when its user cannot use it (suspended). Real Chromium, the
 * real service process with the `small` sandbox.
 */

/** An active person of the small preset, deleted between the two syncs. */
const removed = account.users.find((user) => user.id === "fancy_petal")!

/** A suspended user (Eli Ortiz) and an active one (Nikhil Sandoval) of the small preset. */
const [suspended, active] = ["silver_wren", "wise_cactus"].map((id) => account.users.find((user) => user.id === id)!) as [
  (typeof account.users)[number],
  (typeof account.users)[number]
]

describe("access explorer: the users of a diff", () => {
  it.scopedLive(
    "an invited user added and a user deleted: each row says its status, email and account type",
    () =>
      Effect.gen(function*() {
        const service = yield* startService
        const before = yield* syncNow(service)
        const invited = yield* invite(service, "New", "Hire", "new.hire@acmedata.com")
        const deleted = yield* call(service, "DELETE", `/v1/resources/user/${removed.id}`)
        assert.deepStrictEqual([deleted.status, deleted.body["status"]], [200, "deleted"])
        const after = yield* syncNow(service)

        const { page } = yield* openExplorer(service)
        assert.strictEqual(yield* promise(() => page.inputValue("#diff-base")), before)
        assert.strictEqual(yield* promise(() => page.inputValue("#diff-target")), after)
        yield* promise(() => page.click("#diff-run"))
        yield* promise(() => page.locator("[data-testid=diff-table]").waitFor())
        yield* step(page, "diff-users")
        const rows = (yield* cellsOf(page, "[data-testid=diff-table]")).filter((cells) => cells[1] === "resource")
        assert.deepStrictEqual(
          rows,
          [
            ["removed", "resource", `user:${removed.id}`, "Gabriel Gomez", `status enabled, email ${removed.email}, human account`, ""],
            ["added", "resource", invited, "New Hire", "status invited, email new.hire@acmedata.com, human account", ""]
          ].sort((a, b) => a[2]! < b[2]! ? -1 : 1)
        )
      }),
    180_000
  )

  it.scopedLive(
    "a grant made to a suspended user says so beside its path; an active user's says its path alone",
    () =>
      Effect.gen(function*() {
        const service = yield* startService
        yield* syncNow(service)
        const entitlement = "group:formal_birch:View Destination"
        for (const id of [suspended.id, active.id]) {
          const granted = yield* call(service, "POST", "/v1/grants", { entitlement_id: entitlement, principal: { type: "user", id } })
          assert.deepStrictEqual([granted.status, granted.body["status"]], [201, "granted"])
        }
        yield* syncNow(service)

        const { page } = yield* openExplorer(service)
        yield* promise(() => page.click("#diff-run"))
        yield* promise(() => page.locator("[data-testid=diff-table]").waitFor())
        yield* step(page, "diff-principal-status")
        const rows = (yield* cellsOf(page, "[data-testid=diff-table]")).filter((cells) => cells[1] === "grant")
        assert.deepStrictEqual(rows, [
          [
            "added",
            "grant",
            `${entitlement}:user:${suspended.id}`,
            "Eli Ortiz: View Destination on logistics_latam",
            "direct, user disabled",
            ""
          ],
          ["added", "grant", `${entitlement}:user:${active.id}`, "Nikhil Sandoval: View Destination on logistics_latam", "direct", ""]
        ])
      }),
    180_000
  )
})
