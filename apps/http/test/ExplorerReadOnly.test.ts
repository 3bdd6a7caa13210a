import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { existsSync } from "node:fs"
import { mkdir } from "node:fs/promises"
import { chromiumPath, launchBrowser, promise, screenshots, type Service, signIn, step, syncNow } from "./ExplorerBrowser.js"
import { startServiceProcess } from "./ServiceProcess.js"

/**
 * A reviewer signed in to the explorer with a read-only token (--read-token) explores as with any
 * token; a button that would change something (Start a sync) is refused with the service's own
 * message, and the reviewer stays signed in (a 401 would sign out: the token is good, it only reads).
 */

const FullToken = "full-token-for-the-explorer-read-only-test"
const ReadToken = "read-token-for-the-explorer-read-only-test"

const startService = startServiceProcess(
  ["--sandbox", "--provisioning", "--port", "0", "--token", FullToken, "--read-token", ReadToken],
  (printed): Service | undefined => {
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(printed)?.[1]
    const sandboxUrl = /sandbox \("small" preset\) at (\S+)/.exec(printed)?.[1]
    return url === undefined || sandboxUrl === undefined ? undefined : { url, token: FullToken, sandboxUrl }
  }
)

describe("access explorer with a read-only token", () => {
  it.skipIf(!existsSync(chromiumPath))("chromium is installed", () => {})

  it.scopedLive(
    "it explores; Start a sync is refused with the service's message and the reviewer stays signed in",
    () =>
      Effect.gen(function*() {
        yield* promise(() => mkdir(screenshots, { recursive: true }))
        const service = yield* startService
        const synced = yield* syncNow(service)
        const context = yield* launchBrowser
        const page = yield* promise(() => context.newPage())
        yield* signIn(page, { ...service, token: ReadToken })
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
            "the bearer token is read-only (--read-token): it cannot POST this path, which changes something; " +
            "send a token of --token (BATON_HTTP_TOKENS)",
            true,
            ReadToken
          ]
        )
      }),
    { timeout: 180_000 }
  )
})
