import { UnknownPrincipal } from "@baton-fivetran/connector-core"
import { Version } from "@baton-fivetran/fivetran-client/version"
import { HttpApi, OpenApi } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import { readFileSync } from "node:fs"
import { BatonApi, MisdirectedRequest, MisdirectedRequestBody, NotFound, NotFoundBody, ProvisioningRefusalBody } from "../src/index.js"

const packageVersion = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string })
  .version

describe("the contract", () => {
  it("OpenAPI info.version is the one version constant, the package's version", () => {
    assert.strictEqual(OpenApi.fromApi(BatonApi).info.version, Version)
    assert.strictEqual(Version, packageVersion)
  })

  it("composes one group per file, each endpoint once", () => {
    const endpoints: Array<string> = []
    HttpApi.reflect(BatonApi, {
      onGroup: () => {},
      onEndpoint: ({ endpoint, group }) => endpoints.push(`${group.identifier}.${endpoint.name}`)
    })
    assert.deepStrictEqual(endpoints, [
      "health.healthz",
      "health.readyz",
      "service.capabilities",
      "syncs.start",
      "syncs.list",
      "syncs.schedule",
      "syncs.get",
      "syncs.cancel",
      "syncs.file",
      "queries.resources",
      "queries.resourceDetails",
      "queries.entitlements",
      "queries.grants",
      "queries.access",
      "provisioning.grant",
      "provisioning.revoke",
      "provisioning.createAccount",
      "provisioning.deleteResource",
      "review.diff",
      "review.export",
      "review.exportUsers",
      "review.searchPrincipals",
      "review.accountRoles"
    ])
  })

  it("every endpoint, the probes included, declares the Host check's 421 MisdirectedRequest and 400", () => {
    const statuses: Array<readonly [string, boolean, boolean]> = []
    HttpApi.reflect(BatonApi, {
      onGroup: () => {},
      onEndpoint: ({ endpoint, errors }) => statuses.push([endpoint.name, errors.has(421), errors.has(400)])
    })
    assert.strictEqual(statuses.length, 23)
    assert.deepStrictEqual(statuses.filter(([, misdirected, invalid]) => !misdirected || !invalid), [])
    const wire = Schema.encodeSync(MisdirectedRequestBody)(new MisdirectedRequest({ message: "not this host" }))
    assert.deepStrictEqual(wire, { error: "MisdirectedRequest", message: "not this host" })
    assert.instanceOf(Schema.decodeUnknownSync(MisdirectedRequestBody)(wire), MisdirectedRequest)
  })

  it("a diff page's items are DiffRow: the entry's fields, then the two syncs it compares", () => {
    const document = OpenApi.fromApi(BatonApi) as unknown as {
      readonly components: {
        readonly schemas: Record<string, { readonly properties: Record<string, unknown>; readonly required: ReadonlyArray<string> }>
      }
    }
    const row = document.components.schemas["DiffRow"]!
    assert.deepStrictEqual(Object.keys(row.properties).slice(-4), ["old_sync_id", "old_synced_at", "new_sync_id", "new_synced_at"])
    assert.includeMembers([...row.required], ["change", "kind", "id", "old_sync_id", "old_synced_at", "new_sync_id", "new_synced_at"])
    assert.deepStrictEqual(document.components.schemas["DiffPage"]!.properties["items"], {
      type: "array",
      items: { $ref: "#/components/schemas/DiffRow" }
    })
  })

  it("an error travels as {error, message} and decodes back to its class", () => {
    const wire = Schema.encodeSync(NotFoundBody)(new NotFound({ message: "no such job" }))
    assert.deepStrictEqual(wire, { error: "NotFound", message: "no such job" })
    const decoded = Schema.decodeUnknownSync(NotFoundBody)(wire)
    assert.instanceOf(decoded, NotFound)
    const refusal = Schema.decodeUnknownSync(ProvisioningRefusalBody)({ error: "UnknownPrincipal", message: "no user x" })
    assert.instanceOf(refusal, UnknownPrincipal)
    assert.strictEqual(refusal.message, "no user x")
  })
})
