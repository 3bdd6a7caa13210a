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
