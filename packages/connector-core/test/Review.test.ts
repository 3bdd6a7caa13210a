import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import {
  accessPaths,
  compareKeys,
  csvRecord,
  type DiffEntry,
  type DiffSide,
  directGrant,
  derivedGrant,
  type Entitlement,
  mergeSorted,
  type Resource,
  type ResourceId,
  syncDiff,
  teamGrant
} from "../src/index.js"

const entitlement: Entitlement = {
  id: "group:g1:View Destination",
  resource: { id: { resourceType: "group", resource: "g1" }, annotations: [] },
  displayName: "View Destination on g1",
  grantableTo: [],
  purpose: "PERMISSION",
  slug: "View Destination",
  annotations: []
}
const user = { resourceType: "user", resource: "u1" }

describe("access paths", () => {
  it("a plain grant is direct; one also reached through teams lists them after it; a derived one only the teams", () => {
    assert.deepStrictEqual(accessPaths(directGrant(entitlement, user)), [{ via: "direct" }])
    assert.deepStrictEqual(accessPaths(directGrant(entitlement, user, ["t2", "t1"])), [
      { via: "direct" },
      { via: "team", team: "t1" },
      { via: "team", team: "t2" }
    ])
    assert.deepStrictEqual(accessPaths(derivedGrant(entitlement, "u1", ["t9"])), [{ via: "team", team: "t9" }])
    assert.deepStrictEqual(accessPaths(teamGrant(entitlement, "t9")), [{ via: "direct" }])
  })
})

describe("CSV records (RFC 4180)", () => {
  it("quotes only fields with a comma, quote, CR or LF, doubles quotes, and ends with CRLF", () => {
    assert.strictEqual(csvRecord(["a", "b c", ""]), "a,b c,\r\n")
    assert.strictEqual(csvRecord(["x,y", "say \"hi\"", "two\nlines", "cr\r"]), "\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\"\r\n")
  })

  it("puts a ' before a field a spreadsheet would read as a formula: one starting with =, +, -, @, tab or CR", () => {
    assert.strictEqual(
      csvRecord(["=HYPERLINK(\"http://evil\",\"x\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "a=b"]),
      "\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",'+1,'-2,'@SUM(A1),'\tx,\"'\rx\",a=b\r\n"
    )
  })
})

describe("key order", () => {
  it("is code point order, as SQLite compares UTF-8 text", () => {
    const keys = ["b", "a", "\u{1F600}", "\uFF21", "ab", "A", ""]
    const utf8Order = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)))
    assert.deepStrictEqual([...keys].sort(compareKeys), utf8Order)
    // UTF-16 order would put the emoji (a surrogate pair) before U+FF21.
    assert.isTrue(compareKeys("\u{1F600}", "\uFF21") > 0)
  })
})

describe("mergeSorted", () => {
  it.live("pairs equal keys and keeps every other key once, in order, across chunk boundaries", () =>
    Effect.gen(function*() {
      const keyed = (keys: ReadonlyArray<string>, side: string) =>
        Stream.fromIterable(keys.map((key) => ({ key, value: `${side}${key}` }))).pipe(Stream.rechunk(2))
      const left = ["a", "c", "d", "f", "g"]
      const right = ["b", "c", "e", "f", "h", "i"]
      const merged = yield* Stream.runCollect(mergeSorted(keyed(left, "L"), keyed(right, "R")))
      assert.deepStrictEqual(
        Chunk.toReadonlyArray(merged).map((m) => m._tag === "Both" ? `${m.left}=${m.right}` : m._tag === "Left" ? m.left : m.right),
        ["La", "Rb", "Lc=Rc", "Ld", "Re", "Lf=Rf", "Lg", "Rh", "Ri"]
      )
    }))

  it.live("a failing side fails the merge", () =>
    Effect.gen(function*() {
      const failing = Stream.concat(Stream.make({ key: "a", value: 1 }), Stream.fail("boom"))
      const result = yield* Effect.either(Stream.runCollect(mergeSorted(failing, Stream.make({ key: "b", value: 2 }))))
      assert.deepStrictEqual(result._tag === "Left" ? result.left : "no failure", "boom")
    }))
})

