import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { teamGrantToMake } from "./AccessChanges.js"
import { audit, type Violation } from "./support/AxeAudit.js"
import {
  account,
  call,
  inherited,
  invite,
  newPage,
  promise,
  type Service,
  signIn,
  startService,
  step,
  syncNow
} from "./support/ExplorerBrowser.js"

/**
 * The access explorer as the admins who run access reviews use it: with axe-core's rules on each
 * state of the page, from the keyboard alone, with a screen reader's view of names, roles and
 * announcements (ExplorerBrowser.ts starts the service and the browser).
 */

const change = teamGrantToMake(account)

/** An entitlement of one of the account's groups that no one holds (the holders' empty state). */
const entitlementNobodyHolds = (service: Service) =>
  Effect.gen(function*() {
    for (const group of account.groups) {
      const listed = yield* call(service, "GET", `/v1/entitlements?resource=group:${group.id}`)
      for (const entitlement of listed.body["items"] as ReadonlyArray<{ readonly id: string }>) {
        const grants = yield* call(service, "GET", `/v1/grants?entitlement=${encodeURIComponent(entitlement.id)}`)
        if ((grants.body["items"] as ReadonlyArray<unknown>).length === 0) return entitlement.id
      }
    }
    return yield* Effect.dieMessage("every entitlement of the account's groups is held")
  })

