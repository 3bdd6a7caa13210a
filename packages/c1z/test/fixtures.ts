import type { Entitlement, Grant, Resource, ResourceType, SyncRow } from "@baton-fivetran/connector-core"

/** A small account holding every kind of object the connector emits (docs/architecture.md §2). */

export const userType: ResourceType = {
  id: "user",
  displayName: "User",
  traits: ["USER"],
  description: "A Fivetran user",
  annotations: [{ _tag: "SkipEntitlementsAndGrants" }]
}
export const roleType: ResourceType = { id: "role", displayName: "Role", traits: ["ROLE"], annotations: [] }
export const groupType: ResourceType = {
  id: "group",
  displayName: "Group",
  traits: ["GROUP"],
  annotations: [{ _tag: "ChildResourceType", resourceTypeId: "connection" }]
}
export const teamType: ResourceType = { id: "team", displayName: "Team", traits: ["GROUP"], annotations: [] }
export const connectionType: ResourceType = { id: "connection", displayName: "Connection", traits: [], annotations: [] }

const userProfile = {
  id: "u_alice",
  email: "alice@example.com",
  verified: true,
  logins: 12,
  phone: null,
  tags: ["a", 1, false, null, { nested: "x" }],
  "z-last": { deep: { deeper: [1.5, "two"] } }
}

export const alice: Resource = {
  id: { resourceType: "user", resource: "u_alice" },
  displayName: "Alice Liddell",
  annotations: [
    {
      _tag: "UserTrait",
      emails: [{ address: "alice@example.com", isPrimary: true }],
      status: { status: "ENABLED", details: "active" },
      profile: userProfile,
      accountType: "HUMAN",
      login: "alice@example.com",
      createdAt: "2024-01-02T03:04:05Z",
      lastLogin: "2025-06-07T08:09:10.123456789Z",
      structuredName: { givenName: "Alice", familyName: "Liddell" }
    }
  ],
  profile: userProfile,
  status: { status: "ENABLED", details: "active" },
  createdAt: "2024-01-02T03:04:05Z"
}

export const bob: Resource = {
  id: { resourceType: "user", resource: "u_bob" },
  displayName: "svc-bot@example.com",
  annotations: [
    {
      _tag: "UserTrait",
      emails: [{ address: "svc-bot@example.com", isPrimary: true }],
      status: { status: "DISABLED", details: "invited" },
      accountType: "SERVICE",
      login: "svc-bot@example.com"
    }
  ],
  status: { status: "DISABLED", details: "invited" }
}

export const adminRole: Resource = {
  id: { resourceType: "role", resource: "Account Administrator" },
  displayName: "Account Administrator",
  description: "Full access",
  annotations: [{ _tag: "RoleTrait", profile: { is_custom: false, scope: ["ACCOUNT"] } }]
}

export const warehouse: Resource = {
  id: { resourceType: "group", resource: "g_warehouse" },
  displayName: "Warehouse",
  annotations: [
    { _tag: "GroupTrait", profile: { created_at: "2023-05-01T00:00:00Z" } },
    { _tag: "ChildResourceType", resourceTypeId: "connection" }
  ]
}

export const analysts: Resource = {
  id: { resourceType: "team", resource: "t_analysts" },
  displayName: "Analysts",
  description: "The analytics team",
  annotations: [{ _tag: "GroupTrait" }]
}

export const salesforce: Resource = {
  id: { resourceType: "connection", resource: "c_salesforce" },
  parentResourceId: { resourceType: "group", resource: "g_warehouse" },
  displayName: "salesforce sf_main",
  annotations: []
}

export const adminAssigned: Entitlement = {
  id: "role:Account Administrator:assigned",
  resource: adminRole,
  displayName: "Account Administrator",
  description: "Holds the Account Administrator role",
  grantableTo: [userType, teamType],
  purpose: "ASSIGNMENT",
  slug: "assigned",
  annotations: [{ _tag: "EntitlementExclusionGroup", exclusionGroupId: "account-role", order: 3 }]
}

