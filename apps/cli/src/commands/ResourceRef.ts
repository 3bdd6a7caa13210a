import {
  ConnectionResourceType,
  GroupResourceType,
  type PrincipalType,
  type ResourceId,
  resourceRefOf,
  RoleAssignedSlug,
  RoleResourceType
} from "@baton-fivetran/connector-core"
import { echoed, quotedEchoed } from "@baton-fivetran/fivetran-client/echoed-text"
import { shownText } from "@baton-fivetran/fivetran-client/shown-text"
import { Effect } from "effect"
import { UsageError } from "../UsageError.js"

/**
 * The `type:id` arguments of the review commands: any resource (`entitlements --resource`), or a
 * principal (`access`, `grants --principal`), which only a user or a team can be. A refusal repeats
 * the text given up to EchoedLength characters (echoed): a 100 kB id was repeated whole.
 */

/** `T:ID`; the id is everything after the first `:`. */
export const parseResourceRef = (flag: string, text: string): Effect.Effect<ResourceId, UsageError> => {
  const colon = text.indexOf(":")
  return colon <= 0 || colon === text.length - 1
    ? Effect.fail(new UsageError({ reason: `${flag}: expected <type>:<id>, e.g. user:quiet_harbor, got ${quotedEchoed(text)}` }))
    : Effect.succeed({ resourceType: text.slice(0, colon), resource: text.slice(colon + 1) })
}

const principalTypes: ReadonlyArray<string> = ["user", "team"] satisfies ReadonlyArray<PrincipalType>

/**
 * As a shell word, so that the suggested command can be pasted (role names have spaces). Text
 * holding control or bidi characters (a custom role's name is the account's) is ANSI-C quoted
 * (`$'...'`, bash and zsh) with them as `\u` escapes: shown, not acted on, and still the same id.
 */
export const shellWord = (text: string) => {
  if (/^[\w:.@/-]+$/.test(text)) return text
  const backslashed = text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")
  const shown = shownText(backslashed)
  return shown === backslashed ? `'${text.replaceAll("'", "'\\''")}'` : `$'${shown}'`
}

/**
 * Where to look instead when a role, group or connection is named as a principal: nothing holds
 * grants but users and teams, so its "access" would print (none) and read as "nobody", the
 * opposite of the truth a reviewer asking "who is admin?" needs.
 */
const holdersHint = (id: ResourceId, holders: string, resourceHolders: string | undefined) => {
  const given = resourceRefOf(id)
  const ref = echoed(given)
  switch (id.resourceType) {
    case RoleResourceType.id:
      return `${ref} is a role, whose holders are listed by: baton-fivetran ${holders} ${shellWord(echoed(`${given}:${RoleAssignedSlug}`))}`
    case GroupResourceType.id:
    case ConnectionResourceType.id:
      return resourceHolders !== undefined
        ? `${ref} is a ${id.resourceType}, whose holders (of each of its entitlements) are listed by: ` +
          `baton-fivetran ${resourceHolders} ${shellWord(ref)}`
        : `${ref} is a ${id.resourceType}: list its entitlements with: baton-fivetran entitlements --resource ${shellWord(ref)}, ` +
          `then the holders of each with: baton-fivetran ${holders} <entitlement id>`
    default:
      return `got ${JSON.stringify(ref)}`
  }
}

/**
 * A user or team. `usage` is how the command names its principal, `holders` the command and flag
 * that answer the question the other types ask: who holds this entitlement? `resourceHolders`,
 * where the command has one, answers it for a whole group or connection at once.
 */
export const parsePrincipalRef = (
  flag: string,
  text: string,
  usage: string,
  holders: string,
  resourceHolders?: string
): Effect.Effect<ResourceId, UsageError> =>
  Effect.flatMap(parseResourceRef(flag, text), (id) =>
    principalTypes.includes(id.resourceType)
      ? Effect.succeed(id)
      : Effect.fail(
        new UsageError({ reason: `${flag} takes a user or team (${usage}); ${holdersHint(id, holders, resourceHolders)}` })
      ))
