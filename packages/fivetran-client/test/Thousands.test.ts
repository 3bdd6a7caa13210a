import { assert, describe, it } from "@effect/vitest"
import { withThousands } from "../src/Thousands.js"

describe("withThousands", () => {
  it("groups digits as toLocaleString(\"en-US\") does, for the counts it is given", () => {
    const counts = [0, 7, 999, 1000, 12_345, 999_999, 1_000_000, 33_554_432, -4_500, 20_000.5]
    assert.deepStrictEqual(counts.map(withThousands), [
      "0",
      "7",
      "999",
      "1,000",
      "12,345",
      "999,999",
      "1,000,000",
      "33,554,432",
      "-4,500",
      "20,000.5"
    ])
    assert.deepStrictEqual(counts.map(withThousands), counts.map((n) => n.toLocaleString("en-US")))
  })
})
