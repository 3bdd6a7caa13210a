import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { answeredBeforeBreaking } from "../src/RetryPolicy.js"
import { captureLogs } from "./support/CapturedLogs.js"
import { teamReadRequests, teamReadRetries } from "./support/ClientMetrics.js"
import { clientFor, tallied } from "./support/TestClient.js"
import { type Answer, scriptedServer } from "./support/LoopbackServer.js"
import { team } from "./support/RetryAnswers.js"

const teamJson = JSON.stringify({ code: "Success", data: team })
const half = teamJson.slice(0, Math.floor(teamJson.length / 2))

/** Whole, as Fivetran sends it. */
const whole: Answer = (response) => {
  response.writeHead(200, { "content-type": "application/json" })
  response.end(teamJson)
}
/** Half the body, with a Content-Length that matches it, as the sandbox's `truncated` fault sends it. */
const halfWithLength: Answer = (response) => {
  response.writeHead(200, { "content-type": "application/json", "content-length": String(half.length) })
  response.end(half)
}
/** A close-delimited answer (no length, no chunks) whose connection ends halfway: nothing at the HTTP level shows the cut. */
const halfThenClose: Answer = (response) => {
  response.socket?.end(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n${half}`)
}
/** A proxy's page, whole, with 200. */
const proxyPage: Answer = (response) => {
  response.writeHead(200, { "content-type": "text/html" })
  response.end("<html><body>Sign in to continue</body></html>")
}

/** Backoff 0: a retry is sent at once on the TestClock, and a wrong one shows in the count. */
const noBackoff = { backoffBaseMillis: 0 }

const cutMessage = `GET /v1/teams/bright_otter: unexpected response body: cut off after ${half.length} bytes, in the middle of its JSON`

describe("a 2xx body cut off in the middle of its JSON", () => {
  it.scoped("with a matching Content-Length (the sandbox's truncated fault) is retried, and the call succeeds", () =>
    Effect.gen(function*() {
      const server = yield* scriptedServer([halfWithLength, whole])
      const logs = yield* captureLogs
      const client = yield* clientFor(server.baseUrl, noBackoff)
      const retriesBefore = yield* teamReadRetries("transport")
      const { counts, outcome } = yield* tallied(logs.provide(client.getTeam("bright_otter")))
      assert.deepStrictEqual(yield* outcome, team)
      assert.strictEqual(yield* server.requests, 2)
      assert.deepStrictEqual([counts.requests, counts.retries, counts.rateLimitWaitMillis], [2, 1, 0])
      assert.strictEqual((yield* teamReadRetries("transport")) - retriesBefore, 1)
      const waits = (yield* logs.lines).filter((line) => line.text.startsWith("waiting"))
      assert.deepStrictEqual(waits.map((line) => line.text), [
        `waiting 0ms (until 1970-01-01T00:00:00Z) before retrying GET /v1/teams/bright_otter: unexpected response body: cut off after ${half.length} bytes, in the middle of its JSON`
      ])
    }))

  it.scoped("on a close-delimited answer whose connection ended early is retried, and the call succeeds", () =>
    Effect.gen(function*() {
      const server = yield* scriptedServer([halfThenClose, whole])
      const client = yield* clientFor(server.baseUrl, noBackoff)
      assert.deepStrictEqual(yield* client.getTeam("bright_otter"), team)
      assert.strictEqual(yield* server.requests, 2)
    }))

  it.scoped("every time fails after the last attempt, saying where it was cut and how often it was tried", () =>
    Effect.gen(function*() {
      const server = yield* scriptedServer([halfWithLength])
      const client = yield* clientFor(server.baseUrl, { ...noBackoff, maxAttempts: 3 })
      const error = yield* Effect.flip(client.getTeam("bright_otter"))
      assert.deepStrictEqual([error._tag, error.message], ["InvalidResponse", `${cutMessage}; gave up after 3 attempts`])
      assert.strictEqual(yield* server.requests, 3)
    }))

  it.scoped("answering a POST is not repeated: Fivetran answered 2xx, so it acted", () =>
    Effect.gen(function*() {
      const server = yield* scriptedServer([halfWithLength, whole])
      const client = yield* clientFor(server.baseUrl, noBackoff)
      const error = yield* Effect.flip(client.createTeam({ name: "Analysts", role: "Account Reviewer" }))
      assert.deepStrictEqual([error._tag, error.message], [
        "InvalidResponse",
        `POST /v1/teams: unexpected response body: cut off after ${half.length} bytes, in the middle of its JSON`
      ])
      assert.strictEqual(yield* server.requests, 1)
    }))

  it.scoped("answering a DELETE or a PATCH is not repeated either: the write was made, and a repeat would find it done", () =>
    Effect.gen(function*() {
      const server = yield* scriptedServer([halfWithLength, halfWithLength, whole])
      const client = yield* clientFor(server.baseUrl, noBackoff)
      const deleted = yield* Effect.flip(client.deleteTeam("bright_otter"))
      const updated = yield* Effect.flip(client.updateTeam("bright_otter", { role: "Account Reviewer" }))
      assert.deepStrictEqual([deleted, updated].map((error) => [error._tag, error.message]), [
        [
          "InvalidResponse",
          `DELETE /v1/teams/bright_otter: unexpected response body: cut off after ${half.length} bytes, in the middle of its JSON`
        ],
        [
          "InvalidResponse",
          `PATCH /v1/teams/bright_otter: unexpected response body: cut off after ${half.length} bytes, in the middle of its JSON`
        ]
      ])
      assert.strictEqual(yield* server.requests, 2)
    }))
})

describe("a 2xx answer whose connection breaks after the status line", () => {
  /** 200, a Content-Length for the whole body, half of it, then a reset. */
  const halfThenReset: Answer = (response) => {
    response.writeHead(200, { "content-type": "application/json", "content-length": String(teamJson.length) })
    response.write(half, () => response.socket?.destroy())
  }

  it.scoped("is repeated for a GET, and not for a DELETE: the error carries the status, for callers to count the write made", () =>
    Effect.gen(function*() {
      const server = yield* scriptedServer([halfThenReset, whole, halfThenReset, whole])
      const client = yield* clientFor(server.baseUrl, noBackoff)
      assert.deepStrictEqual(yield* client.getTeam("bright_otter"), team)
      assert.strictEqual(yield* server.requests, 2)
      const deleted = yield* Effect.flip(client.deleteTeam("bright_otter"))
      assert.deepStrictEqual(
        [deleted._tag, deleted._tag === "Transport" ? deleted.answeredStatus : undefined, answeredBeforeBreaking(deleted)],
        ["Transport", 200, true]
      )
      // Said so: "could not reach Fivetran" read as no answer, while the write was made.
      assert.strictEqual(
        deleted.message,
        "DELETE /v1/teams/bright_otter: Fivetran answered 200, but its answer did not arrive whole: " +
          "the connection broke while reading the response: UND_ERR_SOCKET other side closed"
      )
      assert.strictEqual(yield* server.requests, 3)
    }))
})

describe("a complete 2xx body that is wrong", () => {
  it.scoped("a proxy's HTML page is not retried: a repeat gets the same page", () =>
    Effect.gen(function*() {
      const server = yield* scriptedServer([proxyPage, whole])
      const client = yield* clientFor(server.baseUrl, noBackoff)
      const error = yield* Effect.flip(client.getTeam("bright_otter"))
      assert.deepStrictEqual([error._tag, error.message], [
        "InvalidResponse",
        "GET /v1/teams/bright_otter: the server at the base URL answered 200 with an HTML page, not Fivetran's JSON: check that " +
        "the base URL is Fivetran's API (https://api.fivetran.com) and that no proxy or gateway answers in its place"
      ])
      assert.strictEqual(yield* server.requests, 1)
    }))

  it.scoped("JSON that breaks the schema is not retried, and the error names the field", () =>
    Effect.gen(function*() {
      const server = yield* scriptedServer([(response) => {
        response.writeHead(200, { "content-type": "application/json" })
        response.end(JSON.stringify({ code: "Success", data: { ...team, name: 7 } }))
      }, whole])
      const client = yield* clientFor(server.baseUrl, noBackoff)
      const { counts, outcome } = yield* tallied(client.getTeam("bright_otter"))
      const error = yield* Effect.flip(outcome)
      assert.deepStrictEqual([error._tag, error.message], [
        "InvalidResponse",
        "GET /v1/teams/bright_otter: unexpected response body at data.name: Expected string, actual 7"
      ])
      assert.deepStrictEqual([counts.requests, counts.retries], [1, 0])
    }))
})

/** Malformed JSON, whole, with 200: a proxy that rewrote the body. */
const malformed: Answer = (response) => {
  response.writeHead(200, { "content-type": "application/json" })
  response.end(`${teamJson.slice(0, -1)},}`)
}

describe("fivetran_requests_total", () => {
  it.scoped("files a 2xx whose body could not be read (cut, no JSON, an HTML page) under status invalid_response, not 200", () =>
    Effect.gen(function*() {
      const counters = Effect.all([teamReadRequests("200"), teamReadRequests("invalid_response")])
      // Other test files in the same worker count into the process-wide counter: judged by what this adds.
      const before = yield* counters
      // Each of the first two is retried, and the repeat answered whole.
      for (const answers of [[halfWithLength, whole], [malformed, whole], [proxyPage]]) {
        const server = yield* scriptedServer(answers)
        const client = yield* clientFor(server.baseUrl, noBackoff)
        yield* Effect.either(client.getTeam("bright_otter"))
      }
      const after = yield* counters
      assert.deepStrictEqual(after.map((count, i) => count - before[i]!), [2, 3])
    }))
})
