import {
  type AccountRequest,
  BuiltInResourceTypes,
  echoed,
  parseStrictJson,
  type PrincipalRef,
  resourceTypeIds
} from "@baton-fivetran/connector-core"
import { howToGive, type Setting, type Sourced } from "@baton-fivetran/settings"
import { Data, Effect, Either, Option, ParseResult, Schema } from "effect"
import {
  CreateAccountEmail,
  CreateAccountLogin,
  CreateAccountProfile,
  DeleteResource,
  DeleteResourceType,
  GrantEntitlement,
  GrantPrincipal,
  GrantPrincipalType,
  type ProvisioningFlags,
  RevokeGrant
} from "../settings/ActionSettings.js"
import { UsageError } from "../UsageError.js"

/**
 * baton's one-shot provisioning flags (docs/baton-conventions.md), one action per run, checked before
 * anything is loaded or contacted. Each value may come from its flag, its variable or .baton.yaml
 * (settings/ActionSettings.ts): a message names the source of each value it mentions, so that an
 * action left in the environment or the file is not mistaken for one typed on the command line.
 */

export type ProvisioningAction = Data.TaggedEnum<{
  Grant: { readonly entitlementId: string; readonly principal: PrincipalRef }
  Revoke: { readonly grantId: string }
  CreateAccount: { readonly request: AccountRequest }
  DeleteResource: { readonly resourceType: string; readonly id: string }
}>
export const ProvisioningAction = Data.taggedEnum<ProvisioningAction>()

/** An action and, when any of its values came from a variable or the file, where from (for messages). */
export interface RequestedAction {
  readonly action: ProvisioningAction
  readonly origin: Option.Option<string>
}

type Given = Sourced<string>

/**
 * `--create-account-profile '<json>'`: what Fivetran's invite needs besides the email. Any other
 * field is refused: ignored, a misspelt `"Role"` created the account with no role, exit 0.
 */
const AccountProfile = Schema.Struct({
  given_name: Schema.NonEmptyTrimmedString,
  family_name: Schema.NonEmptyTrimmedString,
  role: Schema.optionalWith(Schema.NonEmptyTrimmedString, { exact: true }),
  phone: Schema.optionalWith(Schema.NonEmptyTrimmedString, { exact: true })
}).annotations({ parseOptions: { onExcessProperty: "error" } })

const profileHelp = "expected a JSON object with given_name, family_name and optionally role, phone"

/** Names where the profile came from, never its text: it holds a person's name and phone. */
const profileRefusal = (source: string, problem: string) => new UsageError({ reason: `${source}: ${problem} (${profileHelp})` })

/**
 * The profile is a flat object of strings: that is checked on the parsed value before the schema
 * sees it, so a hostile value (thousands of nested brackets, a huge array) gets a short message
 * instead of a schema dump or a stack overflow. JSON.parse itself may overflow on deep nesting:
 * that is "not valid JSON" too. A key given twice is refused (connector-core's StrictJson): JSON.parse
 * keeps the last, so `"role":"Account Reviewer","role":"Account Administrator"` made an Administrator.
 */
const parseProfile = ({ source, value: json }: Given) =>
  Effect.gen(function*() {
    const refusal = (problem: string) => profileRefusal(source, problem)
    const parsed = parseStrictJson(json)
    if (Either.isLeft(parsed)) {
      return yield* refusal(
        parsed.left._tag === "NotJson" ? "not valid JSON" : `${parsed.left.path.join(".")} is given twice; give each field once`
      )
    }
    const value = parsed.right
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return yield* refusal(`got ${Array.isArray(value) ? "an array" : value === null ? "null" : `a ${typeof value}`}`)
    }
    const nested = Object.entries(value).find(([, field]) => typeof field === "object" && field !== null)
    if (nested !== undefined) return yield* refusal(`${nested[0]}: must be a string, not an object or array`)
    return yield* Schema.decodeUnknown(AccountProfile)(value).pipe(
      Effect.mapError((error) => refusal(profileError(error)))
    )
  })

