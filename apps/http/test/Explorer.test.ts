import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { existsSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import type { Page } from "playwright-core"
import { teamGrantToMake } from "./AccessChanges.js"
import {
  account,
  call,
  cellsOf,
  chromiumPath,
  inherited,
  invite,
  newPage,
  openExplorer,
  promise,
  renameInFivetran,
  signIn,
  startService,
  step,
  syncNow,
  tempDir
} from "./support/ExplorerBrowser.js"

/**
 * The access explorer in a real headless Chromium against the real service process with the
 * `small` sandbox (support/ExplorerBrowser.ts). Each step leaves a screenshot in apps/http/test-screenshots/.
 */

const change = teamGrantToMake(account)
/** A user renamed in Fivetran between the two syncs: the diff shows it changed, and its old name. */
const renamed = account.users.find((user) => user.id !== inherited.user.id && user.given_name !== "" && user.family_name !== "")!

describe("access explorer in headless Chromium", () => {
  it.scopedLive(
    "sign in, search a team member, see an inherited grant with its team, open the diff around a provisioning change, download the sheet",
    () =>
      Effect.gen(function*() {
        assert.isTrue(existsSync(chromiumPath), `no ${chromiumPath}: apt-get install -y chromium (.ci/run installs it)`)
        const service = yield* startService
        const { page } = yield* newPage
        const message = page.locator("#message")

        // A wrong token is refused with a message, and the sign-in form stays.
        yield* promise(() => page.goto(`${service.url}/`))
        yield* promise(() => page.fill("#token", "not-the-token"))
        yield* promise(() => page.click("#login-form button"))
        yield* promise(() => message.filter({ hasText: "did not accept this token" }).waitFor())
        assert.isTrue(yield* promise(() => page.locator("#app").isHidden()))
        yield* step(page, "1-wrong-token")

        // The right token, before any sync: the page says so.
        yield* promise(() => page.fill("#token", service.token))
        yield* promise(() => page.click("#login-form button"))
        yield* promise(() => page.locator("#app").waitFor())
        assert.strictEqual(
          yield* promise(() => message.textContent()),
          "No finished sync can be explored, so there is nothing to show. Start one with \"Start a sync\"."
        )
        yield* step(page, "2-signed-in-no-sync")
        // A search and a download before any sync say the same, in the page's words: the service's
        // ("start one with POST /v1/syncs ...") are for an API client.
        for (
          const act of [() => page.fill("#query", "a").then(() => page.click("#search-form button")), () => page.click("#export-users")]
        ) {
          yield* promise(() => page.click("#dismiss-message"))
          yield* promise(() => act())
          yield* promise(() => message.filter({ hasText: "No finished sync" }).waitFor())
          assert.strictEqual(
            yield* promise(() => message.textContent()),
            "No finished sync can be explored, so there is nothing to show. Start one with \"Start a sync\"."
          )
        }

        // Two syncs around a provisioning change: a team gets a destination role.
        const before = yield* syncNow(service)
        const granted = yield* call(service, "POST", "/v1/grants", {
          entitlement_id: change.entitlementId,
          principal: { type: "team", id: change.team.id }
        })
        assert.strictEqual(granted.status, 201)
        assert.strictEqual(yield* renameInFivetran(service, renamed.id, "Renamed"), 200)
        const after = yield* syncNow(service)

        // The token is kept for the session: a reload needs no new sign-in.
        yield* promise(() => page.reload())
        yield* promise(() => page.locator("#app").waitFor())
        assert.include(yield* promise(() => page.textContent("#sync-status")), `Latest sync: ${after}`)

        // Search a team member by name; open them.
        yield* promise(() => page.fill("#query", inherited.user.given_name))
        yield* promise(() => page.click("#search-form button"))
        const result = page.locator(`[data-principal="user:${inherited.user.id}"]`)
        yield* promise(() => result.waitFor())
        yield* step(page, "3-search")
        yield* promise(() => result.click())
        yield* promise(() => page.locator("[data-testid=access-table]").waitFor())
        assert.strictEqual(
          yield* promise(() => page.textContent("[data-testid=details-title]")),
          `${inherited.user.given_name} ${inherited.user.family_name} (user:${inherited.user.id})`
        )
        const access = yield* cellsOf(page, "[data-testid=access-table]")
        assert.deepInclude(access, [
          `group:${inherited.group.id}:${inherited.role}`,
          `${inherited.group.name} (group:${inherited.group.id})`,
          inherited.role,
          `via team ${inherited.team.name} (${inherited.team.id})`
        ])
        yield* step(page, "4-inherited-grant")

        // A slow answer to an earlier click does not replace a later one: the user's access is held
        // back until the team, clicked after it, is shown; the page cancelled the user's request
        // when the team was opened, and still shows the team once the held answer is let go.
        let release = () => {}
        const held = new Promise<void>((resolve) => release = resolve)
        const userRows = (url: URL) => url.pathname === "/v1/export" && url.searchParams.get("principal") === `user:${inherited.user.id}`
        yield* promise(() =>
          page.route(userRows, async (route) => {
            await held
            await route.continue().catch(() => undefined)
          })
        )
        const userRowsCancelled = page.waitForEvent("requestfailed", (request) => userRows(new URL(request.url())))
        yield* promise(() => result.click())
        yield* promise(() => page.locator("[data-testid=access-table] a", { hasText: inherited.team.name }).first().click())
        const teamTitle = `${inherited.team.name} (team:${inherited.team.id})`
        yield* promise(() => page.locator("[data-testid=details-title]", { hasText: teamTitle }).waitFor())
        assert.strictEqual((yield* promise(() => userRowsCancelled)).failure()?.errorText, "net::ERR_ABORTED")
        release()
        yield* promise(() => page.unrouteAll({ behavior: "wait" }))
        yield* promise(() => page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0))))
        assert.strictEqual(yield* promise(() => page.textContent("[data-testid=details-title]")), teamTitle)

        // The diff of the two syncs: the renamed user, the team's new grant and each member's derived one.
        assert.strictEqual(yield* promise(() => page.inputValue("#diff-base")), before)
        assert.strictEqual(yield* promise(() => page.inputValue("#diff-target")), after)
        yield* promise(() => page.click("#diff-run"))
        yield* promise(() => page.locator("[data-testid=diff-table]").waitFor())
        assert.deepStrictEqual(
          yield* cellsOf(page, "[data-testid=diff-table]"),
          [
            [
              "changed",
              "resource",
              `user:${renamed.id}`,
              `Renamed ${renamed.family_name}`,
              "",
              `named ${renamed.given_name} ${renamed.family_name}`
            ],
            ...change.added.map((grant) => [
              "added",
              "grant",
              grant.id,
              grant.name,
              // The team by name, as the access views name it (it was its id alone).
              grant.paths[0]!.via === "direct" ? "direct" : `via team ${change.team.name} (${change.team.id})`,
              ""
            ])
          ]
        )
        assert.isTrue(yield* promise(() => page.locator("[data-testid=diff-more]").isHidden()))
        // The team a derived grant came through is a link to its access, as in the other views.
        const teamLinks = page.locator("[data-testid=diff-table] a", { hasText: `${change.team.name} (${change.team.id})` })
        assert.strictEqual(
          yield* promise(() => teamLinks.count()),
          change.added.filter((grant) => grant.paths[0]!.via !== "direct").length
        )
        assert.strictEqual(yield* promise(() => teamLinks.first().getAttribute("href")), `#principal=team:${change.team.id}`)
        yield* step(page, "5-diff")

        // The two syncs chosen the wrong way round: compared the right way, with a note saying so.
        const inOrder = yield* cellsOf(page, "[data-testid=diff-table]")
        yield* promise(() => page.selectOption("#diff-base", after))
        yield* promise(() => page.selectOption("#diff-target", before))
        yield* promise(() => page.click("#diff-run"))
        yield* promise(() => message.filter({ hasText: "compared the other way round" }).waitFor())
        assert.strictEqual(yield* promise(() => message.textContent()), "Older was the newer sync: compared the other way round.")
        assert.deepStrictEqual(yield* cellsOf(page, "[data-testid=diff-table]"), inOrder)

        // The review sheet downloads as CSV, with the inherited grant's row naming its team.
        const download = yield* promise(() => Promise.all([page.waitForEvent("download"), page.click("#export")]))
        assert.strictEqual(download[0].suggestedFilename(), `access-review-${after}.csv`)
        const saved = join(yield* tempDir("explorer-download-"), "review.csv")
        yield* promise(() => download[0].saveAs(saved))
        const sheet = (yield* promise(() => readFile(saved, "utf8"))).split("\r\n")
        assert.strictEqual(
          sheet[0],
          "principal,principal_name,email,status,last_login,account_type,resource,resource_name,entitlement,permission,via,via_name,sync_id,synced_at"
        )
        assert.isTrue(
          sheet.some((line) =>
            line.startsWith(`user:${inherited.user.id},`) &&
            line.includes(
              `,group:${inherited.group.id}:${inherited.role},${inherited.role},team:${inherited.team.id},${inherited.team.name},`
            )
          ),
          "the inherited grant's row"
        )

        // A newer sync that did not finish (cancelled at once here) is named beside the latest good one.
        const started = yield* call(service, "POST", "/v1/syncs")
        const cancelled = yield* call(service, "POST", `/v1/syncs/${String(started.body["id"])}/cancel`)
        assert.strictEqual(cancelled.body["status"], "cancelled")
        yield* promise(() => page.click("#reload"))
        yield* promise(() => page.locator("#sync-status", { hasText: "was cancelled" }).waitFor())
        const syncStatus = yield* promise(() => page.textContent("#sync-status"))
        assert.include(syncStatus, `Latest sync: ${after}`)
        assert.include(
          syncStatus,
          `The newest sync, ${String(started.body["id"])}, was cancelled: cancelled before it finished; no file was kept`
        )

        // More matches than the page shows: it says so, rather than silently leaving some (teams) out.
        for (let i = 0; i < 51; i++) {
          yield* invite(service, "Zed", `Many${i}`, `zed${i}@example.com`)
        }
        yield* syncNow(service)
        yield* promise(() => page.click("#reload"))
        yield* promise(() => page.fill("#query", "Zed"))
        yield* promise(() => page.click("#search-form button"))
        yield* promise(() => page.locator("[data-testid=results-more]").waitFor())
        assert.strictEqual(yield* promise(() => page.locator("[data-testid=results] li").count()), 50)
        assert.strictEqual(
          yield* promise(() => page.textContent("[data-testid=results-more]")),
          "More than 50 match; showing the first 50 (users before teams): narrow the search."
        )

        // Signing out takes what this token saw off the page: after signing in again it is empty.
        yield* promise(() => page.click("#sign-out"))
        yield* promise(() => page.locator("#login-form").waitFor())
        const leftOnPage = Effect.all([
          promise(() => page.inputValue("#query")),
          ...["#results", "#details", "#diff-output"].map((selector) => promise(() => page.innerHTML(selector)))
        ])
        assert.deepStrictEqual(yield* leftOnPage, ["", "", "", ""])
        yield* promise(() => page.fill("#token", service.token))
        yield* promise(() => page.click("#login-form button"))
        yield* promise(() => page.locator("#app").waitFor())
        assert.deepStrictEqual(yield* leftOnPage, ["", "", "", ""])
      }),
    { timeout: 180_000 }
  )

  it.scopedLive(
    "a destination opens from a user's access: everyone who holds what on it, with last login, and its sheet to download",
    () =>
      Effect.gen(function*() {
        const service = yield* startService
        const syncId = yield* syncNow(service)
        const { page } = yield* openExplorer(service)
        const group = inherited.group
        const resource = `group:${group.id}`

        // The user's access names the destination: a link to everyone's access on it.
        yield* promise(() => page.fill("#query", inherited.user.given_name))
        yield* promise(() => page.click("#search-form button"))
        yield* promise(() => page.locator(`[data-principal="user:${inherited.user.id}"]`).click())
        yield* promise(() => page.locator("[data-testid=access-table] a", { hasText: `${group.name} (${resource})` }).first().click())
        const title = `Access on ${group.name} (${resource})`
        yield* promise(() => page.locator("[data-testid=details-title]", { hasText: title }).waitFor())
        assert.strictEqual(page.url(), `${service.url}/#resource=${resource}`)
        yield* step(page, "destination-access")

        // Every holder of each of the group's roles, each path a row, as docs/architecture.md §2 derives them.
        const teamName = (teamId: string) => account.teams.find((team) => team.id === teamId)!.name
        const expected = [
          ...account.user_groups.filter((row) => row.group_id === group.id && row.role !== null && row.role !== "")
            .map((row) => [row.role, `user:${row.user_id}`, "direct"]),
          ...account.team_groups.filter((row) => row.group_id === group.id).flatMap((row) => [
            [row.role, `team:${row.team_id}`, "direct"],
            ...account.team_users.filter((member) => member.team_id === row.team_id)
              .map((member) => [row.role, `user:${member.user_id}`, `via team ${teamName(row.team_id)} (${row.team_id})`])
          ])
        ]
        const cells = yield* cellsOf(page, "[data-testid=resource-table]")
        const key = (row: ReadonlyArray<string | null>) => row.join(" | ")
        assert.deepStrictEqual(cells.map((row) => key([row[0]!, row[1]!, row[7]!])).sort(), expected.map(key).sort())
        // A certifier's columns for the inherited member: name, email, status and the day of the last login.
        const user = inherited.user
        assert.deepInclude(cells, [
          inherited.role,
          `user:${user.id}`,
          `${user.given_name} ${user.family_name}`,
          user.email,
          !user.active ? "disabled" : user.invited ? "invited" : "enabled",
          (user.logged_in_at ?? "").slice(0, 10),
          user.user_type === "SERVICE_ACCOUNT" ? "service" : "human",
          `via team ${inherited.team.name} (${inherited.team.id})`
        ])
        assert.deepStrictEqual(
          yield* promise(() => page.locator("[data-testid=resource-table] th").allTextContents()),
          ["Permission", "Principal", "Name", "Email", "Status", "Last login (UTC)", "Account type", "How"]
        )

        // Its rows download as the destination's own sheet, named after it: the export of that resource.
        const download = yield* promise(() => Promise.all([page.waitForEvent("download"), page.click("[data-testid=details-export]")]))
        assert.strictEqual(download[0].suggestedFilename(), `access-review-${syncId}-group_${group.id}.csv`)
        const saved = join(yield* tempDir("explorer-download-"), "owner.csv")
        yield* promise(() => download[0].saveAs(saved))
        const served = yield* promise(async () => {
          const response = await fetch(`${service.url}/v1/export?format=csv&resource=${encodeURIComponent(resource)}`, {
            headers: { authorization: `Bearer ${service.token}` }
          })
          return response.text()
        })
        const sheet = yield* promise(() => readFile(saved, "utf8"))
        assert.strictEqual(sheet, served)
        assert.strictEqual(sheet.split("\r\n").filter((line) => line !== "").length, expected.length + 1)

        // A permission opens that entitlement's holders.
        yield* promise(() => page.locator("[data-testid=resource-table] a", { hasText: inherited.role }).first().click())
        yield* promise(() => page.locator("[data-testid=details-title]", { hasText: `Holders of ${resource}:${inherited.role}` }).waitFor())

        // A service account's view says it is one: its empty last login is not a person who never signed in.
        const serviceAccount = account.users.find((candidate) => candidate.user_type === "SERVICE_ACCOUNT" && candidate.role !== null)!
        yield* promise(() => page.goto(`${service.url}/#principal=user:${serviceAccount.id}`))
        yield* promise(() => page.locator("[data-testid=access-table]").waitFor())
        assert.match(
          (yield* promise(() => page.locator("#details .note").first().textContent())) ?? "",
          new RegExp(
            `^${serviceAccount.email}, service account, enabled, last login ${
              serviceAccount.logged_in_at ?? "none recorded"
            }\\. \\d+ rows?\\.$`
          )
        )

        // A destination or a role is found by its name too: the search lists it beside the users and teams.
        yield* promise(() => page.fill("#query", group.name.toUpperCase()))
        yield* promise(() => page.click("#search-form button"))
        const found = page.locator(`[data-testid=resource-results] [data-resource="${resource}"]`)
        yield* promise(() => found.waitFor())
        assert.strictEqual(yield* promise(() => found.textContent()), `${group.name} (${resource})`)
        const named = account.groups.filter((candidate) => candidate.name.toLowerCase().includes(group.name.toLowerCase())).length
        assert.include(
          yield* promise(() => page.textContent("#results-status")),
          named === 1 ? " 1 destination, connection or role matches." : ` ${named} destinations, connections or roles match.`
        )
        yield* promise(() => found.click())
        yield* promise(() => page.locator("[data-testid=details-title]", { hasText: title }).waitFor())
        assert.strictEqual(page.url(), `${service.url}/#resource=${resource}`)
        yield* promise(() => page.fill("#query", "account administrator"))
        yield* promise(() => page.click("#search-form button"))
        yield* promise(() => page.locator("[data-resource=\"role:Account Administrator\"]").click())
        yield* promise(() =>
          page.locator("[data-testid=details-title]", { hasText: "Access on Account Administrator (role:Account Administrator)" })
            .waitFor()
        )
        assert.deepStrictEqual(
          (yield* cellsOf(page, "[data-testid=resource-table]")).map((row) => row[1]).sort(),
          [
            ...account.users.filter((user) => user.role === "Account Administrator").map((user) => `user:${user.id}`),
            ...account.teams.filter((team) => team.role === "Account Administrator").flatMap((team) => [
              `team:${team.id}`,
              ...account.team_users.filter((member) => member.team_id === team.id).map((member) => `user:${member.user_id}`)
            ])
          ].sort()
        )
      }),
    { timeout: 120_000 }
  )

  it.scopedLive(
    "while two syncs are compared the panel says so, and a failed comparison leaves no stale note",
    () =>
      Effect.gen(function*() {
        const service = yield* startService
        const before = yield* syncNow(service)
        const after = yield* syncNow(service)
        const { page } = yield* openExplorer(service)

        // The answer is held back, as a large account's comparison takes seconds.
        let release = () => {}
        const held = new Promise<void>((resolve) => release = resolve)
        const isDiff = (url: URL) => url.pathname.endsWith("/diff")
        yield* promise(() =>
          page.route(isDiff, async (route) => {
            await held
            await route.continue()
          })
        )
        yield* promise(() => page.click("#diff-run"))
        const loading = page.locator("[data-testid=diff-loading]")
        yield* promise(() => loading.waitFor())
        assert.strictEqual(yield* promise(() => loading.textContent()), `Comparing sync ${before} with sync ${after}…`)
        assert.strictEqual(yield* promise(() => page.textContent("#diff-status")), `Comparing sync ${before} with sync ${after}…`)
        yield* step(page, "diff-comparing")
        release()
        yield* promise(() => page.locator("[data-testid=diff-empty]").waitFor())
        assert.strictEqual(yield* promise(() => loading.count()), 0)
        yield* promise(() => page.unroute(isDiff))

        // A comparison the service refuses says why, in the message line; the panel holds no "Comparing".
        yield* promise(() =>
          page.route(isDiff, (route) =>
            route.fulfill({
              status: 404,
              contentType: "application/json",
              body: JSON.stringify({ error: "NotFound", message: `sync ${before} is no longer kept` })
            }))
        )
        yield* promise(() => page.click("#diff-run"))
        yield* promise(() => page.locator("#message", { hasText: `sync ${before} is no longer kept` }).waitFor())
        assert.deepStrictEqual(
          [yield* promise(() => page.innerHTML("#diff-output")), yield* promise(() => page.textContent("#diff-status"))],
          ["", ""]
        )
      }),
    { timeout: 120_000 }
  )

  it.scopedLive(
    "a team's access links to who is in the team (the team as a resource), which no search result reached",
    () =>
      Effect.gen(function*() {
        const service = yield* startService
        yield* syncNow(service)
        const team = `team:${inherited.team.id}`
        const { page } = yield* openExplorer(service, `/#principal=${team}`)
        const note = page.getByTestId("team-members")
        yield* promise(() => note.waitFor())
        assert.deepStrictEqual(
          [yield* promise(() => note.textContent()), yield* promise(() => note.locator("a").getAttribute("href"))],
          ["Its members hold this access through it: who is in this team.", `#resource=${team}`]
        )
        yield* promise(() => note.locator("a").click())
        yield* promise(() => page.getByTestId("details-title").filter({ hasText: `Access on ${inherited.team.name} (${team})` }).waitFor())
        const rows = yield* cellsOf(page, "[data-testid=resource-table]")
        assert.include(rows.flat(), `user:${inherited.user.id}`)
        // A user's access has no such note.
        yield* promise(() => page.goto(`${service.url}/#principal=user:${inherited.user.id}`))
        yield* promise(() => page.locator("[data-testid=access-table]").waitFor())
        assert.strictEqual(yield* promise(() => page.getByTestId("team-members").count()), 0)
      }),
    { timeout: 120_000 }
  )

  it.scopedLive(
    "a destination's holders fit a 1280-pixel window: the How column (direct or via a team) is not cut off",
    () =>
      Effect.gen(function*() {
        const service = yield* startService
        yield* syncNow(service)
        const { page } = yield* openExplorer(service)
        yield* promise(() => page.setViewportSize({ width: 1280, height: 800 }))
        yield* promise(() => page.goto(`${service.url}/#resource=group:${inherited.group.id}`))
        yield* promise(() => page.locator("[data-testid=resource-table]").waitFor())
        yield* step(page, "destination-1280")
        const widths = yield* promise(() =>
          page.evaluate<{ readonly scroll: number; readonly client: number }>(
            "({ scroll: document.getElementById('details').scrollWidth, client: document.getElementById('details').clientWidth })"
          )
        )
        assert.isAtMost(widths.scroll, widths.client)
      }),
    { timeout: 120_000 }
  )

  it.scopedLive(
    "back and forward move between the views opened, and a link to a view opens it after signing in",
    () =>
      Effect.gen(function*() {
        const service = yield* startService
        yield* syncNow(service)
        const { context, page } = yield* openExplorer(service)
        const title = page.locator("[data-testid=details-title]")
        const userTitle = `${inherited.user.given_name} ${inherited.user.family_name} (user:${inherited.user.id})`
        const teamTitle = `${inherited.team.name} (team:${inherited.team.id})`
        const entitlement = `group:${inherited.group.id}:${inherited.role}`
        const holdersTitle = `Holders of ${entitlement}`
        const shows = (text: string) => promise(() => title.filter({ hasText: text }).waitFor())

        // The user, then their team, then one of the team's entitlements: each is an entry in the history.
        yield* promise(() => page.fill("#query", inherited.user.given_name))
        yield* promise(() => page.click("#search-form button"))
        yield* promise(() => page.locator(`[data-principal="user:${inherited.user.id}"]`).click())
        yield* shows(userTitle)
        yield* promise(() => page.locator("[data-testid=access-table] a", { hasText: inherited.team.name }).first().click())
        yield* shows(teamTitle)
        yield* promise(() => page.locator("[data-testid=access-table] a", { hasText: entitlement }).click())
        yield* shows(holdersTitle)
        assert.strictEqual(
          page.url(),
          `${service.url}/#entitlement=${encodeURIComponent(entitlement).replaceAll("%3A", ":")}`
        )
        yield* promise(() => page.goBack())
        yield* shows(teamTitle)
        assert.strictEqual(page.url(), `${service.url}/#principal=team:${inherited.team.id}`)
        yield* promise(() => page.goBack())
        yield* shows(userTitle)
        yield* promise(() => page.goForward())
        yield* shows(teamTitle)
        // Back to the page as it was signed in: nothing open, and still the explorer.
        yield* promise(() => page.goBack())
        yield* promise(() => page.goBack())
        yield* promise(() => page.locator("#details:empty").waitFor())
        assert.strictEqual(page.url(), `${service.url}/`)
        yield* step(page, "history-back")

        // A link to a view, opened in a new tab (no token there yet): it asks for the token, then shows the view.
        const link = `${service.url}/#principal=user:${inherited.user.id}`
        const other = yield* promise(() => context.newPage())
        yield* signIn(other, service, `/#principal=user:${inherited.user.id}`)
        yield* promise(() => other.locator("[data-testid=details-title]", { hasText: userTitle }).waitFor())
        assert.strictEqual(other.url(), link)
        // The token is in neither tab's address nor in localStorage.
        assert.deepStrictEqual(
          yield* promise(() =>
            other.evaluate<{ readonly local: number; readonly session: string | null }>(
              "({ local: localStorage.length, session: sessionStorage.getItem('baton-fivetran.token') })"
            )
          ),
          { local: 0, session: service.token }
        )
        assert.notInclude(page.url() + other.url(), service.token)
        yield* step(other, "deep-link")

        // Signing out takes the view out of the address too: the next sign-in starts clean.
        yield* promise(() => other.click("#sign-out"))
        yield* promise(() => other.locator("#login-form").waitFor())
        assert.strictEqual(other.url(), `${service.url}/`)
      }),
    { timeout: 120_000 }
  )

  it.scopedLive(
    "a user who holds nothing is named, with email and status, by a search click and by a link alike",
    () =>
      Effect.gen(function*() {
        const service = yield* startService
        // Invited, not yet given anything: what a reviewer checks after an onboarding.
        const id = yield* invite(service, "Nadia", "Holdsnothing", "nadia.holdsnothing@example.com")
        yield* syncNow(service)
        const { context, page } = yield* openExplorer(service)
        // As any holder's line: the email and status a certifier checks, then that it holds nothing.
        const holdsNothing = "nadia.holdsnothing@example.com, invited. Holds nothing in the latest sync."
        const read = (on: Page) =>
          Effect.all([
            promise(() => on.textContent("[data-testid=details-title]")),
            promise(() => on.textContent("#details .note")),
            promise(() => on.locator("[data-testid=access-table]").count())
          ])
        yield* promise(() => page.fill("#query", "Holdsnothing"))
        yield* promise(() => page.click("#search-form button"))
        yield* promise(() => page.locator(`[data-principal="${id}"]`).click())
        yield* promise(() => page.locator("#details .note").waitFor())
        yield* step(page, "holds-nothing")
        assert.deepStrictEqual(yield* read(page), [`Nadia Holdsnothing (${id})`, holdsNothing, 0])
        const other = yield* promise(() => context.newPage())
        yield* signIn(other, service, `/#principal=${id}`)
        yield* promise(() => other.locator("#details .note").waitFor())
        assert.deepStrictEqual(yield* read(other), [`Nadia Holdsnothing (${id})`, holdsNothing, 0])
      }),
    { timeout: 120_000 }
  )

  it.scopedLive(
    "the diff's pages, loaded from the keyboard, keep the focus on the button, then on the last page's first row",
    () =>
      Effect.gen(function*() {
        const service = yield* startService
        yield* syncNow(service)
        // 201 invited users: two pages of 100 changes and a last page of one.
        for (let i = 0; i < 201; i++) {
          yield* invite(service, "Paged", `User${i}`, `paged${i}@example.com`)
        }
        yield* syncNow(service)
        const { page } = yield* openExplorer(service)
        yield* promise(() => page.click("#diff-run"))
        yield* promise(() => page.locator("[data-testid=diff-table]").waitFor())
        const rows = page.locator("[data-testid=diff-table] tbody tr")
        assert.strictEqual(yield* promise(() => rows.count()), 100)
        yield* promise(() => page.focus("[data-testid=diff-more]"))
        yield* promise(() => page.keyboard.press("Enter"))
        yield* promise(() => rows.nth(199).waitFor())
        // A page before the last: the button stays, and so does the keyboard's place (it lost it, being disabled while loading).
        yield* promise(() => page.locator("[data-testid=diff-more]:enabled").waitFor())
        assert.deepStrictEqual(
          [yield* promise(() => rows.count()), yield* promise(() => page.evaluate<string>("document.activeElement.dataset.testid"))],
          [200, "diff-more"]
        )
        yield* promise(() => page.keyboard.press("Enter"))
        yield* promise(() => page.locator("[data-testid=diff-more]").waitFor({ state: "hidden" }))
        assert.strictEqual(yield* promise(() => rows.count()), 201)
        // The button is gone with the last page; the keyboard's place is the row it brought, not the top of the page.
        assert.strictEqual(
          yield* promise(() => page.evaluate<string>("document.activeElement.textContent")),
          yield* promise(() => rows.nth(200).textContent())
        )
        yield* step(page, "diff-last-page")
      }),
    { timeout: 240_000 }
  )

  it.scopedLive("a narrow window (a phone, a split screen) shows the page without scrolling sideways", () =>
    Effect.gen(function*() {
      const service = yield* startService
      // A long name without spaces, as the sheet of a real account may hold.
      const longId = yield* invite(
        service,
        "Maximiliana-Alexandrina-Konstantinopolitanische",
        "VonUndZuHohenzollernSigmaringenWittelsbach",
        "long.name@example.com"
      )
      yield* syncNow(service)
      yield* syncNow(service)
      const { page } = yield* newPage
      yield* promise(() => page.setViewportSize({ width: 360, height: 740 }))
      yield* signIn(page, service)
      yield* promise(() => page.fill("#query", inherited.user.given_name))
      yield* promise(() => page.click("#search-form button"))
      yield* promise(() => page.locator(`[data-principal="user:${inherited.user.id}"]`).click())
      yield* promise(() => page.locator("[data-testid=access-table]").waitFor())
      yield* promise(() => page.selectOption("#diff-base", { index: 1 }))
      yield* promise(() => page.click("#diff-run"))
      yield* promise(() => page.locator("[data-testid=diff-empty]").waitFor())
      yield* promise(() => page.fill("#query", "Maximiliana"))
      yield* promise(() => page.click("#search-form button"))
      // The long-named user's own result: the first search's button stays until the new results arrive.
      yield* promise(() => page.locator(`[data-principal="${longId}"]`).click())
      yield* promise(() => page.locator("[data-testid=details-title]", { hasText: longId }).waitFor())
      yield* step(page, "narrow-360")
      const widths = yield* promise(() =>
        page.evaluate<{ readonly page: number; readonly window: number }>(
          "({ page: document.documentElement.scrollWidth, window: document.documentElement.clientWidth })"
        )
      )
      assert.deepStrictEqual(widths, { page: widths.window, window: widths.window })
      assert.isAtMost(widths.window, 360)
    }), { timeout: 120_000 })
})
