import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Ajv2020 } from "ajv/dist/2020.js"
import addFormats from "ajv-formats"
import { Effect, Fiber, Schedule } from "effect"
import { exchange } from "./RawExchange.js"
import { type Answer, makeServedContract, type OpenApiDocument, parseAnswer } from "./ServedContract.js"
import { refusedKeyServiceArgs, type RunningService, sandboxServiceArgs, serviceProcessOver } from "./ServiceProcess.js"
import { deleted, groupGrant, member, membership, small, team } from "./ConformanceAccount.js"

/**
 * The served /openapi.json read as an integration engineer generating a client from it reads it,
 * and every operation it lists called on the bundled service (a process of its own, over the
 * sandbox), on its success path and on the failures a user meets, each request with the exact
 * status it must answer. Each answer is checked against the document (ServedContract.ts: its
 * status declared for the operation, the required headers, the content type, the body against the
 * JSON Schema); and what a generated client takes from the document beyond validation is checked
 * too: the type a number is declared with (a `number` is a float in a generated client, a float32
 * in Go's generators), which fields are required, the security an operation lists (a generated
 * client sends its token only where listed), and the parameter values the document says are good
 * (a value the service refuses must be one the document's schema refuses, and one it takes one the
 * schema takes), the ids provisioning checks among them (an id it refuses 400 `InvalidId` is one
 * the document's pattern refuses). Requests no HTTP client sends (no Host, a foreign Host, an
 * oversized head, oversized chunk extensions) go over a raw socket.
 */

const token = "openapi-conformance-write-token"
const otherToken = "openapi-conformance-second-token"
const readToken = "openapi-conformance-read-token"

type Json = Record<string, unknown>

interface Exchange {
  readonly operation: string
  readonly label: string
  /** The status the request must answer. */
  readonly expected: number
  readonly answer: Answer
  readonly problems: ReadonlyArray<string>
}

interface Sent {
  /** The bearer token; null sends none. */
  readonly token?: string | null
  readonly body?: unknown
  readonly headers?: Record<string, string>
  /**
   * Why the parameter the service refuses cannot be refused by a schema (a page token it did not
   * issue, a type its registry does not hold, two filters together): the check that the
   * document's schema refuses it too is skipped.
   */
  readonly beyondTheSchema?: string
}

const DocumentId = "openapi.json"
const pointer = (...tokens: ReadonlyArray<string>) => tokens.map((part) => part.replaceAll("~", "~0").replaceAll("/", "~1")).join("/")

interface Parameter {
  readonly name: string
  readonly in: "path" | "query"
  readonly schema: { readonly type?: string }
}

/** The document's operation for `method path`: its template, and its parameters. */
const operationOf = (document: OpenApiDocument, method: string, path: string) => {
  const bare = path.split("?")[0]!
  const template = Object.keys(document.paths)
    .filter((candidate) => new RegExp(`^${candidate.replace(/\{[^}]+\}/g, "[^/]+")}$`).test(bare))
    .sort((a, b) => a.split("{").length - b.split("{").length)[0]
  assert.isDefined(template, `${method} ${path} is no operation of the document`)
  const operation = document.paths[template!]![method.toLowerCase()] as unknown as { readonly parameters?: ReadonlyArray<Parameter> }
  assert.isDefined(operation, `${method} ${template} is no operation of the document`)
  return { template: template!, parameters: operation.parameters ?? [] }
}

/** The values `path` gives the operation's parameters, as sent (a query parameter's text, a path segment decoded). */
const parameterValues = (template: string, path: string): Record<string, string> => {
  const [bare = "", query = ""] = path.split("?")
  const names = template.split("/")
  const segments = bare.split("/")
  const fromPath = names.flatMap((name, index) =>
    name.startsWith("{") ? [[name.slice(1, -1), decodeURIComponent(segments[index]!)] as const] : []
  )
  return { ...Object.fromEntries(new URLSearchParams(query)), ...Object.fromEntries(fromPath) }
}

/** Every property name the document types as `number` (not `integer`), alone or as a member of a union. */
const numberTyped = (document: unknown): ReadonlyArray<string> => {
  const names = new Set<string>()
  const isNumber = (schema: unknown) =>
    typeof schema === "object" && schema !== null &&
    ((schema as Json).type === "number" ||
      (Array.isArray((schema as Json).anyOf) && ((schema as Json).anyOf as ReadonlyArray<Json>).some((member) => member.type === "number")))
  const walk = (value: unknown): void => {
    if (typeof value !== "object" || value === null) return
    const properties = (value as Json).properties
    if (typeof properties === "object" && properties !== null) {
      for (const [name, schema] of Object.entries(properties)) if (isNumber(schema)) names.add(name)
    }
    Object.values(value).forEach(walk)
  }
  walk(document)
  return [...names].sort()
}

/** Every schema the document gives a property called `name`, in order. */
const propertySchemas = (document: unknown, name: string): ReadonlyArray<unknown> => {
  const found: Array<unknown> = []
  const walk = (value: unknown): void => {
    if (typeof value !== "object" || value === null) return
    const properties = (value as Json).properties
    if (typeof properties === "object" && properties !== null && name in properties) found.push((properties as Json)[name])
    Object.values(value).forEach(walk)
  }
  walk(document)
  return found
}

/** The service's refusal: its code and the field it names, on a 400. */
const refusalOf = (answer: Answer) =>
  answer.status === 400 ? (JSON.parse(answer.body) as { readonly error: string; readonly field?: string }) : undefined

/**
 * An answer given after the request's parameters and ids were read: not a 400, nor a body refused
 * unread (413, 415).
 */
const readWhole = (answer: Answer) => ![400, 413, 415].includes(answer.status)