export const destinationManager: Entitlement = {
  id: "group:g_warehouse:Destination Manager",
  resource: warehouse,
  displayName: "Destination Manager",
  grantableTo: [userType, teamType],
  purpose: "PERMISSION",
  slug: "Destination Manager",
  annotations: [
    { _tag: "EntitlementExclusionGroup", exclusionGroupId: "group:g_warehouse", order: 2, isDefault: true, scopeToResource: true }
  ]
}

export const teamMember: Entitlement = {
  id: "team:t_analysts:member",
  resource: analysts,
  displayName: "member",
  grantableTo: [userType],
  purpose: "ASSIGNMENT",
  slug: "member",
  annotations: []
}

export const connectionReviewer: Entitlement = {
  id: "connection:c_salesforce:Connector Reviewer",
  resource: salesforce,
  displayName: "Connector Reviewer",
  grantableTo: [userType, teamType],
  purpose: "PERMISSION",
  slug: "Connector Reviewer",
  annotations: []
}

const principal = (resource: Resource): Resource => ({ id: resource.id, annotations: [] })

export const aliceIsAdmin: Grant = {
  id: "role:Account Administrator:assigned:user:u_alice",
  entitlement: adminAssigned,
  principal: principal(alice),
  annotations: []
}

export const bobInTeam: Grant = {
  id: "team:t_analysts:member:user:u_bob",
  entitlement: teamMember,
  principal: principal(bob),
  annotations: []
}

/** The team's group role: expandable to every team member. */
export const teamManagesWarehouse: Grant = {
  id: "group:g_warehouse:Destination Manager:team:t_analysts",
  entitlement: destinationManager,
  principal: principal(analysts),
  annotations: [{ _tag: "GrantExpandable", entitlementIds: ["team:t_analysts:member"] }]
}

/** Derived through the team: sources name the team entitlement, and it cannot be revoked directly. */
export const bobManagesWarehouse: Grant = {
  id: "group:g_warehouse:Destination Manager:user:u_bob",
  entitlement: destinationManager,
  principal: principal(bob),
  annotations: [{ _tag: "GrantImmutable", sourceId: "team:t_analysts:member" }],
  sources: { "team:t_analysts:member": { isDirect: false } }
}

/** Held directly and through a team: both sources, direct one marked, still revocable. */
export const aliceReviews: Grant = {
  id: "connection:c_salesforce:Connector Reviewer:user:u_alice",
  entitlement: connectionReviewer,
  principal: principal(alice),
  annotations: [],
  sources: {
    "team:t_analysts:member": { isDirect: false },
    "connection:c_salesforce:Connector Reviewer": { isDirect: true }
  }
}

/** An expandable grant with every GrantExpandable field set. */
export const teamReviews: Grant = {
  id: "connection:c_salesforce:Connector Reviewer:team:t_analysts",
  entitlement: connectionReviewer,
  principal: principal(analysts),
  annotations: [
    { _tag: "GrantExpandable", entitlementIds: ["team:t_analysts:member"], shallow: true, resourceTypeIds: ["user"] }
  ]
}

export const resourceTypes = [userType, roleType, groupType, teamType, connectionType]
export const resources = [alice, bob, adminRole, warehouse, analysts, salesforce]
export const entitlements = [adminAssigned, destinationManager, teamMember, connectionReviewer]
export const grants = [aliceIsAdmin, bobInTeam, teamManagesWarehouse, bobManagesWarehouse, aliceReviews, teamReviews]

export const syncRows: ReadonlyArray<SyncRow> = [
  ...resourceTypes.map((value): SyncRow => ({ _tag: "ResourceTypeRow", value })),
  ...resources.map((value): SyncRow => ({ _tag: "ResourceRow", value })),
  ...entitlements.map((value): SyncRow => ({ _tag: "EntitlementRow", value })),
  ...grants.map((value): SyncRow => ({ _tag: "GrantRow", value }))
]

/** Writer options that keep every annotation of the fixtures (the opt-in ones included), for round trips. */
export const everyAnnotation = { annotations: { exclusionGroups: true } } as const
