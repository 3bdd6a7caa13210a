import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import { ConfigurationJson, configurationSchema } from "../src/index.js"

describe("configuration manifest", () => {
  it("describes the connector's settings as c1.config.v1.Configuration protojson, from their declarations", () => {
    const schema = configurationSchema()
    assert.isTrue(Schema.is(ConfigurationJson)(schema))
    assert.strictEqual(schema.displayName, "Fivetran")
    assert.deepStrictEqual(schema.fields.map((f) => f.name), [
      "api-key",
      "api-secret",
      "base-url",
      "sync-connections",
      "concurrency",
      "exclusion-groups",
      "rate-limit-reserve",
      "max-rate-limit-wait",
      "request-timeout"
    ])
    assert.deepStrictEqual(schema.fields[1], {
      name: "api-secret",
      displayName: "API secret",
      description: "The secret of the Fivetran API key",
      isRequired: true,
      isSecret: true,
      stringField: { rules: { isRequired: true } }
    })
    assert.deepStrictEqual(schema.fields[2]?.stringField, { defaultValue: "https://api.fivetran.com" })
    assert.deepStrictEqual(schema.fields[3]?.boolField, {})
    assert.deepStrictEqual(schema.fields[4]?.intField, { defaultValue: "8", rules: { lte: "64", gte: "1" } })
    assert.deepStrictEqual(schema.fields[5]?.boolField, {})
    assert.deepStrictEqual(schema.fields[6]?.intField, { defaultValue: "20", rules: { lte: "99", gte: "0" } })
    assert.deepStrictEqual(schema.fields[7]?.stringField, { defaultValue: "1h" })
    assert.deepStrictEqual(schema.fields[8], {
      name: "request-timeout",
      displayName: "Request timeout",
      description: "How long one attempt of a Fivetran request may take, its whole answer included; a request is tried " +
        "up to 5 times, each attempt with this timeout",
      stringField: { defaultValue: "30s" }
    })
  })
})
