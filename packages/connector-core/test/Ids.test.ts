import { assert, describe, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { checkFivetranId, entitlementId, grantId, parseEntitlementId, parseGrantId, teamMemberEntitlementId } from "../src/index.js"

describe("entitlement ids", () => {
  it("format as <type>:<resource id>:<slug>", () => {
    assert.strictEqual(entitlementId({ resourceType: "role", resource: "Account Reviewer" }, "assigned"), "role:Account Reviewer:assigned")
    assert.strictEqual(
      entitlementId({ resourceType: "group", resource: "amber_falcon" }, "View Destination"),
      "group:amber_falcon:View Destination"
    )
    assert.strictEqual(teamMemberEntitlementId("t1"), "team:t1:member")
  })

  it.live("round-trip, role names with spaces included", () =>
    Effect.gen(function*() {
      const id = entitlementId({ resourceType: "group", resource: "amber_falcon" }, "Manage Destination")
      const parts = yield* parseEntitlementId(id)
      assert.deepStrictEqual(parts, { resourceType: "group", resourceId: "amber_falcon", slug: "Manage Destination" })
      const role = yield* parseEntitlementId("role:Account Reviewer:assigned")
      assert.deepStrictEqual(role, { resourceType: "role", resourceId: "Account Reviewer", slug: "assigned" })
    }))

  it.live("the resource id is what lies between the first and the last ':'", () =>
    Effect.gen(function*() {
      const parts = yield* parseEntitlementId("role:a:b:assigned")
      assert.deepStrictEqual(parts, { resourceType: "role", resourceId: "a:b", slug: "assigned" })
    }))

  it.live("reject ids without two separators or with empty parts", () =>
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

  it.live("parse from the right and round-trip", () =>
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

  it.live("reject malformed grant ids with a typed error", () =>
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

describe("Fivetran ids", () => {
  it.live("pass unchanged when a Fivetran object could have them", () =>
    Effect.gen(function*() {
      for (const id of ["nozzle_eat", "t_eng", "no-such-team", "Ångström", "a.b", "...", "user_1%2F"]) {
        assert.strictEqual(yield* checkFivetranId("user", id), id)
      }
    }))

  it.live("are refused naming the id as JSON and what is wrong, invisible characters by code point", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [string, string]> = [
        ["", `invalid user id "": it is empty`],
        ["U ", `invalid user id "U ": it ends with whitespace (U+0020), which no Fivetran id has`],
        ["U  ", `invalid user id "U  ": it ends with whitespace (U+0020), which no Fivetran id has`],
        [" U", `invalid user id " U": it starts with whitespace (U+0020), which no Fivetran id has`],
        ["a b", `invalid user id "a b": it contains whitespace (U+0020), which no Fivetran id has`],
        ["U\t", `invalid user id "U\\t": it ends with whitespace (U+0009), which no Fivetran id has`],
        ["U\u00a0", `invalid user id "U\u00a0": it ends with whitespace (U+00A0), which no Fivetran id has`],
        ["a\u200bb", `invalid user id "a\u200bb": it contains an invisible formatting character (U+200B), which no Fivetran id has`],
        ["a\u{e0001}", `invalid user id "a\u{e0001}": it ends with an invisible formatting character (U+E0001), which no Fivetran id has`],
        ["a\u0000b", `invalid user id "a\\u0000b": it contains a control character (U+0000), which no Fivetran id has`],
        ["a\u0085b", `invalid user id "a\u0085b": it contains a control character (U+0085), which no Fivetran id has`],
        ["user:ana", `invalid user id "user:ana": it contains ':', which no Fivetran id has`],
        ["..", `invalid user id "..": it is "..", a path step in a URL, not an id`],
        [".", `invalid user id ".": it is ".", a path step in a URL, not an id`],
        ["ana\ud800", `invalid user id "ana\\ud800": it contains an unpaired UTF-16 surrogate`]
      ]
      for (const [id, message] of cases) {
        const error = yield* Effect.flip(checkFivetranId("user", id))
        assert.deepStrictEqual([error._tag, error.kind, error.id, error.message], ["MalformedFivetranId", "user", id, message])
      }
    }))
})
