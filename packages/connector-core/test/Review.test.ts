import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import {
  accessPaths,
  compareKeys,
  csvRecord,
  directGrant,
  derivedGrant,
  type Entitlement,
  mergeSorted,
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
  it.effect("pairs equal keys and keeps every other key once, in order, across chunk boundaries", () =>
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

  it.effect("a failing side fails the merge", () =>
    Effect.gen(function*() {
      const failing = Stream.concat(Stream.make({ key: "a", value: 1 }), Stream.fail("boom"))
      const result = yield* Effect.either(Stream.runCollect(mergeSorted(failing, Stream.make({ key: "b", value: 2 }))))
      assert.deepStrictEqual(result._tag === "Left" ? result.left : "no failure", "boom")
    }))
})
