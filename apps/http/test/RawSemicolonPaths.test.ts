import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { startServiceProcess } from "./ServiceProcess.js"

/**
 * A raw `;` in a request's path, to the bundled service. The platform's router ends a path at `;`
 * (as some servers read `/foo;jsessionid=1`): `DELETE /v1/grants/<grant id>;x` revoked the grant
 * named by what came before it, an id the caller never gave; a `;` in a middle segment was a 404
 * "no endpoint". Such a path is refused, naming the parameter, before anything is done.
 */

const Token = "raw-semicolon-paths-token"

const servicePort = startServiceProcess(
  ["--sandbox", "--provisioning", "--port", "0"],
  (printed) => {
    const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(printed)?.[1]
    return port === undefined ? undefined : Number(port)
  },
  { BATON_HTTP_TOKENS: Token }
)

/** The status and JSON body of `method path` (sent as written: fetch keeps a `;` raw), with the token unless `token` is false. */
const send = (port: number, method: string, path: string, token = true) =>
  Effect.promise(() =>
    fetch(`http://127.0.0.1:${port}${path}`, { method, headers: token ? { authorization: `Bearer ${Token}` } : {} })
      .then(async (response) => [response.status, await response.json() as unknown] as const)
  )

const refused = (field: string, segment: string) =>
  [400, {
    error: "InvalidRequest",
    field,
    message: `${field}: ${
      JSON.stringify(segment)
    } holds a raw ";", where the router would end the path; encode ; as %3B (e.g. with encodeURIComponent)`
  }] as const

// A grant of the `small` sandbox (the README's revoke example).
const grant = "group:formal_birch:Edit%20Destination:user:formal_sierra"

describe("a raw ; in a request's path", () => {
  it.scopedLive("is refused naming the parameter that holds it, and nothing is done", () =>
    Effect.gen(function*() {
      const port = yield* servicePort
      assert.deepStrictEqual(yield* send(port, "DELETE", `/v1/grants/${grant};x`), refused("grant_id", `${grant};x`))
      assert.deepStrictEqual(
        yield* send(port, "GET", "/v1/principals/user/fancy_petal;x/access"),
        refused("id", "fancy_petal;x")
      )
      assert.deepStrictEqual(yield* send(port, "POST", "/v1/syncs;x"), refused("path", "/v1/syncs;x"))
      // No token: refused by the token check first, as any refusal of a path is.
      assert.strictEqual((yield* send(port, "DELETE", `/v1/grants/${grant};x`, false))[0], 401)
      // The grant the cut id named is still held: revoked now, not found revoked already.
      const revoked = yield* send(port, "DELETE", `/v1/grants/${grant}`)
      assert.deepStrictEqual(revoked, [200, {
        grant_id: "group:formal_birch:Edit Destination:user:formal_sierra",
        status: "revoked",
        message: "revoked group:formal_birch:Edit Destination:user:formal_sierra"
      }])
      // Encoded, the ; is part of the id: a user of no such id, whose grant is not held.
      assert.deepStrictEqual(yield* send(port, "DELETE", `/v1/grants/${grant}%3Bx`), [200, {
        grant_id: "group:formal_birch:Edit Destination:user:formal_sierra;x",
        status: "already_revoked",
        message: "already revoked: group:formal_birch:Edit Destination:user:formal_sierra;x (user formal_sierra;x does not exist)",
        detail: "user formal_sierra;x does not exist"
      }])
    }), 120_000)
})