describe("syncDiff", () => {
  /** As the c1z listings give them: by id, after `after`. */
  const keyed = <A extends { readonly id: string }>(values: ReadonlyArray<A>) => (after: string | undefined) =>
    Stream.fromIterable(
      [...values].sort((a, b) => compareKeys(a.id, b.id))
        .filter((v) => after === undefined || compareKeys(v.id, after) > 0)
        .map((value) => ({ key: value.id, value }))
    )
  const keyedResources = (values: ReadonlyArray<Resource>) => (after: string | undefined) =>
    Stream.fromIterable(
      values.map((value) => ({ key: `${value.id.resourceType}:${value.id.resource}`, value }))
        .filter((row) => after === undefined || compareKeys(row.key, after) > 0)
    )
  const team = (id: string): Resource => ({ id: { resourceType: "team", resource: id }, displayName: `Team ${id}`, annotations: [] })
  const other: Entitlement = { ...entitlement, id: "group:g1:Manage Destination", displayName: "Manage", slug: "Manage Destination" }
  const sources = {
    resources: { base: keyedResources([team("t1"), team("t2")]), target: keyedResources([team("t2"), team("t3")]) },
    entitlements: { base: keyed([entitlement]), target: keyed([entitlement, other]) },
    grants: {
      base: keyed([directGrant(entitlement, user), directGrant(other, { resourceType: "user", resource: "u2" })]),
      target: keyed([directGrant(entitlement, user, ["t2"]), teamGrant(other, "t2")])
    },
    // Each sync names its own principals: u1 was renamed and suspended, u2 is only in the older, t2 in neither.
    principals: (side: DiffSide, principals: ReadonlyArray<ResourceId>) =>
      Effect.succeed(
        principals.map(({ resource }) =>
          ({
            base: { u1: { name: "Ana Old", status: "enabled" }, u2: { name: "Bo", status: "invited" } },
            target: { u1: { name: "Ana", status: "disabled" } }
          } as const)[side][resource as "u1" | "u2"]
        )
      )
  }

  it.live("names what was added and removed, and grants whose paths changed, by kind then id, each grant with its principal's status", () =>
    Effect.gen(function*() {
      const all = Chunk.toReadonlyArray(yield* Stream.runCollect(syncDiff(sources)))
      assert.deepStrictEqual(
        all,
        [
          { change: "removed", kind: "resource", id: "team:t1", name: "Team t1" },
          { change: "added", kind: "resource", id: "team:t3", name: "Team t3" },
          { change: "added", kind: "entitlement", id: "group:g1:Manage Destination", name: "Manage" },
          {
            change: "added",
            kind: "grant",
            id: "group:g1:Manage Destination:team:t2",
            name: "team:t2: Manage",
            entitlement: "group:g1:Manage Destination",
            principal: "team:t2",
            principal_status: "",
            paths: [{ via: "direct" }]
          },
          {
            change: "removed",
            kind: "grant",
            id: "group:g1:Manage Destination:user:u2",
            name: "Bo: Manage",
            entitlement: "group:g1:Manage Destination",
            principal: "user:u2",
            principal_status: "invited",
            paths: [{ via: "direct" }]
          },
          {
            change: "changed",
            kind: "grant",
            id: "group:g1:View Destination:user:u1",
            name: "Ana: View Destination on g1",
            entitlement: "group:g1:View Destination",
            principal: "user:u1",
            principal_status: "disabled",
            paths: [{ via: "direct" }, { via: "team", team: "t2" }],
            previous_paths: [{ via: "direct" }]
          }
        ] satisfies ReadonlyArray<DiffEntry>
      )
      // Resuming after any entry gives exactly the rest.
      for (const [i, entry] of all.entries()) {
        const rest = yield* Stream.runCollect(syncDiff(sources, { kind: entry.kind, id: entry.id }))
        assert.deepStrictEqual(Chunk.toReadonlyArray(rest), all.slice(i + 1))
      }
    }))

  it.live("a resource in both syncs is changed when its name or status is (a suspension, a rename), not its last login", () =>
    Effect.gen(function*() {
      const person = (status: "ENABLED" | "DISABLED", name: string, lastLogin: string): Resource => ({
        id: { resourceType: "user", resource: "u1" },
        displayName: name,
        status: { status, details: "" },
        annotations: [],
        description: lastLogin
      })
      const diffOf = (before: Resource, after: Resource) =>
        Stream.runCollect(syncDiff({
          resources: { base: keyedResources([before]), target: keyedResources([after]) },
          entitlements: { base: keyed([]), target: keyed([]) },
          grants: { base: keyed([]), target: keyed([]) },
          principals: () => Effect.succeed([])
        })).pipe(Effect.map(Chunk.toReadonlyArray))
      assert.deepStrictEqual(yield* diffOf(person("ENABLED", "Ann", "a"), person("ENABLED", "Ann", "b")), [])
      assert.deepStrictEqual(yield* diffOf(person("ENABLED", "Ann", "a"), person("DISABLED", "Ann", "a")), [
        { change: "changed", kind: "resource", id: "user:u1", name: "Ann", status: "disabled", previous_status: "enabled" }
      ])
      assert.deepStrictEqual(yield* diffOf(person("ENABLED", "Ann", "a"), person("ENABLED", "Anna", "a")), [
        { change: "changed", kind: "resource", id: "user:u1", name: "Anna", previous_name: "Ann" }
      ])
    }))

  it.live("a user is changed when its primary email or account type is, and an added or removed one carries both", () =>
    Effect.gen(function*() {
      const user = (id: string, email: string, accountType: "HUMAN" | "SERVICE", lastLogin: string): Resource => ({
        id: { resourceType: "user", resource: id },
        displayName: id,
        annotations: [{
          _tag: "UserTrait",
          emails: email === "" ? [] : [{ address: "old@x.example", isPrimary: false }, { address: email, isPrimary: true }],
          status: { status: "ENABLED", details: "" },
          accountType,
          lastLogin
        }]
      })
      const diffOf = (before: ReadonlyArray<Resource>, after: ReadonlyArray<Resource>) =>
        Stream.runCollect(syncDiff({
          resources: { base: keyedResources(before), target: keyedResources(after) },
          entitlements: { base: keyed([]), target: keyed([]) },
          grants: { base: keyed([]), target: keyed([]) },
          principals: () => Effect.succeed([])
        })).pipe(Effect.map(Chunk.toReadonlyArray))
      assert.deepStrictEqual(
        yield* diffOf(
          [user("u1", "a@x.example", "HUMAN", "t1"), user("u2", "b@x.example", "HUMAN", "t1"), user("u3", "", "SERVICE", "")],
          [user("u1", "a@y.example", "HUMAN", "t2"), user("u2", "b@x.example", "SERVICE", "t1"), user("u4", "", "SERVICE", "")]
        ),
        [
          { change: "changed", kind: "resource", id: "user:u1", name: "u1", email: "a@y.example", previous_email: "a@x.example" },
          { change: "changed", kind: "resource", id: "user:u2", name: "u2", account_type: "service", previous_account_type: "human" },
          { change: "removed", kind: "resource", id: "user:u3", name: "u3", status: "enabled", account_type: "service" },
          { change: "added", kind: "resource", id: "user:u4", name: "u4", status: "enabled", account_type: "service" }
        ]
      )
      // A last login moving alone is no change.
      assert.deepStrictEqual(yield* diffOf([user("u1", "a@x.example", "HUMAN", "t1")], [user("u1", "a@x.example", "HUMAN", "t9")]), [])
    }))
})
