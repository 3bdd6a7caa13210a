import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js"
import addFormats from "ajv-formats"
import { Effect } from "effect"
import { Harness, TestToken } from "./Harness.js"

/**
 * The OpenAPI document the service serves, read as a consumer generating a client reads it: each
 * answer is checked against what the document declares for its operation and status (the status
 * itself, the required headers, the content type, and the body against the JSON Schema given for
 * that content type, validated by ajv's 2020-12 validator, the dialect of OpenAPI 3.1).
 */

/** An answer as sent: its status, its headers (lower-case names) and its body. */
export interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

interface HeaderObject {
  readonly required?: boolean
  readonly schema?: object
}

interface ResponseObject {
  readonly headers?: Record<string, { readonly $ref: string }>
  readonly content?: Record<string, { readonly schema?: object }>
}

interface Operation {
  readonly requestBody?: object
  readonly responses: Record<string, ResponseObject>
}

export interface OpenApiDocument {
  readonly openapi: string
  readonly paths: Record<string, Record<string, Operation>>
  readonly components: { readonly headers: Record<string, HeaderObject> }
}

export interface ServedContract {
  /** What the document's request body schema of `method path` finds wrong with `body`; none when it takes it. */
  readonly requestProblems: (method: string, path: string, body: unknown) => ReadonlyArray<string>
  /** The response headers the document marks `required`: those every answer declaring them must carry. */
  readonly requiredHeaders: ReadonlyArray<string>
  /** What is wrong with `answer` as the answer of `method path` (a path as sent, with its query); none when it conforms. */
  readonly problems: (method: string, path: string, answer: Answer) => ReadonlyArray<string>
}

const DocumentId = "openapi.json"

const pointer = (...tokens: ReadonlyArray<string>) => tokens.map((token) => token.replaceAll("~", "~0").replaceAll("/", "~1")).join("/")

/** The template of the document's path `path` matches, the most literal one first. */
const templateOf = (document: OpenApiDocument, path: string): string | undefined => {
  const bare = path.split("?")[0]!
  const matching = Object.keys(document.paths).filter((template) => new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`).test(bare))
  return matching.sort((a, b) => a.split("{").length - b.split("{").length)[0]
}

export const makeServedContract = (document: OpenApiDocument): ServedContract => {
  const ajv = new Ajv2020({ strict: false, allErrors: true })
  addFormats.default(ajv)
  // Throws when the document is no valid JSON Schema resource (e.g. one $id given to two schemas).
  ajv.addSchema({ ...document, $id: DocumentId })
  const validators = new Map<string, ValidateFunction>()
  const validator = (ref: string) => {
    const known = validators.get(ref)
    if (known !== undefined) return known
    const made = ajv.compile({ $ref: ref })
    validators.set(ref, made)
    return made
  }
  const headerRef = /^#\/components\/headers\/(.+)$/

  const problems = (method: string, path: string, answer: Answer): ReadonlyArray<string> => {
    const found: Array<string> = []
    const template = templateOf(document, path)
    const verb = method.toLowerCase()
    const operation = template === undefined ? undefined : document.paths[template]?.[verb]
    if (template === undefined || operation === undefined) return [`${method} ${path}: no such operation in the document`]
    const declared = operation.responses[String(answer.status)]
    if (declared === undefined) return [`${method} ${template} answered ${answer.status}, which it does not declare: ${answer.body}`]
    const where = `${method} ${template} ${answer.status}`
    for (const [name, { $ref }] of Object.entries(declared.headers ?? {})) {
      const definition = document.components.headers[headerRef.exec($ref)?.[1] ?? ""]
      if (definition === undefined) {
        found.push(`${where}: header ${name} refers to ${$ref}, which the document does not define`)
        continue
      }
      const value = answer.headers[name.toLowerCase()]
      if (value === undefined) {
        if (definition.required === true) found.push(`${where}: required header ${name} not sent`)
        continue
      }
      const schema = definition.schema as { readonly type?: string } | undefined
      const typed = schema?.type === "integer" && /^-?\d+$/.test(value) ? Number(value) : value
      const check = validator(`${DocumentId}#/${pointer("components", "headers", name, "schema")}`)
      if (!check(typed)) found.push(`${where}: header ${name} ${JSON.stringify(value)}: ${ajv.errorsText(check.errors)}`)
    }
    const content = declared.content ?? {}
    const contentType = (answer.headers["content-type"] ?? "").split(";")[0]!.trim()
    if (Object.keys(content).length === 0) {
      if (answer.body !== "") found.push(`${where}: a body (${contentType}) where the document declares none`)
      return found
    }
    if (!(contentType in content)) {
      found.push(`${where}: content-type ${JSON.stringify(contentType)}, the document declares ${Object.keys(content).join(", ")}`)
      return found
    }
    if (contentType !== "application/json") return found
    let body: unknown
    try {
      body = JSON.parse(answer.body)
    } catch {
      return [...found, `${where}: the body is not JSON: ${answer.body.slice(0, 200)}`]
    }
    const check = validator(
      `${DocumentId}#/${pointer("paths", template, verb, "responses", String(answer.status), "content", contentType, "schema")}`
    )
    if (!check(body)) found.push(`${where}: ${ajv.errorsText(check.errors, { separator: "; " })} in ${answer.body.slice(0, 300)}`)
    return found
  }
  const requestProblems = (method: string, path: string, body: unknown): ReadonlyArray<string> => {
    const template = templateOf(document, path)
    const verb = method.toLowerCase()
    if (template === undefined || document.paths[template]?.[verb]?.requestBody === undefined) {
      return [`${method} ${path}: the document declares no request body`]
    }
    const check = validator(
      `${DocumentId}#/${pointer("paths", template, verb, "requestBody", "content", "application/json", "schema")}`
    )
    return check(body) ? [] : [ajv.errorsText(check.errors, { separator: "; " })]
  }
  const requiredHeaders = Object.entries(document.components.headers).filter(([, header]) => header.required === true)
    .map(([name]) => name)
  return { problems, requestProblems, requiredHeaders }
}

/** The document the harness's service serves, as a ServedContract. */
export const servedContract = Effect.gen(function*() {
  const { request } = yield* Harness
  const response = yield* request("GET", "/openapi.json", { token: TestToken })
  const document = (yield* Effect.orDie(response.json)) as OpenApiDocument
  return yield* Effect.sync(() => makeServedContract(document))
})

/** A raw HTTP/1.1 answer (RawExchange's) as an Answer. */
export const parseAnswer = (raw: string): Answer => {
  const [head = "", ...rest] = raw.split("\r\n\r\n")
  const [statusLine = "", ...lines] = head.split("\r\n")
  const headers = Object.fromEntries(lines.map((line) => {
    const colon = line.indexOf(":")
    return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()] as const
  }))
  return { status: Number(statusLine.split(" ")[1]), headers, body: rest.join("\r\n\r\n") }
}
