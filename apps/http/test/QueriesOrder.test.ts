import { openC1z } from "@baton-fivetran/c1z"
import { type Entitlement, type Grant, type Resource, resourceRefOf } from "@baton-fivetran/connector-core"
import { FileSystem } from "@effect/platform"
import { assert, layer } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { createHmac } from "node:crypto"
import { readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { craft } from "../../cli/test/support/CraftedSyncFile.js"
import { harness, Harness, runSync, TestToken } from "./Harness.js"

/**
 * GET /v1/resources, /v1/entitlements and /v1/grants listed rows in the file's order (the order
 * the sync wrote them: roles first, a user's team memberships before its roles), while the CLI's
 * `resources`, `entitlements` and `grants` list the same file by id: a reviewer comparing the
 * service's rows with the CLI's found them in other places. The service now lists in the CLI's
 * order (the reader's sorted listings): resources and entitlements by id, grants by grant id, one
 * principal's by entitlement id, one entitlement's by principal; page by page, as a whole listing.
 */

interface Page {
  readonly sync_id: string
  readonly items: ReadonlyArray<unknown>
  readonly next_page_token: string | null
}

const keyOf = {
  resources: (item: unknown) => resourceRefOf((item as Resource).id),
  entitlements: (item: unknown) => (item as Entitlement).id,
  grants: (item: unknown) => (item as Grant).id
}

/** Every page of a listing, `size` rows a page (4 unless given), following the tokens: the listed rows' ids. */
const listedIds = (listing: keyof typeof keyOf, query: string, size = 4) =>
  Effect.gen(function*() {
    const { request } = yield* Harness
    const ids: Array<string> = []
    let token: string | null = null
    do {
      const tokenParam: string = token === null ? "" : `&page_token=${encodeURIComponent(token)}`
      const response = yield* request("GET", `/v1/${listing}?page_size=${size}${query}${tokenParam}`, { token: TestToken })
      assert.strictEqual(response.status, 200, `${listing}?${query}`)
      const page = (yield* response.json) as Page
      ids.push(...page.items.map(keyOf[listing]))
      token = page.next_page_token
    } while (token !== null)
    return ids
  })

/** A page of `path` (a listing and its query). */
const pageAt = (path: string) =>
  Effect.gen(function*() {
    const { request } = yield* Harness
    return (yield* (yield* request("GET", path, { token: TestToken })).json) as Page
  })

/** A page token's position, as the service signed it. */
const positionOf = (token: string) => JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString()) as Record<string, unknown>

/** A token for `position`, signed with the page-token key of the service's data directory `dataDir`, as the service signs. */
const signedToken = (dataDir: string, position: Record<string, unknown>) => {
  const payload = Buffer.from(JSON.stringify(position)).toString("base64url")
  const key = readFileSync(join(dataDir, "page-token.key"))
  return `${payload}.${createHmac("sha256", key).update(`listing\n${payload}`).digest("base64url")}`
}

const collected = <A, E>(rows: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(rows), Chunk.toReadonlyArray)

