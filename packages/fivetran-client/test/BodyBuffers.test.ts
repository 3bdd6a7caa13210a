import { assert, describe, it } from "@effect/vitest"
import { BodyBuffers } from "../src/BodyBuffers.js"

describe("BodyBuffers", () => {
  it("hands out whole 64 KiB steps and the smallest free buffer that fits", () => {
    const buffers = new BodyBuffers()
    const small = buffers.take(10)
    const large = buffers.take(300_000)
    assert.strictEqual(small.length, 65_536)
    assert.strictEqual(large.length, 327_680)
    buffers.give(large)
    buffers.give(small)
    assert.strictEqual(buffers.take(1_000), small)
    assert.strictEqual(buffers.take(70_000), large)
    assert.notStrictEqual(buffers.take(70_000), large)
  })

  it("never hands out a buffer twice before it is given back", () => {
    const buffers = new BodyBuffers()
    const first = buffers.take(100)
    buffers.give(first)
    const again = buffers.take(100)
    const other = buffers.take(100)
    assert.strictEqual(again, first)
    assert.notStrictEqual(other, first)
  })

  it("keeps at most its byte bound of free buffers", () => {
    const buffers = new BodyBuffers(3 * 65_536)
    const taken = [buffers.take(1), buffers.take(1), buffers.take(1), buffers.take(1)]
    for (const buffer of taken) buffers.give(buffer)
    const again = [buffers.take(1), buffers.take(1), buffers.take(1), buffers.take(1)]
    assert.strictEqual(again.filter((buffer) => taken.includes(buffer)).length, 3)
  })
})
