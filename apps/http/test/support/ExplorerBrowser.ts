import { type AccountSnapshot, generatePreset, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { NodeContext } from "@effect/platform-node"
import { assert } from "@effect/vitest"
import { Effect, Exit, Layer, Schedule, Scope } from "effect"
import { mkdir, mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { type BrowserContext, chromium, type Page } from "playwright-core"
import { afterAll, inject } from "vitest"
import { inheritedGrant } from "../AccessChanges.js"
import { openExport } from "../HeldExports.js"
import { sandboxServiceArgs, serviceProcessOver, startServiceProcess } from "../ServiceProcess.js"
import { chromiumPath } from "./ChromiumServer.js"

/**
 * What the explorer's browser tests share: the bundled service process (on its own `small`
 * sandbox, or over a sandbox of the test's), a context of the suite's headless Chromium
 * (ChromiumServer.ts) with the page open and signed in, and the steps a user or the test takes.
 * Screenshots go to apps/http/test-screenshots/ (not committed).
 */

export { chromiumPath }
export const screenshots = fileURLToPath(new URL("../../test-screenshots/", import.meta.url))

/** The service's --sandbox account: the `small` preset with its default seed. */
export const account = generatePreset("small")
export const inherited = inheritedGrant(account)

const systemKey = account.credentials.find((credential) => credential._tag === "SystemKey")!

/** Renames a user's given name in the service's sandbox, through its own API (HTTP Basic with the account's system key); its status. */
export const renameInFivetran = (service: Service, userId: string, givenName: string) =>
  Effect.promise(async () => {
    const response = await fetch(`${service.sandboxUrl}/v1/users/${userId}`, {
      method: "PATCH",
      headers: {
        authorization: `Basic ${Buffer.from(`${systemKey.key}:${systemKey.secret}`).toString("base64")}`,
        "content-type": "application/json"
      },
      body: JSON.stringify({ given_name: givenName })
    })
    return response.status
  })

export const tempDir = (prefix: string) =>
  Effect.acquireRelease(
    Effect.promise(() => mkdtemp(join(tmpdir(), prefix))),
    (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
  )

export interface Service {
  readonly url: string
  readonly token: string
  /** The sandbox's own URL: the test changes the account there, as someone in Fivetran would. */
  readonly sandboxUrl: string
}

/**
 * Starts the bundled service on its own `small` sandbox (`--sandbox`) with `flags`; its URLs and
 * token once it has printed them. With `token` it takes that one (`--token`), else the one it
 * made and printed.
 */
export const startPresetService = (flags: ReadonlyArray<string>, token?: string) =>
  startServiceProcess(
    ["--sandbox", ...flags, "--port", "0", ...(token === undefined ? [] : ["--token", token])],
    (printed): Service | undefined => {
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(printed)?.[1]
      const taken = token ?? /shown once\): (\S+)/.exec(printed)?.[1]
      const sandboxUrl = /sandbox \("small" preset\) at (\S+)/.exec(printed)?.[1]
      return url === undefined || taken === undefined || sandboxUrl === undefined ? undefined : { url, token: taken, sandboxUrl }
    }
  )

/** Starts the bundled service on the `small` sandbox with provisioning on. */
export const startService = startPresetService(["--provisioning"])

/** A sandbox serving `snapshot` on a free port, for `syncedServiceOver`. */
export const sandboxOf = (snapshot: AccountSnapshot) => Sandbox.layer({ snapshot, port: 0 }).pipe(Layer.provideMerge(NodeContext.layer))

/**
 * The bundled service over the test's sandbox (`sandboxOf`), taking `token`, with `flags`; once its
 * first sync has succeeded. `stop` ends it (SIGTERM), as a service gone from under the page.
 */
export const syncedServiceOver = (token: string, flags: ReadonlyArray<string> = []) =>
  Effect.gen(function*() {
    const dataDir = yield* tempDir("explorer-service-")
    const launch = yield* sandboxServiceArgs(token)
    const running = yield* serviceProcessOver(dataDir, [...launch.args, ...flags], { env: launch.env })
    const service: Service = { url: running.url, token, sandboxUrl: (yield* Sandbox).baseUrl }
    yield* syncNow(service)
    return { ...service, stop: running.stop }
  })

/**
 * `syncedServiceOver` a sandbox serving `snapshot`, for a file whose tests only read its one sync:
 * started by the first test that asks and stopped after the file's last, where each test started
 * its own (a service start and a sync of HeldExports' `manyRows` cost ~5 s of CPU). A test gets it
 * as a fresh one would be: with no export streaming, once an earlier test's held downloads have ended.
 */
export const syncedServicePerFile = (snapshot: AccountSnapshot, token: string, flags: ReadonlyArray<string> = []) => {
  const scope = Effect.runSync(Scope.make())
  afterAll(() => Effect.runPromise(Scope.close(scope, Exit.void)))
  const started = Layer.build(sandboxOf(snapshot)).pipe(
    Effect.flatMap((sandbox) => Effect.provide(syncedServiceOver(token, flags), sandbox)),
    Scope.extend(scope),
    Effect.cached,
    Effect.runSync
  )
  return Effect.tap(started, noExportStreaming)
}

/** Until the service's `baton_exports_streaming` gauge (/metrics) reads 0: no fixed wait, a poll. */
export const noExportStreaming = (service: Service) =>
  Effect.promise(async () => {
    const response = await fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${service.token}` } })
    return (await response.text()).split("\n")
  }).pipe(
    Effect.repeat({ until: (lines) => lines.includes("baton_exports_streaming 0"), schedule: Schedule.spaced("20 millis") }),
    Effect.timeout("30 seconds"),
    Effect.orDie
  )

/**
 * `openExport` (its body left unread, so it holds a `--max-concurrent-exports` slot) once no other
 * export streams: a view's rows come from an export, and the service frees its slot only once the
 * last byte is written, which the page may have read and shown before then.
 */
export const holdExportSlot = (service: Service) => Effect.zipRight(noExportStreaming(service), openExport(service.url, service.token))

/**
 * A browser context of its own (cookies, storage and cache) in the suite's one Chromium
 * (ChromiumServer.ts), closed with the scope. Its pages wait up to 60 s for an element or an event
 * unless told otherwise: Playwright's 30 s left too little room under `pnpm test` on two cores,
 * where a step that takes 1 s alone took up to 8 (2026-12-07).
 */
export const launchBrowser = Effect.gen(function*() {
  const endpoint = inject("chromiumEndpoint")
  if (endpoint === null) return yield* Effect.dieMessage(`no ${chromiumPath}: apt-get install -y chromium (.ci/run installs it)`)
  const browser = yield* Effect.acquireRelease(
    promise(() => chromium.connect(endpoint)),
    (connected) => promise(() => connected.close())
  )
  return yield* Effect.acquireRelease(
    promise(async (): Promise<BrowserContext> => {
      const context = await browser.newContext()
      context.setDefaultTimeout(60_000)
      return context
    }),
    (context) => promise(() => context.close())
  )
})

/** A fresh browser context and a blank page in it (the context, for a second page). */
export const newPage = Effect.gen(function*() {
  const context = yield* launchBrowser
  const page = yield* promise(() => context.newPage())
  return { context, page }
})

/** A fresh browser context with the explorer open at `path`, signed in with `token` (the service's by default). */
export const openExplorer = (service: Service, path = "/", token = service.token) =>
  Effect.gen(function*() {
    const opened = yield* newPage
    yield* signIn(opened.page, { ...service, token }, path)
    return opened
  })

/** The API from the test's side, as a user would call it with curl. */
export const call = (service: Service, method: "GET" | "POST" | "DELETE", path: string, body?: unknown) =>
  Effect.promise(async () => {
    const response = await fetch(`${service.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${service.token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" })
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    return { status: response.status, body: await response.json() as Record<string, unknown> }
  })

/** Invites a user through the service (POST /v1/accounts answers 201); its principal id, `user:<id>`. */
export const invite = (service: Service, given_name: string, family_name: string, email: string) =>
  Effect.gen(function*() {
    const invited = yield* call(service, "POST", "/v1/accounts", { email, given_name, family_name })
    assert.strictEqual(invited.status, 201)
    return `user:${String((invited.body["resource"] as { id: { resource: string } }).id.resource)}`
  })

/** Starts a sync and waits until it has succeeded; its id. */
export const syncNow = (service: Service) =>
  Effect.gen(function*() {
    const started = yield* call(service, "POST", "/v1/syncs")
    const id = String(started.body.id)
    for (;;) {
      const job: { readonly body: Record<string, unknown> } = yield* call(service, "GET", `/v1/syncs/${id}`)
      if (job.body.status === "succeeded") return id
      if (job.body.status !== "queued" && job.body.status !== "running") {
        return yield* Effect.dieMessage(`sync ${id} ended ${String(job.body.status)}: ${String(job.body.error)}`)
      }
      yield* Effect.sleep("100 millis")
    }
  })

/** The height of a step's picture at most, in CSS pixels: some 160 rows of a view. */
const pictureHeight = 8_000

/**
 * Leaves a screenshot of the page, its top `pictureHeight` pixels, as `<name>.png` in the
 * screenshots' directory. A view of 1,000 rows is some 50,000 pixels tall: its whole picture took
 * ~25 s on a loaded machine, its top 8,000 ~4 s, and a picture is no assertion to fail a test on.
 */
export const step = (page: Page, name: string) =>
  Effect.promise(async () => {
    await mkdir(screenshots, { recursive: true })
    const [width, height] = await page.evaluate<[number, number]>(
      "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    await page.screenshot({
      path: join(screenshots, `${name}.png`),
      fullPage: true,
      clip: { x: 0, y: 0, width, height: Math.min(height, pictureHeight) },
      timeout: 180_000
    })
  })

/** A table's body cells, row by row. */
export const cellsOf = (page: Page, selector: string) =>
  Effect.promise(async () => {
    const rows = await page.locator(`${selector} tbody tr`).all()
    return Promise.all(rows.map((row) => row.locator("td").allTextContents()))
  })

export const promise = <A>(run: () => Promise<A>) => Effect.promise(run)

/** Where the keyboard is: the focused element's id, else its test id, else its tag. */
export const focusedId = (page: Page) =>
  promise(() =>
    page.evaluate<string>("document.activeElement.id || document.activeElement.dataset.testid || document.activeElement.tagName")
  )

/** Opens the page and signs in with the service's token; done when the app shows. */
export const signIn = (page: Page, service: Service, path = "/") =>
  Effect.gen(function*() {
    yield* promise(() => page.goto(`${service.url}${path}`))
    yield* promise(() => page.fill("#token", service.token))
    yield* promise(() => page.click("#login-form button"))
    yield* promise(() => page.locator("#app").waitFor())
  })