layer(harness({ syncConnections: true }), { excludeTestServices: true, timeout: 120_000 })("the service's listing order", (it) => {
  it.effect("resources, entitlements and grants come by id, as the CLI lists the same file, through every page", () =>
    Effect.gen(function*() {
      const { dataDir } = yield* Harness
      const job = yield* runSync
      const reader = yield* openC1z(join(dataDir, `${job.id}.c1z`))
      const keys = <A>(rows: Stream.Stream<{ readonly key: string; readonly value: A }, unknown>) =>
        Effect.map(collected(rows), (listed) => listed.map((row) => row.key))

      const resources = yield* listedIds("resources", "")
      assert.deepStrictEqual(resources.slice(0, 3), ["connection:coastal_sun", "connection:cool_boulder", "connection:flying_panther"])
      assert.deepStrictEqual(resources, yield* keys(reader.sorted.resources()))
      const users = yield* listedIds("resources", "&type=user")
      assert.deepStrictEqual(users, yield* keys(reader.sorted.resources({ resourceType: "user" })))
      const children = yield* listedIds("resources", "&parent=group:formal_birch")
      assert.deepStrictEqual(
        children,
        (yield* collected(reader.sorted.resources())).filter((row) =>
          row.value.parentResourceId !== undefined && resourceRefOf(row.value.parentResourceId) === "group:formal_birch"
        ).map((row) => row.key)
      )
      assert.strictEqual(children.length, 2)

      const entitlements = yield* listedIds("entitlements", "")
      assert.strictEqual(entitlements.length, 107)
      assert.deepStrictEqual(entitlements, yield* keys(reader.sorted.entitlements()))
      assert.deepStrictEqual(yield* listedIds("entitlements", "&resource=team:sunny_barley"), [
        "team:sunny_barley:Team Manager",
        "team:sunny_barley:Team Member",
        "team:sunny_barley:member"
      ])

      const grants = yield* listedIds("grants", "")
      assert.strictEqual(grants.length, 149)
      assert.deepStrictEqual(grants.slice(0, 2), [
        "connection:coastal_sun:View Connection:user:dawn_sapling",
        "connection:coastal_sun:View Connection:user:vivid_orchard"
      ])
      assert.deepStrictEqual(grants, yield* keys(reader.sorted.grants()))
      // One principal's by entitlement id, as `grants --principal` and `access user:<id>` list them.
      const held = yield* listedIds("grants", "&principal=user:violet_reef")
      assert.deepStrictEqual(
        held,
        (yield* collected(reader.sorted.grantsOf({ resourceType: "user", resource: "violet_reef" }))).map((row) => row.key)
      )
      assert.strictEqual(held.length, 11)
      // The principal's access view, one answer: the same grants in the same order.
      const { request } = yield* Harness
      const access = (yield* (yield* request("GET", "/v1/principals/user/violet_reef/access", { token: TestToken })).json) as {
        readonly grants: ReadonlyArray<{ readonly grant: Grant }>
      }
      assert.deepStrictEqual(access.grants.map((entry) => entry.grant.id), held)
      const entitlement = "group:formal_birch:Manage Destination"
      assert.deepStrictEqual(yield* listedIds("grants", `&entitlement=${encodeURIComponent(entitlement)}`, 1), [
        `${entitlement}:user:bouncy_sun`,
        `${entitlement}:user:dawn_sapling`
      ])
      assert.deepStrictEqual(
        yield* listedIds("grants", `&entitlement=${encodeURIComponent(entitlement)}&principal=user:bouncy_sun`),
        [`${entitlement}:user:bouncy_sun`]
      )
    }).pipe(Effect.scoped, Effect.orDie))

  it.effect("every entitlement's holders and every principal's grants, a row a page, are the rows of one page, in order", () =>
    Effect.gen(function*() {
      const { dataDir, request } = yield* Harness
      const job = yield* runSync
      const reader = yield* openC1z(join(dataDir, `${job.id}.c1z`))
      const grants = Chunk.toReadonlyArray(yield* Stream.runCollect(reader.sorted.grants())).map((row) => row.value)
      const entitlements = [...new Set(grants.map((grant) => grant.entitlement.id))]
      const principals = [...new Set(grants.map((grant) => resourceRefOf(grant.principal.id)))]
      // Each page starts at its token's key: a page ends between every two neighbours (two users of
      // one entitlement, a user and a team, two entitlements of one resource: `type:id:` in common).
      const walked = (filter: string) =>
        Effect.gen(function*() {
          const one = yield* request("GET", `/v1/grants?page_size=1000${filter}`, { token: TestToken })
          return [yield* listedIds("grants", filter, 1), ((yield* one.json) as Page).items.map(keyOf.grants)]
        })
      const holders: Array<string> = []
      for (const entitlement of entitlements) {
        const [paged, whole] = yield* walked(`&entitlement=${encodeURIComponent(entitlement)}`)
        assert.deepStrictEqual(paged, whole, entitlement)
        holders.push(...paged)
      }
      const held: Array<string> = []
      for (const principal of principals) {
        const [paged, whole] = yield* walked(`&principal=${encodeURIComponent(principal)}`)
        assert.deepStrictEqual(paged, whole, principal)
        held.push(...paged)
      }
      // Every grant once in either walk; among the neighbours, both kinds of boundary named above.
      const ids = grants.map((grant) => grant.id).sort()
      assert.deepStrictEqual([[...holders].sort(), [...held].sort()], [ids, ids])
      assert.deepStrictEqual([entitlements.length, principals.length], [46, 28])
      const byId = new Map(grants.map((grant) => [grant.id, grant]))
      /** How many pages of a walk end between two grants that `same` says are alike. */
      const neighbours = (list: ReadonlyArray<string>, same: (a: Grant, b: Grant) => boolean) =>
        list.slice(1).filter((id, i) => same(byId.get(list[i]!)!, byId.get(id)!)).length
      const resourceOf = (grant: Grant) => resourceRefOf(grant.entitlement.resource.id)
      assert.deepStrictEqual([
        neighbours(holders, (a, b) => a.entitlement.id === b.entitlement.id && a.principal.id.resourceType === b.principal.id.resourceType),
        neighbours(holders, (a, b) => a.entitlement.id === b.entitlement.id && a.principal.id.resourceType !== b.principal.id.resourceType),
        neighbours(held, (a, b) => resourceRefOf(a.principal.id) === resourceRefOf(b.principal.id) && resourceOf(a) === resourceOf(b))
      ], [93, 10, 27])
    }).pipe(Effect.scoped, Effect.orDie))

  /**
   * Baton's files never tie two rows of these orders (a principal holds an entitlement once; a grant
   * id is unique in its sync), but a crafted or damaged data directory can: a page that ended on the
   * first of two tied rows resumed after both, and the second was in no page.
   */
  it.effect("rows tied on a page's key, in a crafted file, are each in exactly one page of 1 or 2 rows", () =>
    Effect.gen(function*() {
      const { dataDir } = yield* Harness
      const job = yield* runSync
      const dir = yield* (yield* FileSystem.FileSystem).makeTempDirectoryScoped({ prefix: "baton-http-tied-keys-" })
      const file = join(dir, `${job.id}.c1z`)
      // violet_reef's View Destination on trusty_inlet filed under its Edit Destination's entitlement id;
      // dawn_sapling's grant of Manage Destination on formal_birch under bouncy_sun's grant id.
      craft(join(dataDir, `${job.id}.c1z`), file, (db) =>
        db.exec(`
          UPDATE v1_grants SET entitlement_id = 'group:trusty_inlet:Edit Destination'
            WHERE external_id = 'group:trusty_inlet:View Destination:user:violet_reef';
          DROP INDEX idx_grants_external_sync_v1;
          UPDATE v1_grants SET external_id = 'group:formal_birch:Manage Destination:user:bouncy_sun'
            WHERE external_id = 'group:formal_birch:Manage Destination:user:dawn_sapling'`))
      yield* Effect.orDie(
        (yield* FileSystem.FileSystem).writeFileString(
          join(dir, `${job.id}.json`),
          JSON.stringify({ ...job, file_bytes: statSync(file).size })
        )
      )
      const { resumed, tokenFields, walks } = yield* Effect.gen(function*() {
        const holders = `&entitlement=${encodeURIComponent("group:formal_birch:Manage Destination")}`
        const principal = "/v1/grants?principal=user:violet_reef"
        // A page ending on the first of the two tied rows; its token, and one of the previous build's
        // shape (no row id), which resumes after every row of its key, as that build did.
        const first = yield* pageAt(`${principal}&page_size=4`)
        const { r: _row, ...keyOnly } = positionOf(first.next_page_token!)
        const next = (token: string) =>
          Effect.map(pageAt(`${principal}&page_size=1&page_token=${token}`), (page) => page.items.map(keyOf.grants))
        return {
          walks: yield* Effect.forEach([holders, "&principal=user:violet_reef"], (filter) =>
            Effect.forEach([1000, 1, 2], (size) => listedIds("grants", filter, size))),
          tokenFields: [first.items.map(keyOf.grants), Object.keys(positionOf(first.next_page_token!)), keyOnly.k],
          resumed: [yield* next(first.next_page_token!), yield* next(signedToken(dir, keyOnly))]
        }
      }).pipe(Effect.provide(harness({ dataDir: dir })))

      const held = [
        "connection:cool_boulder:View Connection:user:violet_reef",
        "connection:polite_pine:Connector Reviewer:user:violet_reef",
        "group:exact_creek:View Destination:user:violet_reef",
        "group:trusty_inlet:Edit Destination:user:violet_reef",
        "group:trusty_inlet:View Destination:user:violet_reef",
        "role:Account Administrator:assigned:user:violet_reef",
        "role:Account Reviewer:assigned:user:violet_reef",
        "team:bouncy_mist:Team Manager:user:violet_reef",
        "team:bouncy_mist:member:user:violet_reef",
        "team:sunny_barley:Team Manager:user:violet_reef",
        "team:sunny_barley:member:user:violet_reef"
      ]
      const holders = [
        "group:formal_birch:Manage Destination:user:bouncy_sun",
        "group:formal_birch:Manage Destination:user:dawn_sapling"
      ]
      assert.deepStrictEqual(walks, [[holders, holders, holders], [held, held, held]])
      assert.deepStrictEqual(tokenFields, [held.slice(0, 4), ["s", "k", "r", "l", "f"], "group:trusty_inlet:Edit Destination"])
      assert.deepStrictEqual(resumed, [[held[4]], [held[5]]])
    }).pipe(Effect.scoped, Effect.orDie))

  it.effect("a token from when listings came in the file's order is refused saying to list again", () =>
    Effect.gen(function*() {
      const { dataDir, request } = yield* Harness
      const first = yield* pageAt("/v1/resources?page_size=2")
      // The old token's position: the last row id where the key is now; signed with the service's own key.
      const { k: _key, ...rest } = positionOf(first.next_page_token!)
      const token = signedToken(dataDir, { ...rest, a: 2 })
      const response = yield* request("GET", `/v1/resources?page_size=2&page_token=${token}`, { token: TestToken })
      assert.deepStrictEqual([response.status, yield* response.json], [400, {
        error: "InvalidRequest",
        field: "page_token",
        message: "page_token is from before this service listed by id; list again without page_token"
      }])
    }).pipe(Effect.orDie))
})
