import { PayloadTooLarge } from "@baton-fivetran/http-api"
import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { requestBodyChecks } from "../src/RequestBody.js"

/**
 * The body limit on a request whose body arrives in chunks with no Content-Length (a chunked
 * upload), so the limit is met while reading, on a web request (a server other than Node's): the
 * check's own outcome, and how far it read. Over the real service, ChunkedBodyOverCap.test.ts.
 */

/** A POST whose body is `chunks`, pulled one by one; `pulled` counts what was read. */
const chunkedPost = (chunks: ReadonlyArray<string>) => {
  const progress = { pulled: 0 }
  const body = new ReadableStream<Uint8Array>({
    pull: (controller) => {
      const chunk = chunks[progress.pulled]
      if (chunk === undefined) return controller.close()
      progress.pulled++
      controller.enqueue(new TextEncoder().encode(chunk))
    }
  })
  const request = HttpServerRequest.fromWeb(
    new Request("http://127.0.0.1/v1/accounts", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      duplex: "half"
    } as RequestInit)
  )
  return { request, progress }
}

/** The endpoint: answers with the body it reads through the request, as the platform's decoding does. */
const echo = Effect.flatMap(
  HttpServerRequest.HttpServerRequest,
  (request) => Effect.map(Effect.orDie(request.json), (json) => HttpServerResponse.unsafeJson(json))
)

const check = (request: HttpServerRequest.HttpServerRequest, limitBytes: number) =>
  requestBodyChecks(limitBytes)(echo).pipe(Effect.provideService(HttpServerRequest.HttpServerRequest, request))

const account = JSON.stringify({ email: "chunked@acmedata.com", given_name: "é".repeat(3000), family_name: "B" })
const accountBytes = new TextEncoder().encode(account).byteLength
const inChunksOf = (text: string, size: number) =>
  Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size))

describe("request body limit", () => {
  it.live("a chunked body passing the limit is PayloadTooLarge (by tag) as soon as it passes, the rest unread", () =>
    Effect.gen(function*() {
      const { progress, request } = chunkedPost(Array.from({ length: 100 }, () => "x".repeat(1024)))
      const exit = yield* Effect.exit(check(request, 8 * 1024))
      assert.deepStrictEqual(
        exit,
        Exit.fail(new PayloadTooLarge({ message: "the request body is larger than 8192 bytes", limit_bytes: 8192 }))
      )
      assert.isBelow(progress.pulled, 12)
    }))

  it.live("the limit counts bytes, not characters: a body of exactly the limit reaches the endpoint parsed", () =>
    Effect.gen(function*() {
      const response = yield* check(chunkedPost(inChunksOf(account, 1000)).request, accountBytes)
      assert.strictEqual(response.status, 200)
      const body = response.body as { readonly body: Uint8Array }
      assert.deepStrictEqual(JSON.parse(new TextDecoder().decode(body.body)), JSON.parse(account))
      assert.strictEqual(accountBytes, account.length + 3000)

      const oneByteShort = yield* Effect.exit(check(chunkedPost(inChunksOf(account, 1000)).request, accountBytes - 1))
      assert.deepStrictEqual(
        oneByteShort,
        Exit.fail(
          new PayloadTooLarge({ message: `the request body is larger than ${accountBytes - 1} bytes`, limit_bytes: accountBytes - 1 })
        )
      )
    }))
})
