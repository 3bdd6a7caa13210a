import { assert, describe, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { join } from "node:path"
import type { Profile, Resource } from "@baton-fivetran/connector-core"
import { BinaryWriter } from "@bufbuild/protobuf/wire"
import { writeC1z } from "../src/index.js"
import { writableAnnotationTypeUrls } from "../src/proto/AnnotationSupport.js"
import { makeEncoders } from "../src/proto/Encode.js"
import { decodeStruct, encodeStruct } from "../src/proto/WellKnown.js"
import { EncodeFailure, toBytes } from "../src/proto/Wire.js"
import * as F from "./fixtures.js"
import { openRaw } from "./RawFile.js"
import { tempDir } from "./TempDir.js"
import { any, double, fieldNumbers, message, messages, path, text, varint, walk } from "./WireWalk.js"

/** The blobs, read with a generic wire-format walk: field numbers, wire types, type URLs. */

const blobsWritten = (options: Parameters<typeof writeC1z>[2]) =>
  Effect.gen(function*() {
    const dir = yield* tempDir
    const c1z = join(dir, "sync.c1z")
    yield* writeC1z(c1z, Stream.fromIterable(F.syncRows), options)
    const { db } = yield* openRaw(c1z, join(dir, "alone.db"))
    const blob = (table: string, externalId: string) =>
      (db.prepare(`SELECT data FROM ${table} WHERE external_id = ?`).get(externalId) as { data: Uint8Array }).data
    const expansion = (externalId: string) =>
      (db.prepare(`SELECT expansion FROM v1_grants WHERE external_id = ?`).get(externalId) as {
        expansion: Uint8Array | null
      }).expansion
    return { blob, expansion }
  })

/** Written with every opt-in annotation type, so each field of each message is seen. */
const blobs = blobsWritten({ annotations: { exclusionGroups: true } })

const url = (name: string) => `type.googleapis.com/c1.connector.v2.${name}`

describe("protobuf blobs", () => {
  it.scopedLive("ResourceType: id, display name, packed traits, Any annotations", () =>
    Effect.gen(function*() {
      const { blob } = yield* blobs
      const user = blob("v1_resource_types", "user")
      assert.deepStrictEqual(fieldNumbers(user), [1, 2, 3, 4, 5])
      const traits = walk(user).find((f) => f.field === 3)!.value
      assert.strictEqual(traits.wireType, 2)
      assert.deepStrictEqual(traits.wireType === 2 ? [...traits.bytes] : [], [1]) // TRAIT_USER, packed
      assert.deepStrictEqual(any(message(user, 4)!), { typeUrl: url("SkipEntitlementsAndGrants"), value: new Uint8Array(0) })
      const group = blob("v1_resource_types", "group")
      const child = any(message(group, 4)!)
      assert.strictEqual(child.typeUrl, url("ChildResourceType"))
      assert.strictEqual(text(child.value, 1), "connection")
    }))

  it.scopedLive("Resource: UserTrait Any with every field we fill, and the Resource-level copies 9/11/12", () =>
    Effect.gen(function*() {
      const { blob } = yield* blobs
      const alice = blob("v1_resources", "user:u_alice")
      assert.deepStrictEqual(fieldNumbers(alice), [1, 3, 4, 9, 11, 12])
      const trait = any(message(alice, 4)!)
      assert.strictEqual(trait.typeUrl, url("UserTrait"))
      assert.deepStrictEqual(fieldNumbers(trait.value), [1, 2, 3, 5, 6, 8, 9, 12])
      const email = message(trait.value, 1)!
      assert.deepStrictEqual([text(email, 1), varint(email, 2)], ["alice@example.com", 1n])
      assert.deepStrictEqual([varint(message(trait.value, 2)!, 1), text(message(trait.value, 2)!, 2)], [1n, "active"])
      assert.strictEqual(varint(trait.value, 5), 1n) // ACCOUNT_TYPE_HUMAN
      assert.strictEqual(text(trait.value, 6), "alice@example.com")
      const lastLogin = message(trait.value, 9)!
      assert.deepStrictEqual(
        [varint(lastLogin, 1), varint(lastLogin, 2)],
        [BigInt(Date.UTC(2025, 5, 7, 8, 9, 10) / 1000), 123456789n]
      )
      const createdAt = message(alice, 12)!
      assert.deepStrictEqual(fieldNumbers(createdAt), [1]) // nanos 0 is omitted
      assert.strictEqual(varint(createdAt, 1), BigInt(Date.UTC(2024, 0, 2, 3, 4, 5) / 1000))
      assert.deepStrictEqual(message(trait.value, 8), createdAt)
      const name = message(trait.value, 12)!
      assert.deepStrictEqual([text(name, 1), text(name, 2)], ["Alice", "Liddell"])
      assert.deepStrictEqual(message(alice, 11), message(trait.value, 2)) // same Status message both places
    }))

  it.scopedLive("Struct profile: keys sorted, Value kinds by field number", () =>
    Effect.gen(function*() {
      const { blob } = yield* blobs
      const profile = message(blob("v1_resources", "user:u_alice"), 9)!
      const entries = messages(profile, 1)
      assert.deepStrictEqual(entries.map((e) => text(e, 1)), ["email", "id", "logins", "phone", "tags", "verified", "z-last"])
      const value = (key: string) => message(entries.find((e) => text(e, 1) === key)!, 2)!
      assert.strictEqual(text(value("email"), 3), "alice@example.com")
      assert.strictEqual(double(value("logins"), 2), 12)
      assert.deepStrictEqual(walk(value("phone")), [{ field: 1, value: { wireType: 0, varint: 0n } }])
      assert.strictEqual(varint(value("verified"), 4), 1n)
      const list = messages(message(value("tags"), 6)!, 1)
      assert.deepStrictEqual(list.map((v) => fieldNumbers(v)[0]), [3, 2, 4, 1, 5])
    }))

  it.scopedLive("Entitlement: fields 1-8 and EntitlementExclusionGroup 1-4", () =>
    Effect.gen(function*() {
      const { blob } = yield* blobs
      const entitlement = blob("v1_entitlements", F.destinationManager.id)
      assert.deepStrictEqual(fieldNumbers(entitlement), [1, 2, 3, 5, 5, 6, 7, 8])
      assert.strictEqual(varint(entitlement, 7), 2n) // PURPOSE_VALUE_PERMISSION
      assert.strictEqual(text(entitlement, 8), "Destination Manager")
      assert.deepStrictEqual(messages(entitlement, 5).map((t) => text(t, 1)), ["user", "team"])
      const group = any(message(entitlement, 6)!)
      assert.strictEqual(group.typeUrl, url("EntitlementExclusionGroup"))
      assert.deepStrictEqual(fieldNumbers(group.value), [1, 2, 3, 4])
      assert.deepStrictEqual(
        [text(group.value, 1), varint(group.value, 2), varint(group.value, 3), varint(group.value, 4)],
        ["group:g_warehouse", 2n, 1n, 1n]
      )
    }))

  it.scopedLive("by default an entitlement carries no EntitlementExclusionGroup (baton-sdk v0.7.27 cannot resolve it)", () =>
    Effect.gen(function*() {
      const { blob } = yield* blobsWritten({})
      const entitlement = blob("v1_entitlements", F.destinationManager.id)
      assert.deepStrictEqual(fieldNumbers(entitlement), [1, 2, 3, 5, 5, 7, 8])
    }))

  it.scopedLive("Grant: sources map entries at field 5, GrantImmutable, and GrantExpandable only in `expansion`", () =>
    Effect.gen(function*() {
      const { blob, expansion } = yield* blobs
      const reviews = blob("v1_grants", F.aliceReviews.id)
      assert.deepStrictEqual(fieldNumbers(reviews), [1, 2, 3, 5])
      const entries = messages(message(reviews, 5)!, 1)
      assert.deepStrictEqual(entries.map((e) => text(e, 1)), [
        "connection:c_salesforce:Connector Reviewer",
        "team:t_analysts:member"
      ])
      assert.deepStrictEqual(entries.map((e) => varint(message(e, 2)!, 1)), [1n, undefined])
      const principalId = path(reviews, [2, 1])!
      assert.deepStrictEqual([text(principalId, 1), text(principalId, 2)], ["user", "u_alice"])

      const derived = blob("v1_grants", F.bobManagesWarehouse.id)
      const immutable = any(message(derived, 4)!)
      assert.strictEqual(immutable.typeUrl, url("GrantImmutable"))
      assert.strictEqual(text(immutable.value, 1), "team:t_analysts:member")
      assert.isNull(expansion(F.bobManagesWarehouse.id))

      const teamGrant = blob("v1_grants", F.teamReviews.id)
      assert.deepStrictEqual(fieldNumbers(teamGrant), [1, 2, 3]) // the GrantExpandable annotation is stripped
      const expandable = expansion(F.teamReviews.id)!
      assert.deepStrictEqual(fieldNumbers(expandable), [1, 2, 3])
      assert.deepStrictEqual([text(expandable, 1), varint(expandable, 2), text(expandable, 3)], [
        "team:t_analysts:member",
        1n,
        "user"
      ])
    }))
})

describe("encoder buffers", () => {
  const unencodable: Resource = {
    ...F.alice,
    annotations: F.alice.annotations.map((a) => a._tag === "UserTrait" ? { ...a, createdAt: "last Tuesday" } : a)
  }
  const encodeResource = makeEncoders(writableAnnotationTypeUrls()).resource
  const freshBytes = (resource: Resource) => {
    const writer = new BinaryWriter()
    encodeResource(writer, resource)
    return writer.finish()
  }

  it("a message that fails half-way (inside a nested Any) leaves nothing behind for the next one", () => {
    const expected = freshBytes(F.alice)
    assert.deepStrictEqual(toBytes(encodeResource, F.alice), expected)
    assert.throws(() => toBytes(encodeResource, unencodable), EncodeFailure, /UserTrait\.createdAt "last Tuesday"/)
    assert.deepStrictEqual(toBytes(encodeResource, F.alice), expected)
    assert.deepStrictEqual(toBytes(encodeResource, F.bob), freshBytes(F.bob))
  })

  it("a profile value JSON cannot hold is named by its path in the profile", () => {
    const withProfile = (profile: Record<string, unknown>): Resource => ({ ...F.bob, profile } as Resource)
    assert.throws(
      () => toBytes(encodeResource, withProfile({ name: "x", limits: { daily: [1, Number.NaN] } })),
      EncodeFailure,
      "profile value profile.limits.daily[1] is NaN, which JSON cannot hold"
    )
    assert.throws(
      () => toBytes(encodeResource, withProfile({ at: new Date(0) })),
      EncodeFailure,
      "profile value profile.at is a object, not a JSON value"
    )
    assert.deepStrictEqual(toBytes(encodeResource, F.bob), freshBytes(F.bob))
  })
})

describe("profile key order", () => {
  /** The keys as the bytes hold them: decodeStruct keeps the order of the wire (every key here is a string key, not an index). */
  const wireKeys = (profile: Record<string, unknown>) => Object.keys(decodeStruct(toBytes(encodeStruct, profile as Profile)))
  const utf8Order = (keys: ReadonlyArray<string>) => [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
  // U+1F600 (a surrogate pair) sorts after U+FF5E in UTF-8 bytes, though before it in UTF-16 code units.
  const awkward = ["b", "a", "\u{1F600}", "\uFF5E", "ab", "", "B", "é"]

  it("a profile's keys are written in byte-wise UTF-8 order, whatever their insertion order, undefined members left out", () => {
    for (const keys of [awkward, [...awkward].reverse(), Array.from({ length: 40 }, (_, i) => `k${(i * 7919) % 40}`)]) {
      const profile = Object.fromEntries(keys.map((key, i) => [key, i % 5 === 4 ? undefined : i]))
      assert.deepStrictEqual(wireKeys(profile), utf8Order(keys.filter((_, i) => i % 5 !== 4)))
    }
    assert.deepStrictEqual(wireKeys({ z: 1, a: { y: 2, b: 3 } }), ["a", "z"])
    assert.deepStrictEqual(Object.keys(decodeStruct(toBytes(encodeStruct, { z: 1, a: { y: 2, b: 3 } }))["a"] as object), ["b", "y"])
  })
})
