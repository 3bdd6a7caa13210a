import { find, optional, type Setting, SettingKind, type SettingSources, type Sourced } from "@baton-fivetran/settings"
import { Effect, type Option } from "effect"

/**
 * baton's one-shot provisioning flags, declared as settings: like every baton flag (viper's
 * AutomaticEnv), each is read from the command line, its `BATON_*` variable or `.baton.yaml`, and
 * what it asks for is checked the same way wherever it came from (commands/ActionFlags.ts). Read
 * from the command line only, `BATON_GRANT_ENTITLEMENT=...` was ignored and a full sync ran, exit 0.
 */

/** baton hides these flags from help; @effect/cli cannot, so they are listed, marked "Needs -p". */
const actionFlag = (flag: string, kind: SettingKind.SettingKind<string>, description: string): Setting<string> =>
  optional(kind, { flag, description: `${description} Needs -p.` })

const text = SettingKind.text

/**
 * A person's name and phone: never shown back (a flag given twice is named without its values).
 * Text in .baton.yaml too, where a YAML map is refused as "got a map".
 */
const profile: SettingKind.SettingKind<string> = {
  ...text("JSON text of an object with given_name, family_name and optionally role, phone", "json"),
  secret: true
}

export const GrantEntitlement = actionFlag(
  "grant-entitlement",
  text("an entitlement id (<type>:<resource id>:<slug>)", "id"),
  "Grant this entitlement (e.g. group:G:Destination Reviewer)."
)
export const GrantPrincipal = actionFlag("grant-principal", text("a user or team id", "id"), "The user or team id to grant to.")
export const GrantPrincipalType = actionFlag("grant-principal-type", text("user or team", "user|team"), "The principal's resource type.")
export const RevokeGrant = actionFlag(
  "revoke-grant",
  text("a grant id (<entitlement id>:<principal type>:<principal id>)", "grant-id"),
  "Revoke this grant."
)
export const CreateAccountEmail = actionFlag("create-account-email", text("an email address", "email"), "Invite a user with this email.")
export const CreateAccountLogin = actionFlag(
  "create-account-login",
  text("the user's email (Fivetran logins are emails)", "login"),
  "The new user's login."
)
export const CreateAccountProfile = actionFlag(
  "create-account-profile",
  profile,
  "The new user's profile."
)
export const DeleteResource = actionFlag("delete-resource", text("a user id", "id"), "Delete this resource (a user id).")
export const DeleteResourceType = actionFlag("delete-resource-type", text("user", "type"), "The type of --delete-resource.")

/** In help's order. */
export const ActionSettings = [
  GrantEntitlement,
  GrantPrincipal,
  GrantPrincipalType,
  RevokeGrant,
  CreateAccountEmail,
  CreateAccountLogin,
  CreateAccountProfile,
  DeleteResource,
  DeleteResourceType
] as const

/** Each action flag's value and where it came from (`--revoke-grant`, `BATON_REVOKE_GRANT`, `.baton.yaml: revoke-grant`). */
export interface ProvisioningFlags {
  readonly grantEntitlement: Option.Option<Sourced<string>>
  readonly grantPrincipal: Option.Option<Sourced<string>>
  readonly grantPrincipalType: Option.Option<Sourced<string>>
  readonly revokeGrant: Option.Option<Sourced<string>>
  readonly createAccountEmail: Option.Option<Sourced<string>>
  readonly createAccountLogin: Option.Option<Sourced<string>>
  readonly createAccountProfile: Option.Option<Sourced<string>>
  readonly deleteResource: Option.Option<Sourced<string>>
  readonly deleteResourceType: Option.Option<Sourced<string>>
}

/** Every action flag from flag > variable > file, each source checked (an empty flag or file value is refused). */
export const findProvisioningFlags = (sources: SettingSources) =>
  Effect.all({
    grantEntitlement: find(GrantEntitlement, sources),
    grantPrincipal: find(GrantPrincipal, sources),
    grantPrincipalType: find(GrantPrincipalType, sources),
    revokeGrant: find(RevokeGrant, sources),
    createAccountEmail: find(CreateAccountEmail, sources),
    createAccountLogin: find(CreateAccountLogin, sources),
    createAccountProfile: find(CreateAccountProfile, sources),
    deleteResource: find(DeleteResource, sources),
    deleteResourceType: find(DeleteResourceType, sources)
  }) satisfies Effect.Effect<ProvisioningFlags, unknown>
