import { OpenApi } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { BatonApi } from "@baton-fivetran/http-api"

const packageVersion = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string })
  .version

describe("version", () => {
  it("the bundle's --version and the OpenAPI info.version are the package version", () => {
    const bundle = fileURLToPath(new URL("../bundle/baton-fivetran-http.js", import.meta.url))
    const printed = execFileSync(process.execPath, [bundle, "--version"], { encoding: "utf8", timeout: 60_000 })
    // Then the commit the bundle was built from (e2e's build-commit test).
    assert.strictEqual(printed.trim().split(" ")[0], packageVersion)
    assert.strictEqual(OpenApi.fromApi(BatonApi).info.version, packageVersion)
    assert.strictEqual(packageVersion, "0.1.0")
  })
})
