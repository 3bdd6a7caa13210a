import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { noFreeDescriptors } from "./support/NoFreeDescriptors.js"
import { json, startServer } from "./support/ScriptedServer.js"
import { clientFor } from "./support/TestClient.js"

/**
 * A process at its open-file limit (a low `ulimit -n`, many requests in flight): each connect fails
 * for want of a descriptor. The client retried it and then gave up with Node's `connect EMFILE
 * 127.0.0.1:443 - Local (undefined:undefined)`, naming neither the limit nor what to change.
 */

const account = { code: "Success", data: { account_id: "acc", account_name: "Acme", user_id: "u1", system_key_id: null } }

describe("a connect with no file descriptor left", () => {
  it.scopedLive("gives up saying the process ran out of open files and what to raise or lower; nothing is sent", () =>
    Effect.gen(function*() {
      const server = yield* startServer(() => json(200, account))
      const client = yield* clientFor(server.baseUrl, { backoffBaseMillis: 1, maxAttempts: 2 })
      const error = yield* Effect.scoped(Effect.zipRight(noFreeDescriptors, Effect.flip(client.accountInfo)))
      assert.strictEqual(
        error.message,
        `GET /v1/account/info: could not reach Fivetran: the request failed: connect EMFILE ${
          server.baseUrl.replace("http://", "")
        } - Local (undefined:undefined): the process ran out of open files (EMFILE): raise its open-file limit ` +
          "(ulimit -n, systemd's LimitNOFILE, the container's nofile ulimit) or lower --concurrency; gave up after 2 attempts"
      )
      // Nothing left: a write is repeated as a refused connection is.
      assert.deepInclude(error, { _tag: "Transport", connectFailed: true })
      assert.deepStrictEqual(yield* server.requests, [])
      // Served once descriptors are free again.
      assert.strictEqual((yield* client.accountInfo).account_id, "acc")
    }))
})
