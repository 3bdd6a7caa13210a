import { assert, describe, it } from "@effect/vitest"
import {
  derivedGrant,
  directGrant,
  groupEntitlements,
  groupResource,
  makeRoleCatalog,
  roleAssignedEntitlement,
  roleResource,
  teamGrant
} from "../src/index.js"
import { FastCheck as fc } from "effect"
import type { Entitlement } from "../src/model/Baton.js"
import { TeamExpansion } from "../src/sync/TeamExpansion.js"
import { group, roles } from "./fixtures.js"
import { PairMapTeamExpansion } from "./support/PairMapTeamExpansion.js"

const catalog = makeRoleCatalog(roles)
const warehouse = groupResource(group("g1", "Warehouse"), { syncConnections: false })
const [manage, view] = groupEntitlements(warehouse, catalog)
const reviewer = roleAssignedEntitlement(roleResource(catalog.account[1]!))

/** t1 = {u1, u2}, t2 = {u2, u3}; both hold View on g1, t1 also holds the Account Reviewer role. */
const expansion = () => {
  const e = new TeamExpansion()
  e.addMembers("t1", ["u1", "u2"])
  e.holds("t1", reviewer)
  e.holds("t1", view!.id)
  e.addMembers("t2", ["u2", "u3"])
  e.holds("t2", view!.id)
  return e
}

describe("TeamExpansion", () => {
  it("hands each team-reached pair out once: to the direct grant, or as a derived grant", () => {
    const e = expansion()
    assert.deepStrictEqual(e.takeForDirect(view!.id, "u2"), ["t1", "t2"])
    assert.deepStrictEqual(e.takeForDirect(view!.id, "u2"), [])
    assert.deepStrictEqual(e.takeForDirect(manage!.id, "u1"), [])
    assert.deepStrictEqual(e.takeRemaining(view!.id), [
      { userId: "u1", teamIds: ["t1"] },
      { userId: "u3", teamIds: ["t2"] }
    ])
    assert.deepStrictEqual(e.takeRemaining(view!.id), [])
    assert.deepStrictEqual(Array.from(e.takeKnown(), ({ entitlement, reaches }) => [entitlement.id, reaches]), [
      ["role:Account Reviewer:assigned", [{ userId: "u1", teamIds: ["t1"] }, { userId: "u2", teamIds: ["t1"] }]]
    ])
    assert.deepStrictEqual(Array.from(e.takeKnown()), [])
    assert.deepStrictEqual(e.unclaimed(), [])
  })

  it("counts a team once when it holds the same entitlement again, whether a user reaches it through one team or two", () => {
    const e = expansion()
    e.holds("t1", view!.id)
    e.holds("t2", view!.id)
    assert.deepStrictEqual(e.takeRemaining(view!.id), [
      { userId: "u1", teamIds: ["t1"] },
      { userId: "u2", teamIds: ["t1", "t2"] },
      { userId: "u3", teamIds: ["t2"] }
    ])
  })

  it("reports entitlements nobody claimed", () => {
    const e = expansion()
    Array.from(e.takeKnown())
    assert.deepStrictEqual(e.unclaimed(), ["group:g1:View Destination"])
  })
})

/** Entitlements passed whole to `holds` (account roles) and by id (group roles), as the sync does. */
const knownEntitlements: ReadonlyArray<Entitlement> = catalog.account.map((role) => roleAssignedEntitlement(roleResource(role)))
const entitlementIds: ReadonlyArray<string> = [
  ...knownEntitlements.map((e) => e.id),
  ...groupEntitlements(warehouse, catalog).map((e) => e.id)
]

const recordedTeam = fc.record({
  members: fc.uniqueArray(fc.nat(11), { maxLength: 9 }),
  listed: fc.boolean(),
  holds: fc.array(fc.nat(entitlementIds.length - 1), { maxLength: 5 })
})

