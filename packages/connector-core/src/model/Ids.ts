import { Data, Effect } from "effect"
import { echoed } from "@baton-fivetran/fivetran-client"
import type { ResourceId } from "./Baton.js"

/**
 * Entitlement and grant ids, exactly as docs/architecture.md §2 fixes them (baton's `NewEntitlementID` /
 * `NewGrantID`): a raw `:`-join. Identity systems key configuration on these strings, so they are
 * built and parsed only here.
 */

export type IdKind = "entitlement" | "grant"

/** An id that does not have the design's shape; `message` quotes it (EchoedText.ts) and says what is wrong. */
export class MalformedId extends Data.TaggedError("MalformedId")<{
  readonly kind: IdKind
  readonly id: string
  readonly reason: string
}> {
  override get message() {
    const shape = this.kind === "entitlement"
      ? "<type>:<resource id>:<slug>"
      : "<type>:<resource id>:<slug>:<principal type>:<principal id>"
    return `invalid ${this.kind} id "${echoed(this.id)}": ${this.reason} (expected ${shape})`
  }
}

export interface EntitlementIdParts {
  readonly resourceType: string
  readonly resourceId: string
  readonly slug: string
}

export interface GrantIdParts {
  readonly entitlementId: string
  readonly entitlement: EntitlementIdParts
  readonly principalType: string
  readonly principalId: string
}

/** A UTF-16 surrogate without its pair: no Fivetran id has one, and a URL cannot carry it. */
const unpairedSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** An id no request can name Fivetran's objects by: building its URL throws (a 500 in the HTTP service). */
export const hasUnpairedSurrogate = (id: string): boolean => unpairedSurrogate.test(id)

/**
 * A user, team, group or connection id no Fivetran object can have. Sent anyway it reads as absent
 * (a 404), which a revoke or a delete would report as done: an id copied from a padded table
 * ("U ") is refused instead. `message` quotes the id as JSON and names any invisible character.
 */
export class MalformedFivetranId extends Data.TaggedError("MalformedFivetranId")<{
  /** What the id names: `user`, `team`, `group`, `connection`. */
  readonly kind: string
  readonly id: string
  readonly reason: string
}> {
  override get message() {
    return `invalid ${this.kind} id ${JSON.stringify(echoed(this.id))}: ${this.reason}`
  }
}

/** What a pasted id picks up and no Fivetran id has (opaque, in practice `nozzle_eat`): whitespace, control and invisible characters. */
const strayClass = "\\s\\p{Cc}\\p{Cf}"
const stray = new RegExp(`[${strayClass}]`, "u")

/** Text with no '@', whitespace or `excluded` character. */
const emailPart = (excluded: string) => `[^\\s@${excluded}]+`

/**
 * An email where an id belongs (`--delete-resource ada@example.com`): Fivetran ids are opaque words
 * with no '@', so Fivetran answers 404, and a delete or revoke reported "does not exist" and "already
 * revoked", exit 0, while the user kept the access.
 */
export const EmailShaped = new RegExp(`^${emailPart("")}@${emailPart("")}\\.${emailPart("")}$`)

/**
 * The ids checkFivetranId and EmailShaped let through, as a pattern (ECMA-262 in Unicode mode, as
 * JSON Schema reads one; `\p{Cs}` is an unpaired surrogate) that ends where a ':' or the text does:
 * the OpenAPI document's, built from the same parts as the check so that the two say the same.
 */
export const FivetranIdPattern = `(?!\\.\\.?(?::|$))(?!${emailPart(":")}@${emailPart(":")}\\.${emailPart(":")}(?::|$))` +
  `[^:/\\\\${strayClass}\\p{Cs}]+`

/** `U+0020`: how a message names a character that JSON would leave invisible (a zero-width space, a no-break space). */
export const codePointText = (char: string): string => `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`

/** e.g. `whitespace (U+0020)`. */
const strayName = (char: string): string => {
  const what = /\s/.test(char) ? "whitespace" : /\p{Cc}/u.test(char) ? "a control character" : "an invisible formatting character"
  return `${what} (${codePointText(char)})`
}

/**
 * In a name where spaces belong (a role's), the first character a printed message would not show
 * as it is: whitespace other than U+0020 (a no-break space), a control or an invisible formatting
 * character (a zero-width space). Named (`a no-break space... (U+00A0)`) by a refusal that quotes
 * the name, which would otherwise read exactly as a valid one.
 */
export const hiddenCharacterIn = (name: string): string | undefined => {
  const hidden = Array.from(name).find((char) => char !== " " && stray.test(char))
  return hidden === undefined ? undefined : strayName(hidden)
}

