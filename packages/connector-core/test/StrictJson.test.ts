import { assert, describe, it } from "@effect/vitest"
import { Either, FastCheck as fc } from "effect"
import { NotJson, parseStrictJson, RepeatedKey } from "../src/index.js"

describe("strict JSON", () => {
  it("gives the value of JSON without a repeated key", () => {
    assert.deepStrictEqual(
      parseStrictJson(" {\"a\": [1, {\"a\": 2, \"b\": \"a\"}], \"b\": {\"a\": null}, \"c\": \"\\\"a\\\"\"} "),
      Either.right({ a: [1, { a: 2, b: "a" }], b: { a: null }, c: "\"a\"" })
    )
    assert.deepStrictEqual(parseStrictJson("[{\"a\":1},{\"a\":1}]"), Either.right([{ a: 1 }, { a: 1 }]))
    assert.deepStrictEqual(parseStrictJson("\"a\""), Either.right("a"))
  })

  it("names a key given twice in one object and the path to it, at any depth", () => {
    assert.deepStrictEqual(
      parseStrictJson("{\"entitlement_id\":\"x\",\"principal\":{},\"entitlement_id\":\"y\"}"),
      Either.left(new RepeatedKey({ key: "entitlement_id", path: ["entitlement_id"] }))
    )
    assert.deepStrictEqual(
      parseStrictJson("{\"principal\":{\"type\":\"user\",\"id\":\"a\",\"id\":\"b\"}}"),
      Either.left(new RepeatedKey({ key: "id", path: ["principal", "id"] }))
    )
    assert.deepStrictEqual(
      parseStrictJson("{\"x\":[0,{\"y\":[[],{\"z\":1,\"z\":2}]}]}"),
      Either.left(new RepeatedKey({ key: "z", path: ["x", 1, "y", 1, "z"] }))
    )
  })

  it("reads keys as JSON does: an escaped spelling is the same key, and strings that look like keys are values", () => {
    assert.deepStrictEqual(
      parseStrictJson("{\"role\":\"A\",\"r\\u006fle\":\"B\"}"),
      Either.left(new RepeatedKey({ key: "role", path: ["role"] }))
    )
    assert.deepStrictEqual(
      parseStrictJson("{\"a\\\"\":1,\"a\\\\\":2,\"b\":\"a\\\"\",\"c\":[\"b\",\"b\"]}"),
      Either.right({ "a\"": 1, "a\\": 2, b: "a\"", c: ["b", "b"] })
    )
  })

  it("refuses what JSON.parse refuses", () => {
    for (const text of ["", "{", "{\"a\":1,}", "{a:1}", "[1]x", "\uFEFF{}", "[".repeat(200_000)]) {
      assert.deepStrictEqual(parseStrictJson(text), Either.left(new NotJson()), JSON.stringify(text.slice(0, 20)))
    }
  })

  it("finds the first repeated key of any document, keys spelt plainly or escaped", () => {
    type Tree = { readonly members: ReadonlyArray<readonly [string, Tree]> } | ReadonlyArray<Tree> | number
    const { tree } = fc.letrec<{ tree: Tree }>((node) => ({
      tree: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.integer(),
        fc.array(node("tree"), { maxLength: 3 }),
        fc.record({ members: fc.array(fc.tuple(fc.constantFrom("a", "b", "\"", "é"), node("tree")), { maxLength: 4 }) })
      )
    }))
    const escapeAll = (key: string) => `"${Array.from(key, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("")}"`
    const write = (node: Tree, escape: boolean): string =>
      typeof node === "number"
        ? String(node)
        : Array.isArray(node)
        ? `[${node.map((item) => write(item, escape)).join(" , ")}]`
        : `{ ${
          (node as Exclude<Tree, number | ReadonlyArray<Tree>>).members.map(([key, value]) =>
            `${escape ? escapeAll(key) : JSON.stringify(key)} : ${write(value, escape)}`
          ).join(",\n")
        } }`
    /** The expected answer, walking the tree in the order its text is written. */
    const firstRepeat = (node: Tree, path: ReadonlyArray<string | number>): RepeatedKey | undefined => {
      if (typeof node === "number") return undefined
      if (Array.isArray(node)) {
        for (const [index, item] of node.entries()) {
          const found = firstRepeat(item, [...path, index])
          if (found !== undefined) return found
        }
        return undefined
      }
      const seen = new Set<string>()
      for (const [key, value] of (node as Exclude<Tree, number | ReadonlyArray<Tree>>).members) {
        if (seen.has(key)) return new RepeatedKey({ key, path: [...path, key] })
        seen.add(key)
        const found = firstRepeat(value, [...path, key])
        if (found !== undefined) return found
      }
      return undefined
    }
    fc.assert(
      fc.property(tree, fc.boolean(), (document, escape) => {
        const text = write(document, escape)
        const expected = firstRepeat(document, [])
        assert.deepStrictEqual(parseStrictJson(text), expected === undefined ? Either.right(JSON.parse(text)) : Either.left(expected))
      }),
      { seed: 20261202, numRuns: 500 }
    )
  })
})
