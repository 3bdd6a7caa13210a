import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either, Option, Redacted } from "effect"
import * as Core from "@baton-fivetran/connector-core"
import { normalizeArgv } from "../src/Argv.js"
import { DefaultBaseUrl, DefaultConcurrency } from "../src/settings/ConnectorDefaults.js"
import { resolveSettings } from "../src/settings/Settings.js"
import type { SettingSources } from "../src/settings/Setting.js"

/** In-process checks of the settings resolution; the environment is a ConfigProvider built from a map. */
const withEnv = (env: Record<string, string>) => Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

const sources = (flags: Record<string, string>, file: Record<string, unknown> | undefined): SettingSources => ({
  flags: new Map(Object.entries(flags)),
  file: file === undefined
    ? Option.none()
    : Option.some({ label: ".baton.yaml", provider: ConfigProvider.fromJson(file) })
})

describe("settings", () => {
  it.effect("a flag beats the environment, which beats the config file, which beats the default", () =>
    Effect.gen(function*() {
      const settings = yield* resolveSettings(
        sources({ file: "flag.c1z" }, { file: "file.c1z", concurrency: 3, "base-url": "http://file.test/", "log-level": "warn" })
      ).pipe(withEnv({ BATON_FILE: "env.c1z", BATON_CONCURRENCY: "5", BATON_API_SECRET: "s3cret" }))
      assert.strictEqual(settings.file, "flag.c1z")
      assert.strictEqual(settings.concurrency, 5)
      assert.strictEqual(settings.baseUrl, "http://file.test")
      assert.strictEqual(settings.logLevel, "warn")
      assert.strictEqual(settings.syncConnections, false)
      assert.isTrue(Option.isNone(settings.apiKey))
      assert.strictEqual(settings.apiSecret.pipe(Option.map(Redacted.value), Option.getOrUndefined), "s3cret")
    }))

  it.effect("a bad value is an error naming its source even when a lower source has a good one", () =>
    Effect.gen(function*() {
      const fromEnv = yield* Effect.either(
        resolveSettings(sources({}, { concurrency: 4 })).pipe(withEnv({ BATON_CONCURRENCY: "0" }))
      )
      assert.deepStrictEqual(
        Either.getLeft(fromEnv).pipe(Option.map((e) => e.reason)),
        Option.some("BATON_CONCURRENCY: expected a whole number from 1 to 64")
      )
      const fromFile = yield* Effect.either(
        resolveSettings(sources({}, { "sync-connections": "maybe" })).pipe(withEnv({}))
      )
      assert.deepStrictEqual(
        Either.getLeft(fromFile).pipe(Option.map((e) => e.reason)),
        Option.some(".baton.yaml: sync-connections: Expected a boolean value but received \"maybe\"")
      )
    }))

  it.effect("an empty value counts as unset, as baton (viper) treats empty variables", () =>
    Effect.gen(function*() {
      const settings = yield* resolveSettings(sources({ "api-secret": "" }, undefined)).pipe(
        withEnv({ BATON_API_KEY: "", BATON_FILE: "" })
      )
      assert.isTrue(Option.isNone(settings.apiSecret))
      assert.isTrue(Option.isNone(settings.apiKey))
      assert.strictEqual(settings.file, "sync.c1z")
    }))
})

describe("connector defaults", () => {
  it("the CLI's copies equal connector-core's", () => {
    assert.strictEqual(DefaultBaseUrl, Core.DefaultBaseUrl)
    assert.strictEqual(DefaultConcurrency, Core.DefaultConcurrency)
  })
})

describe("argv", () => {
  it("takes baton's --log-level out (both spellings) and gives a bare --sandbox its default preset", () => {
    assert.deepStrictEqual(normalizeArgv(["node", "bin", "--log-level", "debug", "--sandbox"]), {
      args: ["node", "bin", "--sandbox", "small"],
      logLevel: Option.some("debug")
    })
    assert.deepStrictEqual(normalizeArgv(["node", "bin", "--sandbox", "--log-level=warn", "-f", "x"]), {
      args: ["node", "bin", "--sandbox", "small", "-f", "x"],
      logLevel: Option.some("warn")
    })
    assert.deepStrictEqual(normalizeArgv(["node", "bin", "--sandbox", "large", "--log-level"]), {
      args: ["node", "bin", "--sandbox", "large"],
      logLevel: Option.some("")
    })
  })
})
