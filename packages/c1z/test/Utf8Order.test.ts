import { assert, describe, it } from "@effect/vitest"
import { compareUtf8 } from "../src/proto/Wire.js"

/** The definition: the strings' UTF-8 bytes compared. */
const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b))

/** Characters from every range the comparison treats differently: ASCII, two- and three-byte, U+E000 up, above U+FFFF. */
const alphabet = ["a", "b", "z", "é", "ж", "中", "\ud7ff", "\ue000", "\uffee", "😀", "😁", "𝄞", "\u{10ffff}"]

/** A small deterministic generator (xorshift), so a failure names a reproducible pair. */
const strings = (count: number): Array<string> => {
  let state = 2463534242
  const next = () => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) / 4294967296
  }
  return Array.from(
    { length: count },
    () => Array.from({ length: Math.floor(next() * 5) }, () => alphabet[Math.floor(next() * alphabet.length)]!).join("")
  )
}

describe("compareUtf8", () => {
  it("orders as the UTF-8 bytes do, for every pair of 300 generated strings", () => {
    const all = strings(300)
    let mismatches = 0
    for (const a of all) for (const b of all) if (Math.sign(compareUtf8(a, b)) !== byBytes(a, b)) mismatches++
    assert.strictEqual(mismatches, 0)
  })

  it("puts a character above U+FFFF after U+E000-U+FFFF, where UTF-16 order would not", () => {
    assert.strictEqual(compareUtf8("😀", "\uffee"), 1)
    assert.strictEqual(compareUtf8("x😀", "x😁"), -1)
    assert.deepStrictEqual(["name", "email", "\ue000", "😀", "", "Name"].sort(compareUtf8), ["", "Name", "email", "name", "\ue000", "😀"])
  })
})
