import { assert, describe, it } from "@effect/vitest"
import { isCutShortJson } from "../src/JsonCutShort.js"

const page = JSON.stringify(
  {
    code: "Success",
    data: {
      items: [
        { id: "quiet_harbor", email: "ana@example.com", given_name: "Ana \"Q\" \\ \u00e9 \ud83d\ude00", active: true, logged_in_at: null },
        { id: "calm_willow", n: -12.5e-3, z: 0, e: 1E+2, list: [[], {}, [1, [2, { "": false }]]] }
      ],
      next_cursor: null
    }
  },
  null,
  1
)

describe("isCutShortJson", () => {
  it("every proper prefix of a JSON body that holds something is cut short; the whole body is not", () => {
    const cut: Array<number> = []
    for (let end = 1; end < page.length; end++) if (!isCutShortJson(page.slice(0, end))) cut.push(end)
    assert.deepStrictEqual(cut, [])
    assert.isFalse(isCutShortJson(page))
    assert.isFalse(isCutShortJson(`${page}\n`))
  })

  it("text that breaks JSON's grammar anywhere, or holds no JSON, is not", () => {
    for (
      const text of [
        "",
        "  \n",
        "<html><body>Sign in to the proxy</body></html>",
        `{"code":"Success","data":{}},}`,
        `{"code":"Success"} x`,
        `{"a":tru}`,
        `{"a" 1`,
        `{'a':1`,
        `[1,]`,
        `{"a":"\\x"`,
        `{"a":"tab\there"`,
        `[01`,
        `[-]`,
        `[1.e5`,
        `{"a":1,,`,
        `{"a":[1}`
      ]
    ) {
      assert.isFalse(isCutShortJson(text), JSON.stringify(text))
    }
  })

  it("a cut inside an escape, a number's exponent or a literal is cut short", () => {
    for (const text of [`{"a":"\\u00`, `{"a":"\\`, `[1e`, `[1e+`, `[-`, `[1.`, `[tr`, `{"a":nu`, `[[[[[[[[[[`]) {
      assert.isTrue(isCutShortJson(text), text)
    }
  })

  it("a body nested deeper than any stack is read without recursion", () => {
    assert.isTrue(isCutShortJson("[".repeat(1_000_000)))
    assert.isFalse(isCutShortJson(`${"[".repeat(1_000_000)}}`))
  })
})
