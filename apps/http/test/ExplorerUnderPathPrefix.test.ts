import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { readFile } from "node:fs/promises"
import { createServer, request } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import {
  account,
  call,
  cellsOf,
  inherited,
  newPage,
  openExplorer,
  promise,
  step,
  syncedServicePerFile,
  tempDir
} from "./support/ExplorerBrowser.js"

/**
 * The explorer and /docs behind a reverse proxy that serves the service under a path prefix with
 * the prefix stripped (nginx's `location /baton/ { proxy_pass http://svc:8080/; }`, docs/deploy.md):
 * real Chromium opens them at the proxy's `/baton/`, and every request they make must reach the
 * service through the prefix. The bundled service over the `small` sandbox, one for the file (its
 * tests only read its one sync), with --public-docs so that a browser opens /docs.
 */

const Token = "token-for-the-explorer-under-a-path-prefix-test"
const Prefix = "/baton"

const startService = syncedServicePerFile(account, Token, ["--public-docs"])

/**
 * A prefix-stripping reverse proxy on a free loopback port: `/baton/<rest>` goes to `target` as
 * `/<rest>`, anything else is answered 404. `seen` is every request target it received, in order.
 */
const prefixProxy = (target: string) =>
  Effect.acquireRelease(
    Effect.async<{ readonly url: string; readonly seen: ReadonlyArray<string>; readonly close: () => void }>((resume) => {
      const seen: Array<string> = []
      const server = createServer((incoming, answer) => {
        const path = incoming.url ?? ""
        seen.push(path)
        if (!path.startsWith(`${Prefix}/`)) return answer.writeHead(404).end()
        const forwarded = request(
          new URL(path.slice(Prefix.length), target),
          { method: incoming.method, headers: { ...incoming.headers, host: new URL(target).host } },
          (upstream) => {
            answer.writeHead(upstream.statusCode ?? 502, upstream.headers)
            upstream.pipe(answer)
          }
        )
        forwarded.on("error", () => answer.destroy())
        incoming.pipe(forwarded)
      })
      server.listen(0, "127.0.0.1", () =>
        resume(Effect.succeed({
          url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
          seen,
          close: () => {
            server.closeAllConnections()
            server.close()
          }
        })))
    }),
    (proxy) => Effect.sync(proxy.close)
  )

/** The paths the proxy received outside the prefix: none may be the page's. */
const outsidePrefix = (seen: ReadonlyArray<string>) => seen.filter((path) => !path.startsWith(`${Prefix}/`))

/** The distinct paths (queries left out) the proxy received, sorted. */
const pathsOf = (seen: ReadonlyArray<string>) => [...new Set(seen.map((path) => path.split("?")[0]!))].sort()

