import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { fixture, keys } from "./fixture.js"
import { provideSandbox, raw } from "./harness.js"

const userId = fixture.users[1]!.id

describe("the headers HTTP requires of a refusal (RFC 9110)", () => {
  it.live("405 names the methods the path is served with in Allow (§15.5.6)", () =>
    Effect.gen(function*() {
      const answers = []
      for (
        const [method, path] of [
          ["PUT", "/v1/users"],
          ["DELETE", "/v1/groups"],
          ["POST", `/v1/users/${userId}`],
          ["PUT", "/v1/teams/some_team/users/some_user"]
        ] as const
      ) {
        const response = yield* raw(method, path, { body: "{}" })
        answers.push([response.status, response.headers["allow"], response.json])
      }
      assert.deepStrictEqual(answers, [
        [405, "GET, POST", { code: "MethodNotAllowed", message: "PUT is not allowed on /v1/users; allowed: GET, POST" }],
        [405, "GET, POST", { code: "MethodNotAllowed", message: "DELETE is not allowed on /v1/groups; allowed: GET, POST" }],
        [405, "GET, PATCH, DELETE", {
          code: "MethodNotAllowed",
          message: `POST is not allowed on /v1/users/${userId}; allowed: GET, PATCH, DELETE`
        }],
        [405, "GET, PATCH, DELETE", {
          code: "MethodNotAllowed",
          message: "PUT is not allowed on /v1/teams/some_team/users/some_user; allowed: GET, PATCH, DELETE"
        }]
      ])
    }).pipe(provideSandbox()))

  it.live("other refusals carry no Allow: 404 of an unknown path, 200", () =>
    Effect.gen(function*() {
      const unknown = yield* raw("PUT", "/v1/destinations")
      const served = yield* raw("GET", "/v1/users?limit=1")
      assert.deepStrictEqual([unknown.status, unknown.headers["allow"], served.status, served.headers["allow"]], [
        404,
        undefined,
        200,
        undefined
      ])
    }).pipe(provideSandbox()))

  it.live("401 challenges for HTTP Basic in WWW-Authenticate (§11.6.1), whatever failed; other answers do not", () =>
    Effect.gen(function*() {
      const challenges = []
      for (const key of [null, { key: keys.admin.key, secret: "wrong" }, { key: "nobody", secret: "x" }]) {
        const response = yield* raw("GET", "/v1/users?limit=1", { key })
        challenges.push([response.status, response.headers["www-authenticate"]])
      }
      const bearer = yield* raw("GET", "/v1/users?limit=1", { key: null, headers: { authorization: "Bearer abc" } })
      const served = yield* raw("GET", "/v1/users?limit=1")
      challenges.push([bearer.status, bearer.headers["www-authenticate"]], [served.status, served.headers["www-authenticate"]])
      const challenge = `Basic realm="Fivetran API", charset="UTF-8"`
      assert.deepStrictEqual(challenges, [[401, challenge], [401, challenge], [401, challenge], [401, challenge], [200, undefined]])
    }).pipe(provideSandbox()))
})
