import { assert, describe, it } from "@effect/vitest"
import { bidiClosed } from "../src/model/BidiClosed.js"

describe("bidiClosed", () => {
  it("adds the closer of each embedding, override or isolate left open, innermost first; balanced text is unchanged", () => {
    const texts = [
      "warehouse",
      "\u202Etrats",
      "Ops \u202Edelbane\u202C x",
      "\u202Ba\u2066b",
      "\u2067lake",
      "\u2066\u202Ex\u2069",
      "\u2066\u202C",
      "\u2069\u202C\u202Ex",
      "\u202Ea\nb",
      "\u202A\u202B\u202D"
    ]
    assert.deepStrictEqual(texts.map(bidiClosed), [
      "warehouse",
      "\u202Etrats\u202C",
      "Ops \u202Edelbane\u202C x",
      // The isolate opened last is closed first.
      "\u202Ba\u2066b\u2069\u202C",
      "\u2067lake\u2069",
      // A PDI closes the override opened inside its isolate.
      "\u2066\u202Ex\u2069",
      // A PDF cannot close an isolate.
      "\u2066\u202C\u2069",
      // Closers with nothing open close nothing.
      "\u2069\u202C\u202Ex\u202C",
      // A line break ends the paragraph, and what it opened.
      "\u202Ea\nb",
      "\u202A\u202B\u202D\u202C\u202C\u202C"
    ])
  })
})
