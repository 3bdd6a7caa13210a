import { assert, describe, it } from "@effect/vitest"
import { Option } from "effect"
import { formatHttpDate, parseHttpDate } from "../src/HttpDate.js"

const now = Date.UTC(2026, 9, 21, 7, 0, 0)

// Options are compared as their values (null for none): chai's deep equality finds Option.some(x)
// equal to Option.none().

describe("HTTP-date", () => {
  it("reads the three forms of RFC 9110 §5.6.7, rfc850-date's two-digit year within 50 years of now", () => {
    assert.deepStrictEqual(
      [
        "Wed, 21 Oct 2026 07:28:00 GMT",
        "Wednesday, 21-Oct-26 07:28:00 GMT",
        "Wed Oct 21 07:28:00 2026",
        "Sun Nov  6 08:49:37 1994",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Tuesday, 21-Oct-76 07:28:00 GMT",
        "Wednesday, 21-Oct-77 07:28:00 GMT",
        "Thu, 29 Feb 2028 23:59:60 GMT",
        "Sat, 01 Jan 0050 00:00:00 GMT",
        " Wed, 21 Oct 2026 07:28:00 GMT\t"
      ].map((text) => Option.getOrNull(parseHttpDate(text, now))),
      [
        Date.UTC(2026, 9, 21, 7, 28, 0),
        Date.UTC(2026, 9, 21, 7, 28, 0),
        Date.UTC(2026, 9, 21, 7, 28, 0),
        Date.UTC(1994, 10, 6, 8, 49, 37),
        Date.UTC(1994, 10, 6, 8, 49, 37),
        Date.UTC(2076, 9, 21, 7, 28, 0),
        Date.UTC(1977, 9, 21, 7, 28, 0),
        Date.UTC(2028, 2, 1, 0, 0, 0),
        -60_589_296_000_000,
        Date.UTC(2026, 9, 21, 7, 28, 0)
      ]
    )
  })

  it("reads nothing else: not what Date.parse reads, not an impossible day or time, not another zone or case", () => {
    const refused = [
      "2027",
      "0.5",
      "-5",
      "2026-10-21T07:28:00Z",
      "Wed, 21 Oct 2026 07:28:00 UTC",
      "Wed, 21 Oct 2026 07:28:00 +0000",
      "wed, 21 oct 2026 07:28:00 gmt",
      "Wed, 21 Oct 26 07:28:00 GMT",
      "Wed, 31 Feb 2026 07:28:00 GMT",
      "Sun, 29 Feb 2026 07:28:00 GMT",
      "Wed, 00 Oct 2026 07:28:00 GMT",
      "Wed, 21 Oct 2026 24:00:00 GMT",
      "Wed, 21 Oct 2026 07:60:00 GMT",
      "Wed, 21 Oct 2026 07:28:61 GMT",
      "Wed, 21 Oct 2026 7:28:00 GMT",
      "Wed, 21 Oct 2026 07:28:00 GMT, Wed, 21 Oct 2026 07:29:00 GMT",
      "Wed Oct 21 07:28:00 26",
      ""
    ]
    assert.deepStrictEqual(refused.map((text) => Option.getOrNull(parseHttpDate(text, now))), refused.map(() => null))
  })

  it("formats an instant as IMF-fixdate", () => {
    assert.strictEqual(formatHttpDate(Date.UTC(2026, 9, 21, 7, 28, 0)), "Wed, 21 Oct 2026 07:28:00 GMT")
  })
})
