import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import type { FivetranError } from "../src/index.js"
import { type Answer, scriptedServer } from "./support/LoopbackServer.js"
import { clientFor } from "./support/TestClient.js"

/** The connection reset with no answer, after the request arrived whole: Fivetran may have acted. */
const reset: Answer = (response) => {
  response.socket?.destroy()
}
const fivetranJson = (status: number, body: unknown): Answer => (response) => {
  response.writeHead(status, { "content-type": "application/json" })
  response.end(JSON.stringify(body))
}
const gone = fivetranJson(404, { code: "NotFound_User", message: "User with id 'dee' not found" })
const busy: Answer = (response) => {
  response.writeHead(429, { "content-type": "application/json", "retry-after": "0" })
  response.end(JSON.stringify({ code: "TooManyRequests", message: "slow down" }))
}

const deleteDee = (answers: ReadonlyArray<Answer>) =>
  Effect.gen(function*() {
    const client = yield* clientFor((yield* scriptedServer(answers)).baseUrl, { backoffBaseMillis: 0 })
    const error: FivetranError = yield* Effect.flip(client.deleteUser("dee"))
    return [error._tag, error._tag === "NotFound" ? error.repeatOf : undefined, error.message]
  })

describe("a DELETE repeated into a 404", () => {
  it.scopedLive("after an attempt Fivetran may have acted on (reset), the 404 says it answered a repeat and what the earlier one met", () =>
    Effect.gen(function*() {
      const earlier = "could not reach Fivetran: the request failed: UND_ERR_SOCKET other side closed"
      assert.deepStrictEqual(yield* deleteDee([reset, gone]), [
        "NotFound",
        { attempts: 2, earlier },
        `DELETE /v1/users/dee: not found (404 NotFound_User): User with id 'dee' not found, answering attempt 2; an earlier one (${earlier}) may have removed it`
      ])
    }))

  it.scopedLive("after a 429 (turned away, nothing done), it is a plain 404: someone else removed it", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* deleteDee([busy, gone]), [
        "NotFound",
        undefined,
        "DELETE /v1/users/dee: not found (404 NotFound_User): User with id 'dee' not found"
      ])
    }))
})
