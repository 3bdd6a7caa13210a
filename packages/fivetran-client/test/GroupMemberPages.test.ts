import { assert, describe, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { dropRowsWithoutGroupRole, dropRowsWithoutGroupRoleFromBytes, dropRowsWithoutGroupRoleUnescaped } from "../src/index.js"
import { parsedThenFiltered } from "./support/GroupPages.js"

/**
 * Property-based: generated group-users pages, compact or spaced, whose rows mix role keys
 * (duplicated, null, "", other values, absent) with strings full of what could mislead a byte
 * scanner (braces, brackets, `},{`, `}]}}`, `"role":` when escaped, colons). The bytes path must
 * give exactly the text path's page and JSON.parse-then-filter's items; cut short or given the
 * sandbox's faults, every page must still be rejected. The seeds are fixed so a failure
 * reproduces; fast-check prints the smallest failing page.
 */

const encode = (text: string) => new TextEncoder().encode(text)

/** Text without quotes or backslashes (what the unescaped path reads), in pieces that mislead a byte scanner. */
const plainText = fc.array(
  fc.constantFrom("a", "Zoë", "🚀", " ", "{", "}", "[", "]", ",", ":", "},{", "}]", "}]}}", "},{}]}}", "role", "null", "\n"),
  { maxLength: 6 }
).map((parts) => parts.join(""))

const text = fc.oneof({ weight: 6, arbitrary: plainText }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }, {
  weight: 1,
  arbitrary: fc.constant("\"role\":\"Owner\"")
})

const key = fc.oneof({ weight: 4, arbitrary: fc.constant("role") }, {
  weight: 4,
  arbitrary: fc.constantFrom("id", "email", "items", "data", "title")
}, { weight: 1, arbitrary: text })

const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.constant(""),
    text,
    fc.constantFrom("Destination Reviewer", "role", "null"),
    fc.integer(),
    fc.boolean(),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(key, tie("value"), { maxKeys: 3 })
  )
}))

const space = fc.constantFrom("", "", "", " ", "\n  ", "\t")

/** One row as JSON text, built by hand so that keys may repeat (JSON.parse keeps the last). */
const row = fc.tuple(fc.array(fc.tuple(key, value), { maxLength: 5 }), space).map(([members, ws]) =>
  `{${ws}${members.map(([k, v]) => `${JSON.stringify(k)}${ws}:${ws}${JSON.stringify(v)}`).join(`,${ws}`)}${ws}}`
)

/** A row as the API sends it: flat, a role key, mostly null. */
const apiRow = fc.tuple(fc.string({ maxLength: 6 }), fc.option(fc.constantFrom("Destination Reviewer", ""), { freq: 4 }))
  .map(([id, role]) => JSON.stringify({ id, email: `${id}@example.com`, given_name: "Ada", role, active: true }))

const item = fc.oneof(
  { weight: 6, arbitrary: apiRow },
  { weight: 6, arbitrary: row },
  { weight: 1, arbitrary: value.map((v) => JSON.stringify(v)) }
)

interface Page {
  readonly items: ReadonlyArray<string>
  readonly space: string
  readonly itemsFirst: boolean
  readonly cursor: string | null
}

const page: fc.Arbitrary<Page> = fc.record({
  items: fc.array(item, { maxLength: 8 }),
  space,
  itemsFirst: fc.boolean(),
  cursor: fc.option(fc.string({ maxLength: 6 }))
})

/** The page's JSON text; `commaBeforeEnd` writes the items as `[...,]`, which is not JSON. */
const render = ({ cursor, items, itemsFirst, space: ws }: Page, commaBeforeEnd = false) => {
  const list = `[${ws}${items.join(`${ws},${ws}`)}${commaBeforeEnd ? "," : ""}${ws}]`
  const members = [`"items"${ws}:${ws}${list}`, `"next_cursor"${ws}:${ws}${JSON.stringify(cursor)}`]
  const data = `{${ws}${(itemsFirst ? members : members.reverse()).join(`,${ws}`)}${ws}}`
  return `{${ws}"code":${ws}"Success",${ws}"data"${ws}:${ws}${data}${ws}}`
}

describe("group-users pages, generated", () => {
  it("the bytes path gives exactly the text path's page, and JSON.parse-then-filter's items", () => {
    let unescaped = 0
    fc.assert(
      fc.property(page, (generated) => {
        const text = render(generated)
        const kept = dropRowsWithoutGroupRoleFromBytes(encode(text))
        assert.strictEqual(kept, dropRowsWithoutGroupRole(text))
        assert.deepStrictEqual(JSON.parse(kept), parsedThenFiltered(text))
        if (dropRowsWithoutGroupRoleUnescaped(encode(text)) !== undefined) unescaped++
      }),
      { seed: 1414, numRuns: 3000 }
    )
    // The generator must reach the unescaped path, not only the exact ones it falls back to.
    assert.isAbove(unescaped, 300)
  })

  it("every page cut short, or given the sandbox's malformed fault or a ,] is rejected", () => {
    const rejected = (body: string) => {
      assert.throws(() => JSON.parse(dropRowsWithoutGroupRoleFromBytes(encode(body))), SyntaxError, undefined, body)
    }
    fc.assert(
      fc.property(page, fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), { maxLength: 12 }), (generated, cuts) => {
        const text = render(generated)
        for (const cut of cuts) rejected(text.slice(0, Math.floor(cut * text.length)))
        for (let end = Math.max(0, text.length - 12); end < text.length; end++) rejected(text.slice(0, end))
        // Just after a brace: where a string holding `}]}}` could pass for the end of the page.
        for (let end = text.indexOf("}") + 1; end > 0 && end < text.length; end = text.indexOf("}", end) + 1) {
          rejected(text.slice(0, end))
        }
        rejected(`${text.replace(/}\s*$/, "")},}`)
        rejected(render(generated, true))
      }),
      { seed: 1415, numRuns: 500 }
    )
  })
})
