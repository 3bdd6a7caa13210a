import { assert, describe, it } from "@effect/vitest"
import { makeResponseCache } from "../src/ResponseCache.js"

const bytes = (n: number) => new Uint8Array(n)

describe("ResponseCache", () => {
  it("keeps bodies up to the byte bound, dropping the least recently used first", () => {
    const cache = makeResponseCache(10, 100)
    const a = bytes(4)
    const b = bytes(4)
    cache.set("a", a)
    cache.set("b", b)
    assert.strictEqual(cache.get("a"), a) // a is now the most recently used
    cache.set("c", bytes(4)) // 12 bytes: b goes
    assert.strictEqual(cache.get("b"), undefined)
    assert.strictEqual(cache.get("a"), a)
    assert.strictEqual(cache.get("c")!.byteLength, 4)
  })

  it("keeps at most its number of bodies however small they are, dropping the least recently used first", () => {
    // A thousand one-byte bodies fit the byte bound a thousand times over: the number bounds them.
    const cache = makeResponseCache(1_000_000, 3)
    for (let i = 0; i < 1000; i++) cache.set(`search ${i}`, bytes(1))
    assert.strictEqual(cache.get("search 997")!.byteLength, 1) // now the most recently used
    cache.set("one more", bytes(1)) // search 998 goes
    const kept = ["search 996", "search 997", "search 998", "search 999", "one more"].filter((key) => cache.get(key) !== undefined)
    assert.deepStrictEqual(kept, ["search 997", "search 999", "one more"])
    assert.strictEqual(Array.from({ length: 997 }, (_, i) => cache.get(`search ${i}`)).filter((body) => body !== undefined).length, 0)
  })

  it("replaces a key's body without counting it twice, and never keeps a body larger than the bound", () => {
    const cache = makeResponseCache(10, 100)
    cache.set("a", bytes(6))
    cache.set("a", bytes(6))
    cache.set("b", bytes(4))
    assert.strictEqual(cache.get("a")!.byteLength, 6)
    assert.strictEqual(cache.get("b")!.byteLength, 4)
    cache.set("huge", bytes(11))
    assert.strictEqual(cache.get("huge"), undefined)
    assert.strictEqual(cache.get("a")!.byteLength, 6)
    cache.set("a", bytes(11))
    assert.strictEqual(cache.get("a"), undefined)
    assert.strictEqual(cache.get("b")!.byteLength, 4)
  })
})
