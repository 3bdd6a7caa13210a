import { HttpServerResponse } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Chunk, Duration, Effect, Either, Exit, Fiber, Option, Stream, TestClock } from "effect"
import { createHash } from "node:crypto"
import { makeUndiciTransport, type TransportRequest } from "../src/UndiciTransport.js"
import { startServer } from "./support/ScriptedServer.js"
import { awaitRequests } from "./support/TestClient.js"

const get = (path: string): TransportRequest => ({ method: "GET", path, headers: {}, body: undefined })

/** Bytes that differ from body to body: a reused buffer's leftovers would show in the digest. */
const bodyOf = (size: number, seed: number) => Buffer.from(Array.from({ length: size }, (_, i) => (i * 31 + seed * 7) % 251))

const digest = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")

const timeout = Duration.seconds(30)

const sizes = [1_000, 700_000, 65_536, 65_537, 0, 300_000, 5, 131_072]

describe("the undici transport's body buffers", () => {
  it.scoped("bodies of every size, read concurrently and over reused buffers, arrive byte for byte", () =>
    Effect.gen(function*() {
      const server = yield* startServer((request) => {
        const [size, seed] = request.path.slice(1).split("/").map(Number)
        return Effect.succeed(HttpServerResponse.uint8Array(bodyOf(size!, seed!)))
      })
      const transport = yield* makeUndiciTransport(server.baseUrl, timeout)
      const requests = Array.from({ length: 3 }, (_, round) => sizes.map((size, i) => ({ size, seed: round * 10 + i }))).flat()
      const read = yield* Effect.forEach(
        requests,
        ({ seed, size }) =>
          transport.send(get(`/${size}/${seed}`), (status, body) => ({ status, length: body.length, digest: digest(body) })),
        { concurrency: 8 }
      )
      assert.deepStrictEqual(
        read.map((response) => response.body),
        requests.map(({ seed, size }) => ({ status: 200, length: size, digest: digest(bodyOf(size, seed)) }))
      )
    }))

  it.scoped("a chunked body without Content-Length grows its buffer and arrives whole", () =>
    Effect.gen(function*() {
      const pieces = Array.from({ length: 40 }, (_, i) => bodyOf(25_000, i))
      const server = yield* startServer(() =>
        Effect.succeed(HttpServerResponse.stream(Stream.fromChunk(Chunk.fromIterable(pieces)), { contentType: "application/octet-stream" }))
      )
      const transport = yield* makeUndiciTransport(server.baseUrl, timeout)
      const response = yield* transport.send(get("/chunked"), (_, body) => ({ length: body.length, digest: digest(body) }))
      assert.strictEqual(response.headers["content-length"], undefined)
      assert.deepStrictEqual(response.body, { length: 1_000_000, digest: digest(Buffer.concat(pieces)) })
    }))

  it.scoped("a read that throws fails its own exchange as a defect; the transport goes on", () =>
    Effect.gen(function*() {
      const server = yield* startServer(() => Effect.succeed(HttpServerResponse.text("fine")))
      const transport = yield* makeUndiciTransport(server.baseUrl, timeout)
      const exit = yield* Effect.exit(transport.send(get("/a"), () => {
        throw new Error("broken reader")
      }))
      assert.isTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause))
      assert.include(Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "", "broken reader")
      const next = yield* transport.send(get("/b"), (status, body) => `${status} ${Buffer.from(body).toString()}`)
      assert.strictEqual(next.body, "200 fine")
    }))
})

describe("the undici transport's cap on a body", () => {
  it.scoped("a body of exactly maxBytes arrives whole; one byte more fails as too-large, announced or chunked; the transport goes on", () =>
    Effect.gen(function*() {
      const maxBytes = 300_000
      const server = yield* startServer((request) => {
        const [size, framing] = request.path.slice(1).split("/")
        const body = bodyOf(Number(size), 1)
        // Chunked: pieces of 70,000 bytes, so the cap is passed in the middle of one.
        const pieces = Array.from({ length: Math.ceil(body.length / 70_000) }, (_, i) => body.subarray(i * 70_000, (i + 1) * 70_000))
        return Effect.succeed(
          framing === "announced"
            ? HttpServerResponse.uint8Array(body)
            : HttpServerResponse.stream(Stream.fromChunk(Chunk.fromIterable(pieces)), { contentType: "application/octet-stream" })
        )
      })
      const transport = yield* makeUndiciTransport(server.baseUrl, timeout, maxBytes)
      const read = (path: string) => Effect.either(transport.send(get(path), (_, body) => ({ length: body.length, digest: digest(body) })))
      const whole = { length: maxBytes, digest: digest(bodyOf(maxBytes, 1)) }
      for (const framing of ["announced", "chunked"]) {
        const exact = yield* read(`/${maxBytes}/${framing}`)
        assert.deepStrictEqual(exact.pipe(Either.map((response) => response.body)), Either.right(whole))
        const over = yield* read(`/${maxBytes + 1}/${framing}`)
        assert.deepStrictEqual(Either.flip(over), Either.right({ stage: "too-large" as const, maxBytes }))
      }
      const after = yield* read("/5/announced")
      assert.deepStrictEqual(after.pipe(Either.map((response) => response.body.length)), Either.right(5))
    }))
})

describe("the undici transport's timeout", () => {
  it.scoped("an exchange with no answer fails as timed out when its time is up, not before", () =>
    Effect.gen(function*() {
      const server = yield* startServer(() => Effect.never)
      const transport = yield* makeUndiciTransport(server.baseUrl, Duration.seconds(10))
      const fiber = yield* Effect.fork(Effect.flip(transport.send(get("/slow"), () => "read")))
      yield* awaitRequests(server.requests, 1)
      yield* TestClock.adjust("9999 millis")
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      yield* TestClock.adjust("1 millis")
      const failure = yield* Fiber.join(fiber)
      assert.strictEqual(failure.stage, "timeout")
    }))

  it.scoped("each exchange gets its own time: the later one expires later, one that answered never expires", () =>
    Effect.gen(function*() {
      const server = yield* startServer((request) =>
        request.path === "/fast" ? Effect.succeed(HttpServerResponse.text("ok")) : Effect.never
      )
      const transport = yield* makeUndiciTransport(server.baseUrl, Duration.seconds(10))
      const first = yield* Effect.fork(Effect.flip(transport.send(get("/first"), () => "read")))
      yield* awaitRequests(server.requests, 1)
      yield* TestClock.adjust("4 seconds")
      const fast = yield* transport.send(get("/fast"), (status) => status)
      const second = yield* Effect.fork(Effect.flip(transport.send(get("/second"), () => "read")))
      yield* awaitRequests(server.requests, 3)
      yield* TestClock.adjust("6 seconds")
      assert.strictEqual((yield* Fiber.join(first)).stage, "timeout")
      assert.isTrue(Option.isNone(yield* Fiber.poll(second)))
      yield* TestClock.adjust("4 seconds")
      assert.strictEqual((yield* Fiber.join(second)).stage, "timeout")
      assert.strictEqual(fast.body, 200)
    }))
})