describe("the explorer and /docs under a reverse proxy's path prefix", () => {
  it.scopedLive(
    "signed in at /baton/, a search finds a user with their access and the review sheet downloads, every request under /baton/",
    () =>
      Effect.gen(function*() {
        const service = yield* startService
        const proxy = yield* prefixProxy(service.url)
        const synced = (yield* call(service, "GET", "/v1/syncs")).body["items"] as ReadonlyArray<Record<string, unknown>>
        const sync = synced[0]!
        const { page } = yield* openExplorer({ ...service, url: `${proxy.url}${Prefix}` })
        yield* promise(() => page.locator("#sync-status", { hasText: "Latest sync" }).waitFor())
        assert.strictEqual(
          yield* promise(() => page.textContent("#sync-status")),
          `Latest sync: ${String(sync["id"])} (${String(sync["finished_at"])}).`
        )
        // The stylesheet came through the prefix: the page is laid out by it.
        assert.strictEqual(
          yield* promise(() => page.evaluate<string>(`getComputedStyle(document.getElementById("message-bar")).display`)),
          "flex"
        )

        yield* promise(() => page.fill("#query", inherited.user.given_name))
        yield* promise(() => page.click("#search-form button"))
        yield* promise(() => page.locator(`[data-principal="user:${inherited.user.id}"]`).click())
        yield* promise(() => page.locator("[data-testid=access-table]").waitFor())
        assert.strictEqual(
          yield* promise(() => page.textContent("[data-testid=details-title]")),
          `${inherited.user.given_name} ${inherited.user.family_name} (user:${inherited.user.id})`
        )
        assert.deepInclude(yield* cellsOf(page, "[data-testid=access-table]"), [
          `group:${inherited.group.id}:${inherited.role}`,
          `${inherited.group.name} (group:${inherited.group.id})`,
          inherited.role,
          `via team ${inherited.team.name} (${inherited.team.id})`
        ])
        yield* step(page, "under-path-prefix-access")

        // The sheet comes through the prefix whole: the file saved is the service's own export of it.
        const [download] = yield* promise(() => Promise.all([page.waitForEvent("download"), page.click("#export")]))
        assert.strictEqual(download.suggestedFilename(), `access-review-${String(sync["id"])}.csv`)
        const saved = join(yield* tempDir("explorer-prefix-download-"), "review.csv")
        yield* promise(() => download.saveAs(saved))
        const exported = yield* promise(() =>
          fetch(`${service.url}/v1/export?format=csv`, { headers: { authorization: `Bearer ${Token}` } }).then((r) => r.text())
        )
        assert.strictEqual(yield* promise(() => readFile(saved, "utf8")), exported)
        assert.include(exported, `user:${inherited.user.id},`)

        assert.deepStrictEqual(outsidePrefix(proxy.seen), [])
        assert.deepStrictEqual(pathsOf(proxy.seen), [
          `${Prefix}/`,
          `${Prefix}/explorer.css`,
          `${Prefix}/explorer.js`,
          `${Prefix}/v1/export`,
          `${Prefix}/v1/principals`,
          `${Prefix}/v1/resources`,
          `${Prefix}/v1/syncs`
        ])
        assert.include(proxy.seen, `${Prefix}/v1/export?format=csv`)
      }),
    { timeout: 180_000 }
  )

  it.scopedLive(
    "/docs at /baton/docs: Swagger UI's Try it out calls the API under /baton/; /baton/openapi.json gives the relative server",
    () =>
      Effect.gen(function*() {
        const service = yield* startService
        const proxy = yield* prefixProxy(service.url)
        const { page } = yield* newPage
        yield* promise(() => page.goto(`${proxy.url}${Prefix}/docs`))
        yield* promise(() => page.locator(".info .title").waitFor())

        yield* promise(() => page.click("button.authorize"))
        yield* promise(() => page.fill(".modal-ux input", Token))
        yield* promise(() => page.click(".modal-ux button.authorize"))
        yield* promise(() => page.click(".modal-ux button.close-modal"))
        const listSyncs = page.locator(`.opblock-get:has(.opblock-summary-path[data-path="/v1/syncs"])`)
        yield* promise(() => listSyncs.locator(".opblock-summary").click())
        yield* promise(() => listSyncs.locator("button.try-out__btn").click())
        yield* promise(() => listSyncs.locator("button.execute").click())
        const answered = listSyncs.locator(".live-responses-table .response")
        yield* promise(() => answered.waitFor())
        yield* step(page, "under-path-prefix-docs")
        assert.deepStrictEqual(
          [
            yield* promise(() => listSyncs.locator(".request-url pre").textContent()),
            yield* promise(() => answered.locator(".response-col_status").textContent()),
            JSON.parse((yield* promise(() => answered.locator(".response-col_description pre").first().textContent())) ?? "")
          ],
          [`${proxy.url}${Prefix}/v1/syncs`, "200", (yield* call(service, "GET", "/v1/syncs")).body]
        )

        const document = yield* promise(() =>
          fetch(`${proxy.url}${Prefix}/openapi.json`).then((r) => r.json() as Promise<{ readonly servers?: unknown }>)
        )
        assert.deepStrictEqual(document.servers, [{ url: ".", description: "this service, where this document is served" }])

        // Swagger UI's page carries its document (no fetch of /openapi.json) and names no icon, so
        // Chromium asks for the host's own `/favicon.ico`: the browser's request, not the page's.
        assert.deepStrictEqual(outsidePrefix(proxy.seen).filter((path) => path !== "/favicon.ico"), [])
        assert.deepStrictEqual(pathsOf(proxy.seen).filter((path) => path.startsWith(Prefix)), [
          `${Prefix}/docs`,
          `${Prefix}/openapi.json`,
          `${Prefix}/v1/syncs`
        ])
      }),
    { timeout: 180_000 }
  )
})
