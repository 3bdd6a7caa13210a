import { Schema } from "effect"
import { readFileSync } from "node:fs"

const PackageJson = Schema.parseJson(Schema.Struct({ version: Schema.String }))

/** The CLI's version, from its package.json (dist/ sits beside it). */
export const version = (): string =>
  Schema.decodeUnknownSync(PackageJson)(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version