/**
 * The error responses whose description leaves out a code their schema allows (the platform
 * describes a status by its first error with a description), or says only "Error".
 */
const undescribedErrors = (document: OpenApiDocument): ReadonlyArray<string> =>
  Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations).flatMap(([method, operation]) =>
      Object.entries(operation.responses).flatMap(([status, response]) => {
        const schema = (response.content?.["application/json"]?.schema ?? {}) as Json
        if (Number(status) < 400 || !("anyOf" in schema || "$ref" in schema)) return []
        const members = (Array.isArray(schema.anyOf) ? schema.anyOf : [schema]) as ReadonlyArray<Json>
        const codes = [
          ...new Set(members.map((member) => String(member.$ref ?? (member.allOf as ReadonlyArray<Json>)[0]!.$ref).split("/").pop()!))
        ]
        const { description } = response as { readonly description: string }
        const left = codes.length < 2 ? [] : codes.filter((code) => !description.includes(`\`${code}\``))
        return description === "Error" || left.length > 0
          ? [`${method.toUpperCase()} ${path} ${status}: ${description.slice(0, 60)} (${left.join(", ")})`]
          : []
      })
    )
  )

const conformance = (service: RunningService, document: OpenApiDocument) => {
  const contract = makeServedContract(document)
  const ajv = new Ajv2020({ strict: false, allErrors: true })
  addFormats.default(ajv)
  ajv.addSchema({ ...document, $id: DocumentId })
  const exchanges: Array<Exchange> = []

  /**
   * A parameter the service refused (400 InvalidRequest naming it) must have a value the
   * document's schema for it refuses, as must one of them when the service refused an id (400
   * InvalidId); on an answer the service gave having read them, every parameter sent must have a
   * value the schema takes.
   */
  const parameterProblems = (method: string, path: string, answer: Answer, sent: Sent): ReadonlyArray<string> => {
    const { parameters, template } = operationOf(document, method, path)
    const values = parameterValues(template, path)
    const refused = refusalOf(answer)
    const sentParameters = parameters.flatMap((parameter, index) => {
      const value = values[parameter.name]
      return value === undefined ? [] : [{ parameter, index, value }]
    })
    const schemaOf = (index: number) =>
      ajv.compile({ $ref: `${DocumentId}#/${pointer("paths", template, method.toLowerCase(), "parameters", String(index), "schema")}` })
    // An id in a body is the body's check.
    const idTaken = refused?.error === "InvalidId" && sentParameters.length > 0 &&
      sentParameters.every(({ index, value }) => schemaOf(index)(value))
    return [
      ...(idTaken ? [`the document's schemas of the parameters take the id the service refused: ${answer.body}`] : []),
      ...parameterValueProblems(sentParameters, schemaOf, answer, refused, sent)
    ]
  }

  const parameterValueProblems = (
    sentParameters: ReadonlyArray<{ readonly parameter: Parameter; readonly index: number; readonly value: string }>,
    schemaOf: (index: number) => ReturnType<typeof ajv.compile>,
    answer: Answer,
    refused: ReturnType<typeof refusalOf>,
    sent: Sent
  ): ReadonlyArray<string> =>
    sentParameters.flatMap(({ index, parameter, value }) => {
      const typed = parameter.schema.type === "integer" && /^-?\d+$/.test(value) ? Number(value) : value
      const check = schemaOf(index)
      const taken = check(typed)
      const refusedByService = refused?.error === "InvalidRequest" && refused.field === parameter.name &&
        sent.beyondTheSchema === undefined
      if (refusedByService && taken) {
        return [`the document's schema of ${parameter.name} takes ${JSON.stringify(value)}, which the service refused: ${answer.body}`]
      }
      if (readWhole(answer) && !taken) {
        return [
          `the document's schema of ${parameter.name} refuses ${JSON.stringify(value)}, which the service read (${answer.status}): ${
            ajv.errorsText(check.errors)
          }`
        ]
      }
      return []
    })

  /**
   * A JSON body the service refused naming a field, or for an id in it, must be one the document
   * refuses, one it read one the document takes.
   */
  const bodyProblems = (method: string, path: string, body: unknown, answer: Answer): ReadonlyArray<string> => {
    if (typeof body !== "object" || body === null) return []
    const refusedByDocument = contract.requestProblems(method, path, body)
    const refused = refusalOf(answer)
    const refusedField = refused?.error === "InvalidRequest" && refused.field !== undefined && refused.field !== "body"
    if ((refusedField || refused?.error === "InvalidId") && refusedByDocument.length === 0) {
      return [`the document's request schema takes the body the service refused: ${answer.body}`]
    }
    if (readWhole(answer) && refusedByDocument.length > 0) {
      return [`the document's request schema refuses the body the service read (${answer.status}): ${refusedByDocument.join("; ")}`]
    }
    return []
  }

  const record = (
    label: string,
    method: string,
    path: string,
    expected: number,
    answer: Answer,
    problems: ReadonlyArray<string>
  ) =>
    exchanges.push({
      operation: `${method} ${operationOf(document, method, path).template}`,
      label,
      expected,
      answer,
      problems: problems.map((problem) => `${label}: ${problem}`)
    })

  const send = (label: string, method: "GET" | "POST" | "DELETE", path: string, expected: number, sent: Sent = {}) =>
    Effect.promise(async () => {
      const headers: Record<string, string> = { ...sent.headers }
      const bearer = sent.token === undefined ? token : sent.token
      if (bearer !== null) headers.authorization = `Bearer ${bearer}`
      let body: string | undefined
      if (sent.body !== undefined) {
        body = typeof sent.body === "string" ? sent.body : JSON.stringify(sent.body)
        headers["content-type"] ??= "application/json"
      }
      const response = await fetch(`${service.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) })
      const answer: Answer = { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() }
      record(label, method, path, expected, answer, [
        ...contract.problems(method, path, answer),
        ...parameterProblems(method, path, answer, sent),
        ...bodyProblems(method, path, sent.body, answer)
      ])
      return answer
    })

  /** `raw` written on a socket as is, its answer checked as the answer of `method path`. */
  const sendRaw = (label: string, method: "GET" | "POST", path: string, expected: number, raw: string) =>
    Effect.gen(function*() {
      const answer = parseAnswer(yield* Effect.orDie(exchange(Number(new URL(service.url).port), raw)))
      record(label, method, path, expected, answer, contract.problems(method, path, answer))
    })

  const json = (answer: Answer) => JSON.parse(answer.body) as Json

  /** Polls the job (each poll an exchange like any other) until `done` holds. */
  const awaitJob = (id: string, done: (job: Json) => boolean) =>
    send("a job, polled", "GET", `/v1/syncs/${id}`, 200).pipe(
      Effect.map(json),
      Effect.repeat({ schedule: Schedule.spaced("50 millis"), until: done }),
      Effect.timeoutFail({ duration: "60 seconds", onTimeout: () => new Error(`job ${id} did not get there`) }),
      Effect.orDie
    )

  /** Each operation walked, with the statuses it answered, in order. */
  const statuses = () => {
    const seen: Record<string, Array<number>> = {}
    for (const { answer, operation } of exchanges) {
      const list = seen[operation] ??= []
      if (!list.includes(answer.status)) list.push(answer.status)
    }
    return Object.fromEntries(Object.entries(seen).map(([operation, list]) => [operation, list.sort((a, b) => a - b)]))
  }

  /** Every request answered its expected status, and every answer conforms. */
  const assertConforms = () => {
    assert.deepStrictEqual(
      exchanges.map(({ answer, label }) => [label, answer.status]),
      exchanges.map(({ expected, label }) => [label, expected])
    )
    assert.deepStrictEqual(exchanges.flatMap(({ problems }) => problems), [])
  }

  return { send, sendRaw, json, awaitJob, exchanges, statuses, assertConforms }
}

const documentOf = (service: RunningService, bearer: string) =>
  Effect.promise(() =>
    fetch(`${service.url}/openapi.json`, { headers: { authorization: `Bearer ${bearer}` } }).then((response) =>
      response.json() as Promise<OpenApiDocument>
    )
  )

/** The document's operations, `METHOD /template`, in its order. */
const operationsOf = (document: OpenApiDocument) =>
  Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))

describe("the served OpenAPI document, as a client generated from it meets the bundled service", () => {
  it.scopedLive("every operation, its successes and its failures, answers as the document declares", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const fs = yield* FileSystem.FileSystem
      const tempDir = yield* fs.makeTempDirectoryScoped()
      const launch = yield* sandboxServiceArgs(token)
      const service = yield* serviceProcessOver(
        yield* fs.makeTempDirectoryScoped(),
        [...launch.args, "--temp-dir", tempDir, "--provisioning"],
        { env: { ...launch.env, BATON_HTTP_TOKENS: `${token},${otherToken}`, BATON_HTTP_READ_TOKENS: readToken } }
      )
      const document = yield* documentOf(service, token)
      const { assertConforms, awaitJob, exchanges, json, send, sendRaw, statuses } = conformance(service, document)
      const read = { token: readToken }

      // What a generated client types from the document alone.
      assert.deepStrictEqual(
        numberTyped(document),
        // every_seconds may be fractional (--sync-every 1m500ms: 60.5).
        ["every_seconds"]
      )
      // The baton model's exclusion-group order, a uint32 in a .c1z file: a whole number wherever it is served.
      const components = (document as unknown as { readonly components: { readonly schemas: Record<string, Json> } }).components
      assert.deepStrictEqual(
        [...new Set(propertySchemas(document, "order").map((schema) => JSON.stringify(schema)))],
        [JSON.stringify({ $ref: "#/components/schemas/Int" })]
      )
      assert.strictEqual(components.schemas.Int!.type, "integer")
      assert.deepStrictEqual((document.paths["/readyz"]!.get as unknown as { readonly security: unknown }).security, [{}, { bearer: [] }])
      assert.deepStrictEqual(undescribedErrors(document), [])
      // A read-only token may read: no GET answers 403 ReadOnlyToken, nor any other 403.
      assert.deepStrictEqual(
        Object.entries(document.paths).filter(([, operations]) => operations.get?.responses["403"] !== undefined).map(([path]) => path),
        []
      )
      // The job a start answers is the job of every other answer, one type in a generated client.
      assert.deepStrictEqual(
        (document.paths["/v1/syncs"]!.post!.responses["202"]!.content!["application/json"] as { readonly schema: unknown }).schema,
        { $ref: "#/components/schemas/SyncJob" }
      )
      // Those the service sends on every answer that declares them (Retry-After only on some 429s and 503s).
      assert.deepStrictEqual(makeServedContract(document).requiredHeaders, [
        "X-Request-Id",
        "WWW-Authenticate",
        "ETag",
        "Last-Modified",
        "Content-Disposition"
      ])

      yield* send("healthz", "GET", "/healthz", 200, { token: null })
      yield* send("readyz, no token", "GET", "/readyz", 200, { token: null })
      // The document lists the bearer scheme on /readyz: a generated client holding a token sends it.
      assert.deepStrictEqual(Object.keys(json(yield* send("readyz, a token", "GET", "/readyz", 200))), [
        "status",
        "account_id",
        "account_name"
      ])
      yield* send("readyz, a read token", "GET", "/readyz", 200, read)
      // A wrong token is no refusal here (the document declares no 401): the answer is the one without a token.
      assert.deepStrictEqual(
        json(yield* send("readyz, a wrong token", "GET", "/readyz", 200, { token: "not-the-token-of-this-service" })),
        {
          status: "ready"
        }
      )
      yield* send("capabilities", "GET", "/v1/capabilities", 200)
      yield* send("capabilities, a second token", "GET", "/v1/capabilities", 200, { token: otherToken })
      yield* send("capabilities, a read token", "GET", "/v1/capabilities", 200, read)
      yield* send("capabilities, no token", "GET", "/v1/capabilities", 401, { token: null })
      yield* send("capabilities, a wrong token", "GET", "/v1/capabilities", 401, { token: "not-the-token-of-this-service" })
      yield* send("capabilities, a query parameter", "GET", "/v1/capabilities?verbose=1", 400)
      yield* send("jobs, none yet", "GET", "/v1/syncs", 200)
      yield* send("jobs, a query parameter", "GET", "/v1/syncs?status=failed", 400)
      yield* send("schedule", "GET", "/v1/schedule", 200)
      yield* send("resources before a sync", "GET", "/v1/resources", 404)
      yield* send("entitlements before a sync", "GET", "/v1/entitlements", 404)
      yield* send("grants before a sync", "GET", "/v1/grants", 404)
      yield* send("access before a sync", "GET", `/v1/principals/user/${member.id}/access`, 404)
      yield* send("search before a sync", "GET", "/v1/principals", 404)
      yield* send("account roles before a sync", "GET", "/v1/account-roles", 404)
      yield* send("export before a sync", "GET", "/v1/export", 404)
      yield* send("users sheet before a sync", "GET", "/v1/export/users", 404)
      yield* send("start, a read token", "POST", "/v1/syncs", 403, read)

      // A sync held by Fivetran's rate limit: running for as long as the test needs.
      yield* sandbox.setFaults({ rateLimitBurst: { requests: 1, retryAfterSeconds: 600 } })
      const held = String(json(yield* send("start, to be held", "POST", "/v1/syncs", 202)).id)
      yield* awaitJob(held, (job) => job.status === "waiting_for_rate_limit")
      yield* send("start while one runs", "POST", "/v1/syncs", 409)
      yield* send("start with a text body", "POST", "/v1/syncs", 415, { body: "now", headers: { "content-type": "text/plain" } })
      yield* send("start with a body field", "POST", "/v1/syncs", 400, { body: { dry_run: true } })
      yield* send("start, no token", "POST", "/v1/syncs", 401, { token: null })
      yield* send("jobs, one waiting", "GET", "/v1/syncs", 200)
      yield* send("file of a running job", "GET", `/v1/syncs/${held}/file`, 404)
      yield* send("cancel, a read token", "POST", `/v1/syncs/${held}/cancel`, 403, read)
      yield* send("cancel", "POST", `/v1/syncs/${held}/cancel`, 200)
      yield* awaitJob(held, (job) => job.status === "cancelled")
      yield* send("file of a cancelled job", "GET", `/v1/syncs/${held}/file`, 404)
      yield* sandbox.setFaults({})

      const id = String(json(yield* send("start", "POST", "/v1/syncs", 202)).id)
      yield* awaitJob(id, (job) => job.status === "succeeded")
      yield* send("jobs", "GET", "/v1/syncs", 200)
      yield* send("schedule, after a sync", "GET", "/v1/schedule", 200)
      yield* send("job, a malformed id", "GET", "/v1/syncs/not.an.id", 400)
      yield* send("job, an unknown id", "GET", "/v1/syncs/20260101T000000Z-0000", 404)
      yield* send("cancel a finished job", "POST", `/v1/syncs/${id}/cancel`, 200)
      yield* send("cancel an unknown job", "POST", "/v1/syncs/20260101T000000Z-0000/cancel", 404)
      const file = yield* send("file", "GET", `/v1/syncs/${id}/file`, 200)
      const job = json(yield* send("job", "GET", `/v1/syncs/${id}`, 200))
      assert.deepStrictEqual([job.file_bytes, (job.summary as Json).resourceTypes], [Number(file.headers["content-length"]), 4])
      yield* send("file, If-None-Match", "GET", `/v1/syncs/${id}/file`, 304, { headers: { "if-none-match": file.headers.etag! } })
      yield* send("file, If-Modified-Since", "GET", `/v1/syncs/${id}/file`, 304, {
        headers: { "if-modified-since": file.headers["last-modified"]! }
      })
      yield* send("file of an unknown job", "GET", "/v1/syncs/20260101T000000Z-0000/file", 404)

      const first = json(yield* send("resources, a page", "GET", "/v1/resources?page_size=5", 200))
      yield* send("resources, the next page", "GET", `/v1/resources?page_size=5&page_token=${first.next_page_token}`, 200)
      yield* send("resources, a token not issued", "GET", "/v1/resources?page_token=forged", 400, { beyondTheSchema: "not issued" })
      yield* send("grants, a token of the resources", "GET", `/v1/grants?page_token=${first.next_page_token}`, 400, {
        beyondTheSchema: "issued for another listing"
      })
      yield* send("resources, a search", "GET", "/v1/resources?q=acme&page_size=2", 200)
      assert.deepStrictEqual(json(yield* send("resources, a blank search", "GET", "/v1/resources?q=%20", 400)), {
        error: "InvalidRequest",
        message: "q: expected a part of a name, email or id, not blank (leave q out to list every resource), got \" \"",
        field: "q"
      })
      yield* send("resources of a type", "GET", "/v1/resources?type=user&page_size=2", 200)
      yield* send("resources in a group", "GET", `/v1/resources?parent=group:${membership.group_id}`, 200)
      yield* send("resources, an unknown type", "GET", "/v1/resources?type=robot", 400, { beyondTheSchema: "the registry's types" })
      yield* send("resources, page_size 0", "GET", "/v1/resources?page_size=0", 400)
      yield* send("resources, page_size twice", "GET", "/v1/resources?page_size=1&page_size=2", 400, {
        beyondTheSchema: "given twice"
      })
      yield* send("resources, an unknown parent", "GET", "/v1/resources?parent=group:nosuch", 404)
      yield* send("resources, a misspelt filter", "GET", "/v1/resources?principle=user:x", 400)
      yield* send("a user", "GET", `/v1/resources/user/${member.id}`, 200)
      yield* send("a role", "GET", "/v1/resources/role/Account%20Administrator", 200)
      yield* send("a group, a read token", "GET", `/v1/resources/group/${membership.group_id}`, 200, read)
      yield* send("an unknown user", "GET", "/v1/resources/user/nosuch", 404)
      yield* send("an unknown type", "GET", "/v1/resources/robot/x", 400, { beyondTheSchema: "the registry's types" })
      yield* send("entitlements", "GET", "/v1/entitlements?page_size=3", 200)
      yield* send("entitlements of a team", "GET", `/v1/entitlements?resource=team:${team.id}`, 200)
      yield* send("entitlements, an unknown resource", "GET", "/v1/entitlements?resource=user:nosuch", 404)
      yield* send("entitlements, a malformed resource", "GET", "/v1/entitlements?resource=nocolon", 400)
      yield* send("grants", "GET", "/v1/grants?page_size=3", 200)
      yield* send("grants of a principal", "GET", `/v1/grants?principal=user:${membership.user_id}`, 200)
      yield* send("grants, a malformed principal", "GET", "/v1/grants?principal=robot", 400)
      yield* send("grants, an unknown entitlement", "GET", "/v1/grants?entitlement=team:nosuch:member", 404)
      yield* send("access of a user", "GET", `/v1/principals/user/${membership.user_id}/access`, 200)
      yield* send("access of a team", "GET", `/v1/principals/team/${team.id}/access`, 200)
      yield* send("access of a group", "GET", `/v1/principals/group/${membership.group_id}/access`, 400)
      yield* send("access of an unknown user", "GET", "/v1/principals/user/nosuch/access", 404)
      yield* send("search", "GET", "/v1/principals?q=a&limit=3", 200)
      yield* send("search, an empty q", "GET", "/v1/principals?q=", 200)
      yield* send("search, limit 0", "GET", "/v1/principals?limit=0", 400)
      yield* send("account roles", "GET", "/v1/account-roles", 200)
      yield* send("export", "GET", "/v1/export", 200)
      yield* send("export, jsonl, a read token", "GET", "/v1/export?format=jsonl", 200, read)
      yield* send("export of a destination", "GET", `/v1/export?resource=group:${membership.group_id}`, 200)
      yield* send("export, an unknown format", "GET", "/v1/export?format=xml", 400)
      yield* send("users sheet", "GET", "/v1/export/users", 200)
      yield* send("users sheet, jsonl, a read token", "GET", "/v1/export/users?format=jsonl", 200, read)
      yield* send("users sheet, a filter it does not take", "GET", `/v1/export/users?principal=user:${member.id}`, 400)
      yield* send("export, an unknown principal", "GET", "/v1/export?principal=user:nosuch", 404)
      yield* send("export, two filters", "GET", `/v1/export?principal=user:${member.id}&resource=team:${team.id}`, 400, {
        beyondTheSchema: "one filter of three"
      })
      yield* send("diff with a cancelled base", "GET", `/v1/syncs/${id}/diff?base=${held}`, 404)
      yield* send("diff with an unknown base", "GET", `/v1/syncs/${id}/diff?base=20260101T000000Z-0000`, 404)
      yield* send("diff with itself", "GET", `/v1/syncs/${id}/diff?base=${id}&page_size=1`, 200)
      yield* send("diff without base", "GET", `/v1/syncs/${id}/diff`, 400)
      yield* send("diff, a malformed base", "GET", `/v1/syncs/${id}/diff?base=not.an.id`, 400)
      yield* send("diff, a token not issued", "GET", `/v1/syncs/${id}/diff?base=${id}&page_token=forged`, 400, {
        beyondTheSchema: "not issued"
      })

      const grant = { entitlement_id: `team:${team.id}:member`, principal: { type: "user", id: member.id } }
      yield* send("grant, a read token", "POST", "/v1/grants", 403, { ...read, body: grant })
      yield* send("grant, no token", "POST", "/v1/grants", 401, { token: null, body: grant })
      const granted = json(yield* send("grant", "POST", "/v1/grants", 201, { body: grant }))
      yield* send("grant again", "POST", "/v1/grants", 200, { body: grant })
      yield* send("grant a role with a typo", "POST", "/v1/grants", 422, {
        body: { ...grant, entitlement_id: "role:Acount Reviewer:assigned" }
      })
      yield* send("grant an account role on a destination", "POST", "/v1/grants", 422, {
        body: { ...grant, entitlement_id: `group:${membership.group_id}:Account Administrator` }
      })
      yield* send("grant a team role to a team", "POST", "/v1/grants", 422, {
        body: { entitlement_id: `team:${team.id}:Team Manager`, principal: { type: "team", id: team.id } }
      })
      yield* send("grant a membership to a team", "POST", "/v1/grants", 422, {
        body: { ...grant, principal: { type: "team", id: team.id } }
      })
      yield* send("grant to an unknown user", "POST", "/v1/grants", 404, {
        body: { ...grant, principal: { type: "user", id: "nosuch" } }
      })
      yield* send("grant an unknown entitlement", "POST", "/v1/grants", 404, { body: { ...grant, entitlement_id: "team:nosuch:member" } })
      yield* send("grant a malformed entitlement", "POST", "/v1/grants", 400, { body: { ...grant, entitlement_id: "nocolon" } })
      yield* send("grant without entitlement", "POST", "/v1/grants", 400, { body: { principal: grant.principal } })
      yield* send("grant with a field it does not take", "POST", "/v1/grants", 400, { body: { ...grant, dry_run: true } })
      yield* send("grant, a body not JSON", "POST", "/v1/grants", 400, { body: "{" })
      yield* send("grant, a text body", "POST", "/v1/grants", 415, {
        body: JSON.stringify(grant),
        headers: { "content-type": "text/plain" }
      })
      yield* send("grant, a body over 64 KiB", "POST", "/v1/grants", 413, { body: { ...grant, entitlement_id: "x".repeat(70_000) } })
      const grantId = encodeURIComponent(String((granted.grants as ReadonlyArray<Json>)[0]!.id))
      yield* send("revoke, a read token", "DELETE", `/v1/grants/${grantId}`, 403, read)
      yield* send("revoke", "DELETE", `/v1/grants/${grantId}`, 200)
      yield* send("revoke again", "DELETE", `/v1/grants/${grantId}`, 200)
      yield* send("revoke a malformed id", "DELETE", "/v1/grants/nocolon", 400)
      yield* send(
        "revoke a role with a typo",
        "DELETE",
        `/v1/grants/${encodeURIComponent(`role:Acount Reviewer:assigned:user:${member.id}`)}`,
        422
      )

      // The ids provisioning checks: each the service refuses 400 InvalidId, the document's pattern
      // refuses too (the exchange's checks above), and each it reads, the pattern takes.
      const group = membership.group_id
      const malformed = [
        yield* send("grant, a padded group id", "POST", "/v1/grants", 400, {
          body: { ...grant, entitlement_id: `group:${group} :member` }
        }),
        yield* send("grant, an unknown type", "POST", "/v1/grants", 400, { body: { ...grant, entitlement_id: "robot:x:member" } }),
        yield* send("grant, no slug", "POST", "/v1/grants", 400, { body: { ...grant, entitlement_id: `group:${group}:` } }),
        yield* send("grant, an email as team id", "POST", "/v1/grants", 400, {
          body: { ...grant, entitlement_id: "team:ada@example.com:member" }
        }),
        yield* send("grant, a path step as group id", "POST", "/v1/grants", 400, {
          body: { ...grant, entitlement_id: "group:..:member" }
        }),
        yield* send("grant, a padded user id", "POST", "/v1/grants", 400, {
          body: { ...grant, principal: { type: "user", id: `${member.id} ` } }
        }),
        yield* send("grant, an email as user id", "POST", "/v1/grants", 400, {
          body: { ...grant, principal: { type: "user", id: "ada@example.com" } }
        }),
        yield* send("grant, a slash in a user id", "POST", "/v1/grants", 400, {
          body: { ...grant, principal: { type: "user", id: "a/b" } }
        }),
        yield* send("grant, a zero-width space in a user id", "POST", "/v1/grants", 400, {
          body: { ...grant, principal: { type: "user", id: `\u200b${member.id}` } }
        }),
        yield* send("revoke, no principal part", "DELETE", `/v1/grants/${encodeURIComponent(`group:${group}:${membership.role}`)}`, 400),
        yield* send("revoke, a padded user id", "DELETE", `/v1/grants/${encodeURIComponent(`${groupGrant} `)}`, 400),
        yield* send(
          "revoke, not a principal type",
          "DELETE",
          `/v1/grants/${encodeURIComponent(`group:${group}:${membership.role}:robot:${membership.user_id}`)}`,
          400
        ),
        yield* send("delete, a padded user id", "DELETE", `/v1/resources/user/${encodeURIComponent(`${deleted.id} `)}`, 400),
        yield* send("delete, an email as user id", "DELETE", `/v1/resources/user/${encodeURIComponent("ada@example.com")}`, 400),
        yield* send("delete, a ':' in a user id", "DELETE", `/v1/resources/user/${encodeURIComponent("a:b")}`, 400)
      ]
      assert.deepStrictEqual(malformed.map((answer) => json(answer).error), malformed.map(() => "InvalidId"))
      const wellFormed = [
        yield* send("grant, a connection that does not exist", "POST", "/v1/grants", 422, {
          body: { ...grant, entitlement_id: "connection:nosuch:Connection Collaborator" }
        }),
        yield* send(
          "revoke, a user without it",
          "DELETE",
          `/v1/grants/${encodeURIComponent(`team:${team.id}:member:user:nosuch`)}`,
          200
        ),
        // A name near no listed role may be a role since removed: already revoked where not held.
        yield* send(
          "revoke, a role's name with ':'",
          "DELETE",
          `/v1/grants/${encodeURIComponent(`role:A:B:assigned:user:${member.id}`)}`,
          200
        ),
        yield* send("delete, a user that does not exist", "DELETE", "/v1/resources/user/nosuch", 200)
      ]
      assert.deepStrictEqual(wellFormed.map((answer) => json(answer).error ?? json(answer).status), [
        "UnknownRole",
        "already_revoked",
        "already_revoked",
        "does_not_exist"
      ])
      const account = { email: "openapi.conformance@example.com", given_name: "Open", family_name: "Api" }
      yield* send("create account", "POST", "/v1/accounts", 201, { body: account })
      yield* send("create account again", "POST", "/v1/accounts", 200, { body: account })
      yield* send("create account again, another role", "POST", "/v1/accounts", 409, {
        body: { ...account, role: "Account Administrator" }
      })
      yield* send("create account, a role with a typo", "POST", "/v1/accounts", 422, {
        body: { ...account, email: "other.conformance@example.com", role: "Acount Reviewer" }
      })
      yield* send("create account, not an email", "POST", "/v1/accounts", 400, { body: { ...account, email: "x" } })
      yield* send("create account, a blank name", "POST", "/v1/accounts", 400, { body: { ...account, given_name: " " } })
      yield* send("create account, a padded role", "POST", "/v1/accounts", 400, { body: { ...account, role: " Account Analyst" } })
      yield* send("create account, a blank phone", "POST", "/v1/accounts", 400, { body: { ...account, phone: "" } })
      yield* send("delete a user, a read token", "DELETE", `/v1/resources/user/${deleted.id}`, 403, read)
      yield* send("delete a user", "DELETE", `/v1/resources/user/${deleted.id}`, 200)
      yield* send("delete a user again", "DELETE", `/v1/resources/user/${deleted.id}`, 200)
      yield* send("delete a team", "DELETE", `/v1/resources/team/${team.id}`, 422)
      yield* sandbox.setFaults({ rateLimitBurst: { requests: 1, retryAfterSeconds: 600 } })
      const limited = yield* send("revoke held by the rate limit", "DELETE", `/v1/grants/${encodeURIComponent(groupGrant)}`, 429)
      assert.deepStrictEqual([limited.headers["retry-after"], json(limited).retry_after_seconds], ["600", 600])
      yield* sandbox.setFaults({ serverErrorShare: 1 })
      yield* send("delete while Fivetran fails", "DELETE", `/v1/resources/user/${membership.user_id}`, 502)
      yield* sandbox.setFaults({})

      const host = "Host: 127.0.0.1\r\n"
      const auth = `Authorization: Bearer ${token}\r\n`
      // The service keeps a connection it answered (65 s): these ask it to close, as the exchange reads to the close.
      const close = "Connection: close\r\n"
      yield* sendRaw(
        "a foreign Host",
        "GET",
        "/v1/capabilities",
        421,
        `GET /v1/capabilities HTTP/1.1\r\nHost: attacker.example\r\n${auth}${close}\r\n`
      )
      yield* sendRaw(
        "a probe, a foreign Host",
        "GET",
        "/healthz",
        421,
        `GET /healthz HTTP/1.1\r\nHost: attacker.example\r\n${close}\r\n`
      )
      yield* sendRaw("no Host", "GET", "/v1/syncs", 400, `GET /v1/syncs HTTP/1.1\r\n${auth}${close}\r\n`)
      yield* sendRaw(
        "a head over 16 KiB",
        "GET",
        "/v1/syncs",
        431,
        `GET /v1/syncs HTTP/1.1\r\n${host}${auth}X-Padding: ${"p".repeat(20_000)}\r\n\r\n`
      )
      yield* sendRaw(
        "chunk extensions over Node's limit",
        "POST",
        "/v1/grants",
        413,
        `POST /v1/grants HTTP/1.1\r\n${host}${auth}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n` +
          `2;${"e".repeat(20_000)}\r\n{}\r\n0\r\n\r\n`
      )

      // The working copies' directory replaced by a file: queries cannot read a new sync.
      yield* fs.remove(tempDir, { recursive: true })
      yield* fs.writeFileString(tempDir, "in the way")
      const next = String(json(yield* send("start a second sync", "POST", "/v1/syncs", 202)).id)
      yield* awaitJob(next, (job) => job.status === "succeeded" || job.status === "failed")
      assert.strictEqual(json(yield* send("the second sync", "GET", `/v1/syncs/${next}`, 200)).status, "succeeded")
      yield* send("resources, no working copy", "GET", "/v1/resources?type=team", 503)
      yield* send("export, no working copy", "GET", "/v1/export", 503)
      yield* send("users sheet, no working copy", "GET", "/v1/export/users", 503)
      yield* send("diff, no working copy", "GET", `/v1/syncs/${next}/diff?base=${id}`, 503)
      yield* fs.remove(tempDir)
      yield* fs.makeDirectory(tempDir)
      yield* send("resources, the directory back", "GET", "/v1/resources?type=team", 200)

      // A service without --provisioning, whose Fivetran key the sandbox refuses, syncing every hour.
      const refusedKey = yield* refusedKeyServiceArgs(token)
      const unprovisioned = yield* serviceProcessOver(
        yield* fs.makeTempDirectoryScoped(),
        [...refusedKey.args, "--sync-every", "1h"],
        { env: refusedKey.env }
      )
      const off = conformance(unprovisioned, yield* documentOf(unprovisioned, token))
      yield* off.send("grant, provisioning off", "POST", "/v1/grants", 403, { body: grant })
      yield* off.send("revoke, provisioning off", "DELETE", `/v1/grants/${grantId}`, 403)
      yield* off.send("create account, provisioning off", "POST", "/v1/accounts", 403, { body: account })
      yield* off.send("delete a user, provisioning off", "DELETE", `/v1/resources/user/${member.id}`, 403)
      yield* off.send("readyz, a refused key", "GET", "/readyz", 503, { token: null })
      yield* off.send("readyz, a refused key, a token", "GET", "/readyz", 503)
      yield* off.send("healthz, a refused key", "GET", "/healthz", 200, { token: null })
      const scheduled = (off.json(yield* off.send("jobs, the scheduled one", "GET", "/v1/syncs", 200)).items as ReadonlyArray<Json>)[0]!
      const failed = String(scheduled.id)
      yield* off.awaitJob(failed, (job) => job.status === "failed" || job.status === "succeeded")
      assert.strictEqual(off.json(yield* off.send("a failed job", "GET", `/v1/syncs/${failed}`, 200)).status, "failed")
      yield* off.send("file of a failed job", "GET", `/v1/syncs/${failed}/file`, 404)
      const schedule = off.json(yield* off.send("schedule, every hour", "GET", "/v1/schedule", 200))
      assert.deepStrictEqual([schedule.every_seconds, typeof schedule.next_run_at], [3_600, "string"])
      yield* off.send("resources, no sync succeeded", "GET", "/v1/resources", 404)

      // Every field of a job, its progress and its summary is sent: each is required in the document.
      const schemas =
        (document as unknown as { readonly components: { readonly schemas: Record<string, { readonly required: Array<string> }> } })
          .components.schemas
      const jobs = exchanges.filter(({ answer, operation }) => operation === "GET /v1/syncs/{id}" && answer.status === 200)
        .map(({ answer }) => json(answer))
      const sentKeys = (objects: ReadonlyArray<unknown>) =>
        [...new Set(objects.flatMap((object) => typeof object === "object" && object !== null ? Object.keys(object) : []))].sort()
      assert.deepStrictEqual(
        [sentKeys(jobs), sentKeys(jobs.map((job) => job.progress)), sentKeys(jobs.map((job) => job.summary))],
        [schemas.SyncJob!.required, schemas.SyncProgress!.required, schemas.SyncSummary!.required].map((names) => [...names].sort())
      )

      assert.deepStrictEqual(
        [...new Set([...exchanges, ...off.exchanges].map(({ operation }) => operation))].sort(),
        [...operationsOf(document)].sort()
      )
      assert.deepStrictEqual(statuses(), {
        "GET /healthz": [200, 421],
        "GET /readyz": [200],
        "GET /v1/capabilities": [200, 400, 401, 421],
        "GET /v1/syncs": [200, 400, 431],
        "GET /v1/schedule": [200],
        "GET /v1/resources": [200, 400, 404, 503],
        "GET /v1/entitlements": [200, 400, 404],
        "GET /v1/grants": [200, 400, 404],
        "GET /v1/principals/{type}/{id}/access": [200, 400, 404],
        "GET /v1/principals": [200, 400, 404],
        "GET /v1/account-roles": [200, 404],
        "GET /v1/export": [200, 400, 404, 503],
        "GET /v1/export/users": [200, 400, 404, 503],
        "POST /v1/syncs": [202, 400, 401, 403, 409, 415],
        "GET /v1/syncs/{id}": [200, 400, 404],
        "GET /v1/syncs/{id}/file": [200, 304, 404],
        "POST /v1/syncs/{id}/cancel": [200, 403, 404],
        "GET /v1/resources/{type}/{id}": [200, 400, 404],
        "GET /v1/syncs/{id}/diff": [200, 400, 404, 503],
        "POST /v1/grants": [200, 201, 400, 401, 403, 404, 413, 415, 422],
        "DELETE /v1/grants/{grant_id}": [200, 400, 403, 422, 429],
        "POST /v1/accounts": [200, 201, 400, 409, 422],
        "DELETE /v1/resources/{type}/{id}": [200, 400, 403, 422, 502]
      })
      assert.deepStrictEqual(off.statuses(), {
        "POST /v1/grants": [403],
        "DELETE /v1/grants/{grant_id}": [403],
        "POST /v1/accounts": [403],
        "DELETE /v1/resources/{type}/{id}": [403],
        "GET /readyz": [503],
        "GET /healthz": [200],
        "GET /v1/syncs": [200],
        "GET /v1/syncs/{id}": [200],
        "GET /v1/syncs/{id}/file": [404],
        "GET /v1/schedule": [200],
        "GET /v1/resources": [404]
      })
      assertConforms()
      off.assertConforms()
    }).pipe(Effect.provide(Sandbox.layer({ snapshot: small, port: 0 })), Effect.provide(NodeContext.layer)), 180_000)

  it.scopedLive(
    "a provisioning request the service's stop ends answers the 503 ServiceStopping the document declares",
    () =>
      Effect.gen(function*() {
        const sandbox = yield* Sandbox
        const fs = yield* FileSystem.FileSystem
        const launch = yield* sandboxServiceArgs(token)
        const service = yield* serviceProcessOver(
          yield* fs.makeTempDirectoryScoped(),
          [...launch.args, "--provisioning", "--max-provisioning-wait", "1h"],
          { env: launch.env }
        )
        const { assertConforms, send } = conformance(service, yield* documentOf(service, token))
        yield* sandbox.setFaults({ rateLimitBurst: { requests: 1, retryAfterSeconds: 600 } })
        const revoke = yield* send(
          "revoke held by the rate limit, then stopped",
          "DELETE",
          `/v1/grants/${encodeURIComponent(groupGrant)}`,
          503
        )
          .pipe(Effect.fork)
        // The client logs each wait as it starts: the request is now held by the rate limit.
        yield* Effect.map(service.stderr, (stderr) => stderr.includes("before retrying")).pipe(
          Effect.repeat({ schedule: Schedule.spaced("50 millis"), until: (waiting) => waiting })
        )
        assert.strictEqual(yield* service.stop, 0)
        assert.strictEqual((yield* Fiber.join(revoke)).headers["retry-after"], "1")
        assertConforms()
      }).pipe(Effect.provide(Sandbox.layer({ snapshot: small, port: 0 })), Effect.provide(NodeContext.layer)),
    30_000
  )
})
