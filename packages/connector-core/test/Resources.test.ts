import { assert, describe, it } from "@effect/vitest"
import {
  ConnectionResourceType,
  connectionEntitlements,
  connectionResource,
  GroupResourceType,
  groupEntitlements,
  groupResource,
  groupResourceType,
  makeRoleCatalog,
  BuiltInResourceTypes,
  RoleResourceType,
  roleAssignedEntitlement,
  roleResource,
  syncedResourceTypes,
  TeamResourceType,
  teamEntitlements,
  teamResource,
  UserResourceType,
  userResource
} from "../src/index.js"
import { connection, group, role, roles, team, user } from "./fixtures.js"

const catalog = makeRoleCatalog(roles)

describe("role catalog", () => {
  it("splits GET /v1/roles by scope, in API order, custom roles included", () => {
    assert.deepStrictEqual(catalog.account.map((r) => r.name), ["Account Administrator", "Account Reviewer", "Data Steward"])
    assert.deepStrictEqual(catalog.destination.map((r) => r.name), ["Manage Destination", "View Destination", "Destination Reviewer"])
    assert.deepStrictEqual(catalog.connector.map((r) => r.name), ["Manage Connection"])
    assert.deepStrictEqual(catalog.team.map((r) => r.name), ["Team Manager", "Team Member"])
  })

  it("lists a multi-scope role in each of its scopes", () => {
    const both = makeRoleCatalog([role("Hybrid", ["ACCOUNT", "DESTINATION"])])
    assert.deepStrictEqual([both.account.length, both.destination.length, both.connector.length], [1, 1, 0])
  })
})

describe("user", () => {
  it("maps a human user with both Resource-level and UserTrait copies", () => {
    const wire = user("quiet_harbor")
    const profile = { ...wire }
    const status = { status: "ENABLED" as const }
    assert.deepStrictEqual(userResource(wire), {
      id: { resourceType: "user", resource: "quiet_harbor" },
      displayName: "Ana Ruiz",
      annotations: [{
        _tag: "UserTrait",
        emails: [{ address: "quiet_harbor@example.com", isPrimary: true }],
        status,
        profile,
        accountType: "HUMAN",
        login: "quiet_harbor@example.com",
        createdAt: "2024-11-30T16:02:44.905117Z",
        lastLogin: "2025-02-11T07:31:09.410Z",
        structuredName: { givenName: "Ana", familyName: "Ruiz" }
      }],
      profile,
      status,
      createdAt: "2024-11-30T16:02:44.905117Z"
    })
  })

  it("marks an invited user, a suspended user and a service account", () => {
    const invited = userResource(user("u2", { invited: true, verified: false, logged_in_at: null, given_name: "", family_name: "" }))
    assert.deepStrictEqual(invited.status, { status: "ENABLED", details: "invited" })
    assert.strictEqual(invited.displayName, "u2@example.com")
    const trait = invited.annotations[0]
    assert.strictEqual(trait?._tag, "UserTrait")
    if (trait?._tag === "UserTrait") {
      assert.deepStrictEqual(trait.status, { status: "ENABLED", details: "invited" })
      assert.isUndefined(trait.lastLogin)
      assert.isFalse("lastLogin" in trait)
    }

    const suspended = userResource(user("u3", { active: false }))
    assert.deepStrictEqual(suspended.status, { status: "DISABLED" })

    const service = userResource(user("svc", { user_type: "SERVICE_ACCOUNT", given_name: "CI", family_name: "Bot" }))
    const serviceTrait = service.annotations[0]
    assert.strictEqual(serviceTrait?._tag === "UserTrait" ? serviceTrait.accountType : undefined, "SERVICE")
    assert.strictEqual(service.profile?.["user_type"], "SERVICE_ACCOUNT")
  })

  it("writes each name as Fivetran gives it: a leading tab or space stays; only a blank pair falls back to the email", () => {
    const names = [
      user("u4", { given_name: "\t=1+2", family_name: "Williams" }),
      user("u5", { given_name: " Ana ", family_name: "" }),
      user("u6", { given_name: "", family_name: "Ruiz" }),
      user("u7", { given_name: " ", family_name: "" })
    ].map((u) => userResource(u).displayName)
    // The pair was joined, then trimmed: "=1+2 Williams" and "Ana" hid what Fivetran holds.
    assert.deepStrictEqual(names, ["\t=1+2 Williams", " Ana ", "Ruiz", "u7@example.com"])
  })

  it("skips entitlements and grants on the user type", () => {
    assert.deepStrictEqual(UserResourceType, {
      id: "user",
      displayName: "User",
      traits: ["USER"],
      description: "A Fivetran user or service account",
      annotations: [{ _tag: "SkipEntitlementsAndGrants" }]
    })
  })
})

