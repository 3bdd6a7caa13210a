import { assert, describe, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { shownText } from "../src/ShownText.js"

describe("shownText", () => {
  it("escapes control, format (zero-width, bidi, BOM, soft hyphen, tag) and separator characters; keeps an emoji's joiner", () => {
    const texts = [
      "Admin\u200B",
      "a\u200Cb\u200Dc\u2060d\uFEFFe\u00ADf",
      "Bo\u202E\u2066",
      "tag\u{E0041}",
      "ab\u2028cd\u2029",
      "\u001b[2J\t\n",
      "\u{1F469}\u200D\u{1F4BB} \u{1F469}\u{1F3FD}\u200D\u{1F4BB} \u2764\uFE0F\u200D\u{1F525}",
      "x\u200D\u{1F4BB} \u{1F4BB}\u200D",
      "caf\u00E9 \u65E5\u672C \u2764\uFE0F"
    ]
    assert.deepStrictEqual(texts.map(shownText), [
      "Admin\\u200b",
      "a\\u200cb\\u200dc\\u2060d\\ufeffe\\u00adf",
      "Bo\\u202e\\u2066",
      "tag\\U000e0041",
      "ab\\u2028cd\\u2029",
      "\\u001b[2J\\u0009\\u000a",
      "\u{1F469}\u200D\u{1F4BB} \u{1F469}\u{1F3FD}\u200D\u{1F4BB} \u2764\uFE0F\u200D\u{1F525}",
      "x\\u200d\u{1F4BB} \u{1F4BB}\\u200d",
      "caf\u00E9 \u65E5\u672C \u2764\uFE0F"
    ])
  })

  it("writes escapes bash's $'...' reads back as the same text (the CLI's suggested commands quote ids so)", () => {
    const text = "role:Evil\u202E\u200B\u{E0041}\nRole"
    assert.strictEqual(execFileSync("bash", ["-c", `printf %s $'${shownText(text)}'`], { encoding: "utf8" }), text)
  })
})
