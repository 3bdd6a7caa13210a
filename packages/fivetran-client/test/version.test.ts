import { assert, describe, it } from "@effect/vitest"
import { readdirSync, readFileSync } from "node:fs"
import { Version } from "../src/Version.js"

const workspace = new URL("../../../", import.meta.url)

/** Every package and app of the workspace, with the version its package.json declares. */
const declared = ["packages", "apps"].flatMap((folder) =>
  readdirSync(new URL(`${folder}/`, workspace)).map((name) => {
    const pkg = JSON.parse(readFileSync(new URL(`${folder}/${name}/package.json`, workspace), "utf8")) as {
      name: string
      version: string
    }
    return [pkg.name, pkg.version] as const
  })
)

describe("version", () => {
  it("Version is the version every workspace package declares", () => {
    assert.strictEqual(declared.length, 8)
    assert.deepStrictEqual(declared.filter(([, version]) => version !== Version), [])
  })
})
