import { Effect } from "effect"
import { type Alias, type Document, isMap, isScalar, LineCounter, parseDocument, visit, type YAMLError } from "yaml"
import { SettingError } from "./SettingError.js"

/**
 * The text of a config file parsed, or a SettingError saying what is wrong and where. The parser's
 * own `parse` printed its warnings on stderr (`YAMLWarning: Unresolved tag: !Q9v at line 2 ...`,
 * with the line, a secret's value included) and read on: here nothing is printed, and every
 * problem, warning or error, refuses the file, as a value the parser was unsure of may not be the
 * value meant.
 */

/**
 * Problems whose message quotes the file's text, each said another way. A tag is the start of the
 * value it stands on (`api-secret: !Q9vSECRET` is the tag `!Q9vSECRET` and no value), so naming the
 * tag would print the secret.
 */
const quotesTheValue: Readonly<Record<string, string>> = {
  TAG_RESOLVE_FAILED:
    `the value starts with "!", which YAML reads as a tag; put the value in quotes ('...', with a ' inside written twice)`,
  BAD_DQ_ESCAPE: `the value is in double quotes with a \\ that is not a YAML escape; put it in single quotes, where \\ is kept as written`
}

/**
 * The top-level key the problem at `offset` belongs to: the first whose value ends at or after it
 * (a tag stands before its value's range, and an empty value's range is where it would start).
 */
const keyAt = (doc: Document.Parsed, offset: number): string | undefined => {
  if (!isMap(doc.contents)) return undefined
  const pair = doc.contents.items.find((item) => {
    const end = item.value?.range?.[1] ?? item.key?.range?.[1]
    return end !== undefined && end >= offset
  })
  return pair === undefined ? undefined : String(pair.key)
}

const refusal = (file: string, doc: Document.Parsed, lines: LineCounter) => (problem: YAMLError) => {
  const { col, line } = lines.linePos(problem.pos[0])
  const instead = quotesTheValue[problem.code]
  if (instead === undefined) {
    // The other messages say what in words of their own, but this one ends with the text it refused.
    const what = problem.message.replace(/^(Block scalar header includes extra characters): .*$/s, "$1")
    return new SettingError({ reason: `${file} is not valid YAML: ${what} at line ${line}, column ${col}` })
  }
  const key = keyAt(doc, problem.pos[0])
  const where = key === undefined ? `${file} (line ${line})` : `${file}: ${key} (line ${line})`
  return new SettingError({ reason: `${where}: ${instead}` })
}

/** The file's value, and each top-level value as the file writes it (`0x10`, `2.50`, `True`), by key. */
export interface ParsedYaml {
  readonly data: unknown
  readonly written: Readonly<Record<string, string>>
}

/** The text of each top-level scalar: the value YAML converted (`True` read as true) is shown as written. */
const writtenValues = (doc: Document.Parsed, text: string): Record<string, string> =>
  isMap(doc.contents)
    ? Object.fromEntries(doc.contents.items.flatMap((pair) =>
      isScalar(pair.value) && pair.value.range !== undefined && pair.value.range !== null
        ? [[String(pair.key), text.slice(pair.value.range[0], pair.value.range[1])]]
        : []
    ))
    : {}

/** The first alias of the file whose anchor it does not set, if any. */
const unresolvedAlias = (doc: Document.Parsed): Alias | undefined => {
  let found: Alias | undefined
  visit(doc, {
    Alias: (_, alias) => {
      if (alias.resolve(doc) !== undefined) return undefined
      found = alias
      return visit.BREAK
    }
  })
  return found
}

/**
 * What `toJS` threw, said without the file's text: its message for an alias whose anchor is
 * missing ends with the alias, which is the value it stands in (`api-secret: *Q9vSECRET` is the
 * alias `Q9vSECRET`), so it is named by its key and line, as a tag is.
 */
const unreadable = (file: string, doc: Document.Parsed, lines: LineCounter, error: unknown): SettingError => {
  const alias = unresolvedAlias(doc)
  if (alias === undefined || alias.range === undefined || alias.range === null) {
    return new SettingError({ reason: `${file} is not valid YAML: ${error instanceof Error ? error.message : String(error)}` })
  }
  const key = keyAt(doc, alias.range[0])
  const { line } = lines.linePos(alias.range[0])
  return new SettingError({
    reason: `${key === undefined ? `${file} (line ${line})` : `${file}: ${key} (line ${line})`}: the value starts with "*", ` +
      "which YAML reads as an alias of an anchor the file does not set; put the value in quotes ('...', with a ' inside written twice)"
  })
}

export const parseYaml = (file: string, text: string): Effect.Effect<ParsedYaml, SettingError> =>
  Effect.suspend(() => {
    const lines = new LineCounter()
    // logLevel "error": the library prints nothing (its warnings go to process.emitWarning otherwise).
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, logLevel: "error" })
    const [problem] = [...doc.errors, ...doc.warnings]
    if (problem !== undefined) return Effect.fail(refusal(file, doc, lines)(problem))
    return Effect.try({
      try: (): ParsedYaml => ({ data: doc.toJS(), written: writtenValues(doc, text) }),
      // toJS throws on an alias whose anchor is missing (naming the alias) or past its alias limit.
      catch: (error) => unreadable(file, doc, lines, error)
    })
  })
