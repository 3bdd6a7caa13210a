import { FivetranClient } from "@baton-fivetran/fivetran-client"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Ref } from "effect"
import type { RequestHook } from "../src/http/RequestHook.js"
import { Sandbox } from "../src/Sandbox.js"
import { keys } from "./fixture.js"
import { provideSandbox, raw } from "./harness.js"

describe("the request hook", () => {
  it.live("runs before a request is handled and holds it: a write the hook makes is what that request meets", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const client = yield* FivetranClient
      const seen = yield* Ref.make<ReadonlyArray<string>>([])
      const fired = yield* Ref.make(false)
      // Another admin removes the membership while the first DELETE of it is held.
      const hook: RequestHook = ({ method, path }) =>
        Effect.gen(function*() {
          yield* Ref.update(seen, (all) => [...all, `${method} ${path}`])
          if (method !== "DELETE" || (yield* Ref.getAndSet(fired, true))) return
          yield* Effect.orDie(client.userGroups.remove("calm_willow", "amber_falcon"))
        })
      yield* sandbox.setRequestHook(hook)
      const error = yield* Effect.flip(client.userGroups.remove("calm_willow", "amber_falcon"))
      assert.deepStrictEqual([error._tag, error._tag === "NotFound" ? error.code : ""], ["NotFound", "NotFound"])
      assert.deepStrictEqual(yield* Ref.get(seen), [
        "DELETE /v1/users/calm_willow/groups/amber_falcon",
        "DELETE /v1/users/calm_willow/groups/amber_falcon"
      ])
      // The hook's request ends first; the held one then meets the state it left.
      assert.deepStrictEqual((yield* sandbox.requestLog).map((e) => `${e.method} ${e.path} ${e.status}`), [
        "DELETE /v1/users/calm_willow/groups/amber_falcon 200",
        "DELETE /v1/users/calm_willow/groups/amber_falcon 404"
      ])

      yield* sandbox.setRequestHook(undefined)
      yield* Effect.orDie(client.accountInfo)
      assert.strictEqual((yield* Ref.get(seen)).length, 2)
    }).pipe(provideSandbox()))

  it.live("a request is authenticated once, on arrival: its key deleted while it is held, it is answered 401, as a request sent after", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const client = yield* FivetranClient
      const fired = yield* Ref.make(false)
      // The reviewer's user (and with it its key) is deleted by the admin while its read is held.
      yield* sandbox.setRequestHook(({ method }) =>
        Effect.gen(function*() {
          if (method !== "GET" || (yield* Ref.getAndSet(fired, true))) return
          yield* Effect.orDie(client.deleteUser("bright_otter"))
        })
      )
      const held = yield* raw("GET", "/v1/users", { key: keys.reviewer })
      const after = yield* raw("GET", "/v1/users", { key: keys.reviewer })
      assert.deepStrictEqual([held.status, held.json], [401, { code: "Unauthorized", message: "Invalid authorization credentials" }])
      // It was admitted into the account's budget on arrival, with valid credentials; the later one was not.
      assert.deepStrictEqual([held.headers["x-rate-limit-remaining"] !== undefined, after.headers["x-rate-limit-remaining"]], [
        true,
        undefined
      ])
      assert.deepStrictEqual([after.status, after.json], [401, { code: "Unauthorized", message: "Invalid authorization credentials" }])
      assert.deepStrictEqual((yield* sandbox.requestLog).map((e) => `${e.method} ${e.path} ${e.status}`), [
        "DELETE /v1/users/bright_otter 200",
        "GET /v1/users 401",
        "GET /v1/users 401"
      ])
    }).pipe(provideSandbox()))
})
