import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Option, Ref, Stream } from "effect"
import { createServer } from "node:http"
import { MaxResponseBytes } from "../src/UndiciTransport.js"
import { json, startServer } from "./support/ScriptedServer.js"
import { clientFor, pollUntil, tallied } from "./support/TestClient.js"
import { listenOnLoopback } from "./support/LoopbackServer.js"

const MiB = 1024 * 1024

/** What the server made of one answer: the body bytes it handed to its socket, and how the answer ended. */
interface Answer {
  sent: number
  ended: "open" | "closed by the client" | "finished"
}

interface EndlessOptions {
  readonly status: number
  /** Announce the whole body's length (the safety stop's) in Content-Length, instead of sending it chunked. */
  readonly declareLength: boolean
}

/** Where an endless body stops after all: a client that never stops reading gets a whole answer, and its test fails on it. */
const SafetyStop = 8 * MaxResponseBytes

const opening = Buffer.from(`{"code":"Success","data":{"items":[`)
/** Spaces: JSON whitespace, so a body read to its (safety) end parses, as `{"items":[],"next_cursor":null}`. */
const piece = Buffer.alloc(64 * 1024, " ")
const closing = Buffer.from(`],"next_cursor":null}}`)
const pieces = Math.ceil(SafetyStop / piece.length)

/**
 * A node:http server on 127.0.0.1 answering every request with a body that does not end (up to the
 * safety stop): 64 KiB pieces, each written only once the socket has taken the last, so `sent` is
 * what the client took plus what the kernel's socket buffers hold. It records how each answer ended.
 */
const startEndlessServer = (options: EndlessOptions) =>
  Effect.gen(function*() {
    const answers: Array<Answer> = []
    const node = createServer((_request, response) => {
      const answer: Answer = { sent: 0, ended: "open" }
      answers.push(answer)
      response.on("close", () => {
        answer.ended = response.writableFinished ? "finished" : "closed by the client"
      })
      const length = opening.length + pieces * piece.length + closing.length
      response.writeHead(options.status, {
        "content-type": "application/json",
        ...(options.declareLength ? { "content-length": String(length) } : {})
      })
      response.write(opening)
      answer.sent += opening.length
      let written = 0
      const pump = (): void => {
        while (!response.destroyed) {
          if (written === pieces) {
            response.end(closing)
            answer.sent += closing.length
            return
          }
          written++
          answer.sent += piece.length
          if (!response.write(piece)) {
            response.once("drain", pump)
            return
          }
        }
      }
      pump()
    })
    const port = yield* listenOnLoopback(node)
    /** Every answer, once none is still being written. */
    const ended = pollUntil(
      "every answer to end",
      Effect.sync(() =>
        answers.length > 0 && answers.every((answer) => answer.ended !== "open")
          ? Option.some(answers.map((answer) => ({ ...answer })))
          : Option.none()
      )
    )
    return { baseUrl: `http://127.0.0.1:${port}`, ended } as const
  })

/**
 * Backoff 0: a call wrongly retried repeats at once (and the server counts the repeats) instead of
 * sleeping on the TestClock until the test times out.
 */
const noBackoff = { backoffBaseMillis: 0 }

/**
 * The most a server can have sent once the client stopped reading past the cap: the cap, and what
 * the kernel's socket buffers (send and receive) can hold beyond it. Far below the safety stop.
 */
const SentBound = 2 * MaxResponseBytes

describe("a response body without end", () => {
  it.scoped("fails the listing as InvalidResponse once 32 MiB are read, closes the connection, and is not retried", () =>
    Effect.gen(function*() {
      const server = yield* startEndlessServer({ status: 200, declareLength: false })
      const client = yield* clientFor(server.baseUrl, noBackoff)

      const { counts, outcome } = yield* tallied(Stream.runDrain(client.listRoles))
      const error = yield* Effect.flip(outcome)

      assert.strictEqual(MaxResponseBytes, 32 * MiB)
      assert.strictEqual(error._tag, "InvalidResponse")
      assert.strictEqual(
        error.message,
        "GET /v1/roles: unexpected response body: larger than 32 MiB, the most the client reads of one response; it stopped reading there"
      )
      const answers = yield* server.ended
      assert.deepStrictEqual(answers.map((answer) => answer.ended), ["closed by the client"])
      // The client read past the cap (so the server sent more), then stopped: nowhere near the safety stop.
      assert.isAbove(answers[0]!.sent, MaxResponseBytes)
      assert.isBelow(answers[0]!.sent, SentBound)
      assert.strictEqual(counts.requests, 1)
    }))

  it.scoped("fails a 503 as InvalidResponse too: the status would be retried, a body over the cap is not", () =>
    Effect.gen(function*() {
      const server = yield* startEndlessServer({ status: 503, declareLength: false })
      const client = yield* clientFor(server.baseUrl, noBackoff)

      const { counts, outcome } = yield* tallied(client.getTeam("bright_otter"))
      const error = yield* Effect.flip(outcome)

      assert.strictEqual(error._tag, "InvalidResponse")
      assert.strictEqual(
        error.message,
        "GET /v1/teams/bright_otter: unexpected response body: larger than 32 MiB, the most the client reads of one response; " +
          "it stopped reading there"
      )
      const answers = yield* server.ended
      assert.deepStrictEqual(answers.map((answer) => answer.ended), ["closed by the client"])
      assert.isBelow(answers[0]!.sent, SentBound)
      assert.strictEqual(counts.requests, 1)
    }))

  it.scoped("a Content-Length over 32 MiB fails the call at the headers, before the body is read", () =>
    Effect.gen(function*() {
      const server = yield* startEndlessServer({ status: 200, declareLength: true })
      const client = yield* clientFor(server.baseUrl, noBackoff)

      const error = yield* Effect.flip(Stream.runDrain(client.listUsers))

      assert.strictEqual(error._tag, "InvalidResponse")
      assert.strictEqual(
        error.message,
        "GET /v1/users: unexpected response body: larger than 32 MiB, the most the client reads of one response; it stopped reading there"
      )
      const answers = yield* server.ended
      assert.deepStrictEqual(answers.map((answer) => answer.ended), ["closed by the client"])
      // Only what the socket buffers took before the client closed, not the 32 MiB a reading client would take.
      assert.isBelow(answers[0]!.sent, MaxResponseBytes / 2)
    }))
})

