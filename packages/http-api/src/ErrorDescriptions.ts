/**
 * The platform describes a response by the first description among the errors its status allows:
 * POST /v1/grants' 403 read "The bearer token is a read-only one", though a service without
 * --provisioning answers it ProvisioningDisabled, and a status shared by errors none of which had a
 * description read "Error". An OpenApi.Transform that describes each error response that allows
 * more than one code by all of them: "`ReadOnlyToken`: ...; `ProvisioningDisabled`: ...", each code
 * once. It also takes out the 403 of a GET, which only a read-only token's refusal would be.
 */

type Json = Record<string, unknown>

const objectAt = (value: unknown): Json => typeof value === "object" && value !== null ? value as Json : {}

const componentRef = /^#\/components\/schemas\/(.+)$/

/** The component an error response's member refers to, directly or as its one `allOf`. */
const memberRef = (member: Json): string | undefined => {
  const ref = typeof member.$ref === "string" ? member.$ref : objectAt(Array.isArray(member.allOf) ? member.allOf[0] : undefined).$ref
  return typeof ref === "string" ? ref : undefined
}

/** The codes (component names) an error response's schema allows, in order, each once, with its description. */
const codesOf = (schema: Json, components: Json): ReadonlyArray<{ readonly code: string; readonly description?: string }> => {
  const members = Array.isArray(schema.anyOf) ? schema.anyOf.map(objectAt) : [schema]
  const found = new Map<string, string | undefined>()
  for (const member of members) {
    const code = componentRef.exec(memberRef(member) ?? "")?.[1]
    if (code === undefined) continue
    const description = member.description ?? objectAt(components[code]).description
    if (found.get(code) === undefined) found.set(code, typeof description === "string" ? description : undefined)
  }
  return [...found].map(([code, description]) => description === undefined ? { code } : { code, description })
}

/**
 * One member per code. A provisioning 404 allowed `NotFound` twice (the Api's, for no such job or
 * endpoint, and connector-core's refusal, for what Fivetran does not have), two members of one
 * component: a body valid against both, which `oneOf` would refuse and a client generator makes two
 * variants of one type for. Same-named members are one, with both descriptions.
 */
const distinctMembers = (schema: Json): Json => {
  if (!Array.isArray(schema.anyOf)) return schema
  const members: Array<Json> = []
  for (const member of schema.anyOf.map(objectAt)) {
    const ref = memberRef(member)
    const at = ref === undefined ? -1 : members.findIndex((kept) => memberRef(kept) === ref)
    const kept = members[at]
    if (kept === undefined) {
      members.push(member)
      continue
    }
    const described = [kept.description, member.description].filter((text) => typeof text === "string")
    const [first, ...more] = [...new Set(described)]
    members[at] = { ...kept, description: [first, ...more.map((text) => text.charAt(0).toLowerCase() + text.slice(1))].join("; or ") }
  }
  if (members.length === schema.anyOf.length) return schema
  return members.length === 1 ? members[0]! : { ...schema, anyOf: members }
}

const describedResponse = (status: string, response: unknown, components: Json): unknown => {
  const current = objectAt(response)
  const content = objectAt(objectAt(current.content)["application/json"])
  const declared = objectAt(content.schema)
  const schema = Number(status) >= 400 ? distinctMembers(declared) : declared
  const codes = Number(status) >= 400 ? codesOf(schema, components) : []
  const answer = schema === declared
    ? current
    : { ...current, content: { ...objectAt(current.content), "application/json": { ...content, schema } } }
  if (codes.length < 2) return answer
  const description = codes.map(({ code, description }) => description === undefined ? `\`${code}\`` : `\`${code}\`: ${description}`)
    .join("; ")
  return { ...answer, description }
}

/**
 * A read-only token is refused only what changes something (apps/http Auth.ts), but the
 * Authentication middleware declares ReadOnlyToken on every endpoint: a GET whose 403 can be
 * nothing else never answers 403, and its description said a read-only token could not read.
 */
const readOnlyTokenOnly = (method: string, status: string, response: unknown, components: Json) =>
  method === "get" && status === "403" &&
  codesOf(objectAt(objectAt(objectAt(objectAt(response).content)["application/json"]).schema), components)
    .every(({ code }) => code === "ReadOnlyToken")

export const withErrorResponseDescriptions = (spec: Json): Json => {
  const components = objectAt(objectAt(spec.components).schemas)
  const paths = Object.entries(objectAt(spec.paths)).map(([path, operations]) =>
    [
      path,
      Object.fromEntries(
        Object.entries(objectAt(operations)).map(([method, value]) => {
          const operation = objectAt(value)
          const responses = Object.entries(objectAt(operation.responses))
            .filter(([status, response]) => !readOnlyTokenOnly(method, status, response, components))
            .map(([status, response]) => [status, describedResponse(status, response, components)])
          return [method, { ...operation, responses: Object.fromEntries(responses) }]
        })
      )
    ] as const
  )
  return { ...spec, paths: Object.fromEntries(paths) }
}
