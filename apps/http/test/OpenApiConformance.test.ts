import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Ajv2020 } from "ajv/dist/2020.js"
import addFormats from "ajv-formats"
import { Effect, Schedule } from "effect"
import { type Answer, makeServedContract, type OpenApiDocument } from "./ServedContract.js"
import { type RunningService, sandboxServiceArgs, serviceProcessOver } from "./ServiceProcess.js"
import { deleted, groupGrant, member, membership, small, team } from "./ConformanceAccount.js"

/**
 * The served /openapi.json read as an integration engineer generating a client from it reads it,
 * and every operation it lists called on the bundled service (a process of its own, over the
 * sandbox), on its success path and on the failures a user meets. Each answer is checked against
 * the document (ServedContract.ts: its status declared for the operation, the required headers,
 * the content type, the body against the JSON Schema); and what a generated client takes from the
 * document beyond validation is checked too: the type a number is declared with (a `number` is a
 * float in a generated client, a float32 in Go's generators), which fields are required, the
 * security an operation lists (a generated client sends its token only where listed), and the
 * parameter values the document says are good (a value the service refuses must be one the
 * document's schema refuses, and one it takes one the schema takes), the ids provisioning checks
 * among them (an id it refuses 400 `InvalidId` is one the document's pattern refuses).
 */

const token = "openapi-conformance-write-token"
const readToken = "openapi-conformance-read-token"

type Json = Record<string, unknown>

interface Exchange {
  readonly operation: string
  readonly label: string
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

