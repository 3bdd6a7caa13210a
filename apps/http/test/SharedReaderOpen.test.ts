import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { get, type IncomingMessage } from "node:http"
import { harness, Harness, runSync, TestToken } from "./Harness.js"
import { manyRows } from "./HeldExports.js"

/**
 * The first read of a new sync opens its reader (a working copy of its database), shared by every
 * request that arrives meanwhile. The open ran on the first request's fiber: when that client hung
 * up (the explorer cancels a search the reviewer replaces), the open was interrupted with it and the
 * requests waiting on it were answered 499 with an empty body. Now the open outlives its requester.
 */

/** A GET whose client hangs up once `hangUpAfterMillis` have passed since it was sent. */
const abandoned = (baseUrl: string, path: string, hangUpAfterMillis: number) =>
  Effect.sync(() => {
    const request = get(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${TestToken}` }, agent: false })
    request.on("error", () => undefined)
    setTimeout(() => request.destroy(), hangUpAfterMillis)
  })

const answer = (baseUrl: string, path: string) =>
  Effect.async<{ readonly status: number; readonly body: string }>((resume) => {
    get(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${TestToken}` }, agent: false }, (response: IncomingMessage) => {
      const chunks: Array<Buffer> = []
      response.on("data", (chunk: Buffer) => chunks.push(chunk))
      response.on("end", () => resume(Effect.succeed({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() })))
    }).on("error", (error) => resume(Effect.die(error)))
  })

layer(harness({ snapshot: manyRows }), { excludeTestServices: true, timeout: 180_000 })("a sync's reader opened for a request", (it) => {
  it.effect("is not lost when that request's client hangs up: the request waiting on the same open is answered", () =>
    Effect.gen(function*() {
      const { baseUrl } = yield* Harness
      const job = yield* runSync
      assert.strictEqual(job.status, "succeeded")
      // The reader of the new sync is not open yet: the first request opens it, the second waits on that open.
      yield* abandoned(baseUrl, "/v1/principals?q=a", 40)
      yield* Effect.sleep("5 millis")
      const waiting = yield* answer(baseUrl, "/v1/principals?q=b")
      assert.strictEqual(waiting.status, 200)
      // The same answer as the search asked again once the reader is open.
      const again = yield* answer(baseUrl, "/v1/principals?q=b")
      assert.deepStrictEqual(JSON.parse(waiting.body), JSON.parse(again.body))
      assert.strictEqual((JSON.parse(again.body) as { readonly items: ReadonlyArray<unknown> }).items.length, 20)
    }))
})
