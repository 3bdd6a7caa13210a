import { FileSystem, Path } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, it } from "@effect/vitest"
import { Effect } from "effect"
import { createRequire } from "node:module"
import { harness, Harness, runSync, TestToken } from "./Harness.js"

/**
 * A page of one entitlement's holders or of one principal's grants starts at its token's key: it
 * read the listing from its start and dropped the rows up to the key, so page k read k pages. Shown
 * by a row before the key that cannot be read: damaged in the sync's working copy after the first
 * page, it fails a listing from the start, not the pages after it.
 */

/** better-sqlite3 (a dependency of the service; its types are not), as far as this test uses it. */
const Database = createRequire(import.meta.url)("better-sqlite3") as new(path: string) => {
  readonly prepare: (sql: string) => { readonly run: (...params: ReadonlyArray<unknown>) => unknown }
  readonly close: () => void
}

interface Page {
  readonly items: ReadonlyArray<{ readonly id: string }>
  readonly next_page_token: string | null
}

const get = (path: string) =>
  Effect.gen(function*() {
    const { request } = yield* Harness
    const response = yield* request("GET", path, { token: TestToken })
    return { status: response.status, body: (yield* Effect.orDie(response.json)) as Page }
  })

const entitlement = `/v1/grants?entitlement=${encodeURIComponent("group:formal_birch:Manage Destination")}`
const principal = "/v1/grants?principal=user:violet_reef"

it.live("a page after the first reads no row before its key", () =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const tempDir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-page-start-" })
    yield* Effect.gen(function*() {
      yield* runSync
      const wholes = [(yield* get(`${entitlement}&page_size=1000`)).body, (yield* get(`${principal}&page_size=1000`)).body]
      const firsts = [(yield* get(`${entitlement}&page_size=1`)).body, (yield* get(`${principal}&page_size=1`)).body]
      assert.deepStrictEqual(wholes.map((page) => page.items.length), [2, 11])

      // The first page's row of each listing, its data no protobuf message, in the reader's working copy.
      const copies = (yield* Effect.orDie(fs.readDirectory(tempDir))).filter((name) => name.startsWith("c1z-"))
      assert.strictEqual(copies.length, 1)
      const db = new Database(path.join(tempDir, copies[0]!, "db"))
      try {
        for (const page of firsts) db.prepare("UPDATE v1_grants SET data = X'FFFF' WHERE external_id = ?").run(page.items[0]!.id)
      } finally {
        db.close()
      }

      const seconds = yield* Effect.forEach([entitlement, principal], (listing, i) =>
        get(`${listing}&page_size=1&page_token=${encodeURIComponent(firsts[i]!.next_page_token!)}`))
      assert.deepStrictEqual(seconds.map(({ body, status }) => [status, body.items]), [
        [200, [wholes[0]!.items[1]]],
        [200, [wholes[1]!.items[1]]]
      ])
      // From the start, the damaged row is read.
      assert.strictEqual((yield* get(`${entitlement}&page_size=2`)).status, 500)
    }).pipe(Effect.provide(harness({ syncConnections: true, tempDir })))
  }).pipe(Effect.scoped, Effect.provide(NodeContext.layer)), 120_000)
