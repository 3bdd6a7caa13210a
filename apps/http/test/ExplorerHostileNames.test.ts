import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { existsSync } from "node:fs"
import type { Page } from "playwright-core"
import {
  account,
  chromiumPath,
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
 * Names come from the Fivetran account: anyone who may invite a user or name a team writes them.
 * The explorer shows them as text (Dom.ts builds elements, never parses markup), and its CSP allows
 * no inline script besides; a name written as markup or a script must neither run nor become an
 * element in the page, where it could read the token the page keeps. Nor may a name's direction
 * controls reorder what is shown beside it: the email and the ids a reviewer checks it by.
 */

const systemKey = account.credentials.find((credential) => credential._tag === "SystemKey")!

const givenName = `<img src=x onerror="window.__hostile='img'">`
const familyName = `"</script><script>window.__hostile='script'</script>`
const teamName = `<svg onload="window.__hostile='svg'"></svg><a href="javascript:window.__hostile='a'">x</a>`

/** Calls the embedded sandbox's own API as someone in Fivetran would (HTTP Basic with the account's system key). */
const inFivetran = (service: Service, path: string, body: unknown) =>
  Effect.promise(async () => {
    const response = await fetch(`${service.sandboxUrl}${path}`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${systemKey.key}:${systemKey.secret}`).toString("base64")}`,
        "content-type": "application/json"
      },
      body: JSON.stringify(body)
    })
    return { status: response.status, body: await response.json() as { data: { id: string } } }
  })

/**
 * Where each occurrence of `texts` in the page's shown text is drawn (a caption read out and not
 * shown is left out): whether its first character is left of its last, as an address or an id reads
 * when nothing before it reorders it.
 */
const readsLeftToRight = (page: Page, texts: ReadonlyArray<string>) =>
  promise(() =>
    page.evaluate<ReadonlyArray<readonly [string, boolean]>>(`(() => {
      const found = []
      const walker = document.createTreeWalker(document.getElementById("app"), NodeFilter.SHOW_TEXT)
      for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
        for (const text of ${JSON.stringify(texts)}) {
          const at = node.data.indexOf(text)
          if (at === -1 || node.parentElement.closest(".visually-hidden") !== null) continue
          const left = (offset) => {
            const range = document.createRange()
            range.setStart(node, offset)
            range.setEnd(node, offset + 1)
            return range.getBoundingClientRect().left
          }
          found.push([text, left(at) < left(at + text.length - 1)])
        }
      }
      return found
    })()`)
  )

