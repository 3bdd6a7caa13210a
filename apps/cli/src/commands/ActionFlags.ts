import { type AccountRequest, parseStrictJson, type PrincipalRef } from "@baton-fivetran/connector-core"
import { Data, Effect, Either, Option, ParseResult, Schema } from "effect"
import { UsageError } from "../UsageError.js"

/**
 * baton's one-shot provisioning flags (docs/baton-conventions.md), one action per run, checked before
 * anything is loaded or contacted.
 */

export type ProvisioningAction = Data.TaggedEnum<{
  Grant: { readonly entitlementId: string; readonly principal: PrincipalRef }
  Revoke: { readonly grantId: string }
  CreateAccount: { readonly request: AccountRequest }
  DeleteResource: { readonly resourceType: string; readonly id: string }
}>
export const ProvisioningAction = Data.taggedEnum<ProvisioningAction>()

export interface ProvisioningFlags {
  readonly grantEntitlement: Option.Option<string>
  readonly grantPrincipal: Option.Option<string>
  readonly grantPrincipalType: Option.Option<string>
  readonly revokeGrant: Option.Option<string>
  readonly createAccountEmail: Option.Option<string>
  readonly createAccountLogin: Option.Option<string>
  readonly createAccountProfile: Option.Option<string>
  readonly deleteResource: Option.Option<string>
  readonly deleteResourceType: Option.Option<string>
}

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

const profileRefusal = (problem: string) => new UsageError({ reason: `--create-account-profile: ${problem} (${profileHelp})` })

/**
 * The profile is a flat object of strings: that is checked on the parsed value before the schema
 * sees it, so a hostile value (thousands of nested brackets, a huge array) gets a short message
 * instead of a schema dump or a stack overflow. JSON.parse itself may overflow on deep nesting:
 * that is "not valid JSON" too. A key given twice is refused (connector-core's StrictJson): JSON.parse
 * keeps the last, so `"role":"Account Reviewer","role":"Account Administrator"` made an Administrator.
 */
const parseProfile = (json: string) =>
  Effect.gen(function*() {
    const parsed = parseStrictJson(json)
    if (Either.isLeft(parsed)) {
      return yield* profileRefusal(
        parsed.left._tag === "NotJson" ? "not valid JSON" : `${parsed.left.path.join(".")} is given twice; give each field once`
      )
    }
    const value = parsed.right
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return yield* profileRefusal(`got ${Array.isArray(value) ? "an array" : value === null ? "null" : `a ${typeof value}`}`)
    }
    const nested = Object.entries(value).find(([, field]) => typeof field === "object" && field !== null)
    if (nested !== undefined) return yield* profileRefusal(`${nested[0]}: must be a string, not an object or array`)
    return yield* Schema.decodeUnknown(AccountProfile)(value).pipe(
      Effect.mapError((error) => profileRefusal(profileError(error)))
    )
  })

const profileError = (error: ParseResult.ParseError) =>
  ParseResult.ArrayFormatter.formatErrorSync(error)
    .map((issue) =>
      issue.path.length === 0
        ? issue.message
        : issue.message.startsWith("is unexpected")
        ? `${issue.path.join(".")} is not a profile field${issue.path[0] === "email" ? " (the email is --create-account-email)" : ""}`
        : `${issue.path.join(".")}: ${issue.message}`
    )
    .join("; ")

const requireFlag = (value: Option.Option<string>, flag: string, action: string) =>
  Option.match(value, {
    onSome: Effect.succeed,
    onNone: () => new UsageError({ reason: `${action} needs --${flag}` })
  })

const given = (flags: ProvisioningFlags) => ({
  grant: [flags.grantEntitlement, flags.grantPrincipal, flags.grantPrincipalType].some(Option.isSome),
  revoke: Option.isSome(flags.revokeGrant),
  createAccount: [flags.createAccountEmail, flags.createAccountLogin, flags.createAccountProfile].some(Option.isSome),
  deleteResource: [flags.deleteResource, flags.deleteResourceType].some(Option.isSome)
})

const actionFlag = {
  grant: "--grant-entitlement",
  revoke: "--revoke-grant",
  createAccount: "--create-account-email",
  deleteResource: "--delete-resource"
} as const

const principalTypes: ReadonlyArray<string> = ["user", "team"]

const sameEmail = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase()

/**
 * The review commands print resources as `type:id`; pasted into a flag that takes the bare id,
 * the prefix made an id Fivetran cannot have (its ids hold no ':').
 */
const checkBareId = (flag: string, id: string, type: string, typeFlag: string) =>
  id.startsWith(`${type}:`)
    ? new UsageError({
      reason: `--${flag} ${id}: give the id without its type (${id.slice(type.length + 1)}); the type goes in ${typeFlag}`
    })
    : Effect.void

/** The action the flags ask for, or None for the default action (a sync). */
export const selectAction = (flags: ProvisioningFlags): Effect.Effect<Option.Option<ProvisioningAction>, UsageError> =>
  Effect.gen(function*() {
    const asked = Object.entries(given(flags)).filter(([, present]) => present).map(([name]) => name as keyof typeof actionFlag)
    if (asked.length > 1) {
      return yield* new UsageError({
        reason: `one provisioning action per run: got ${asked.map((name) => actionFlag[name]).join(" and ")}`
      })
    }
    switch (asked[0]) {
      case undefined:
        return Option.none()
      case "grant": {
        const entitlementId = yield* requireFlag(flags.grantEntitlement, "grant-entitlement", "granting")
        const id = yield* requireFlag(flags.grantPrincipal, "grant-principal", "granting")
        const type = yield* requireFlag(flags.grantPrincipalType, "grant-principal-type", "granting")
        if (!principalTypes.includes(type)) {
          return yield* new UsageError({
            reason: `--grant-principal-type ${type}: expected one of ${principalTypes.join(", ")} (only users and teams hold grants)`
          })
        }
        yield* checkBareId("grant-principal", id, type, "--grant-principal-type")
        return Option.some(ProvisioningAction.Grant({ entitlementId, principal: { type, id } }))
      }
      case "revoke":
        return Option.map(flags.revokeGrant, (grantId) => ProvisioningAction.Revoke({ grantId }))
      case "createAccount": {
        const email = yield* requireFlag(
          Option.orElse(flags.createAccountEmail, () => flags.createAccountLogin),
          "create-account-email",
          "creating an account"
        )
        // Fivetran's login is the email: a different login would be dropped without a word.
        if (Option.isSome(flags.createAccountLogin) && !sameEmail(flags.createAccountLogin.value, email)) {
          return yield* new UsageError({
            reason: `--create-account-login ${flags.createAccountLogin.value} differs from --create-account-email ${email}: ` +
              "a Fivetran login is the user's email; give one of them"
          })
        }
        const profileJson = yield* requireFlag(
          flags.createAccountProfile,
          "create-account-profile '{\"given_name\":...,\"family_name\":...}'",
          "creating an account"
        )
        const profile = yield* parseProfile(profileJson)
        return Option.some(ProvisioningAction.CreateAccount({ request: { email, ...profile } }))
      }
      case "deleteResource": {
        const id = yield* requireFlag(flags.deleteResource, "delete-resource", "deleting")
        const resourceType = yield* requireFlag(flags.deleteResourceType, "delete-resource-type", "deleting")
        yield* checkBareId("delete-resource", id, resourceType, "--delete-resource-type")
        return Option.some(ProvisioningAction.DeleteResource({ resourceType, id }))
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
