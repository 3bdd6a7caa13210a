import { assert, describe, it } from "@effect/vitest"
import { makeResponseCache } from "../src/ResponseCache.js"

const bytes = (n: number) => new Uint8Array(n)

describe("ResponseCache", () => {
  it("keeps bodies up to the byte bound, dropping the least recently used first", () => {
    const cache = makeResponseCache(10)
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

  it("replaces a key's body without counting it twice, and never keeps a body larger than the bound", () => {
    const cache = makeResponseCache(10)
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
