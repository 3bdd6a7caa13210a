import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { harness, Harness, TestToken } from "./Harness.js"

/**
 * A path parameter that is not valid percent-encoding (a `%` not followed by two hex digits, as in
 * a role named `50%Off` sent unencoded) is the caller's id at fault: 400 InvalidRequest naming the
 * parameter. The router matches no route for such a path, which was answered 404 "no endpoint".
 */

const answer = (method: "GET" | "DELETE", path: string, token: string | null = TestToken) =>
  Effect.gen(function*() {
    const { request } = yield* Harness
    const response = yield* request(method, path, { token: token ?? undefined })
    return [response.status, yield* Effect.orDie(response.json)] as const
  })

/** The refusal naming `field` (quoted when it is no plain name, as a parameter's name holding `%` is). */
const refusal = (field: string, segment: string) => ({
  error: "InvalidRequest",
  field,
  message: `${/^[a-z_]+$/.test(field) ? field : JSON.stringify(field)}: "${segment}" is not valid percent-encoding; ` +
    "encode % as %25 (e.g. with encodeURIComponent)"
})

layer(harness({ provisioning: true }), { excludeTestServices: true, timeout: 60_000 })(
  "a path parameter that is not valid percent-encoding",
  (it) => {
    it.effect("is 400 InvalidRequest naming the parameter, on a revoke, a delete and an access query", () =>
      Effect.gen(function*() {
        assert.deepStrictEqual(yield* answer("DELETE", "/v1/grants/role:50%Off:assigned:user:x"), [
          400,
          refusal("grant_id", "role:50%Off:assigned:user:x")
        ])
        assert.deepStrictEqual(yield* answer("DELETE", "/v1/resources/user/50%off"), [400, refusal("id", "50%off")])
        assert.deepStrictEqual(yield* answer("GET", "/v1/principals/user/a%zz/access"), [400, refusal("id", "a%zz")])
        assert.deepStrictEqual(yield* answer("GET", "/v1/principals/%zz/a/access"), [400, refusal("type", "%zz")])
      }))

    it.effect("a query parameter so encoded is 400 InvalidRequest naming it too, on a search, a listing and an export", () =>
      Effect.gen(function*() {
        assert.deepStrictEqual(yield* answer("GET", "/v1/resources?q=%ZZ"), [400, refusal("q", "%ZZ")])
        assert.deepStrictEqual(yield* answer("GET", "/v1/principals?q=50%off"), [400, refusal("q", "50%off")])
        assert.deepStrictEqual(yield* answer("GET", "/v1/export?format=csv&principal=user:%ZZ"), [
          400,
          refusal("principal", "user:%ZZ")
        ])
        assert.deepStrictEqual(yield* answer("GET", "/v1/grants?principal%zz=1"), [400, refusal("principal%zz", "1")])
        const [status] = yield* answer("GET", "/v1/resources?q=%ZZ", null)
        assert.strictEqual(status, 401)
      }))

    it.effect("is 401 without a token, as every other request is, and a path of no route is still 404", () =>
      Effect.gen(function*() {
        const [status] = yield* answer("DELETE", "/v1/grants/role:50%Off:assigned:user:x", null)
        assert.strictEqual(status, 401)
        assert.deepStrictEqual(yield* answer("GET", "/v1/nothing/50%off"), [404, {
          error: "NotFound",
          message: "no endpoint GET /v1/nothing/50%off; the endpoints are listed in /openapi.json"
        }])
      }))
  }
)