describe("access explorer: accessibility in headless Chromium", () => {
  it.scopedLive(
    "axe-core finds no violation, of any impact, in any state of the page, in a window and at 200% zoom",
    () =>
      Effect.gen(function*() {
        const service = yield* startService
        const { page } = yield* newPage
        const found: Array<Violation> = []
        // Each state as it is in a 1280px window and in the same window at 200% zoom (640 CSS pixels).
        const check = (state: string) =>
          Effect.gen(function*() {
            for (const width of [1280, 640]) {
              yield* promise(() => page.setViewportSize({ width, height: 800 }))
              found.push(...(yield* audit(page, `${state} at ${width}px`)))
              yield* step(page, `a11y-${state}-${width}`)
            }
          })

        yield* promise(() => page.goto(`${service.url}/`))
        yield* check("signed-out")
        yield* promise(() => page.fill("#token", "not-the-token"))
        yield* promise(() => page.click("#login-form button"))
        yield* promise(() => page.locator("#message", { hasText: "did not accept this token" }).waitFor())
        yield* check("bad-token")

        yield* signIn(page, service)
        yield* promise(() => page.locator("#message", { hasText: "No finished sync" }).waitFor())
        yield* check("no-sync")

        yield* syncNow(service)
        const granted = yield* call(service, "POST", "/v1/grants", {
          entitlement_id: change.entitlementId,
          principal: { type: "team", id: change.team.id }
        })
        assert.strictEqual(granted.status, 201)
        yield* syncNow(service)
        yield* promise(() => page.click("#reload"))
        yield* promise(() => page.locator("#diff-base option").nth(1).waitFor({ state: "attached" }))
        yield* check("signed-in")

        yield* promise(() => page.fill("#query", inherited.user.given_name))
        yield* promise(() => page.click("#search-form button"))
        yield* promise(() => page.locator(`[data-principal="user:${inherited.user.id}"]`).waitFor())
        yield* check("search-results")

        yield* promise(() => page.fill("#query", inherited.group.name))
        yield* promise(() => page.click("#search-form button"))
        yield* promise(() => page.locator(`[data-resource="group:${inherited.group.id}"]`).waitFor())
        yield* check("search-resources")

        yield* promise(() => page.fill("#query", "nobody-is-called-this"))
        yield* promise(() => page.click("#search-form button"))
        yield* promise(() => page.locator("#results", { hasText: "No user or team matches" }).waitFor())
        yield* check("search-empty")

        yield* promise(() => page.goto(`${service.url}/#principal=user:${inherited.user.id}`))
        yield* promise(() => page.locator("[data-testid=access-table]").waitFor())
        yield* check("user-inherited")

        yield* promise(() => page.goto(`${service.url}/#principal=team:${inherited.team.id}`))
        yield* promise(() => page.locator("[data-testid=details-title]", { hasText: `team:${inherited.team.id}` }).waitFor())
        yield* check("team")

        const entitlement = `group:${inherited.group.id}:${inherited.role}`
        yield* promise(() => page.goto(`${service.url}/#entitlement=${entitlement}`))
        yield* promise(() => page.locator("[data-testid=holders-table]").waitFor())
        yield* check("holders")

        yield* promise(() => page.goto(`${service.url}/#resource=group:${inherited.group.id}`))
        yield* promise(() => page.locator("[data-testid=resource-table]").waitFor())
        yield* check("resource")

        const unheld = yield* entitlementNobodyHolds(service)
        yield* promise(() => page.goto(`${service.url}/#entitlement=${unheld}`))
        yield* promise(() => page.locator("#details", { hasText: "Nobody holds it." }).waitFor())
        // Said, with no table of none under it.
        assert.strictEqual(yield* promise(() => page.locator("#details table").count()), 0)
        yield* check("holders-empty")

        yield* promise(() => page.goto(`${service.url}/#entitlement=group:no-such-group:member`))
        yield* promise(() => page.locator("#message", { hasText: "is not in the latest sync" }).waitFor())
        yield* check("not-found")

        const invited = yield* invite(service, "Nadia", "Holdsnothing", "nadia.holdsnothing@example.com")
        yield* syncNow(service)
        yield* promise(() => page.goto(`${service.url}/#principal=${invited}`))
        yield* promise(() => page.locator("#details", { hasText: "Holds nothing in the latest sync." }).waitFor())
        yield* check("holds-nothing")

        yield* promise(() => page.click("#reload"))
        yield* promise(() => page.locator("#diff-base option").nth(2).waitFor({ state: "attached" }))
        yield* promise(() => page.selectOption("#diff-base", { index: 2 }))
        yield* promise(() => page.selectOption("#diff-target", { index: 1 }))
        yield* promise(() => page.click("#diff-run"))
        yield* promise(() => page.locator("[data-testid=diff-table]").waitFor())
        yield* check("diff")

        // A sync that changed nothing, compared with the one before: said with both syncs' ids.
        yield* syncNow(service)
        yield* promise(() => page.click("#reload"))
        yield* promise(() => page.locator("#diff-base option").nth(3).waitFor({ state: "attached" }))
        yield* promise(() => page.selectOption("#diff-base", { index: 1 }))
        yield* promise(() => page.selectOption("#diff-target", { index: 0 }))
        yield* promise(() => page.click("#diff-run"))
        yield* promise(() => page.locator("[data-testid=diff-empty]").waitFor())
        const [older, newer] = [yield* promise(() => page.inputValue("#diff-base")), yield* promise(() => page.inputValue("#diff-target"))]
        assert.strictEqual(
          yield* promise(() => page.textContent("[data-testid=diff-empty]")),
          `No differences from sync ${older} to sync ${newer}.`
        )
        yield* check("diff-empty")

        // The same sync in both lists: nothing compared, and said so.
        yield* promise(() => page.selectOption("#diff-base", { index: 0 }))
        yield* promise(() => page.click("#diff-run"))
        yield* promise(() => page.locator("#message", { hasText: "are the same sync" }).waitFor())
        yield* check("diff-same-sync")

        // None of any impact: the serious ones (a diff wider than the window that the keyboard could not scroll) and the moderate ones (no main landmark when signed out) alike.
        assert.deepStrictEqual(found, [])
      }),
    { timeout: 180_000 }
  )

  it.scopedLive(
    "from the keyboard alone: sign in, search, open a result and its team, compare, download, sign out; the focus follows and changes are announced",
    () =>
      Effect.gen(function*() {
        const service = yield* startService
        yield* syncNow(service)
        const { page } = yield* newPage
        const focused = () => promise(() => page.evaluate<string>(describeFocus))
        const press = (key: string) => promise(() => page.keyboard.press(key))
        const type = (text: string) => promise(() => page.keyboard.type(text))
        /** Presses Tab until the element `selector` has the focus (at most 80 times); false if it never does. */
        const tabTo = (selector: string) =>
          promise(async () => {
            for (let i = 0; i < 80; i++) {
              if (await page.evaluate<boolean>(`document.activeElement?.matches(${JSON.stringify(selector)}) === true`)) return true
              await page.keyboard.press("Tab")
            }
            return false
          })
        const text = (selector: string) => promise(() => page.locator(selector).textContent())

        yield* promise(() => page.goto(`${service.url}/`))
        // The message's live region is in the page before anything is said in it, so what it says is announced.
        assert.deepStrictEqual(
          yield* promise(() =>
            page.evaluate(`(() => {
              const message = document.getElementById("message")
              return { role: message.getAttribute("role"), hidden: message.hidden, shown: getComputedStyle(message).display !== "none" }
            })()`)
          ),
          { role: "alert", hidden: false, shown: true }
        )

        // A wrong token: the message is the token field's description and the field is marked invalid, with the focus in it.
        assert.isTrue(yield* tabTo("#token"))
        yield* type("not-the-token")
        yield* press("Enter")
        yield* promise(() => page.locator("#message", { hasText: "did not accept this token" }).waitFor())
        assert.deepStrictEqual(
          yield* promise(() => Promise.all([page.getAttribute("#token", "aria-invalid"), page.getAttribute("#token", "aria-describedby")])),
          ["true", "token-note message"]
        )
        assert.strictEqual(yield* focused(), "input#token")

        // Signed in, the focus is in the search field (the sign-in button it was on is gone), and the field is valid again.
        yield* type(service.token)
        yield* press("Enter")
        yield* promise(() => page.locator("#app").waitFor())
        assert.strictEqual(yield* focused(), "input#query")
        assert.isNull(yield* promise(() => page.getAttribute("#token", "aria-invalid")))
        // What "Reload syncs" finds (the latest sync, one running or failed) is announced too.
        assert.strictEqual(yield* promise(() => page.getAttribute("#sync-status", "role")), "status")

        // A search says how many it found in a status region; the focus stays in the field.
        yield* type(inherited.user.given_name)
        yield* press("Enter")
        const result = `[data-principal="user:${inherited.user.id}"]`
        yield* promise(() => page.locator(result).waitFor())
        const matches = yield* promise(() => page.locator("[data-testid=results] li").count())
        assert.strictEqual(yield* promise(() => page.getAttribute("#results-status", "role")), "status")
        assert.strictEqual(
          yield* text("#results-status"),
          `${matches} ${matches === 1 ? "match" : "matches"} for "${inherited.user.given_name}".`
        )
        assert.strictEqual(yield* focused(), "input#query")

        // A result is a link to its view; opening it moves the focus to the details' heading.
        assert.isTrue(yield* tabTo(result))
        assert.strictEqual(yield* promise(() => page.getAttribute(result, "href")), `#principal=user:${inherited.user.id}`)
        assert.notStrictEqual(yield* promise(() => page.evaluate<string>("getComputedStyle(document.activeElement).outlineStyle")), "none")
        yield* press("Enter")
        yield* promise(() => page.locator("[data-testid=access-table]").waitFor())
        assert.strictEqual(
          yield* focused(),
          `h2[data-testid=details-title] ${inherited.user.given_name} ${inherited.user.family_name} (user:${inherited.user.id})`
        )
        assert.deepStrictEqual(
          yield* promise(() => page.evaluate("[...document.querySelectorAll('[data-testid=access-table] th')].map((th) => th.scope)")),
          ["col", "col", "col", "col"]
        )
        assert.strictEqual(
          yield* text("[data-testid=access-table] caption"),
          `Access of ${inherited.user.given_name} ${inherited.user.family_name} (user:${inherited.user.id})`
        )

        // The team the access comes through, by its link: the focus goes to the team's heading.
        const teamLink = `[data-testid=access-table] a[href="#principal=team:${inherited.team.id}"]`
        assert.isTrue(yield* tabTo(teamLink))
        yield* press("Enter")
        yield* promise(() => page.locator("[data-testid=details-title]", { hasText: `team:${inherited.team.id}` }).waitFor())
        assert.strictEqual(yield* focused(), `h2[data-testid=details-title] ${inherited.team.name} (team:${inherited.team.id})`)

        // Compare, with the one sync kept in both lists: what it says is announced; the focus stays on the button.
        assert.isTrue(yield* tabTo("#diff-run"))
        yield* press("Enter")
        const only = yield* promise(() => page.inputValue("#diff-target"))
        const same = `Older and Newer are the same sync, ${only}: choose two different syncs to compare.`
        yield* promise(() => page.locator("#diff-status", { hasText: same }).waitFor())
        assert.deepStrictEqual(
          [yield* text("#message"), yield* promise(() => page.getAttribute("#diff-status", "role"))],
          [same, "status"]
        )
        assert.strictEqual(yield* focused(), "button#diff-run Compare")

        // The review sheet downloads from the keyboard.
        yield* press("Shift+Tab")
        assert.isTrue(yield* tabTo("#export"))
        const [download] = yield* promise(() => Promise.all([page.waitForEvent("download"), page.keyboard.press("Enter")]))
        assert.match(download.suggestedFilename(), /^access-review-.+\.csv$/)

        // Signing out puts the focus in the token field, not on the page's top.
        assert.isTrue(yield* tabTo("#sign-out"))
        yield* press("Enter")
        yield* promise(() => page.locator("#login-form").waitFor())
        assert.strictEqual(yield* focused(), "input#token")
      }),
    { timeout: 180_000 }
  )
})

/** The focused element as `tag#id` or `tag[data-testid=…]`, then its text: what the test expects the focus on. */
const describeFocus = `(() => {
  const at = document.activeElement
  if (at === null || at === document.body) return "body"
  const name = at.tagName.toLowerCase() + (at.id !== "" ? "#" + at.id : at.dataset.testid !== undefined ? "[data-testid=" + at.dataset.testid + "]" : "")
  const text = (at.textContent ?? "").trim()
  return text === "" ? name : name + " " + text
})()`
