import type { User } from "@baton-fivetran/fivetran-client"
import type { Resource, ResourceId, ResourceStatus, ResourceType, UserTrait } from "../model/Baton.js"

/** Fivetran users. They hold access but offer none, so the syncer skips their entitlements and grants. */
export const UserResourceType: ResourceType = {
  id: "user",
  displayName: "User",
  traits: ["USER"],
  description: "A Fivetran user or service account",
  annotations: [{ _tag: "SkipEntitlementsAndGrants" }]
}

export const userResourceId = (userId: string): ResourceId => ({ resourceType: UserResourceType.id, resource: userId })

/** "Given Family", or the email when both names are empty or blank, or the id when there is no email either. */
export const userDisplayName = (user: User): string => {
  // Each name as Fivetran gives it (docs/architecture.md §2): trimming the joined pair dropped a
  // given name's leading tab or spaces, which a review must see. An empty one adds no space.
  const name = [user.given_name, user.family_name].filter((part) => part !== "").join(" ")
  if (name.trim() !== "") return name
  return user.email !== "" ? user.email : user.id
}

/** active -> ENABLED, else DISABLED; details "invited" while the invitation is pending. */
export const userStatus = (user: User): ResourceStatus => ({
  status: user.active ? "ENABLED" : "DISABLED",
  ...(user.invited ? { details: "invited" } : {})
})

/**
 * A user resource: Resource-level status, profile and created_at, and the same values on the
 * (deprecated) UserTrait copies for older readers. The profile is the raw Fivetran user.
 */
export const userResource = (user: User): Resource => {
  const status = userStatus(user)
  const profile: Record<string, unknown> = { ...user }
  const trait: UserTrait = {
    _tag: "UserTrait",
    emails: user.email === "" ? [] : [{ address: user.email, isPrimary: true }],
    status,
    profile,
    accountType: user.user_type === "SERVICE_ACCOUNT" ? "SERVICE" : "HUMAN",
    ...(user.email === "" ? {} : { login: user.email }),
    createdAt: user.created_at,
    ...(user.logged_in_at === null ? {} : { lastLogin: user.logged_in_at }),
    structuredName: { givenName: user.given_name, familyName: user.family_name }
  }
  return {
    id: userResourceId(user.id),
    displayName: userDisplayName(user),
    annotations: [trait],
    profile,
    status,
    createdAt: user.created_at
  }
}
