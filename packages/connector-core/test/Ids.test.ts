import { assert, describe, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { entitlementId, grantId, parseEntitlementId, parseGrantId, teamMemberEntitlementId } from "../src/index.js"

describe("entitlement ids", () => {
  it("format as <type>:<resource id>:<slug>", () => {
    assert.strictEqual(entitlementId({ resourceType: "role", resource: "Account Reviewer" }, "assigned"), "role:Account Reviewer:assigned")
    assert.strictEqual(
      entitlementId({ resourceType: "group", resource: "amber_falcon" }, "View Destination"),
      "group:amber_falcon:View Destination"
    )
    assert.strictEqual(teamMemberEntitlementId("t1"), "team:t1:member")
  })

  it.effect("round-trip, role names with spaces included", () =>
    Effect.gen(function*() {
      const id = entitlementId({ resourceType: "group", resource: "amber_falcon" }, "Manage Destination")
      const parts = yield* parseEntitlementId(id)
      assert.deepStrictEqual(parts, { resourceType: "group", resourceId: "amber_falcon", slug: "Manage Destination" })
      const role = yield* parseEntitlementId("role:Account Reviewer:assigned")
      assert.deepStrictEqual(role, { resourceType: "role", resourceId: "Account Reviewer", slug: "assigned" })
    }))

  it.effect("the resource id is what lies between the first and the last ':'", () =>
    Effect.gen(function*() {
      const parts = yield* parseEntitlementId("role:a:b:assigned")
      assert.deepStrictEqual(parts, { resourceType: "role", resourceId: "a:b", slug: "assigned" })
    }))

  it.effect("reject ids without two separators or with empty parts", () =>
    Effect.gen(function*() {
      for (
        const [id, reason] of [
          ["role", "it needs at least two ':' separators"],
          ["role:assigned", "it needs at least two ':' separators"],
          [":x:assigned", "the resource type is empty"],
          ["role::assigned", "the resource id is empty"],
          ["role:x:", "the slug is empty"]
        ] as const
      ) {
        const error = yield* Effect.flip(parseEntitlementId(id))
        assert.strictEqual(error._tag, "MalformedId")
        assert.strictEqual(error.kind, "entitlement")
        assert.strictEqual(error.reason, reason)
        assert.strictEqual(error.message, `invalid entitlement id "${id}": ${reason} (expected <type>:<resource id>:<slug>)`)
      }
    }))
})

describe("grant ids", () => {
  it("format as <entitlement id>:<principal type>:<principal id>", () => {
    assert.strictEqual(
      grantId("team:t1:Team Manager", { resourceType: "user", resource: "u1" }),
      "team:t1:Team Manager:user:u1"
    )
  })

  it.effect("parse from the right and round-trip", () =>
    Effect.gen(function*() {
      const id = grantId("role:Account Reviewer:assigned", { resourceType: "team", resource: "t9" })
      const parts = yield* parseGrantId(id)
      assert.deepStrictEqual(parts, {
        entitlementId: "role:Account Reviewer:assigned",
        entitlement: { resourceType: "role", resourceId: "Account Reviewer", slug: "assigned" },
        principalType: "team",
        principalId: "t9"
      })
      const nested = yield* parseGrantId("role:a:b:assigned:user:u1")
      assert.strictEqual(nested.entitlementId, "role:a:b:assigned")
      assert.strictEqual(nested.entitlement.resourceId, "a:b")
    }))

  it.effect("reject malformed grant ids with a typed error", () =>
    Effect.gen(function*() {
      for (
        const [id, reason] of [
          ["u1", "it has no ':<principal type>:<principal id>' suffix"],
          ["user:u1", "it has no ':<principal type>:<principal id>' suffix"],
          ["role:R:assigned:user:", "the principal id is empty"],
          ["role:R:assigned::u1", "the principal type is empty"],
          ["role:assigned:user:u1", "it needs at least two ':' separators"],
          ["role::assigned:user:u1", "the resource id is empty"]
        ] as const
      ) {
        const result = yield* Effect.either(parseGrantId(id))
        assert.isTrue(Either.isLeft(result), id)
        if (Either.isLeft(result)) {
          assert.strictEqual(result.left.kind, "grant")
          assert.strictEqual(result.left.id, id)
          assert.strictEqual(result.left.reason, reason)
        }
      }
    }))
})
