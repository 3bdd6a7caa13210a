import { FileSystem, HttpClient, HttpClientRequest, Path } from "@effect/platform"
import { NodeContext, NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import type { AccountSnapshot } from "../src/index.js"
import { generate, presets, readSnapshot, Sandbox, writeSnapshot } from "../src/index.js"

/** Big enough that /v1/users spans several pages of 100. */
const options = { ...presets.small, seed: 4242, users: 260, groups: 6, teams: 4, connections: 12 }

/** The bytes of a response, with its status, as a string for exact comparison. */
interface RawAnswer {
  readonly status: number
  readonly body: string
}

/** A sandbox serving `snapshot` for the rest of the test's scope, and a raw GET against it. */
const serve = (snapshot: AccountSnapshot) =>
  Effect.gen(function*() {
    const context = yield* Layer.build(Sandbox.layer({ snapshot, port: 0 }))
    const { baseUrl } = Context.get(context, Sandbox)
    const client = yield* HttpClient.HttpClient
    const credential = snapshot.credentials.find((c) => c._tag === "SystemKey")!
    const authorization = `Basic ${Buffer.from(`${credential.key}:${credential.secret}`).toString("base64")}`
    return (path: string) =>
      client.execute(HttpClientRequest.get(`${baseUrl}${path}`, { headers: { authorization } })).pipe(
        Effect.flatMap((response) =>
          Effect.map(response.arrayBuffer, (bytes): RawAnswer => ({
            status: response.status,
            body: Buffer.from(bytes).toString("latin1")
          }))
        ),
        Effect.scoped
      )
  })

/** Every page of a list, following next_cursor, plus a few derived views of one entity each. */
const crawl = (get: (path: string) => Effect.Effect<RawAnswer, unknown>, snapshot: AccountSnapshot) =>
  Effect.gen(function*() {
    const answers: Array<readonly [string, RawAnswer]> = []
    const fetch = (path: string) => Effect.tap(get(path), (answer) => answers.push([path, answer]))
    for (const list of ["/v1/users", "/v1/groups", "/v1/teams", "/v1/roles", "/v1/connections"]) {
      let cursor: string | null = null
      do {
        const answer: RawAnswer = yield* fetch(cursor === null ? list : `${list}?cursor=${cursor}`)
        // The last page has no next_cursor.
        cursor = (JSON.parse(answer.body) as { data: { next_cursor?: string } }).data.next_cursor ?? null
      } while (cursor !== null)
    }
    yield* fetch("/v1/account/info")
    yield* fetch(`/v1/groups/${snapshot.groups[0]!.id}/users`)
    yield* fetch(`/v1/teams/${snapshot.teams[0]!.id}/users`)
    yield* fetch(`/v1/teams/${snapshot.teams[0]!.id}/groups`)
    yield* fetch(`/v1/users/${snapshot.users[1]!.id}/groups`)
    yield* fetch(`/v1/users/${snapshot.users[1]!.id}/connections`)
    return answers
  })

const layer = Layer.mergeAll(NodeHttpClient.layerUndici, NodeContext.layer)

describe("generator determinism over HTTP", () => {
  it.scopedLive("the same seed and sizes give byte-identical responses from two sandboxes", () =>
    Effect.gen(function*() {
      const first = generate(options)
      const second = generate(options)
      const a = yield* crawl(yield* serve(first), first)
      const b = yield* crawl(yield* serve(second), second)
      assert.strictEqual(a.filter(([path]) => path.startsWith("/v1/users?cursor=")).length, 2)
      assert.isTrue(a.every(([, answer]) => answer.status === 200))
      assert.deepStrictEqual(b, a)
    }).pipe(Effect.provide(layer)))

  it.scopedLive("a different seed gives different responses", () =>
    Effect.gen(function*() {
      const base = generate(options)
      const other = generate({ ...options, seed: 4243 })
      const a = yield* (yield* serve(base))("/v1/users")
      const b = yield* (yield* serve(other))("/v1/users")
      assert.strictEqual(a.status, 200)
      assert.notStrictEqual(b.body, a.body)
    }).pipe(Effect.provide(layer)))

  it.scopedLive("a snapshot written and loaded again serves identical responses", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const file = path.join(yield* fs.makeTempDirectoryScoped({ prefix: "sandbox-generator-" }), "account.json")
      const snapshot = generate(options)
      yield* writeSnapshot(file, snapshot, { pretty: false })
      const loaded = yield* readSnapshot(file)
      const a = yield* crawl(yield* serve(snapshot), snapshot)
      const b = yield* crawl(yield* serve(loaded), loaded)
      assert.strictEqual(a.length, b.length)
      assert.deepStrictEqual(b, a)
    }).pipe(Effect.provide(layer)))
})