describe("role", () => {
  it("maps an account role with its `assigned` entitlement in the account exclusion group", () => {
    const wire = catalog.account[1]!
    const resource = roleResource(wire)
    assert.deepStrictEqual(resource, {
      id: { resourceType: "role", resource: "Account Reviewer" },
      displayName: "Account Reviewer",
      description: "Account Reviewer description",
      annotations: [{ _tag: "RoleTrait", profile: { ...wire } }],
      profile: { ...wire }
    })
    assert.deepStrictEqual(roleAssignedEntitlement(resource), {
      id: "role:Account Reviewer:assigned",
      resource,
      displayName: "Account Reviewer role",
      description: "Holds the Fivetran account role Account Reviewer",
      grantableTo: [UserResourceType, TeamResourceType],
      purpose: "ASSIGNMENT",
      slug: "assigned",
      annotations: [{ _tag: "EntitlementExclusionGroup", exclusionGroupId: "role:account" }]
    })
    assert.deepStrictEqual(RoleResourceType.traits, ["ROLE"])
  })

  it("names the replacement of a deprecated role", () => {
    const deprecated = role("Owner", ["ACCOUNT"], { is_deprecated: true, replacement_role_name: "Account Administrator" })
    assert.strictEqual(roleResource(deprecated).description, "Owner description Deprecated: replaced by \"Account Administrator\".")
  })

  it("does not repeat a deprecation the role's own description states", () => {
    const deprecated = (description: string, replacement: string | null) =>
      roleResource(role("Destination Reviewer", ["DESTINATION"], { description, is_deprecated: true, replacement_role_name: replacement }))
        .description
    assert.deepStrictEqual(
      [
        deprecated("Deprecated: use View Destination instead.", "View Destination"),
        deprecated("This role is deprecated.", "View Destination"),
        deprecated("This role is deprecated.", null),
        deprecated("", null),
        deprecated("Reads a destination.", "")
      ],
      [
        "Deprecated: use View Destination instead.",
        "This role is deprecated. Replaced by \"View Destination\".",
        "This role is deprecated.",
        "Deprecated.",
        "Reads a destination. Deprecated."
      ]
    )
  })
})