const strayProblem = (id: string): string | undefined => {
  const chars = Array.from(id)
  const first = chars[0] ?? ""
  const last = chars[chars.length - 1] ?? ""
  if (stray.test(first)) return `it starts with ${strayName(first)}`
  if (stray.test(last)) return `it ends with ${strayName(last)}`
  const inner = chars.find((char) => stray.test(char))
  return inner === undefined ? undefined : `it contains ${strayName(inner)}`
}

const fivetranIdProblem = (id: string): string | undefined => {
  if (id === "") return "it is empty"
  if (hasUnpairedSurrogate(id)) return "it contains an unpaired UTF-16 surrogate"
  if (id.includes(":")) return "it contains ':', which no Fivetran id has"
  // Sent percent-encoded, but a proxy that decodes %2F would read "a/../b" as path steps.
  const slash = /[/\\]/.exec(id)?.[0]
  if (slash !== undefined) return `it contains '${slash}', which no Fivetran id has`
  // A URL reads these as path steps: GET /v1/users/.. is a request for /v1/.
  if (id === "." || id === "..") return `it is "${id}", a path step in a URL, not an id`
  const problem = strayProblem(id)
  return problem === undefined ? undefined : `${problem}, which no Fivetran id has`
}

/** `id` as given, or why no Fivetran object can have it; `kind` names it in the message (`user`, `group`, ...). */
export const checkFivetranId = (kind: string, id: string): Effect.Effect<string, MalformedFivetranId> => {
  const reason = fivetranIdProblem(id)
  return reason === undefined ? Effect.succeed(id) : Effect.fail(new MalformedFivetranId({ kind, id, reason }))
}

/** `<resource type>:<resource id>`: a resource as the review and warnings name it, and its `.c1z` row's external id. */
export const resourceRefOf = (id: ResourceId): string => `${id.resourceType}:${id.resource}`

/** `<resource type>:<resource id>:<slug>` */
export const entitlementId = (resource: ResourceId, slug: string): string => `${resourceRefOf(resource)}:${slug}`

/** `<entitlement id>:<principal type>:<principal id>` */
export const grantId = (entitlement: string, principal: ResourceId): string => `${entitlement}:${resourceRefOf(principal)}`

/** The `member` entitlement of a team: the source every team-derived grant names. */
export const teamMemberEntitlementId = (teamId: string): string => entitlementId({ resourceType: "team", resource: teamId }, "member")

const parseEntitlement = (id: string, kind: IdKind, whole: string): Effect.Effect<EntitlementIdParts, MalformedId> => {
  const first = id.indexOf(":")
  const last = id.lastIndexOf(":")
  if (first < 0 || first === last) {
    return Effect.fail(new MalformedId({ kind, id: whole, reason: "it needs at least two ':' separators" }))
  }
  const resourceType = id.slice(0, first)
  const resourceId = id.slice(first + 1, last)
  const slug = id.slice(last + 1)
  if (resourceType === "") return Effect.fail(new MalformedId({ kind, id: whole, reason: "the resource type is empty" }))
  if (resourceId === "") return Effect.fail(new MalformedId({ kind, id: whole, reason: "the resource id is empty" }))
  if (slug === "") return Effect.fail(new MalformedId({ kind, id: whole, reason: "the slug is empty" }))
  return Effect.succeed({ resourceType, resourceId, slug })
}

/** Type = before the first `:`, slug = after the last `:`, resource id = what lies between. */
export const parseEntitlementId = (id: string): Effect.Effect<EntitlementIdParts, MalformedId> => parseEntitlement(id, "entitlement", id)

/** Parses from the right: principal id and type never contain `:`; the rest is the entitlement id. */
export const parseGrantId = (id: string): Effect.Effect<GrantIdParts, MalformedId> => {
  const last = id.lastIndexOf(":")
  const beforeLast = last < 0 ? -1 : id.lastIndexOf(":", last - 1)
  if (beforeLast < 0) {
    return Effect.fail(new MalformedId({ kind: "grant", id, reason: "it has no ':<principal type>:<principal id>' suffix" }))
  }
  const principalType = id.slice(beforeLast + 1, last)
  const principalId = id.slice(last + 1)
  if (principalType === "") return Effect.fail(new MalformedId({ kind: "grant", id, reason: "the principal type is empty" }))
  if (principalId === "") return Effect.fail(new MalformedId({ kind: "grant", id, reason: "the principal id is empty" }))
  const entitlement = id.slice(0, beforeLast)
  return Effect.map(parseEntitlement(entitlement, "grant", id), (parts) => ({
    entitlementId: entitlement,
    entitlement: parts,
    principalType,
    principalId
  }))
}
