import { Option } from "effect"

/**
 * What a `.baton.yaml` value is, as refusals name it: "got a list" where a setting takes one value.
 * Kept apart from ConfigFile.ts so that the resolution can name it without loading the YAML parser.
 */
export const yamlKind = (value: unknown): string =>
  Array.isArray(value)
    ? "a list"
    : value === null
    ? "nothing"
    : typeof value === "object"
    ? "a map"
    : typeof value === "string"
    ? "text"
    : `a ${typeof value}`

/**
 * Why a value YAML converted is no whole number, for a setting that takes one. YAML reads `2.5` as
 * a fraction, `True` as a boolean, `.inf` as infinity and `1e30` or twenty digits as a number held
 * only approximately; read through their text ("2.5", "true", "1e+30") they were refused quoting a
 * value the file does not hold. A whole number in another notation (`0x10`, `0o17`, `1e1`, `8.0`)
 * is that number, as viper reads it for baton's Go connectors.
 */
export const wholeNumberProblem = (value: unknown): Option.Option<string> => {
  if (typeof value === "boolean") return Option.some("a boolean")
  if (typeof value !== "number" || Number.isSafeInteger(value)) return Option.none()
  if (!Number.isFinite(value)) return Option.some("not a finite number")
  return Option.some(
    Number.isInteger(value) ? `a number past ${Number.MAX_SAFE_INTEGER}, the largest read exactly` : "a number with a fraction"
  )
}