  const send = (label: string, method: "GET" | "POST" | "DELETE", path: string, sent: Sent = {}) =>
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
      const { template } = operationOf(document, method, path)
      exchanges.push({
        operation: `${method} ${template}`,
        label,
        answer,
        problems: [
          ...contract.problems(method, path, answer),
          ...parameterProblems(method, path, answer, sent),
          ...bodyProblems(method, path, sent.body, answer)
        ].map((problem) => `${label}: ${problem}`)
      })
      return answer
    })

  const json = (answer: Answer) => JSON.parse(answer.body) as Json

  /** Polls the job (each poll an exchange like any other) until `done` holds. */
  const awaitJob = (id: string, done: (job: Json) => boolean) =>
    send("a job, polled", "GET", `/v1/syncs/${id}`).pipe(
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

  return { send, json, awaitJob, exchanges, statuses }
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
      const service = yield* serviceProcessOver(yield* fs.makeTempDirectoryScoped(), [
        ...yield* sandboxServiceArgs(token),
        "--read-token",
        readToken,
        "--provisioning"
      ])
      const document = yield* documentOf(service, token)
      const { awaitJob, exchanges, json, send, statuses } = conformance(service, document)
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

      yield* send("healthz", "GET", "/healthz", { token: null })
      yield* send("readyz, no token", "GET", "/readyz", { token: null })
      // The document lists the bearer scheme on /readyz: a generated client holding a token sends it.
      assert.deepStrictEqual(Object.keys(json(yield* send("readyz, a token", "GET", "/readyz"))), ["status", "account_id", "account_name"])
      yield* send("readyz, a read token", "GET", "/readyz", read)
      // A wrong token is no refusal here (the document declares no 401): the answer is the one without a token.
      assert.deepStrictEqual(json(yield* send("readyz, a wrong token", "GET", "/readyz", { token: "not-the-token-of-this-service" })), {
        status: "ready"
      })
      yield* send("capabilities", "GET", "/v1/capabilities")
      yield* send("capabilities, a read token", "GET", "/v1/capabilities", read)
      yield* send("capabilities, no token", "GET", "/v1/capabilities", { token: null })
      yield* send("capabilities, a wrong token", "GET", "/v1/capabilities", { token: "not-the-token-of-this-service" })
      yield* send("capabilities, a query parameter", "GET", "/v1/capabilities?verbose=1")
      yield* send("jobs, none yet", "GET", "/v1/syncs")
      yield* send("schedule", "GET", "/v1/schedule")
      yield* send("resources before a sync", "GET", "/v1/resources")
      yield* send("export before a sync", "GET", "/v1/export")
      yield* send("start, a read token", "POST", "/v1/syncs", read)

      // A sync held by Fivetran's rate limit: running for as long as the test needs.
      yield* sandbox.setFaults({ rateLimitBurst: { requests: 1, retryAfterSeconds: 600 } })
      const held = String(json(yield* send("start, to be held", "POST", "/v1/syncs")).id)
      yield* awaitJob(held, (job) => job.status === "waiting_for_rate_limit")
      yield* send("start while one runs", "POST", "/v1/syncs")
      yield* send("file of a running job", "GET", `/v1/syncs/${held}/file`)
      yield* send("cancel, a read token", "POST", `/v1/syncs/${held}/cancel`, read)
      yield* send("cancel", "POST", `/v1/syncs/${held}/cancel`)
      yield* awaitJob(held, (job) => job.status === "cancelled")
      yield* sandbox.setFaults({})

      const id = String(json(yield* send("start", "POST", "/v1/syncs")).id)
      yield* awaitJob(id, (job) => job.status === "succeeded")
      yield* send("jobs", "GET", "/v1/syncs")
      yield* send("job, a malformed id", "GET", "/v1/syncs/not.an.id")
      yield* send("job, an unknown id", "GET", "/v1/syncs/20260101T000000Z-0000")
      yield* send("cancel a finished job", "POST", `/v1/syncs/${id}/cancel`)
      yield* send("cancel an unknown job", "POST", "/v1/syncs/20260101T000000Z-0000/cancel")
      const file = yield* send("file", "GET", `/v1/syncs/${id}/file`)
      const job = json(yield* send("job", "GET", `/v1/syncs/${id}`))
      assert.deepStrictEqual([job.file_bytes, (job.summary as Json).resourceTypes], [Number(file.headers["content-length"]), 4])
      yield* send("file, If-None-Match", "GET", `/v1/syncs/${id}/file`, { headers: { "if-none-match": file.headers.etag! } })
      yield* send("file of an unknown job", "GET", "/v1/syncs/20260101T000000Z-0000/file")

      const first = json(yield* send("resources, a page", "GET", "/v1/resources?page_size=5"))
      yield* send("resources, the next page", "GET", `/v1/resources?page_size=5&page_token=${first.next_page_token}`)
      yield* send("resources, a token not issued", "GET", "/v1/resources?page_token=forged", { beyondTheSchema: "not issued" })
      yield* send("grants, a token of the resources", "GET", `/v1/grants?page_token=${first.next_page_token}`, {
        beyondTheSchema: "issued for another listing"
      })
      yield* send("resources, a search", "GET", "/v1/resources?q=acme&page_size=2")
      assert.deepStrictEqual(json(yield* send("resources, a blank search", "GET", "/v1/resources?q=%20")), {
        error: "InvalidRequest",
        message: "q: expected a part of a name, email or id, not blank (leave q out to list every resource), got \" \"",
        field: "q"
      })
      yield* send("resources, an unknown type", "GET", "/v1/resources?type=robot", { beyondTheSchema: "the registry's types" })
      yield* send("resources, page_size 0", "GET", "/v1/resources?page_size=0")
      yield* send("resources, an unknown parent", "GET", "/v1/resources?parent=group:nosuch")
      yield* send("resources, a misspelt filter", "GET", "/v1/resources?principle=user:x")
      yield* send("a user", "GET", `/v1/resources/user/${member.id}`)
      yield* send("a role", "GET", "/v1/resources/role/Account%20Administrator")
      yield* send("a group, a read token", "GET", `/v1/resources/group/${membership.group_id}`, read)
      yield* send("an unknown user", "GET", "/v1/resources/user/nosuch")
      yield* send("an unknown type", "GET", "/v1/resources/robot/x", { beyondTheSchema: "the registry's types" })
      yield* send("entitlements", "GET", "/v1/entitlements?page_size=3")
      yield* send("entitlements of a team", "GET", `/v1/entitlements?resource=team:${team.id}`)
      yield* send("entitlements, an unknown resource", "GET", "/v1/entitlements?resource=user:nosuch")
      yield* send("entitlements, a malformed resource", "GET", "/v1/entitlements?resource=nocolon")
      yield* send("grants", "GET", "/v1/grants?page_size=3")
      yield* send("grants of a principal", "GET", `/v1/grants?principal=user:${membership.user_id}`)
      yield* send("grants, a malformed principal", "GET", "/v1/grants?principal=robot")
      yield* send("grants, an unknown entitlement", "GET", "/v1/grants?entitlement=team:nosuch:member")
      yield* send("access of a user", "GET", `/v1/principals/user/${membership.user_id}/access`)
      yield* send("access of a team", "GET", `/v1/principals/team/${team.id}/access`)
      yield* send("access of a group", "GET", `/v1/principals/group/${membership.group_id}/access`)
      yield* send("access of an unknown user", "GET", "/v1/principals/user/nosuch/access")
      yield* send("search", "GET", "/v1/principals?q=a&limit=3")
      yield* send("search, an empty q", "GET", "/v1/principals?q=")
      yield* send("search, limit 0", "GET", "/v1/principals?limit=0")
      yield* send("account roles", "GET", "/v1/account-roles")
      yield* send("export", "GET", "/v1/export")
      yield* send("export, jsonl, a read token", "GET", "/v1/export?format=jsonl", read)
      yield* send("export of a destination", "GET", `/v1/export?resource=group:${membership.group_id}`)
      yield* send("export, an unknown format", "GET", "/v1/export?format=xml")
      yield* send("export, an unknown principal", "GET", "/v1/export?principal=user:nosuch")
      yield* send("export, two filters", "GET", `/v1/export?principal=user:${member.id}&resource=team:${team.id}`, {
        beyondTheSchema: "one filter of three"
      })
      yield* send("diff", "GET", `/v1/syncs/${id}/diff?base=${held}`)
      yield* send("diff with itself", "GET", `/v1/syncs/${id}/diff?base=${id}&page_size=1`)
      yield* send("diff without base", "GET", `/v1/syncs/${id}/diff`)
      yield* send("diff, a malformed base", "GET", `/v1/syncs/${id}/diff?base=not.an.id`)
      yield* send("diff, a token not issued", "GET", `/v1/syncs/${id}/diff?base=${id}&page_token=forged`, {
        beyondTheSchema: "not issued"
      })

      const grant = { entitlement_id: `team:${team.id}:member`, principal: { type: "user", id: member.id } }
      yield* send("grant, a read token", "POST", "/v1/grants", { ...read, body: grant })
      const granted = json(yield* send("grant", "POST", "/v1/grants", { body: grant }))
      yield* send("grant again", "POST", "/v1/grants", { body: grant })
      yield* send("grant a role with a typo", "POST", "/v1/grants", {
        body: { ...grant, entitlement_id: "role:Acount Reviewer:assigned" }
      })
      yield* send("grant an account role on a destination", "POST", "/v1/grants", {
        body: { ...grant, entitlement_id: `group:${membership.group_id}:Account Administrator` }
      })
      yield* send("grant a team role to a team", "POST", "/v1/grants", {
        body: { entitlement_id: `team:${team.id}:Team Manager`, principal: { type: "team", id: team.id } }
      })
      yield* send("grant to an unknown user", "POST", "/v1/grants", { body: { ...grant, principal: { type: "user", id: "nosuch" } } })
      yield* send("grant a malformed entitlement", "POST", "/v1/grants", { body: { ...grant, entitlement_id: "nocolon" } })
      yield* send("grant without entitlement", "POST", "/v1/grants", { body: { principal: grant.principal } })
      yield* send("grant with a field it does not take", "POST", "/v1/grants", { body: { ...grant, dry_run: true } })
      yield* send("grant, a text body", "POST", "/v1/grants", { body: JSON.stringify(grant), headers: { "content-type": "text/plain" } })
      yield* send("grant, a body over 64 KiB", "POST", "/v1/grants", { body: { ...grant, entitlement_id: "x".repeat(70_000) } })
      const grantId = encodeURIComponent(String((granted.grants as ReadonlyArray<Json>)[0]!.id))
      yield* send("revoke, a read token", "DELETE", `/v1/grants/${grantId}`, read)
      yield* send("revoke", "DELETE", `/v1/grants/${grantId}`)
      yield* send("revoke again", "DELETE", `/v1/grants/${grantId}`)
      yield* send("revoke a malformed id", "DELETE", "/v1/grants/nocolon")
      yield* send(
        "revoke a role with a typo",
        "DELETE",
        `/v1/grants/${encodeURIComponent(`role:Acount Reviewer:assigned:user:${member.id}`)}`
      )

      // The ids provisioning checks: each the service refuses 400 InvalidId, the document's pattern
      // refuses too (the exchange's checks above), and each it reads, the pattern takes.
      const group = membership.group_id
      const malformed = [
        yield* send("grant, a padded group id", "POST", "/v1/grants", { body: { ...grant, entitlement_id: `group:${group} :member` } }),
        yield* send("grant, an unknown type", "POST", "/v1/grants", { body: { ...grant, entitlement_id: "robot:x:member" } }),
        yield* send("grant, no slug", "POST", "/v1/grants", { body: { ...grant, entitlement_id: `group:${group}:` } }),
        yield* send("grant, an email as team id", "POST", "/v1/grants", {
          body: { ...grant, entitlement_id: "team:ada@example.com:member" }
        }),
        yield* send("grant, a path step as group id", "POST", "/v1/grants", { body: { ...grant, entitlement_id: "group:..:member" } }),
        yield* send("grant, a padded user id", "POST", "/v1/grants", {
          body: { ...grant, principal: { type: "user", id: `${member.id} ` } }
        }),
        yield* send("grant, an email as user id", "POST", "/v1/grants", {
          body: { ...grant, principal: { type: "user", id: "ada@example.com" } }
        }),
        yield* send("grant, a slash in a user id", "POST", "/v1/grants", { body: { ...grant, principal: { type: "user", id: "a/b" } } }),
        yield* send("grant, a zero-width space in a user id", "POST", "/v1/grants", {
          body: { ...grant, principal: { type: "user", id: `\u200b${member.id}` } }
        }),
        yield* send("revoke, no principal part", "DELETE", `/v1/grants/${encodeURIComponent(`group:${group}:${membership.role}`)}`),
        yield* send("revoke, a padded user id", "DELETE", `/v1/grants/${encodeURIComponent(`${groupGrant} `)}`),
        yield* send(
          "revoke, not a principal type",
          "DELETE",
          `/v1/grants/${encodeURIComponent(`group:${group}:${membership.role}:robot:${membership.user_id}`)}`
        ),
        yield* send("delete, a padded user id", "DELETE", `/v1/resources/user/${encodeURIComponent(`${deleted.id} `)}`),
        yield* send("delete, an email as user id", "DELETE", `/v1/resources/user/${encodeURIComponent("ada@example.com")}`),
        yield* send("delete, a ':' in a user id", "DELETE", `/v1/resources/user/${encodeURIComponent("a:b")}`)
      ]
      assert.deepStrictEqual(malformed.map((answer) => [answer.status, json(answer).error]), malformed.map(() => [400, "InvalidId"]))
      const wellFormed = [
        yield* send("grant, a connection that does not exist", "POST", "/v1/grants", {
          body: { ...grant, entitlement_id: "connection:nosuch:Connection Collaborator" }
        }),
        yield* send("revoke, a user without it", "DELETE", `/v1/grants/${encodeURIComponent(`team:${team.id}:member:user:nosuch`)}`),
        yield* send("revoke, a role's name with ':'", "DELETE", `/v1/grants/${encodeURIComponent(`role:A:B:assigned:user:${member.id}`)}`),
        yield* send("delete, a user that does not exist", "DELETE", "/v1/resources/user/nosuch")
      ]
      assert.deepStrictEqual(wellFormed.map((answer) => [answer.status, json(answer).error ?? json(answer).status]), [
        [422, "UnknownRole"],
        [200, "already_revoked"],
        [422, "UnknownRole"],
        [200, "does_not_exist"]
      ])
      const account = { email: "openapi.conformance@example.com", given_name: "Open", family_name: "Api" }
      yield* send("create account", "POST", "/v1/accounts", { body: account })
      yield* send("create account again", "POST", "/v1/accounts", { body: account })
      yield* send("create account again, another role", "POST", "/v1/accounts", { body: { ...account, role: "Account Administrator" } })
      yield* send("create account, a role with a typo", "POST", "/v1/accounts", {
        body: { ...account, email: "other.conformance@example.com", role: "Acount Reviewer" }
      })
      yield* send("create account, not an email", "POST", "/v1/accounts", { body: { ...account, email: "x" } })
      yield* send("delete a user, a read token", "DELETE", `/v1/resources/user/${deleted.id}`, read)
      yield* send("delete a user", "DELETE", `/v1/resources/user/${deleted.id}`)
      yield* send("delete a user again", "DELETE", `/v1/resources/user/${deleted.id}`)
      yield* send("delete a team", "DELETE", `/v1/resources/team/${team.id}`)
      yield* sandbox.setFaults({ rateLimitBurst: { requests: 1, retryAfterSeconds: 600 } })
      const limited = yield* send("revoke held by the rate limit", "DELETE", `/v1/grants/${encodeURIComponent(groupGrant)}`)
      assert.deepStrictEqual([limited.headers["retry-after"], json(limited).retry_after_seconds], ["600", 600])
      yield* sandbox.setFaults({ serverErrorShare: 1 })
      yield* send("delete while Fivetran fails", "DELETE", `/v1/resources/user/${membership.user_id}`)
      yield* sandbox.setFaults({})

      // A service without --provisioning.
      const unprovisioned = yield* serviceProcessOver(yield* fs.makeTempDirectoryScoped(), yield* sandboxServiceArgs(token))
      const off = conformance(unprovisioned, yield* documentOf(unprovisioned, token))
      yield* off.send("grant, provisioning off", "POST", "/v1/grants", { body: grant })
      yield* off.send("revoke, provisioning off", "DELETE", `/v1/grants/${grantId}`)
      yield* off.send("create account, provisioning off", "POST", "/v1/accounts", { body: account })
      yield* off.send("delete a user, provisioning off", "DELETE", `/v1/resources/user/${member.id}`)

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
        [
          ...operationsOf(document)
        ].sort()
      )
      assert.deepStrictEqual(statuses(), {
        "GET /healthz": [200],
        "GET /readyz": [200],
        "GET /v1/capabilities": [200, 400, 401],
        "GET /v1/syncs": [200],
        "GET /v1/schedule": [200],
        "GET /v1/resources": [200, 400, 404],
        "GET /v1/export": [200, 400, 404],
        "POST /v1/syncs": [202, 403, 409],
        "GET /v1/syncs/{id}": [200, 400, 404],
        "GET /v1/syncs/{id}/file": [200, 304, 404],
        "POST /v1/syncs/{id}/cancel": [200, 403, 404],
        "GET /v1/grants": [200, 400, 404],
        "GET /v1/resources/{type}/{id}": [200, 400, 404],
        "GET /v1/entitlements": [200, 400, 404],
        "GET /v1/principals/{type}/{id}/access": [200, 400, 404],
        "GET /v1/principals": [200, 400],
        "GET /v1/account-roles": [200],
        "GET /v1/syncs/{id}/diff": [200, 400, 404],
        "POST /v1/grants": [200, 201, 400, 403, 404, 413, 415, 422],
        "DELETE /v1/grants/{grant_id}": [200, 400, 403, 422, 429],
        "POST /v1/accounts": [200, 201, 400, 409, 422],
        "DELETE /v1/resources/{type}/{id}": [200, 400, 403, 422, 502]
      })
      assert.deepStrictEqual(off.statuses(), {
        "POST /v1/grants": [403],
        "DELETE /v1/grants/{grant_id}": [403],
        "POST /v1/accounts": [403],
        "DELETE /v1/resources/{type}/{id}": [403]
      })
      assert.deepStrictEqual([...exchanges, ...off.exchanges].flatMap(({ problems }) => problems), [])
    }).pipe(Effect.provide(Sandbox.layer({ snapshot: small, port: 0 })), Effect.provide(NodeContext.layer)), 120_000)
})