/**
 * Each problem by the field it is in, never with the field's value (Schema's messages end
 * `actual " Ada"`): every field is non-empty text without spaces around it, so that is what any
 * other problem than a missing or unknown field means.
 */
const profileError = (error: ParseResult.ParseError) =>
  ParseResult.ArrayFormatter.formatErrorSync(error)
    .map((issue) => {
      const field = issue.path.join(".")
      switch (issue._tag) {
        case "Missing":
          return `${field}: is missing`
        case "Unexpected":
          return `${field} is not a profile field${issue.path[0] === "email" ? " (the email is --create-account-email)" : ""}`
        default:
          return `${field}: expected non-empty text without spaces around it`
      }
    })
    .join("; ")

/**
 * The variables and file keys among the values an action was given, as messages name them; none
 * when every value was typed on the command line.
 */
const originOf = (values: ReadonlyArray<Option.Option<Given>>, settings: ReadonlyArray<Setting<unknown>>): Option.Option<string> => {
  const sources = values.flatMap((value, i) =>
    Option.isSome(value) && value.value.source !== `--${settings[i]!.flag}` ? [value.value.source] : []
  )
  return sources.length === 0 ? Option.none() : Option.some(sources.join(" and "))
}

/**
 * A value the action needs that no source gives: the message names its flag and, when the action
 * came (in part) from a variable or the file, that source and every way to give the value.
 */
const requireFlag = (
  value: Option.Option<Given>,
  setting: Setting<unknown>,
  action: string,
  origin: Option.Option<string>,
  example = ""
) =>
  Option.match(value, {
    onSome: Effect.succeed,
    onNone: () =>
      new UsageError({
        reason: `${action} needs --${setting.flag}${example}` + Option.match(origin, {
          onNone: () => "",
          onSome: (sources) => ` (asked for by ${sources}): ${howToGive(setting)}`
        })
      })
  })

/** Each action's values, in their settings' order (the first one is the flag that names the action). */
const parts = (flags: ProvisioningFlags) => ({
  grant: [[flags.grantEntitlement, flags.grantPrincipal, flags.grantPrincipalType], [GrantEntitlement, GrantPrincipal, GrantPrincipalType]],
  revoke: [[flags.revokeGrant], [RevokeGrant]],
  createAccount: [
    [flags.createAccountEmail, flags.createAccountLogin, flags.createAccountProfile],
    [CreateAccountEmail, CreateAccountLogin, CreateAccountProfile]
  ],
  deleteResource: [[flags.deleteResource, flags.deleteResourceType], [DeleteResource, DeleteResourceType]]
} as const satisfies Record<string, readonly [ReadonlyArray<Option.Option<Given>>, ReadonlyArray<Setting<unknown>>]>)

type ActionKind = keyof ReturnType<typeof parts>

const actionFlag = {
  grant: "--grant-entitlement",
  revoke: "--revoke-grant",
  createAccount: "--create-account-email",
  deleteResource: "--delete-resource"
} as const satisfies Record<ActionKind, string>

const principalTypes: ReadonlyArray<string> = ["user", "team"]

const resourceTypes = resourceTypeIds(BuiltInResourceTypes)

const sameEmail = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase()

/** A value as messages show it: its source and the value, cut if long (`--grant-principal-type group`). */
const shown = (given: Given) => `${given.source} ${echoed(given.value)}`

/**
 * The review commands print resources as `type:id`; pasted into a flag that takes the bare id,
 * the prefix made an id Fivetran cannot have (its ids hold no ':').
 */
const checkBareId = (id: Given, type: string, typeFlag: string) =>
  id.value.startsWith(`${type}:`)
    ? new UsageError({
      reason: `${shown(id)}: give the id without its type (${echoed(id.value.slice(type.length + 1))}); the type goes in ${typeFlag}`
    })
    : Effect.void

