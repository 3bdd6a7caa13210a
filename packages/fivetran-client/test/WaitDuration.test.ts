import { assert, describe, it } from "@effect/vitest"
import { Option } from "effect"
import { formatWait, parseWaitDuration } from "../src/index.js"

describe("wait durations", () => {
  it("parses h/m/s/ms parts; refuses anything else, a bare number and zero", () => {
    assert.deepStrictEqual(
      ["1h", "10m", "90s", "1h30m", "2m5s", "250ms", " 6h "].map((text) => parseWaitDuration(text)),
      [3_600_000, 600_000, 90_000, 5_400_000, 125_000, 250, 21_600_000].map(Option.some)
    )
    assert.deepStrictEqual(
      ["", "0", "90", "0s", "1d", "-5m", "1.5h", "h", "10 m", "soon"].map((text) => Option.isNone(parseWaitDuration(text))),
      [true, true, true, true, true, true, true, true, true, true]
    )
  })

  it("formats a wait the way a person reads it", () => {
    assert.deepStrictEqual(
      [850, 3_000, 59_940, 600_000, 3_081_000, 3_600_000, 3_900_000].map(formatWait),
      ["850ms", "3.0s", "59.9s", "10m", "51m 21s", "1h", "1h 5m"]
    )
  })
})