describe("group", () => {
  it("offers one PERMISSION entitlement per DESTINATION role, slug = role name, in one exclusion group", () => {
    const resource = groupResource(group("amber_falcon", "Warehouse"), { syncConnections: false })
    assert.deepStrictEqual(resource, {
      id: { resourceType: "group", resource: "amber_falcon" },
      displayName: "Warehouse",
      annotations: [{ _tag: "GroupTrait", profile: { id: "amber_falcon", name: "Warehouse", created_at: "2024-01-02T03:04:05Z" } }],
      profile: { id: "amber_falcon", name: "Warehouse", created_at: "2024-01-02T03:04:05Z" },
      createdAt: "2024-01-02T03:04:05Z"
    })
    const entitlements = groupEntitlements(resource, catalog)
    assert.deepStrictEqual(entitlements.map((e) => e.id), [
      "group:amber_falcon:Manage Destination",
      "group:amber_falcon:View Destination",
      "group:amber_falcon:Destination Reviewer"
    ])
    assert.deepStrictEqual(entitlements[2], {
      id: "group:amber_falcon:Destination Reviewer",
      resource,
      displayName: "Destination Reviewer on Warehouse",
      description: "Destination Reviewer description Deprecated: replaced by \"View Destination\".",
      grantableTo: [UserResourceType, TeamResourceType],
      purpose: "PERMISSION",
      slug: "Destination Reviewer",
      annotations: [{ _tag: "EntitlementExclusionGroup", exclusionGroupId: "group:amber_falcon:role" }]
    })
  })

  it("names connection as a child type only when connections are synced", () => {
    assert.deepStrictEqual(GroupResourceType.annotations, [])
    assert.deepStrictEqual(groupResourceType({ syncConnections: true }).annotations, [
      { _tag: "ChildResourceType", resourceTypeId: "connection" }
    ])
    assert.deepStrictEqual(groupResource(group("g", "G"), { syncConnections: true }).annotations[1], {
      _tag: "ChildResourceType",
      resourceTypeId: "connection"
    })
    assert.deepStrictEqual(syncedResourceTypes(BuiltInResourceTypes, { syncConnections: false }).map((t) => t.id), [
      "user",
      "role",
      "group",
      "team"
    ])
    assert.deepStrictEqual(syncedResourceTypes(BuiltInResourceTypes, { syncConnections: true }).map((t) => t.id), [
      "user",
      "role",
      "group",
      "team",
      "connection"
    ])
  })
})

describe("team", () => {
  it("offers `member` plus one entitlement per TEAM role; the role ones form an exclusion group", () => {
    const wire = team("t1", "Analysts", "Account Reviewer")
    const resource = teamResource(wire)
    assert.deepStrictEqual(resource, {
      id: { resourceType: "team", resource: "t1" },
      displayName: "Analysts",
      description: "Analysts team",
      annotations: [{ _tag: "GroupTrait", profile: { ...wire } }],
      profile: { ...wire }
    })
    const entitlements = teamEntitlements(resource, catalog)
    assert.deepStrictEqual(entitlements, [
      {
        id: "team:t1:member",
        resource,
        displayName: "Analysts member",
        description: "Member of the Fivetran team Analysts",
        grantableTo: [UserResourceType],
        purpose: "ASSIGNMENT",
        slug: "member",
        annotations: []
      },
      {
        id: "team:t1:Team Manager",
        resource,
        displayName: "Team Manager of Analysts",
        description: "Team Manager description",
        grantableTo: [UserResourceType],
        purpose: "PERMISSION",
        slug: "Team Manager",
        annotations: [{ _tag: "EntitlementExclusionGroup", exclusionGroupId: "team:t1:role" }]
      },
      {
        id: "team:t1:Team Member",
        resource,
        displayName: "Team Member of Analysts",
        description: "Team Member description",
        grantableTo: [UserResourceType],
        purpose: "PERMISSION",
        slug: "Team Member",
        annotations: [{ _tag: "EntitlementExclusionGroup", exclusionGroupId: "team:t1:role" }]
      }
    ])
  })
})

describe("connection", () => {
  it("is a child of its group, displayed as service schema, with one entitlement per CONNECTOR role", () => {
    const wire = connection("c1", "amber_falcon")
    const resource = connectionResource(wire)
    assert.deepStrictEqual(resource, {
      id: { resourceType: "connection", resource: "c1" },
      parentResourceId: { resourceType: "group", resource: "amber_falcon" },
      displayName: "salesforce sf_c1",
      annotations: [],
      profile: { ...wire },
      createdAt: "2024-05-06T07:08:09Z"
    })
    assert.deepStrictEqual(connectionEntitlements(resource, catalog), [{
      id: "connection:c1:Manage Connection",
      resource,
      displayName: "Manage Connection on salesforce sf_c1",
      description: "Manage Connection description",
      grantableTo: [UserResourceType, TeamResourceType],
      purpose: "PERMISSION",
      slug: "Manage Connection",
      annotations: [{ _tag: "EntitlementExclusionGroup", exclusionGroupId: "connection:c1:role" }]
    }])
    assert.deepStrictEqual(ConnectionResourceType.traits, [])
  })
})