const take = fc.oneof(
  fc.record({ kind: fc.constant("direct" as const), entitlement: fc.nat(entitlementIds.length - 1), user: fc.nat(11) }),
  fc.record({ kind: fc.constant("remaining" as const), entitlement: fc.nat(entitlementIds.length - 1) }),
  fc.record({ kind: fc.constant("known" as const) }),
  fc.record({ kind: fc.constant("unclaimed" as const) })
)

describe("TeamExpansion against the per-pair map it replaced", () => {
  it("hands out the same teams and reaches, in the same order, for random teams and takes", () => {
    fc.assert(
      fc.property(fc.array(recordedTeam, { maxLength: 7 }), fc.boolean(), fc.array(take, { maxLength: 60 }), (teams, lastFirst, takes) => {
        const current = new TeamExpansion()
        const reference = new PairMapTeamExpansion()
        // Each team's holdings right after its members (as the sync records them), or, to vary the
        // order of holders, all members first and then the holdings from the last team to the first.
        const recorded = teams.map((team, index) => ({ ...team, teamId: `t${index}` }))
        for (const expansion of [current, reference]) {
          const record = (teamId: string, holds: ReadonlyArray<number>) => {
            for (const held of holds) expansion.holds(teamId, knownEntitlements[held] ?? entitlementIds[held]!)
          }
          for (const { holds, listed, members, teamId } of recorded) {
            if (listed) expansion.addMembers(teamId, members.map((user) => `u${user}`))
            if (!lastFirst) record(teamId, holds)
          }
          if (lastFirst) { for (const { holds, teamId } of [...recorded].reverse()) record(teamId, holds) }
        }
        for (const step of takes) {
          const [got, expected] = [current, reference].map((expansion) => {
            switch (step.kind) {
              case "direct":
                return expansion.takeForDirect(entitlementIds[step.entitlement]!, `u${step.user}`)
              case "remaining":
                return expansion.takeRemaining(entitlementIds[step.entitlement]!)
              case "known":
                return Array.from(expansion.takeKnown(), ({ entitlement, reaches }) => [entitlement.id, reaches])
              case "unclaimed":
                return expansion.unclaimed()
            }
          })
          assert.deepStrictEqual(got, expected, JSON.stringify(step))
        }
      }),
      { numRuns: 2_000, seed: 20261201 }
    )
  })
})

describe("grant builders", () => {
  it("a direct grant also reached through teams names both sources, stays revocable", () => {
    assert.deepStrictEqual(directGrant(view!, { resourceType: "user", resource: "u2" }, ["t1", "t2"]), {
      id: "group:g1:View Destination:user:u2",
      entitlement: view!,
      principal: { id: { resourceType: "user", resource: "u2" }, annotations: [] },
      annotations: [],
      sources: {
        "group:g1:View Destination": { isDirect: true },
        "team:t1:member": { isDirect: false },
        "team:t2:member": { isDirect: false }
      }
    })
  })

  it("a plain direct grant has no sources", () => {
    assert.deepStrictEqual(directGrant(reviewer, { resourceType: "user", resource: "u9" }), {
      id: "role:Account Reviewer:assigned:user:u9",
      entitlement: reviewer,
      principal: { id: { resourceType: "user", resource: "u9" }, annotations: [] },
      annotations: []
    })
  })

  it("a team grant is expandable through the team's member entitlement", () => {
    assert.deepStrictEqual(teamGrant(view!, "t1"), {
      id: "group:g1:View Destination:team:t1",
      entitlement: view!,
      principal: { id: { resourceType: "team", resource: "t1" }, annotations: [] },
      annotations: [{ _tag: "GrantExpandable", entitlementIds: ["team:t1:member"] }]
    })
  })

  it("a derived grant is immutable and sourced from each team", () => {
    assert.deepStrictEqual(derivedGrant(view!, "u2", ["t1", "t2"]), {
      id: "group:g1:View Destination:user:u2",
      entitlement: view!,
      principal: { id: { resourceType: "user", resource: "u2" }, annotations: [] },
      annotations: [{ _tag: "GrantImmutable", sourceId: "team:t1:member" }],
      sources: { "team:t1:member": { isDirect: false }, "team:t2:member": { isDirect: false } }
    })
  })
})
