import { NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Redacted } from "effect"
import { FivetranClient, FivetranClientConfig } from "../src/index.js"
import * as Examples from "./fixtures/ApiExamples.js"
import { json, startServer } from "./support/ScriptedServer.js"

/** What an app does: `BATON_`-prefixed names, as from the environment. */
const batonProvider = (entries: Record<string, string>) =>
  ConfigProvider.fromMap(new Map(Object.entries(entries)), { pathDelim: "_" }).pipe(ConfigProvider.nested("BATON"))

const readConfig = (entries: Record<string, string>) =>
  Effect.withConfigProvider(FivetranClientConfig.config, batonProvider(entries))

describe("FivetranClientConfig", () => {
  it.effect("reads the names under a nested provider and applies the defaults", () =>
    Effect.gen(function*() {
      const config = yield* readConfig({ BATON_API_KEY: "key-1", BATON_API_SECRET: "secret-1" })
      assert.strictEqual(Redacted.value(config.apiKey), "key-1")
      assert.strictEqual(Redacted.value(config.apiSecret), "secret-1")
      assert.strictEqual(String(config.apiSecret), "<redacted>")
      assert.deepStrictEqual(
        {
          baseUrl: config.baseUrl,
          requestTimeoutSeconds: config.requestTimeoutSeconds,
          maxAttempts: config.maxAttempts,
          maxBackoffSeconds: config.maxBackoffSeconds,
          backoffBaseMillis: config.backoffBaseMillis,
          rateLimitReservePercent: config.rateLimitReservePercent,
          maxRateLimitWaitSeconds: config.maxRateLimitWaitSeconds
        },
        {
          baseUrl: "https://api.fivetran.com",
          requestTimeoutSeconds: 30,
          maxAttempts: 5,
          maxBackoffSeconds: 60,
          backoffBaseMillis: 500,
          rateLimitReservePercent: 20,
          maxRateLimitWaitSeconds: 3600
        }
      )
    }))

  it.effect("overrides every setting; a trailing slash on BASE_URL is dropped", () =>
    Effect.gen(function*() {
      const config = yield* readConfig({
        BATON_API_KEY: "k",
        BATON_API_SECRET: "s",
        BATON_BASE_URL: "http://127.0.0.1:8080/",
        BATON_REQUEST_TIMEOUT_SECONDS: "7",
        BATON_MAX_ATTEMPTS: "2",
        BATON_MAX_BACKOFF_SECONDS: "9",
        BATON_BACKOFF_BASE_MILLIS: "50",
        BATON_RATE_LIMIT_RESERVE: "0",
        BATON_MAX_RATE_LIMIT_WAIT_SECONDS: "120"
      })
      assert.strictEqual(config.baseUrl, "http://127.0.0.1:8080")
      assert.deepStrictEqual(
        [
          config.requestTimeoutSeconds,
          config.maxAttempts,
          config.maxBackoffSeconds,
          config.backoffBaseMillis,
          config.rateLimitReservePercent,
          config.maxRateLimitWaitSeconds
        ],
        [7, 2, 9, 50, 0, 120]
      )
    }))

  it.effect("a missing secret or key is a ConfigError naming it", () =>
    Effect.gen(function*() {
      const noSecret = yield* Effect.flip(readConfig({ BATON_API_KEY: "k" }))
      assert.strictEqual(String(noSecret), `(Missing data at BATON.API_SECRET: "<redacted>")`)
      const noKey = yield* Effect.flip(readConfig({ BATON_API_SECRET: "s" }))
      assert.strictEqual(String(noKey), `(Missing data at BATON.API_KEY: "<redacted>")`)
    }))

  it.effect("bad values are rejected with the setting's name", () =>
    Effect.gen(function*() {
      const base = { BATON_API_KEY: "k", BATON_API_SECRET: "s" }
      assert.include(String(yield* Effect.flip(readConfig({ ...base, BATON_MAX_ATTEMPTS: "0" }))), "MAX_ATTEMPTS")
      assert.include(
        String(yield* Effect.flip(readConfig({ ...base, BATON_REQUEST_TIMEOUT_SECONDS: "soon" }))),
        "REQUEST_TIMEOUT_SECONDS"
      )
      assert.include(String(yield* Effect.flip(readConfig({ ...base, BATON_BASE_URL: "ftp://x" }))), "BASE_URL")
      assert.include(String(yield* Effect.flip(readConfig({ ...base, BATON_API_KEY: "" }))), "API_KEY")
      assert.include(
        String(yield* Effect.flip(readConfig({ ...base, BATON_RATE_LIMIT_RESERVE: "100" }))),
        "RATE_LIMIT_RESERVE must be a whole percentage from 0 to 99"
      )
    }))

  it.scoped("FivetranClient.layerConfig builds a working client from the provider", () =>
    Effect.gen(function*() {
      const server = yield* startServer(() => json(200, Examples.AccountInfo_7))
      const layer = FivetranClient.layerConfig.pipe(
        Layer.provide(NodeHttpClient.layerUndici),
        Layer.provide(
          Layer.setConfigProvider(
            batonProvider({ BATON_API_KEY: "k1", BATON_API_SECRET: "s1", BATON_BASE_URL: server.baseUrl })
          )
        )
      )
      const info = yield* Effect.flatMap(FivetranClient, (client) => client.accountInfo).pipe(Effect.provide(layer))
      assert.deepStrictEqual(info, Examples.AccountInfo_7.data)
      const [request] = yield* server.requests
      assert.strictEqual(request!.headers["authorization"], `Basic ${Buffer.from("k1:s1").toString("base64")}`)
    }))
})
