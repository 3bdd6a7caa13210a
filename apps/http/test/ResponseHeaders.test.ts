import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { harness, Harness, runSync, TestToken } from "./Harness.js"

/**
 * The OpenAPI document declares the response headers the service sends (http-api
 * ResponseHeaders.ts): each answer below, from the real service, carries exactly the headers its
 * endpoint and status are documented with, of those a document can declare.
 */

/** The headers a client may act on that the document could declare, as HTTP sends them. */
const declarable = ["content-disposition", "etag", "last-modified", "retry-after", "www-authenticate", "x-request-id"]

interface Document {
  readonly paths: Record<string, Record<string, { readonly responses: Record<string, { readonly headers?: Record<string, unknown> }> }>>
}

interface Probe {
  readonly method: "GET" | "POST" | "DELETE"
  /** The path as the document names it. */
  readonly template: string
  readonly path: string
  readonly status: number
  readonly token?: string
  readonly headers?: Record<string, string>
  readonly body?: unknown
}

layer(harness(), { excludeTestServices: true, timeout: 120_000 })("response headers", (it) => {
  it.effect("every answer carries exactly the headers the OpenAPI document declares for its endpoint and status", () =>
    Effect.gen(function*() {
      const { request } = yield* Harness
      const document = (yield* Effect.orDie(Effect.flatMap(request("GET", "/openapi.json", { token: TestToken }), (r) =>
        r.json))) as Document
      const job = yield* runSync
      const file = yield* request("GET", `/v1/syncs/${job.id}/file`, { token: TestToken })
      const withToken = ([
        { method: "GET", template: "/healthz", path: "/healthz", status: 200 },
        { method: "GET", template: "/readyz", path: "/readyz", status: 200 },
        { method: "GET", template: "/v1/syncs", path: "/v1/syncs", status: 200 },
        { method: "GET", template: "/v1/syncs/{id}", path: `/v1/syncs/${job.id}`, status: 200 },
        { method: "GET", template: "/v1/syncs/{id}", path: "/v1/syncs/20200101T000000Z-0000", status: 404 },
        { method: "GET", template: "/v1/syncs/{id}/file", path: `/v1/syncs/${job.id}/file`, status: 200 },
        {
          method: "GET",
          template: "/v1/syncs/{id}/file",
          path: `/v1/syncs/${job.id}/file`,
          status: 304,
          headers: { "if-none-match": file.headers["etag"] ?? "" }
        },
        { method: "GET", template: "/v1/export", path: "/v1/export?format=csv", status: 200 },
        { method: "GET", template: "/v1/resources", path: "/v1/resources?type=user", status: 200 },
        { method: "GET", template: "/v1/resources", path: "/v1/resources?page_size=0", status: 400 },
        {
          method: "POST",
          template: "/v1/grants",
          path: "/v1/grants",
          status: 403,
          body: { entitlement_id: "team:t:member", principal: { type: "user", id: "u" } }
        }
      ] satisfies ReadonlyArray<Probe>).map((probe): Probe => ({ ...probe, token: TestToken }))
      // Every endpoint but the probes (/healthz, /readyz), without a token.
      const refused: ReadonlyArray<Probe> = Object.entries(document.paths).flatMap(([template, operations]) =>
        Object.keys(operations).filter(() => template !== "/healthz" && template !== "/readyz").map((method) => ({
          method: method.toUpperCase() as Probe["method"],
          template,
          path: template.replace(/\{\w+\}/g, "x"),
          status: 401
        }))
      )
      assert.isAbove(refused.length, 15)
      const answers = yield* Effect.forEach([...withToken, ...refused], (probe) =>
        Effect.gen(function*() {
          const response = yield* request(probe.method, probe.path, {
            token: probe.token,
            body: probe.body,
            ...(probe.headers === undefined ? {} : { headers: probe.headers })
          })
          yield* Effect.orDie(response.text)
          const documented = document.paths[probe.template]?.[probe.method.toLowerCase()]?.responses[String(response.status)]
          return {
            sent: [`${probe.method} ${probe.path}`, response.status, declarable.filter((name) => name in response.headers)],
            declared: [
              `${probe.method} ${probe.path}`,
              probe.status,
              documented === undefined
                ? ["(not documented)"]
                : Object.keys(documented.headers ?? {}).map((name) => name.toLowerCase()).sort()
            ]
          }
        }))
      assert.deepStrictEqual(answers.map((answer) => answer.sent), answers.map((answer) => answer.declared))
    }))
})
