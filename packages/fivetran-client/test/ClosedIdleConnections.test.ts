import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Option } from "effect"
import type { Socket } from "node:net"
import { json, startServer } from "./support/ScriptedServer.js"
import { awaitRequests, clientFor, pollUntil } from "./support/TestClient.js"

/**
 * A client shared past a sync (the HTTP service's) kept the connections of the sync's lists open,
 * idle, until Fivetran's keep-alive ended them: a descriptor each, ~60 at --concurrency 64, which
 * under a low `ulimit -n` failed the sync file's finish (EMFILE). `closeIdleConnections` closes them.
 */

const account = { code: "Success", data: { account_id: "acc", account_name: "Acme", user_id: "u1", system_key_id: null } }

/** A server answering every request with the account, the n-th once `gates[n]` (if any) opens; its connections counted. */
const serverWithGates = (gates: ReadonlyArray<Deferred.Deferred<void>>) =>
  Effect.gen(function*() {
    const server = yield* startServer((_, index) => Effect.zipRight(gates[index]?.pipe(Deferred.await) ?? Effect.void, json(200, account)))
    let made = 0
    const open = new Set<Socket>()
    server.node.on("connection", (socket: Socket) => {
      made++
      open.add(socket)
      socket.on("close", () => open.delete(socket))
    })
    const untilOpen = (count: number) =>
      pollUntil(`${count} open connections`, Effect.sync(() => open.size === count ? Option.some(count) : Option.none()))
    return { ...server, made: Effect.sync(() => made), untilOpen }
  })

describe("closing a client's idle connections", () => {
  it.scopedLive("closes those no request uses, lets the one in flight finish, and a later request opens a new one", () =>
    Effect.gen(function*() {
      const gates = yield* Effect.all([Deferred.make<void>(), Deferred.make<void>(), Deferred.make<void>()])
      const server = yield* serverWithGates(gates)
      const client = yield* clientFor(server.baseUrl)
      // Two at once: two connections, both idle once answered.
      const both = yield* Effect.fork(Effect.all([client.accountInfo, client.accountInfo], { concurrency: 2 }))
      yield* awaitRequests(server.requests, 2)
      yield* Effect.forEach(gates.slice(0, 2), (gate) => Deferred.succeed(gate, undefined))
      yield* Fiber.join(both)
      // A third waits for its answer, on one of them or on a third (undici may not have freed them yet).
      const third = yield* Effect.fork(client.accountInfo)
      yield* awaitRequests(server.requests, 3)
      const madeBefore = yield* server.made

      yield* client.closeIdleConnections
      yield* server.untilOpen(1)
      yield* Deferred.succeed(gates[2]!, undefined)
      assert.strictEqual((yield* Fiber.join(third)).account_id, "acc")
      // Closed once its answer came: the client no longer keeps it.
      yield* server.untilOpen(0)

      // A later request opens a new connection, kept for the next.
      assert.strictEqual((yield* client.accountInfo).account_id, "acc")
      assert.strictEqual(yield* server.made, madeBefore + 1)
      yield* server.untilOpen(1)
    }))
})
