import { AccountSnapshot, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { Effect, Schema } from "effect"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { assertExit, runCli } from "./CliProcess.js"

/** The pinned edge-case account of the end-to-end tests (e2e/test/fixtures/edge-cases.json). */
export const edgeCases: AccountSnapshot = Schema.decodeUnknownSync(AccountSnapshot)(
  JSON.parse(readFileSync(fileURLToPath(new URL("../../../../e2e/test/fixtures/edge-cases.json", import.meta.url)), "utf8"))
)

/** Its only credential: a user key of admin_ada, an Account Administrator. */
export const edgeKey = (() => {
  const key = edgeCases.credentials.find((c) => c._tag === "UserKey")
  if (key === undefined) throw new Error("the edge-case account has no user key")
  return key
})()

/** The CLI's flags for the test's sandbox (holding the edge-case account or a variant) with that key. */
export const edgeFlags = Effect.map(Sandbox, (sandbox) => [
  "--base-url",
  sandbox.baseUrl,
  "--api-key",
  edgeKey.key,
  "--api-secret",
  edgeKey.secret
])

/** Syncs the test's sandbox into `file` with the CLI. */
export const syncEdgeInto = (file: string) =>
  Effect.gen(function*() {
    const result = yield* runCli([...yield* edgeFlags, "-f", file])
    assertExit(result, 0)
  })
