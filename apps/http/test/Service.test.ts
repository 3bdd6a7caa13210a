import { assert, describe, it, layer } from "@effect/vitest"
import { NotFound } from "@baton-fivetran/http-api"
import { FileSystem } from "@effect/platform"
import { Effect, Schema } from "effect"
import { harness, Harness, OtherToken, runSync, TestToken } from "./Harness.js"
import { gzipSync } from "node:zlib"

const OpenApiDocument = Schema.Struct({
  openapi: Schema.String,
  paths: Schema.Record({
    key: Schema.String,
    value: Schema.Record({
      key: Schema.String,
      value: Schema.Struct({ security: Schema.optional(Schema.Array(Schema.Record({ key: Schema.String, value: Schema.Unknown }))) })
    })
  })
})

/** The endpoints a kubelet probes, which need no token. */
const probes = new Set(["/healthz", "/readyz"])

const ErrorBody = Schema.Struct({ error: Schema.String, message: Schema.String })

const openApi = Effect.gen(function*() {
  const { request } = yield* Harness
  const response = yield* request("GET", "/openapi.json", { token: TestToken })
  assert.strictEqual(response.status, 200)
  return yield* Effect.orDie(Effect.flatMap(response.json, Schema.decodeUnknown(OpenApiDocument)))
})

/** Every operation of the document as `METHOD /path`, with its path parameters filled in. */
const operations = Effect.map(
  openApi,
  (document) =>
    Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => ({
        method: method.toUpperCase() as "GET" | "POST" | "DELETE",
        path,
        url: path.replace("{id}", "20260101T000000Z-0000").replace("{type}", "user").replace("{grant_id}", "x")
      }))
    )
)

const AllEndpoints = [
  "GET /healthz",
  "GET /readyz",
  "GET /v1/capabilities",
  "POST /v1/syncs",
  "GET /v1/syncs",
  "GET /v1/schedule",
  "GET /v1/syncs/{id}",
  "POST /v1/syncs/{id}/cancel",
  "GET /v1/syncs/{id}/file",
  "GET /v1/resources",
  "GET /v1/resources/{type}/{id}",
  "GET /v1/entitlements",
  "GET /v1/grants",
  "GET /v1/principals/{type}/{id}/access",
  "POST /v1/grants",
  "DELETE /v1/grants/{grant_id}",
  "POST /v1/accounts",
  "DELETE /v1/resources/{type}/{id}",
  "GET /v1/syncs/{id}/diff",
  "GET /v1/export",
  "GET /v1/export/users",
  "GET /v1/principals",
  "GET /v1/account-roles"
]

