/**
 * CPU time of the group-members page filter (`dropRowsWithoutGroupRoleFromBytes`) on real pages:
 * `GET /v1/groups/{id}/users?limit=1000` bodies of the `large` sandbox account (each lists nearly
 * every user, a handful with a group role), fetched once from an in-process sandbox, then filtered
 * over and over. With `--before`, an older build of the client (e.g. `dist/index.js` of a worktree
 * at an earlier main commit, built) is measured in the same run, interleaved, and its output is
 * compared with this build's, page by page. JSON.parse of the whole page, for scale, is measured too.
 *
 *   npx tsx src/group-members-filter.ts [--pages 200] [--rounds 5] [--before OLD/packages/fivetran-client/dist/index.js]
 *
 * Prints CPU milliseconds (user + system) per 1000 pages, best of the rounds, and the load average.
 */
import { dropRowsWithoutGroupRoleFromBytes } from "@baton-fivetran/fivetran-client"
import { generatePreset, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { Console, Context, Effect, Layer, Schema } from "effect"
import { loadavg } from "node:os"
import { resolve } from "node:path"
import { pathToFileURL } from "node:url"

const argument = (name: string): string | undefined => {
  const index = process.argv.indexOf(`--${name}`)
  return index < 0 ? undefined : process.argv[index + 1]
}

const Options = Schema.Struct({
  pages: Schema.NumberFromString.pipe(Schema.int(), Schema.positive()),
  rounds: Schema.NumberFromString.pipe(Schema.int(), Schema.positive()),
  before: Schema.optional(Schema.String)
})
const options = Schema.decodeUnknownSync(Options)({
  pages: argument("pages") ?? "200",
  rounds: argument("rounds") ?? "5",
  before: argument("before")
})

type Filter = (bytes: Uint8Array) => string

const GroupList = Schema.parseJson(Schema.Struct({
  data: Schema.Struct({ items: Schema.Array(Schema.Struct({ id: Schema.String })) })
}))
const Cursor = Schema.parseJson(Schema.Struct({ data: Schema.Struct({ next_cursor: Schema.optional(Schema.NullOr(Schema.String)) }) }))

/** Every page of the first groups' user lists, as the API sends them, until `pages` are held. */
const fetchPages = Effect.gen(function*() {
  const snapshot = generatePreset("large")
  const context = yield* Layer.build(Sandbox.layer({ snapshot, port: 0, rateLimit: { hourly: 1_000_000 } }))
  const { baseUrl } = Context.get(context, Sandbox)
  const key = snapshot.credentials.find((c) => c._tag === "SystemKey")!
  const headers = { authorization: `Basic ${Buffer.from(`${key.key}:${key.secret}`).toString("base64")}` }
  const get = (path: string) =>
    Effect.promise(() => fetch(`${baseUrl}${path}`, { headers }).then((r) => r.arrayBuffer())).pipe(
      Effect.map((body) => new Uint8Array(body))
    )
  const groups = Schema.decodeSync(GroupList)(new TextDecoder().decode(yield* get("/v1/groups?limit=1000"))).data.items
  const pages: Array<Uint8Array> = []
  for (const group of groups) {
    let cursor: string | null | undefined = ""
    while (cursor !== null && cursor !== undefined && pages.length < options.pages) {
      const page: Uint8Array = yield* get(`/v1/groups/${group.id}/users?limit=1000&cursor=${cursor}`)
      pages.push(page)
      cursor = Schema.decodeSync(Cursor)(new TextDecoder().decode(page)).data.next_cursor
    }
    if (pages.length >= options.pages) break
  }
  return pages
})

/** CPU milliseconds (user + system) of filtering every page once. */
const cpuMillis = (filter: Filter, pages: ReadonlyArray<Uint8Array>) => {
  const start = process.cpuUsage()
  let kept = 0
  for (const page of pages) kept += filter(page).length
  const { system, user } = process.cpuUsage(start)
  if (kept === 0) throw new Error("no page kept anything")
  return (user + system) / 1000
}

const program = Effect.gen(function*() {
  const pages = yield* Effect.scoped(fetchPages)
  const megabytes = pages.reduce((sum, page) => sum + page.byteLength, 0) / 1e6
  const filters: Array<readonly [string, Filter]> = [["this build", dropRowsWithoutGroupRoleFromBytes]]
  if (options.before !== undefined) {
    const module = yield* Effect.promise(() =>
      import(pathToFileURL(resolve(options.before!)).href) as Promise<{ dropRowsWithoutGroupRoleFromBytes: Filter }>
    )
    const before = module.dropRowsWithoutGroupRoleFromBytes
    const differing = pages.filter((page) => before(page) !== dropRowsWithoutGroupRoleFromBytes(page)).length
    if (differing > 0) return yield* Effect.dieMessage(`${differing} of ${pages.length} pages filter differently before and after`)
    filters.unshift(["before", before])
  }
  filters.push(["JSON.parse of the whole page", (bytes) => JSON.stringify(JSON.parse(new TextDecoder().decode(bytes)).data.next_cursor)])
  const best = new Map<string, number>()
  for (let round = 0; round < options.rounds; round++) {
    for (const [name, filter] of filters) best.set(name, Math.min(best.get(name) ?? Infinity, cpuMillis(filter, pages)))
  }
  yield* Console.log(`${pages.length} pages, ${megabytes.toFixed(1)} MB; CPU ms per 1000 pages, best of ${options.rounds} rounds:`)
  for (const [name, millis] of best) yield* Console.log(`  ${name}: ${(millis * 1000 / pages.length).toFixed(0)} ms`)
  yield* Console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`)
})

Effect.runPromise(program).then(() => process.exit(0), (error) => {
  console.error(error)
  process.exit(1)
})
