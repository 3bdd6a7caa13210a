import { Option, ParseResult, SchemaAST } from "effect"
import { type ApiError, invalidInput } from "./ApiError.js"

/**
 * A request body that does not decode, as one 400 naming each field and what it must be:
 * `Invalid field 'role': must be a string, not null`. Effect's own formatters speak of the schema
 * (`Expected string, actual null; Expected undefined, actual null` for an optional field), which
 * a caller of a JSON API cannot act on.
 */

type Problem =
  | { readonly _tag: "Missing" }
  | { readonly _tag: "Expected"; readonly expected: SchemaAST.AST; readonly actual: unknown }
  | { readonly _tag: "Refused"; readonly text: string }

interface FieldProblem {
  readonly path: ReadonlyArray<PropertyKey>
  readonly problem: Problem
}

const many = <A>(items: A | ReadonlyArray<A>): ReadonlyArray<A> => (Array.isArray(items) ? items : [items as A])

const problems = (issue: ParseResult.ParseIssue, path: ReadonlyArray<PropertyKey>): ReadonlyArray<FieldProblem> => {
  switch (issue._tag) {
    case "Pointer":
      return problems(issue.issue, [...path, ...many(issue.path)])
    case "Composite":
      return many(issue.issues).flatMap((inner) => problems(inner, path))
    case "Transformation":
      return problems(issue.issue, path)
    case "Refinement":
      // A value of the right type that fails the check (an empty NonEmptyString) is named by the check.
      return issue.kind === "From"
        ? problems(issue.issue, path)
        : [{ path, problem: { _tag: "Expected", expected: issue.ast, actual: issue.actual } }]
    case "Missing":
      return [{ path, problem: { _tag: "Missing" } }]
    case "Type":
      return [{ path, problem: { _tag: "Expected", expected: issue.ast, actual: issue.actual } }]
    case "Unexpected":
      return [{ path, problem: { _tag: "Refused", text: "is not a field of this request" } }]
    case "Forbidden":
      return [{ path, problem: { _tag: "Refused", text: issue.message ?? "cannot be checked" } }]
  }
}

/** What a value of `ast` is, in JSON's words; an optional field's `undefined` is its absence, so it names nothing. */
const expectedValues = (ast: SchemaAST.AST): ReadonlyArray<string> => {
  switch (ast._tag) {
    case "StringKeyword":
      return ["a string"]
    case "NumberKeyword":
      return ["a number"]
    case "BooleanKeyword":
      return ["true or false"]
    case "UndefinedKeyword":
      return []
    case "Literal":
      return [ast.literal === null ? "null" : JSON.stringify(ast.literal)]
    case "Union":
      return ast.types.flatMap(expectedValues)
    case "TypeLiteral":
      return ["an object"]
    case "TupleType":
      return ["an array"]
    case "Refinement":
      return Option.match(SchemaAST.getDescriptionAnnotation(ast), { onNone: () => expectedValues(ast.from), onSome: (d) => [d] })
    case "Transformation":
      return expectedValues(ast.from)
    default:
      return [String(ast)]
  }
}

/** "a, b or c" */
const alternatives = (words: ReadonlyArray<string>): string =>
  words.length <= 1 ? words.join("") : `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`

/** The value sent, briefly: scalars as JSON, objects and arrays by kind. */
const sent = (actual: unknown): string =>
  Array.isArray(actual) ? "an array" : typeof actual === "object" && actual !== null ? "an object" : JSON.stringify(actual)

const describe = (found: ReadonlyArray<Problem>): string => {
  if (found.some((problem) => problem._tag === "Missing")) return "is missing"
  const refused = found.find((problem) => problem._tag === "Refused")
  if (refused !== undefined) return refused.text
  const expected = found.flatMap((problem) => (problem._tag === "Expected" ? [problem] : []))
  const values = [...new Set(expected.flatMap((problem) => expectedValues(problem.expected)))]
  return `must be ${alternatives(values)}, not ${sent(expected[0]?.actual)}`
}

export const describeParseError = (error: ParseResult.ParseError): ApiError => {
  // The issues of one field (a union's members each fail on their own) become one sentence.
  const byField = new Map<string, { readonly path: ReadonlyArray<PropertyKey>; readonly found: Array<Problem> }>()
  for (const { path, problem } of problems(error.issue, [])) {
    const key = path.map(String).join(".")
    const field = byField.get(key) ?? { path, found: [] }
    field.found.push(problem)
    byField.set(key, field)
  }
  const text = [...byField.entries()]
    .map(([key, { found }]) => `${key === "" ? "Invalid body" : `Invalid field '${key}'`}: ${describe(found)}`)
    .join("; ")
  return invalidInput(text === "" ? "Invalid body" : text)
}
