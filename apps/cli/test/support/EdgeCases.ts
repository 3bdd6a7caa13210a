import { AccountSnapshot } from "@baton-fivetran/fivetran-sandbox"
import { Schema } from "effect"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

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
