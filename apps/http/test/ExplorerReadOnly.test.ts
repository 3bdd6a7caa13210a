import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { existsSync } from "node:fs"
import { chromiumPath, openExplorer, promise, startPresetService, step, syncNow } from "./support/ExplorerBrowser.js"

/**
 * A reviewer signed in to the explorer with a read-only token (--read-token) explores as with any
 * token; a button that would change something (Start a sync) is refused with the service's own
 * message, and the reviewer stays signed in (a 401 would sign out: the token is good, it only reads).
 */

const FullToken = "full-token-for-the-explorer-read-only-test"
const ReadToken = "read-token-for-the-explorer-read-only-test"

const startService = startPresetService(["--provisioning", "--read-token", ReadToken], FullToken)

describe("access explorer with a read-only token", () => {
  it.skipIf(!existsSync(chromiumPath))("chromium is installed", () => {})

  it.scopedLive(
    "it explores; Start a sync is refused, saying what the token can do, and the reviewer stays signed in",
    () =>
      Effect.gen(function*() {
        const service = yield* startService
        const synced = yield* syncNow(service)
        const { page } = yield* openExplorer(service, "/", ReadToken)
        yield* promise(() => page.locator("#sync-status", { hasText: synced }).waitFor())
        yield* promise(() => page.click("#start-sync"))
        const message = page.locator("#message", { hasText: "read-only" })
        yield* promise(() => message.waitFor())
        yield* step(page, "read-only-token-start-sync")
        assert.deepStrictEqual(
          [
            yield* promise(() => message.textContent()),
            yield* promise(() => page.locator("#app").isVisible()),
            yield* promise(() => page.evaluate<string | null>(`sessionStorage.getItem("baton-fivetran.token")`))
          ],
          [
            "This token is read-only: it can search, open views and download sheets, but not start or cancel a sync. " +
            "Sign in with a token of the service's --token to do that.",
            true,
            ReadToken
          ]
        )
      }),
    { timeout: 180_000 }
  )
})