/** The action the flags, variables and file ask for, or None for the default action (a sync). */
export const selectAction = (flags: ProvisioningFlags): Effect.Effect<Option.Option<RequestedAction>, UsageError> =>
  Effect.gen(function*() {
    const all = parts(flags)
    const asked = (Object.keys(all) as ReadonlyArray<ActionKind>).filter((name) => all[name][0].some(Option.isSome))
    // Named by where its first value came from: `--revoke-grant`, `BATON_REVOKE_GRANT`, `.baton.yaml: revoke-grant`.
    const label = (name: ActionKind) => Option.getOrElse(Option.firstSomeOf(all[name][0]), () => ({ source: actionFlag[name] })).source
    if (asked.length > 1) {
      return yield* new UsageError({ reason: `one provisioning action per run: got ${asked.map(label).join(" and ")}` })
    }
    if (asked[0] === undefined) return Option.none()
    const [values, settings] = all[asked[0]]
    const origin = originOf(values, settings)
    const requested = (action: ProvisioningAction) => Option.some<RequestedAction>({ action, origin })
    switch (asked[0]) {
      case "grant": {
        const entitlementId = yield* requireFlag(flags.grantEntitlement, GrantEntitlement, "granting", origin)
        const id = yield* requireFlag(flags.grantPrincipal, GrantPrincipal, "granting", origin)
        const type = yield* requireFlag(flags.grantPrincipalType, GrantPrincipalType, "granting", origin)
        if (!principalTypes.includes(type.value)) {
          return yield* new UsageError({
            reason: `${shown(type)}: expected one of ${principalTypes.join(", ")} (only users and teams hold grants)`
          })
        }
        yield* checkBareId(id, type.value, "--grant-principal-type")
        return requested(ProvisioningAction.Grant({ entitlementId: entitlementId.value, principal: { type: type.value, id: id.value } }))
      }
      case "revoke": {
        const grantId = yield* requireFlag(flags.revokeGrant, RevokeGrant, "revoking", origin)
        return requested(ProvisioningAction.Revoke({ grantId: grantId.value }))
      }
      case "createAccount": {
        const email = yield* requireFlag(
          Option.orElse(flags.createAccountEmail, () => flags.createAccountLogin),
          CreateAccountEmail,
          "creating an account",
          origin
        )
        // Fivetran's login is the email: a different login would be dropped without a word.
        const login = flags.createAccountLogin
        if (Option.isSome(login) && !sameEmail(login.value.value, email.value)) {
          return yield* new UsageError({
            reason: `${shown(login.value)} differs from ${shown(email)}: a Fivetran login is the user's email; give one of them`
          })
        }
        const profileJson = yield* requireFlag(
          flags.createAccountProfile,
          CreateAccountProfile,
          "creating an account",
          origin,
          " '{\"given_name\":...,\"family_name\":...}'"
        )
        const profile = yield* parseProfile(profileJson)
        return requested(ProvisioningAction.CreateAccount({ request: { email: email.value, ...profile } }))
      }
      case "deleteResource": {
        const id = yield* requireFlag(flags.deleteResource, DeleteResource, "deleting", origin)
        const resourceType = yield* requireFlag(flags.deleteResourceType, DeleteResourceType, "deleting", origin)
        // A type the connector does not have (`User`, `robot`) is a mistake in the command, not an
        // action the connector declines: it was refused as "only user resources can be deleted", exit 1.
        if (!resourceTypes.includes(resourceType.value)) {
          return yield* new UsageError({
            reason: `${shown(resourceType)}: not a resource type of this connector; expected one of ${
              resourceTypes.join(", ")
            } (in lower case; only users can be deleted)`
          })
        }
        yield* checkBareId(id, resourceType.value, "--delete-resource-type")
        return requested(ProvisioningAction.DeleteResource({ resourceType: resourceType.value, id: id.value }))
      }
    }
  })

/** The flag that names an action, for messages. */
export const actionName = ProvisioningAction.$match({
  Grant: () => actionFlag.grant,
  Revoke: () => actionFlag.revoke,
  CreateAccount: () => actionFlag.createAccount,
  DeleteResource: () => actionFlag.deleteResource
})
