import type { Entitlement, Resource, ResourceType, SyncRow } from "@baton-fivetran/connector-core"

/**
 * 100,000 users with 120-character ids, each a member of one team: indexing that many keys passes
 * SQLite's 16 MiB in-memory sort, so their sync spills to a file in SQLite's temporary directory.
 */
const userType: ResourceType = { id: "user", displayName: "User", traits: ["USER"], annotations: [] }
const teamType: ResourceType = { id: "team", displayName: "Team", traits: ["GROUP"], annotations: [] }
const team: Resource = { id: { resourceType: "team", resource: "t1" }, displayName: "T", annotations: [] }
const member: Entitlement = {
  id: "team:t1:member",
  resource: team,
  displayName: "member",
  grantableTo: [userType],
  purpose: "ASSIGNMENT",
  slug: "member",
  annotations: []
}

export function* spillingRows(): Generator<SyncRow> {
  yield { _tag: "ResourceTypeRow", value: userType }
  yield { _tag: "ResourceTypeRow", value: teamType }
  yield { _tag: "ResourceRow", value: team }
  yield { _tag: "EntitlementRow", value: member }
  for (let i = 0; i < 100_000; i++) {
    const id = { resourceType: "user", resource: "u".repeat(120) + i }
    yield { _tag: "ResourceRow", value: { id, displayName: "U", annotations: [] } }
    yield {
      _tag: "GrantRow",
      value: { id: `team:t1:member:user:${id.resource}`, entitlement: member, principal: { id, annotations: [] }, annotations: [] }
    }
  }
}