layer(harness(), { excludeTestServices: true })("service", (it) => {
  it.effect("queries before any sync has finished are 404 with a message saying what to do", () =>
    Effect.gen(function*() {
      const { client } = yield* Harness
      const noSync = new NotFound({
        message: "no sync has finished yet; start one with POST /v1/syncs and wait for it to succeed"
      })
      assert.deepStrictEqual(
        [
          yield* Effect.flip(client.queries.resources({ urlParams: {} })),
          yield* Effect.flip(client.queries.entitlements({ urlParams: {} })),
          yield* Effect.flip(client.queries.grants({ urlParams: {} })),
          yield* Effect.flip(client.queries.access({ path: { type: "user", id: "x" } }))
        ],
        [noSync, noSync, noSync, noSync]
      )
    }))

  it.effect("the OpenAPI document lists every endpoint, each but the probes (/healthz, /readyz) with bearer security", () =>
    Effect.gen(function*() {
      const document = yield* openApi
      assert.strictEqual(document.openapi, "3.1.0")
      const ops = yield* operations
      assert.deepStrictEqual(ops.map((op) => `${op.method} ${op.path}`).sort(), [...AllEndpoints].sort())
      for (const [path, methods] of Object.entries(document.paths)) {
        for (const operation of Object.values(methods)) {
          // /readyz takes a token, for its details, or none.
          const security = path === "/readyz" ? [{}, { bearer: [] }] : probes.has(path) ? [] : [{ bearer: [] }]
          assert.deepStrictEqual(operation.security, security, path)
        }
      }
    }))

  it.effect("the OpenAPI document declares the Host check's 421 MisdirectedRequest and 400 on every endpoint, the probes included", () =>
    Effect.gen(function*() {
      const { request } = yield* Harness
      const response = yield* request("GET", "/openapi.json", { token: TestToken })
      const document = (yield* Effect.orDie(response.json)) as {
        paths: Record<string, Record<string, { responses: Record<string, { description: string; content?: unknown; headers?: unknown }> }>>
        components: { schemas: Record<string, unknown> }
      }
      const description = "The Host header names a host this service is not reached by (it answers its loopback names, " +
        "its listen address and those of --allowed-hosts); the message quotes the name. Sent before any route, the probes' too"
      const declared = Object.entries(document.paths).flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, operation]) => ({
          endpoint: `${method.toUpperCase()} ${path}`,
          misdirected: operation.responses["421"],
          invalid: operation.responses["400"]?.description
        }))
      )
      assert.deepStrictEqual(
        declared.map((entry) => entry.endpoint).sort(),
        [...AllEndpoints].sort()
      )
      for (const entry of declared) {
        assert.deepStrictEqual(entry.misdirected, {
          description,
          content: {
            "application/json": { schema: { allOf: [{ $ref: "#/components/schemas/MisdirectedRequest" }], description } }
          },
          headers: { "X-Request-Id": { $ref: "#/components/headers/X-Request-Id" } }
        }, entry.endpoint)
        // A provisioning 400 also allows InvalidId and InvalidInput, and is described by each code.
        if (entry.invalid?.startsWith("`") === true) {
          assert.include(entry.invalid, "`InvalidRequest`: A parameter or the body is malformed", entry.endpoint)
          assert.include(entry.invalid, "a request whose Host header is missing (HTTP/1.1), given twice or not a host", entry.endpoint)
          assert.include(
            ["POST /v1/grants", "DELETE /v1/grants/{grant_id}", "POST /v1/accounts", "DELETE /v1/resources/{type}/{id}"],
            entry.endpoint
          )
        } else {
          assert.strictEqual(entry.invalid, "A malformed parameter, body or Host header", entry.endpoint)
        }
      }
      assert.deepStrictEqual(document.components.schemas["MisdirectedRequest"], {
        type: "object",
        required: ["error", "message"],
        properties: { error: { type: "string", enum: ["MisdirectedRequest"] }, message: { type: "string" } },
        additionalProperties: false
      })
    }))

  it.effect("every endpoint but the probes answers 401 without a token and with a wrong one", () =>
    Effect.gen(function*() {
      const { request } = yield* Harness
      for (const op of yield* operations) {
        for (const token of [undefined, "wrong-token", `${TestToken}x`, TestToken.slice(0, -1), ""]) {
          const response = yield* request(op.method, op.url, { token })
          const label = `${op.method} ${op.url} with ${token === undefined ? "no token" : `token "${token}"`}`
          if (probes.has(op.path)) {
            assert.strictEqual(response.status, 200, label)
            continue
          }
          assert.strictEqual(response.status, 401, label)
          const body = yield* Effect.orDie(Effect.flatMap(response.json, Schema.decodeUnknown(ErrorBody)))
          assert.strictEqual(body.error, "Unauthorized", label)
          assert.isTrue(body.message.length > 0, label)
        }
      }
    }))

  it.effect("every endpoint accepts either configured token (the answer is never 401)", () =>
    Effect.gen(function*() {
      const { request } = yield* Harness
      for (const op of yield* operations) {
        for (const token of [TestToken, OtherToken]) {
          const response = yield* request(op.method, op.url, { token })
          assert.notStrictEqual(response.status, 401, `${op.method} ${op.url}`)
          assert.isBelow(response.status, 500, `${op.method} ${op.url}`)
        }
      }
    }))

  it.effect("a right token under another scheme than Bearer is refused", () =>
    Effect.gen(function*() {
      const { request } = yield* Harness
      const response = yield* request("GET", "/v1/syncs", { headers: { authorization: `Basic ${TestToken}` } })
      assert.strictEqual(response.status, 401)
      const lower = yield* request("GET", "/v1/syncs", { headers: { authorization: `bearer ${TestToken}` } })
      assert.strictEqual(lower.status, 200)
    }))

  it.effect("/healthz answers without a token", () =>
    Effect.gen(function*() {
      const { request } = yield* Harness
      const health = yield* request("GET", "/healthz")
      assert.strictEqual(health.status, 200)
      assert.deepStrictEqual(yield* Effect.orDie(health.json), { status: "ok" })
    }))

  it.effect("/openapi.json and /docs need the token like every other endpoint (no --public-docs)", () =>
    Effect.gen(function*() {
      const { request } = yield* Harness
      for (const path of ["/openapi.json", "/docs"]) {
        for (const token of [undefined, "wrong-token", ""]) {
          const response = yield* request("GET", path, { token })
          const label = `${path} with ${token === undefined ? "no token" : `token "${token}"`}`
          assert.strictEqual(response.status, 401, label)
          const body = yield* Effect.orDie(Effect.flatMap(response.json, Schema.decodeUnknown(ErrorBody)))
          assert.strictEqual(body.error, "Unauthorized", label)
        }
        for (const token of [TestToken, OtherToken]) {
          assert.strictEqual((yield* request("GET", path, { token })).status, 200, path)
        }
      }
      const docs = yield* request("GET", "/docs", { token: TestToken })
      assert.include(docs.headers["content-type"], "text/html")
      assert.include(yield* Effect.orDie(docs.text), "swagger")
    }))

  it.effect("other spellings of the document paths, and unknown paths, are 401 without a token", () =>
    Effect.gen(function*() {
      const { request } = yield* Harness
      for (const path of ["/DOCS", "/docs/", "//docs", "/openapi.json?x=1", "/OpenAPI.json", "/%64ocs", "/no-such-path"]) {
        assert.strictEqual((yield* request("GET", path)).status, 401, path)
      }
      assert.strictEqual((yield* request("GET", "/no-such-path", { token: TestToken })).status, 404)
    }))

  it.effect("an oversized body is 413 even without a token (the body check comes first)", () =>
    Effect.gen(function*() {
      const { request } = yield* Harness
      // Not a provisioning endpoint: provisioning is off here, and their bodies are then left unread.
      const body = { note: "x".repeat(70 * 1024) }
      const response = yield* request("POST", "/v1/syncs", { body })
      assert.strictEqual(response.status, 413)
      assert.strictEqual(((yield* Effect.orDie(response.json)) as { error: string }).error, "PayloadTooLarge")
    }))

  it.effect("/readyz is 200 with the account when the key works", () =>
    Effect.gen(function*() {
      const { client, sandbox } = yield* Harness
      const snapshot = yield* sandbox.snapshot
      const ready = yield* client.health.readyz()
      assert.deepStrictEqual(ready, {
        status: "ready",
        account_id: snapshot.account.account_id,
        account_name: snapshot.account.account_name
      })
    }))

  it.effect("/v1/capabilities serves connector-core's capabilities", () =>
    Effect.gen(function*() {
      const { client } = yield* Harness
      const capabilities = yield* client.service.capabilities()
      assert.deepStrictEqual(
        capabilities.resourceTypeCapabilities.map((entry) => entry.resourceType.id),
        ["connection", "group", "role", "team", "user"]
      )
      assert.deepStrictEqual(capabilities.connectorCapabilities, [
        "CAPABILITY_PROVISION",
        "CAPABILITY_SYNC",
        "CAPABILITY_ACCOUNT_PROVISIONING",
        "CAPABILITY_RESOURCE_DELETE"
      ])
    }))
})