describe("access explorer with names written as markup", () => {
  it.skipIf(!existsSync(chromiumPath))("chromium is installed", () => {})

  it.scopedLive(
    "a user's and a team's markup names are shown as text: nothing runs, no element is made of them",
    () =>
      Effect.gen(function*() {
        const service = yield* startService
        const user = yield* invite(service, givenName, familyName, "hostile.names@example.com")
        const team = yield* inFivetran(service, "/v1/teams", { name: teamName, role: "Account Reviewer", description: "" })
        assert.strictEqual(team.status, 201)
        const member = yield* inFivetran(service, `/v1/teams/${team.body.data.id}/users`, {
          user_id: user.slice("user:".length),
          role: "Team Member"
        })
        assert.strictEqual(member.status, 201)
        yield* syncNow(service)

        const { page } = yield* newPage
        const dialogs: Array<string> = []
        page.on("dialog", (dialog) => {
          dialogs.push(dialog.message())
          void dialog.dismiss()
        })
        yield* signIn(page, service)
        yield* promise(() => page.fill("#query", "hostile.names"))
        yield* promise(() => page.click("#search-form button"))
        const result = page.locator(`[data-principal="${user}"]`)
        yield* promise(() => result.waitFor())
        assert.strictEqual(yield* promise(() => result.textContent()), `${givenName} ${familyName} <hostile.names@example.com>`)
        yield* promise(() => result.click())
        yield* promise(() => page.locator("[data-testid=access-table]").waitFor())
        yield* step(page, "hostile-names-principal")
        assert.strictEqual(
          yield* promise(() => page.textContent("[data-testid=details-title]")),
          `${givenName} ${familyName} (${user})`
        )
        const teamId = `team:${team.body.data.id}`
        const via = page.locator("[data-testid=access-table] a", { hasText: `(${team.body.data.id})` })
        assert.strictEqual(yield* promise(() => via.first().textContent()), `${teamName} (${team.body.data.id})`)
        // The team's link is the page's own view (#principal=...), not the name's javascript: URL.
        assert.strictEqual(yield* promise(() => via.first().getAttribute("href")), `#principal=${teamId}`)
        yield* promise(() => via.first().click())
        // A locator, not waitForFunction with a string: the page's CSP (script-src 'self') refuses the
        // eval that such a wait runs each time it polls, and it failed whenever the title came late.
        yield* promise(() => page.locator("[data-testid=details-title]", { hasText: `${teamName} (${teamId})` }).waitFor())
        assert.strictEqual(yield* promise(() => page.textContent("[data-testid=details-title]")), `${teamName} (${teamId})`)
        yield* step(page, "hostile-names-team")

        const found = yield* promise(() =>
          page.evaluate<{ readonly hostile: string | null; readonly elements: number }>(`({
            hostile: window.__hostile ?? null,
            elements: document.querySelectorAll("#app img, #app svg, #app script, #app a[href^='javascript']").length
          })`)
        )
        assert.deepStrictEqual(found, { hostile: null, elements: 0 })
        assert.deepStrictEqual(dialogs, [])
      }),
    { timeout: 180_000 }
  )

  it.scopedLive(
    "a name's right-to-left override reorders that name only: the email and ids beside it read as they are",
    () =>
      Effect.gen(function*() {
        const service = yield* startService
        // Fivetran takes such a name (the service's own invitation refuses it, InvalidInput).
        const user = yield* inFivetran(service, "/v1/users", {
          email: "rtl.spoof@example.com",
          given_name: "Mallory \u202e",
          family_name: "Quinn",
          role: "Account Reviewer"
        })
        assert.strictEqual(user.status, 201)
        const userId = `user:${user.body.data.id}`
        const team = yield* inFivetran(service, "/v1/teams", { name: "Night \u202eshift", role: "Account Reviewer", description: "" })
        assert.strictEqual(team.status, 201)
        const member = yield* inFivetran(service, `/v1/teams/${team.body.data.id}/users`, {
          user_id: user.body.data.id,
          role: "Team Member"
        })
        assert.strictEqual(member.status, 201)
        yield* syncNow(service)

        const { page } = yield* newPage
        yield* signIn(page, service)
        yield* promise(() => page.fill("#query", "rtl.spoof"))
        yield* promise(() => page.click("#search-form button"))
        yield* promise(() => page.locator(`[data-principal="${userId}"]`).waitFor())
        const checked = ["rtl.spoof@example.com", userId, team.body.data.id]
        // The result: the name, then its email in the link and its id in the note.
        assert.deepStrictEqual(yield* readsLeftToRight(page, checked), [["rtl.spoof@example.com", true], [userId, true]])
        yield* promise(() => page.click(`[data-principal="${userId}"]`))
        yield* promise(() => page.locator("[data-testid=access-table]").waitFor())
        yield* step(page, "hostile-names-right-to-left")
        // Then the view: its title's id, the email under it, the team the role comes through, and the
        // team's two entitlements (their ids and their resource's).
        assert.deepStrictEqual(yield* readsLeftToRight(page, checked), [
          ["rtl.spoof@example.com", true],
          [userId, true],
          [userId, true],
          ["rtl.spoof@example.com", true],
          ...Array.from({ length: 5 }, () => [team.body.data.id, true] as const)
        ])
      }),
    { timeout: 180_000 }
  )
})