const role = (name: string) => ({
  name,
  description: "Read-only",
  is_custom: false,
  scope: ["ACCOUNT"],
  is_deprecated: null,
  replacement_role_name: null
})

const membership = (id: string) => ({ id, role: "Destination Reviewer", created_at: "2025-05-06T12:00:01.554210Z" })

/** After this many requests the servers below end their listings: a client that never stops fails its test instead of hanging. */
const LoopSafetyStop = 10

describe("a next_cursor the listing already followed", () => {
  it.scoped("one that repeats at once fails the stream after exactly 2 requests, the first page's item delivered", () =>
    Effect.gen(function*() {
      const server = yield* startServer((_, index) =>
        json(200, { code: "Success", data: { items: [role(`Role ${index}`)], next_cursor: index < LoopSafetyStop ? "same" : null } })
      )
      const client = yield* clientFor(server.baseUrl)
      const delivered = yield* Ref.make<ReadonlyArray<string>>([])

      const error = yield* Effect.flip(
        Stream.runForEach(client.listRoles, (item) => Ref.update(delivered, (names) => [...names, item.name]))
      )

      assert.strictEqual(error._tag, "InvalidResponse")
      assert.strictEqual(
        error.message,
        "GET /v1/roles: unexpected response body at data.next_cursor: page 2's cursor repeats one this listing already followed; " +
          "stopped instead of paging in a loop"
      )
      if (error._tag === "InvalidResponse") assert.strictEqual(error.field, "data.next_cursor")
      assert.deepStrictEqual((yield* server.requests).map((request) => request.query), [
        { limit: "1000" },
        { limit: "1000", cursor: "same" }
      ])
      assert.deepStrictEqual(yield* Ref.get(delivered), ["Role 0"])
    }))

  it.scoped("a cycle a → b → a fails a collected listing on page 3, after exactly 3 requests", () =>
    Effect.gen(function*() {
      const cursors = ["a", "b", "a"]
      const server = yield* startServer((_, index) =>
        json(200, { code: "Success", data: { items: [membership(`group_${index}`)], next_cursor: cursors[index] ?? null } })
      )
      const client = yield* clientFor(server.baseUrl)

      const error = yield* Effect.flip(client.userGroups.listAll("calm_willow"))

      assert.strictEqual(error._tag, "InvalidResponse")
      assert.strictEqual(
        error.message,
        "GET /v1/users/calm_willow/groups: unexpected response body at data.next_cursor: page 3's cursor repeats one this listing " +
          "already followed; stopped instead of paging in a loop"
      )
      assert.deepStrictEqual((yield* server.requests).map((request) => request.query["cursor"]), [undefined, "a", "b"])
    }))

  it.scoped("listings whose cursors do not repeat page to their end, however often they run and whatever other listings followed", () =>
    Effect.gen(function*() {
      // Every listing pages through the same cursors (as Fivetran's skip cursors are): only a repeat within one listing counts.
      const next: Readonly<Record<string, string | null>> = { first: "p2", p2: "p3", p3: null }
      const server = yield* startServer((request) => {
        const at = request.query["cursor"] ?? "first"
        const item = request.path === "/v1/roles" ? role(at) : membership(`${request.path.split("/")[3]}_${at}`)
        return json(200, { code: "Success", data: { items: [item], next_cursor: next[at] } })
      })
      const client = yield* clientFor(server.baseUrl)

      for (let run = 0; run < 2; run++) {
        const roles = yield* Stream.runCollect(client.listRoles)
        assert.deepStrictEqual(Chunk.toArray(roles).map((r) => r.name), ["first", "p2", "p3"])
      }
      for (const owner of ["calm_willow", "quiet_harbor"]) {
        const groups = yield* client.userGroups.listAll(owner)
        assert.deepStrictEqual(groups.map((g) => g.id), [`${owner}_first`, `${owner}_p2`, `${owner}_p3`])
      }
      assert.strictEqual((yield* server.requests).length, 12)
    }))
})