layer(harness({ publicDocs: true }), { excludeTestServices: true })("--public-docs", (it) => {
  it.effect("/openapi.json and /docs answer without a token; the Api endpoints still need one", () =>
    Effect.gen(function*() {
      const { request } = yield* Harness
      for (const path of ["/openapi.json", "/docs", "/docs/", "/DOCS", "/openapi.json?pretty"]) {
        assert.strictEqual((yield* request("GET", path)).status, 200, path)
        assert.strictEqual((yield* request("GET", path, { token: "wrong-token" })).status, 200, path)
      }
      const document = yield* Effect.orDie(
        Effect.flatMap((yield* request("GET", "/openapi.json")).json, Schema.decodeUnknown(OpenApiDocument))
      )
      assert.deepStrictEqual(
        Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`))
          .sort(),
        [...AllEndpoints].sort()
      )
      for (const op of yield* operations) {
        if (probes.has(op.path)) continue
        const response = yield* request(op.method, op.url)
        assert.strictEqual(response.status, 401, `${op.method} ${op.url}`)
      }
    }))
})

/** The one error body shape; `field` names what is wrong. */
const InvalidRequestBody = Schema.Struct({
  error: Schema.Literal("InvalidRequest"),
  message: Schema.String,
  field: Schema.String
})

layer(harness({ provisioning: true }), { excludeTestServices: true })("request validation", (it) => {
  const expectDecodeError = (
    method: "GET" | "POST" | "DELETE",
    path: string,
    body: unknown,
    field: string
  ) =>
    Effect.gen(function*() {
      const { request } = yield* Harness
      const response = yield* request(method, path, { token: TestToken, body })
      assert.strictEqual(response.status, 400, `${method} ${path}`)
      const error = yield* Effect.orDie(
        Effect.flatMap(response.json, Schema.decodeUnknown(InvalidRequestBody, { onExcessProperty: "error" }))
      )
      assert.strictEqual(error.field, field, `${method} ${path}`)
      assert.notInclude(error.message, "\n", `${method} ${path}`)
      return error.message
    })

  it.effect("a bad body or parameter is a 400 naming the field, with one readable message", () =>
    Effect.gen(function*() {
      const role = "role:Account Reviewer:assigned"
      const resourceRef = "expected <resource type>:<resource id> with a type of user, role, group, team, connection, e.g. user:abc123"
      const principalRef = "user:<id> or team:<id> (only users and teams hold access; for the holders of a role, group, team or " +
        "connection give resource=<type:id> on the export, or entitlement=<entitlement id>, listed by " +
        "GET /v1/entitlements?resource=<type:id>)"
      const cases: ReadonlyArray<readonly ["GET" | "POST", string, unknown, string, string]> = [
        ["POST", "/v1/grants", { entitlement_id: role }, "principal", "principal is missing"],
        [
          "POST",
          "/v1/grants",
          { entitlement_id: role, principal: { type: "robot", id: "x" } },
          "principal.type",
          "principal.type: expected \"user\" or \"team\", got \"robot\""
        ],
        [
          "POST",
          "/v1/grants",
          { entitlement_id: "", principal: { type: "user", id: "x" } },
          "entitlement_id",
          "entitlement_id: must not be empty"
        ],
        ["POST", "/v1/grants", [], "body", "the request body must be a JSON object, got []"],
        [
          "POST",
          "/v1/grants",
          { entitlement_id: role, principal: { type: "user", id: "x" }, dry_run: true },
          "dry_run",
          "dry_run is not a field of this request (it takes entitlement_id, principal)"
        ],
        [
          "POST",
          "/v1/grants",
          { entitlement_id: role, principal: { type: "user", id: "x", name: "X" } },
          "principal.name",
          "principal.name is not a field of this request (it takes type, id)"
        ],
        [
          "POST",
          "/v1/accounts",
          { email: "a@b.co", given_name: "A", family_name: "B", user_type: "SERVICE_ACCOUNT" },
          "user_type",
          "user_type is not a field of this request (it takes email, given_name, family_name, role, phone)"
        ],
        [
          "POST",
          "/v1/accounts",
          { email: "not-an-email", given_name: "A", family_name: "B" },
          "email",
          "email: must be an email address"
        ],
        ["POST", "/v1/accounts", { email: "a@b.co", given_name: "A" }, "family_name", "family_name is missing"],
        ["GET", "/v1/resources?page_size=0", undefined, "page_size", "page_size: expected a whole number from 1 to 1000, got \"0\""],
        ["GET", "/v1/resources?page_size=1001", undefined, "page_size", "page_size: expected a whole number from 1 to 1000, got \"1001\""],
        ["GET", "/v1/grants?principal=nocolon", undefined, "principal", `principal: expected ${principalRef}, got "nocolon"`],
        ["GET", "/v1/resources?type=robot", undefined, "type", "type: must be one of user, role, group, team, connection"],
        ["GET", "/v1/resources?parent=robot:x", undefined, "parent", `parent: ${resourceRef}`],
        ["GET", "/v1/entitlements?resource=users:x", undefined, "resource", `resource: ${resourceRef}`],
        [
          "GET",
          "/v1/grants?entitlement=team:no-slug",
          undefined,
          "entitlement",
          "entitlement: expected an entitlement id <resource type>:<resource id>:<slug> with a type of user, role, group, team, connection, e.g. team:xyz:member"
        ],
        [
          "GET",
          "/v1/syncs/..%2F..%2Fetc",
          undefined,
          "id",
          "id: expected a sync job id such as 20261128T171500Z-3f9a, got \"../../etc\""
        ],
        ["GET", "/v1/principals/robot/x/access", undefined, "type", "type: expected \"user\" or \"team\", got \"robot\""]
      ]
      for (const [method, path, body, field, message] of cases) {
        assert.strictEqual(yield* expectDecodeError(method, path, body, field), message, `${method} ${path}`)
      }
    }))

  it.effect("a parameter's message says in plain words what it takes, also when it is given twice", () =>
    Effect.gen(function*() {
      const syncId = "a sync job id such as 20261128T171500Z-3f9a"
      const cases: ReadonlyArray<readonly [string, string, string]> = [
        ["/v1/syncs/..%2F..%2Fetc/file", "id", `id: expected ${syncId}, got "../../etc"`],
        ["/v1/syncs/20260101T000000Z-1a2b/diff?base=", "base", `base: expected ${syncId}, got ""`],
        ["/v1/syncs/20260101T000000Z-1a2b/diff?base=a&base=b", "base", `base: give ${syncId}, once`],
        ["/v1/resources?type=user&type=team", "type", "type: give a resource type such as user or team, once"],
        [
          "/v1/grants?principal=user:a&principal=user:b",
          "principal",
          "principal: give user:<id> or team:<id> (only users and teams hold access; for the holders of a role, group, team or " +
          "connection give resource=<type:id> on the export, or entitlement=<entitlement id>, listed by " +
          "GET /v1/entitlements?resource=<type:id>), once"
        ],
        [
          "/v1/grants?entitlement=a&entitlement=b",
          "entitlement",
          "entitlement: give an entitlement id <resource type>:<resource id>:<slug> such as team:xyz:member, once"
        ],
        ["/v1/resources?page_token=a&page_token=b", "page_token", "page_token: give the next_page_token of the previous page, once"],
        ["/v1/principals?q=a&q=b", "q", "q: give a part of a name, email or id, once"],
        ["/v1/resources?page_size=1&page_size=2", "page_size", "page_size: give a whole number from 1 to 1000, once"],
        ["/v1/export?format=csv&format=jsonl", "format", "format: give csv or jsonl, once"],
        ["/v1/export?format=xml", "format", "format: expected csv or jsonl, got \"xml\""]
      ]
      for (const [path, field, message] of cases) {
        assert.strictEqual(yield* expectDecodeError("GET", path, undefined, field), message, path)
      }
    }))

  it.effect("a query parameter the endpoint does not take is a 400 naming it: a misspelt filter is not answered unfiltered", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [string, string, string]> = [
        ["/v1/resources?typ=user", "typ", "typ is not a field of this request (it takes type, parent, q, page_size, page_token)"],
        [
          "/v1/entitlements?resources=team:t1",
          "resources",
          "resources is not a field of this request (it takes resource, page_size, page_token)"
        ],
        [
          "/v1/grants?principle=user:u1",
          "principle",
          "principle is not a field of this request (it takes entitlement, principal, page_size, page_token)"
        ],
        [
          "/v1/syncs/20260101T000000Z-1a2b/diff?base=20250101T000000Z-1a2b&page=2",
          "page",
          "page is not a field of this request (it takes base, page_size, page_token)"
        ],
        [
          "/v1/export?format=csv&principle=user:u1",
          "principle",
          "principle is not a field of this request (it takes format, principal, entitlement, resource)"
        ],
        ["/v1/principals?query=mensah", "query", "query is not a field of this request (it takes q, limit)"],
        ["/v1/syncs?status=failed", "status", "status is not a field of this request (it takes no query parameters)"],
        [
          "/v1/principals/user/u1/access?page_size=1",
          "page_size",
          "page_size is not a field of this request (it takes no query parameters)"
        ],
        ["/v1/syncs/20260101T000000Z-1a2b?x=1", "x", "x is not a field of this request (it takes no query parameters)"],
        ["/v1/syncs/20260101T000000Z-1a2b/file?x=1", "x", "x is not a field of this request (it takes no query parameters)"],
        ["/v1/schedule?x=1", "x", "x is not a field of this request (it takes no query parameters)"],
        ["/v1/capabilities?x=1", "x", "x is not a field of this request (it takes no query parameters)"],
        // A name that is no plain word is quoted: an empty one read " is not a field", a right-to-left
        // override turned the sentence around (it is written as its escape).
        ["/v1/syncs?=1", "", "\"\" is not a field of this request (it takes no query parameters)"],
        [
          "/v1/principals?q=a&%E2%80%AEevil%20x=1",
          "\u202eevil x",
          "\"\\u202eevil x\" is not a field of this request (it takes q, limit)"
        ]
      ]
      for (const [path, field, message] of cases) {
        assert.strictEqual(yield* expectDecodeError("GET", path, undefined, field), message, path)
      }
    }))

  it.effect("page_size and limit take plain decimal digits only", () =>
    Effect.gen(function*() {
      for (const value of ["abc", "0x10", "0b11", "0o7", "%201", "1%20", "1e2", "1.5", "-1", "%2B5", "", "99999999999999999999"]) {
        assert.strictEqual(
          yield* expectDecodeError("GET", `/v1/resources?page_size=${value}`, undefined, "page_size"),
          `page_size: expected a whole number from 1 to 1000, got ${JSON.stringify(decodeURIComponent(value))}`,
          value
        )
        assert.strictEqual(
          yield* expectDecodeError("GET", `/v1/principals?limit=${value}`, undefined, "limit"),
          `limit: expected a whole number from 1 to 100, got ${JSON.stringify(decodeURIComponent(value))}`,
          value
        )
      }
    }))

  it.effect("the OpenAPI document types page_size and limit as integers with their range, and the export's two content types", () =>
    Effect.gen(function*() {
      const { request } = yield* Harness
      const response = yield* request("GET", "/openapi.json", { token: TestToken })
      const document = (yield* Effect.orDie(response.json)) as {
        paths: Record<string, { get: { parameters: ReadonlyArray<Record<string, unknown>>; responses: Record<string, unknown> } }>
      }
      const parameter = (path: string, name: string) => document.paths[path]!.get.parameters.find((p) => p.name === name)
      assert.deepStrictEqual(parameter("/v1/resources", "page_size"), {
        name: "page_size",
        in: "query",
        schema: { type: "integer", minimum: 1, maximum: 1000, description: "1..1000, default 100" },
        required: false,
        description: "1..1000, default 100"
      })
      assert.deepStrictEqual(parameter("/v1/principals", "limit"), {
        name: "limit",
        in: "query",
        schema: { type: "integer", minimum: 1, maximum: 100, description: "1..100, default 20" },
        required: false,
        description: "1..100, default 20"
      })
      assert.deepStrictEqual(document.paths["/v1/export"]!.get.responses["200"], {
        description: "The access-review sheet: CSV (format=csv, the default) or JSON lines (format=jsonl)",
        content: {
          "text/csv": { schema: { type: "string" } },
          "application/x-ndjson": { schema: { type: "string" } }
        },
        headers: {
          "Content-Disposition": { $ref: "#/components/headers/Content-Disposition" },
          "X-Request-Id": { $ref: "#/components/headers/X-Request-Id" }
        }
      })
    }))

  it.effect("a body that is not JSON is a 400 naming the body", () =>
    Effect.gen(function*() {
      const { request } = yield* Harness
      const response = yield* request("POST", "/v1/grants", { token: TestToken, body: "{\"entitlement_id\": " })
      assert.strictEqual(response.status, 400)
      assert.deepStrictEqual(yield* Effect.orDie(response.json), {
        error: "InvalidRequest",
        field: "body",
        message: "the request body is not valid JSON"
      })
    }))

  it.effect("a body giving a key twice, at any depth, is a 400 naming the key and its path, and nothing is provisioned", () =>
    Effect.gen(function*() {
      const { request, sandbox } = yield* Harness
      const before = yield* sandbox.snapshot
      const user = before.users.find((u) => u.role !== "Account Administrator")!.id
      const group = before.groups[0]!.id
      const cases: ReadonlyArray<readonly [string, string, string]> = [
        [
          "/v1/grants",
          `{"entitlement_id":"group:${group}:View Destination","principal":{"type":"user","id":"${user}"},` +
          `"entitlement_id":"role:Account Administrator:assigned"}`,
          "entitlement_id"
        ],
        [
          "/v1/grants",
          `{"entitlement_id":"role:Account Reviewer:assigned","principal":{"type":"user","id":"${user}","\u0069d":"other"}}`,
          "principal.id"
        ],
        ["/v1/accounts", `{"email":"a@acmedata.com","given_name":"A","family_name":"B","email":"b@acmedata.com"}`, "email"],
        ["/v1/accounts", `{"email":"a@acmedata.com","given_name":"A","family_name":"B","x":[{},{"y":1,"y":2}]}`, "x.1.y"]
      ]
      for (const [path, body, field] of cases) {
        const response = yield* request("POST", path, { token: TestToken, body })
        assert.deepStrictEqual([response.status, yield* Effect.orDie(response.json)], [400, {
          error: "InvalidRequest",
          field,
          message: `${field} is given twice in the request body; give each field once (JSON parsers disagree on which one counts)`
        }], body)
      }
      assert.deepStrictEqual(yield* sandbox.snapshot, before)
    }))

  it.effect("JSON nested 3,000 levels deep is a 400 naming the limit of 64, not a 500 (issue 12)", () =>
    Effect.gen(function*() {
      const { request, sandbox } = yield* Harness
      const before = yield* sandbox.snapshot
      for (const [path, body] of [["/v1/grants", "[".repeat(3000)], ["/v1/accounts", "{\"a\":".repeat(3000) + "1" + "}".repeat(3000)]]) {
        const response = yield* request("POST", path!, { token: TestToken, body: body! })
        assert.strictEqual(response.status, 400, path)
        assert.deepStrictEqual(yield* Effect.orDie(response.json), {
          error: "InvalidRequest",
          field: "body",
          message: "the JSON body nests deeper than 64 levels, the limit"
        })
      }
      const atLimit = "[".repeat(64) + "]".repeat(64)
      const response = yield* request("POST", "/v1/grants", { token: TestToken, body: atLimit })
      assert.deepStrictEqual(yield* Effect.orDie(response.json), {
        error: "InvalidRequest",
        field: "body",
        // 128 characters, as many as a message repeats of what the caller sent (`echoed`): quoted whole.
        message: `the request body must be a JSON object, got ${atLimit}`
      })
      assert.deepStrictEqual(yield* sandbox.snapshot, before)
    }))

  it.effect("a body sent without content-type: application/json is a 415 saying what to send (issue 12)", () =>
    Effect.gen(function*() {
      const { request } = yield* Harness
      const grant = JSON.stringify({ entitlement_id: "team:x:member", principal: { type: "user", id: "y" } })
      for (const contentType of ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"]) {
        const response = yield* request("POST", "/v1/grants", {
          token: TestToken,
          body: grant,
          headers: { "content-type": contentType }
        })
        assert.strictEqual(response.status, 415, contentType)
        assert.deepStrictEqual(yield* Effect.orDie(response.json), {
          error: "UnsupportedMediaType",
          message: `the request body must be JSON sent with "content-type: application/json"; got content-type ${
            JSON.stringify(contentType)
          }`
        })
      }
      const charset = yield* request("POST", "/v1/grants", {
        token: TestToken,
        body: grant,
        headers: { "content-type": "Application/JSON; charset=utf-8" }
      })
      assert.strictEqual(charset.status, 404, "a JSON body with a charset parameter is read")
    }))

  it.effect("a compressed body, a charset other than UTF-8 (415) and bytes that are not UTF-8 (400) are refused, nothing done", () =>
    Effect.gen(function*() {
      const { request, sandbox } = yield* Harness
      const before = yield* sandbox.snapshot
      const member = before.users.find((u) =>
        !before.team_users.some((row) => row.team_id === before.teams[0]!.id && row.user_id === u.id)
      )!
      const grant = JSON.stringify({ entitlement_id: `team:${before.teams[0]!.id}:member`, principal: { type: "user", id: member.id } })
      const answers = []
      for (
        const [body, headers] of [
          [gzipSync(grant), { "content-encoding": "gzip" }],
          [grant, { "content-encoding": "gzip" }],
          [Buffer.from(grant, "utf16le"), { "content-type": "application/json; charset=utf-16" }],
          [Buffer.concat([Buffer.from(grant.slice(0, -3)), Buffer.from([0xff, 0xfe]), Buffer.from("\"}}")]), {}]
        ] as const
      ) {
        const response = yield* request("POST", "/v1/grants", {
          token: TestToken,
          body: typeof body === "string" ? body : new Uint8Array(body),
          headers
        })
        answers.push([response.status, yield* Effect.orDie(response.json)])
      }
      assert.deepStrictEqual(answers, [
        [415, { error: "UnsupportedMediaType", message: "the request body must be sent uncompressed; got content-encoding \"gzip\"" }],
        [415, { error: "UnsupportedMediaType", message: "the request body must be sent uncompressed; got content-encoding \"gzip\"" }],
        [415, { error: "UnsupportedMediaType", message: "the request body must be UTF-8 JSON; got charset \"utf-16\"" }],
        [400, { error: "InvalidRequest", field: "body", message: "the request body is not valid UTF-8" }]
      ])
      assert.deepStrictEqual(yield* sandbox.snapshot, before)
    }))

  it.effect("an empty body where one is required is a 400 naming the body, not a 500", () =>
    Effect.gen(function*() {
      const { request } = yield* Harness
      const response = yield* request("POST", "/v1/accounts", { token: TestToken, body: "" })
      assert.strictEqual(response.status, 400)
      assert.deepStrictEqual(yield* Effect.orDie(response.json), {
        error: "InvalidRequest",
        field: "body",
        message: "the request body must be a JSON object, got null"
      })
    }))

  it.effect("an unknown path or method with a valid token is a 404 with a JSON body (issue 12)", () =>
    Effect.gen(function*() {
      const { request } = yield* Harness
      for (
        const [method, path, shown] of [
          ["GET", "/no-such-path?secret=x", "/no-such-path"],
          ["DELETE", "/v1/syncs", "/v1/syncs"],
          ["POST", "/v1/resources", "/v1/resources"]
        ] as const
      ) {
        const response = yield* request(method, path, { token: TestToken })
        assert.strictEqual(response.status, 404, path)
        assert.deepStrictEqual(yield* Effect.orDie(response.json), {
          error: "NotFound",
          message: `no endpoint ${method} ${shown}; the endpoints are listed in /openapi.json`
        })
      }
    }))

  it.effect("a body over 64 KiB is refused with 413, and nothing is provisioned", () =>
    Effect.gen(function*() {
      const { request, sandbox } = yield* Harness
      const before = yield* sandbox.snapshot
      const body = { email: "big@acmedata.com", given_name: "x".repeat(70 * 1024), family_name: "B" }
      const response = yield* request("POST", "/v1/accounts", { token: TestToken, body })
      assert.strictEqual(response.status, 413)
      assert.deepStrictEqual(yield* Effect.orDie(response.json), {
        error: "PayloadTooLarge",
        message: "the request body is larger than 65536 bytes",
        limit_bytes: 65536
      })
      const after = yield* sandbox.snapshot
      assert.strictEqual(after.users.length, before.users.length)
    }))

  it.effect("a chunked body (no Content-Length) is read up to 64 KiB; a longer one is refused once past it", () =>
    Effect.gen(function*() {
      const { baseUrl, sandbox } = yield* Harness
      const chunked = (text: string, repeat: number) => {
        const chunk = new TextEncoder().encode(text)
        let sent = 0
        return new ReadableStream<Uint8Array>({
          pull: (controller) => {
            if (sent++ < repeat) controller.enqueue(chunk)
            else controller.close()
          }
        })
      }
      const post = (body: ReadableStream<Uint8Array>) =>
        Effect.promise(() =>
          fetch(`${baseUrl}/v1/accounts`, {
            method: "POST",
            headers: { authorization: `Bearer ${TestToken}`, "content-type": "application/json" },
            body,
            duplex: "half"
          } as RequestInit).then((r) => r.status, () => "connection closed")
        )
      const before = yield* sandbox.snapshot
      // Answered once the cap is passed, the rest unread; the answer closes the connection.
      assert.strictEqual(yield* post(chunked("x".repeat(16 * 1024), 8)), 413)
      assert.strictEqual((yield* sandbox.snapshot).users.length, before.users.length)
      const small = JSON.stringify({ email: "chunked@acmedata.com", given_name: "Chunked", family_name: "Body" })
      assert.strictEqual(yield* post(chunked(small, 1)), 201)
    }))

  it.effect("a page token the service did not issue is a 400 naming page_token", () =>
    Effect.gen(function*() {
      const { request } = yield* Harness
      yield* runSync
      const response = yield* request("GET", "/v1/resources?page_token=garbage", { token: TestToken })
      assert.strictEqual(response.status, 400)
      assert.deepStrictEqual(yield* Effect.orDie(response.json), {
        error: "InvalidRequest",
        field: "page_token",
        message: "page_token is not a token this service issued; list again without page_token"
      })
    }))
})

layer(harness({ badSecret: true }), { excludeTestServices: true })("a wrong Fivetran secret", (it) => {
  it.effect("/readyz is 503 with the reason, and the secret is nowhere in the answer", () =>
    Effect.gen(function*() {
      const { apiKey, apiSecret, request } = yield* Harness
      const response = yield* request("GET", "/readyz", { token: TestToken })
      assert.strictEqual(response.status, 503)
      const text = yield* Effect.orDie(response.text)
      const body = yield* Effect.orDie(Schema.decodeUnknown(Schema.parseJson(ErrorBody))(text))
      assert.strictEqual(body.error, "NotReady")
      assert.strictEqual(
        body.message,
        "GET /v1/account/info: Fivetran rejected the API key or secret (401 Unauthorized); check the api-key and api-secret settings"
      )
      assert.notInclude(text, apiKey)
      assert.notInclude(text, apiSecret)
      assert.notInclude(text, "not-the-secret")
    }))

  it.effect("a sync refused by Fivetran is failed with the reason; no key or secret in the job or its metadata file", () =>
    Effect.gen(function*() {
      const { apiKey, apiSecret, dataDir } = yield* Harness
      const fs = yield* FileSystem.FileSystem
      const job = yield* runSync
      assert.strictEqual(job.status, "failed")
      assert.strictEqual(
        job.error,
        "Fivetran rejected the API key or secret (401 on GET /v1/roles); check the api-key and api-secret settings"
      )
      const saved = yield* Effect.orDie(fs.readFileString(`${dataDir}/${job.id}.json`))
      for (const text of [JSON.stringify(job), saved]) {
        for (const secret of [apiKey, apiSecret, "not-the-secret", TestToken, OtherToken]) {
          assert.notInclude(text, secret)
        }
      }
    }))
})

describe("tokens", () => {
  it("the configured tokens are the only ones accepted", async () => {
    const { tokenMatches } = await import("../src/Auth.js")
    const { Redacted } = await import("effect")
    const tokens = [Redacted.make("alpha"), Redacted.make("beta-longer-token")]
    assert.isTrue(tokenMatches("alpha", tokens))
    assert.isTrue(tokenMatches("beta-longer-token", tokens))
    assert.isFalse(tokenMatches("alph", tokens))
    assert.isFalse(tokenMatches("", tokens))
    assert.isFalse(tokenMatches("alpha", []))
  })
})
