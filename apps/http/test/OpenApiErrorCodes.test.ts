import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { startServiceProcess } from "./ServiceProcess.js"

/**
 * The error codes of the OpenAPI document the bundled service serves: each code one component, and
 * each error response naming a code once. A provisioning 404 listed `NotFound` twice (the Api's and
 * connector-core's refusal, one wire body), which a client generator turns into two variants of one
 * type, and `oneOf` into a body that matches twice. A provisioning 502 names `KeyRejected` (a key
 * Fivetran rejects, which no retry mends) beside `Upstream` (Fivetran failing).
 */

type Json = Record<string, unknown>

interface Document {
  readonly paths: Record<string, Record<string, { readonly responses: Record<string, Json> }>>
  readonly components: { readonly schemas: Record<string, Json> }
}

const served = startServiceProcess(
  ["--sandbox", "--port", "0", "--public-docs"],
  (printed) => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(printed)?.[1],
  { BATON_HTTP_TOKENS: "openapi-error-codes-test-token" }
)

/** The component a union member refers to, directly or as its one `allOf` (none for a schema written inline). */
const refOf = (member: Json): string | undefined => {
  const allOf = member["allOf"] as ReadonlyArray<Json> | undefined
  const ref = member["$ref"] ?? allOf?.[0]?.["$ref"]
  return typeof ref === "string" ? ref : undefined
}

/** Every `anyOf` and `oneOf` in `value` that names a component more than once: where, and its members. */
const repeatedMembers = (value: unknown, at: string): ReadonlyArray<string> => {
  if (typeof value !== "object" || value === null) return []
  return Object.entries(value).flatMap(([key, inner]) => {
    const here = `${at}/${key}`
    const refs = (key === "anyOf" || key === "oneOf") && Array.isArray(inner) ? inner.flatMap((member: Json) => refOf(member) ?? []) : []
    const own = new Set(refs).size === refs.length ? [] : [`${here}: ${refs.join(", ")}`]
    return [...own, ...repeatedMembers(inner, here)]
  })
}

describe("the served OpenAPI document's error codes", () => {
  it.scopedLive("names each code by one component, and each error response allows a code once", () =>
    Effect.gen(function*() {
      const url = yield* served
      const document = yield* Effect.promise(() => fetch(`${url}/openapi.json`).then((r) => r.json() as Promise<Document>))

      assert.deepStrictEqual(repeatedMembers(document.paths, "#/paths"), [])

      // Each `error` code is one component's only.
      const codes = Object.entries(document.components.schemas).flatMap(([name, schema]) => {
        const error = (schema["properties"] as Record<string, { readonly enum?: ReadonlyArray<string> }> | undefined)?.["error"]
        return (error?.enum ?? []).map((code) => [code, name] as const)
      })
      assert.deepStrictEqual(codes.filter(([code, name]) => code !== name), [])
      assert.strictEqual(new Set(codes.map(([code]) => code)).size, codes.length)

      // A provisioning 404: its three codes, NotFound described by both its meanings.
      const notFound = document.paths["/v1/grants"]!["post"]!.responses["404"]!
      const schema = (notFound["content"] as Record<string, { readonly schema: Json }>)["application/json"]!.schema
      assert.deepStrictEqual((schema["anyOf"] as ReadonlyArray<Json>).map(refOf), [
        "#/components/schemas/NotFound",
        "#/components/schemas/UnknownEntitlement",
        "#/components/schemas/UnknownPrincipal"
      ])
      assert.strictEqual(
        notFound["description"],
        "`NotFound`: No such job, file, sync or principal; or no such endpoint; or what the change is made on does not " +
          "exist in Fivetran; `UnknownEntitlement`: No such entitlement; `UnknownPrincipal`: No such user or team (the " +
          "message says when the id is one of the other type)"
      )

      // A provisioning 502: a key Fivetran rejects has its own code beside Fivetran failing.
      const badGateway = document.paths["/v1/grants"]!["post"]!.responses["502"]!
      const gatewaySchema = (badGateway["content"] as Record<string, { readonly schema: Json }>)["application/json"]!.schema
      assert.deepStrictEqual((gatewaySchema["anyOf"] as ReadonlyArray<Json>).map(refOf), [
        "#/components/schemas/KeyRejected",
        "#/components/schemas/Upstream"
      ])
      assert.strictEqual(
        badGateway["description"],
        "`KeyRejected`: Fivetran rejected the service's API key or secret (401: revoked, rotated or a wrong secret): " +
          "retrying does not help until the service's api-key and api-secret settings are fixed; `Upstream`: Fivetran " +
          "failed while carrying out the request; the message says whether the change was made (read back)"
      )
    }), 120_000)
})
