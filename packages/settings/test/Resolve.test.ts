import { DefaultBaseUrl, FivetranClientConfig } from "@baton-fivetran/fivetran-client"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either, Option, Redacted } from "effect"
import {
  BatonSettings,
  find,
  type FlagValue,
  lookup,
  optional,
  required,
  resolve,
  resolveSourced,
  type Setting,
  type SettingSources,
  SettingKind
} from "../src/index.js"

/** In-process checks of the resolution; the environment is a ConfigProvider built from a map. */
const withEnv = (env: Record<string, string>) => Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

const sources = (flags: Record<string, FlagValue>, file?: Record<string, unknown>): SettingSources => ({
  flags: new Map(Object.entries(flags)),
  file: file === undefined ? Option.none() : Option.some({ label: ".baton.yaml", values: file, written: {} })
})

const reason = <A>(effect: Effect.Effect<A, { readonly reason: string }>) =>
  Effect.map(Effect.either(effect), (result) => Either.getLeft(result).pipe(Option.map((e) => e.reason)))

const Tokens = optional(SettingKind.secretList("token"), { flag: "token", env: "BATON_HTTP_TOKENS", description: "Tokens." })

describe("resolution", () => {
  it.live("a flag beats the environment, which beats the file, which beats the default; each names its source", () =>
    Effect.gen(function*() {
      const all = sources({ concurrency: "3" }, { concurrency: 4 })
      const env = { BATON_CONCURRENCY: "5" }
      assert.deepStrictEqual(
        yield* find(BatonSettings.Concurrency, all).pipe(withEnv(env)),
        Option.some({ value: 3, source: "--concurrency", origin: "flag" })
      )
      assert.deepStrictEqual(
        yield* find(BatonSettings.Concurrency, sources({}, { concurrency: 4 })).pipe(withEnv(env)),
        Option.some({ value: 5, source: "BATON_CONCURRENCY", origin: "variable" })
      )
      assert.deepStrictEqual(
        yield* find(BatonSettings.Concurrency, sources({}, { concurrency: 4 })).pipe(withEnv({})),
        Option.some({ value: 4, source: ".baton.yaml: concurrency", origin: "file" })
      )
      assert.strictEqual(yield* resolve(BatonSettings.Concurrency, sources({})).pipe(withEnv({})), 8)
      assert.deepStrictEqual(
        yield* resolveSourced(BatonSettings.Concurrency, sources({})).pipe(withEnv({})),
        { value: 8, source: "--concurrency", origin: "default" }
      )
    }))

  it.live("a bad value is an error naming its source even when a lower source has a good one", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(
        yield* reason(resolve(BatonSettings.Concurrency, sources({ concurrency: "65" }, { concurrency: 4 })).pipe(withEnv({}))),
        Option.some("--concurrency: expected a whole number from 1 to 64, got \"65\"")
      )
      assert.deepStrictEqual(
        yield* reason(resolve(BatonSettings.Concurrency, sources({}, { concurrency: 4 })).pipe(withEnv({ BATON_CONCURRENCY: "0" }))),
        Option.some("BATON_CONCURRENCY: expected a whole number from 1 to 64, got \"0\"")
      )
      assert.deepStrictEqual(
        yield* reason(resolve(BatonSettings.SyncConnections, sources({}, { "sync-connections": "maybe" })).pipe(withEnv({}))),
        Option.some(
          ".baton.yaml: sync-connections: expected true or false (1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False), got \"maybe\""
        )
      )
      assert.deepStrictEqual(
        yield* reason(resolve(BatonSettings.MaxRateLimitWait, sources({ "max-rate-limit-wait": "soon" })).pipe(withEnv({}))),
        Option.some("--max-rate-limit-wait: expected a duration such as 1h, 10m, 90s or 1h30m, got \"soon\"")
      )
      const Every = optional(SettingKind.durationAtLeast("1m"), { flag: "every", env: "EVERY", description: "Every." })
      assert.deepStrictEqual(
        [
          yield* reason(lookup(Every, sources({ every: "59s" })).pipe(withEnv({}))),
          yield* reason(lookup(Every, sources({ every: "soon" })).pipe(withEnv({}))),
          yield* lookup(Every, sources({})).pipe(withEnv({ EVERY: "1m" }))
        ],
        [
          Option.some("--every: expected a duration of at least 1m, got \"59s\""),
          Option.some("--every: expected a duration such as 1h, 10m, 90s or 1h30m, got \"soon\""),
          Option.some(60_000)
        ]
      )
      // A long value is quoted cut, as every echoed value is: its first 128 characters, then its length.
      assert.deepStrictEqual(
        yield* reason(resolve(BatonSettings.Concurrency, sources({ concurrency: "x".repeat(300) })).pipe(withEnv({}))),
        Option.some(`--concurrency: expected a whole number from 1 to 64, got "${"x".repeat(128)}…(300 characters)"`)
      )
      assert.deepStrictEqual(
        yield* reason(resolve(BatonSettings.BaseUrl, sources({})).pipe(withEnv({ BATON_BASE_URL: "ftp://x" }))),
        Option.some(`BATON_BASE_URL: expected an http(s) URL such as ${DefaultBaseUrl}, got "ftp://x"`)
      )
      assert.deepStrictEqual(
        yield* reason(resolve(BatonSettings.LogLevel, sources({ "log-level": "loud" })).pipe(withEnv({}))),
        Option.some("--log-level: expected one of debug, info, warn, error, got \"loud\"")
      )
    }))

  it.live("an empty variable or a YAML null is unset; an empty flag or file value is refused, naming what is accepted", () =>
    Effect.gen(function*() {
      assert.isTrue(Option.isNone(yield* lookup(BatonSettings.ApiKey, sources({})).pipe(withEnv({ BATON_API_KEY: "" }))))
      assert.strictEqual(
        yield* resolve(BatonSettings.MaxRateLimitWait, sources({})).pipe(withEnv({ BATON_MAX_RATE_LIMIT_WAIT: "" })),
        3_600_000
      )
      assert.strictEqual(
        yield* resolve(BatonSettings.RateLimitReserve, sources({}, { "rate-limit-reserve": null })).pipe(withEnv({})),
        20
      )
      const refusals = yield* Effect.all([
        reason(lookup(BatonSettings.ApiSecret, sources({ "api-secret": "" }))),
        reason(resolve(BatonSettings.RateLimitReserve, sources({ "rate-limit-reserve": "" }))),
        reason(resolve(BatonSettings.RateLimitReserve, sources({}, { "rate-limit-reserve": "" }))),
        reason(resolve(BatonSettings.MaxRateLimitWait, sources({ "max-rate-limit-wait": "" }))),
        reason(resolve(BatonSettings.Provisioning, sources({ provisioning: "" }))),
        reason(lookup(Tokens, sources({ token: ["a", ""] })))
      ]).pipe(withEnv({}))
      assert.deepStrictEqual(refusals, [
        Option.some("--api-secret: expected secret text (never printed), got \"\""),
        Option.some("--rate-limit-reserve: expected a whole number from 0 to 99, got \"\""),
        Option.some(".baton.yaml: rate-limit-reserve: expected a whole number from 0 to 99, got \"\""),
        Option.some("--max-rate-limit-wait: expected a duration with a unit, such as 90s, 10m, 6h or 1h30m, got \"\""),
        Option.some(
          "--provisioning: expected no value as a flag (on when given), or true or false (1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False), got \"\""
        ),
        Option.some("--token: expected secret text (never printed); repeat the flag, or separate with commas, got \"\"")
      ])
    }))

  it.live("a boolean is exactly what Go's strconv.ParseBool reads, from every source; yes, on, y and the like are refused", () =>
    Effect.gen(function*() {
      const words = ["1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"]
      const read = (text: string) =>
        Effect.all([
          resolve(BatonSettings.SyncConnections, sources({ "sync-connections": text })).pipe(withEnv({})),
          resolve(BatonSettings.SyncConnections, sources({})).pipe(withEnv({ BATON_SYNC_CONNECTIONS: text })),
          resolve(BatonSettings.SyncConnections, sources({}, { "sync-connections": text })).pipe(withEnv({}))
        ])
      assert.deepStrictEqual(
        yield* Effect.forEach(words, read),
        words.map((_, i) => Array<boolean>(3).fill(i < 6))
      )
      const accepted = "expected true or false (1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False)"
      assert.deepStrictEqual(
        yield* Effect.forEach(
          ["yes", "no", "on", "off", "y", "tRUE", " true", "2"],
          (text) => reason(resolve(BatonSettings.SyncConnections, sources({})).pipe(withEnv({ BATON_SYNC_CONNECTIONS: text })))
        ),
        ["yes", "no", "on", "off", "y", "tRUE", " true", "2"].map((text) =>
          Option.some(`BATON_SYNC_CONNECTIONS: ${accepted}, got ${JSON.stringify(text)}`)
        )
      )
    }))

  it.live("a number is plain decimal digits: blanks, hex, exponents, fractions and signs are refused from every source", () =>
    Effect.gen(function*() {
      const bad = [" ", "0x10", "1e1", "8.0", "12.5", "+5", "-1", " 8", "8 ", "٣", "99999999999999999999"]
      const refusals = yield* Effect.forEach(bad, (text) =>
        Effect.all([
          reason(resolve(BatonSettings.Concurrency, sources({ concurrency: text }))),
          reason(resolve(BatonSettings.RateLimitReserve, sources({}))).pipe(withEnv({ BATON_RATE_LIMIT_RESERVE: text })),
          reason(resolve(BatonSettings.RateLimitReserve, sources({}, { "rate-limit-reserve": text })))
        ])).pipe(withEnv({}))
      assert.deepStrictEqual(
        refusals,
        bad.map((text) => [
          Option.some(`--concurrency: expected a whole number from 1 to 64, got ${JSON.stringify(text)}`),
          Option.some(`BATON_RATE_LIMIT_RESERVE: expected a whole number from 0 to 99, got ${JSON.stringify(text)}`),
          Option.some(`.baton.yaml: rate-limit-reserve: expected a whole number from 0 to 99, got ${JSON.stringify(text)}`)
        ])
      )
      const read = yield* Effect.all([
        resolve(BatonSettings.Concurrency, sources({ concurrency: "064" })),
        resolve(BatonSettings.RateLimitReserve, sources({})).pipe(withEnv({ BATON_RATE_LIMIT_RESERVE: "0" })),
        resolve(BatonSettings.RateLimitReserve, sources({}, { "rate-limit-reserve": 99 }))
      ]).pipe(withEnv({}))
      assert.deepStrictEqual(read, [64, 0, 99])
    }))

  it.live("every source is checked, not only the winning one: a bad lower value is an error; the highest bad one is named", () =>
    Effect.gen(function*() {
      const refusals = yield* Effect.all([
        reason(resolve(BatonSettings.RateLimitReserve, sources({}, { "rate-limit-reserve": "abc" })))
          .pipe(withEnv({ BATON_RATE_LIMIT_RESERVE: "40" })),
        reason(resolve(BatonSettings.Concurrency, sources({ concurrency: "4" }))).pipe(withEnv({ BATON_CONCURRENCY: "0x10" })),
        reason(resolve(BatonSettings.LogLevel, sources({ "log-level": "debug" }, { "log-level": "trace" }))),
        reason(lookup(BatonSettings.ApiSecret, sources({ "api-secret": "s" }, { "api-secret": ["a", "b"] }))),
        reason(resolve(BatonSettings.Concurrency, sources({ concurrency: "x" }, { concurrency: "y" })))
          .pipe(withEnv({ BATON_CONCURRENCY: "z" }))
      ]).pipe(withEnv({}))
      assert.deepStrictEqual(refusals, [
        Option.some(".baton.yaml: rate-limit-reserve: expected a whole number from 0 to 99, got \"abc\""),
        Option.some("BATON_CONCURRENCY: expected a whole number from 1 to 64, got \"0x10\""),
        Option.some(".baton.yaml: log-level: expected one of debug, info, warn, error, got \"trace\""),
        Option.some(`.baton.yaml: api-secret: expected ${BatonSettings.ApiSecret.kind.accepts}, got a list`),
        Option.some("--concurrency: expected a whole number from 1 to 64, got \"x\"")
      ])
    }))

  it.live("every empty BATON_* variable is unset: the file's value applies, else the default", () =>
    Effect.gen(function*() {
      const empty = Object.fromEntries(BatonSettings.SharedFlags.map((setting) => [setting.env, ""]))
      const file = {
        "base-url": "http://127.0.0.1:9",
        "sync-connections": true,
        "exclusion-groups": true,
        concurrency: 3,
        "rate-limit-reserve": 35,
        "max-rate-limit-wait": "90s",
        "log-format": "console",
        provisioning: true
      }
      const read = (from: SettingSources) =>
        Effect.all([
          resolve(BatonSettings.BaseUrl, from),
          resolve(BatonSettings.SyncConnections, from),
          resolve(BatonSettings.ExclusionGroups, from),
          resolve(BatonSettings.Concurrency, from),
          resolve(BatonSettings.RateLimitReserve, from),
          resolve(BatonSettings.MaxRateLimitWait, from),
          resolve(BatonSettings.LogLevel, from),
          resolve(BatonSettings.LogFormat, from),
          resolve(BatonSettings.Provisioning, from)
        ]).pipe(withEnv({ ...empty, BATON_LOG_LEVEL: "" }))
      assert.deepStrictEqual(
        yield* read(sources({}, file)),
        ["http://127.0.0.1:9", true, true, 3, 35, 90_000, "info", "console", true]
      )
      assert.deepStrictEqual(
        yield* read(sources({})),
        [DefaultBaseUrl, false, false, 8, 20, 3_600_000, "info", BatonSettings.LogFormat.fallback.value(), false]
      )
    }))

  it.live("a duration needs its unit: a bare number (10, 0) is refused from every source, not read as seconds", () =>
    Effect.gen(function*() {
      const withUnit = "expected a duration with a unit, such as 90s, 10m, 1h or 1h30m"
      const refusals = yield* Effect.all([
        reason(resolve(BatonSettings.MaxRateLimitWait, sources({ "max-rate-limit-wait": "10" }))),
        reason(resolve(BatonSettings.MaxRateLimitWait, sources({}))).pipe(withEnv({ BATON_MAX_RATE_LIMIT_WAIT: "10" })),
        reason(resolve(BatonSettings.MaxRateLimitWait, sources({}, { "max-rate-limit-wait": 10 }))),
        reason(resolve(BatonSettings.MaxRateLimitWait, sources({ "max-rate-limit-wait": "0" }))),
        reason(resolve(BatonSettings.MaxRateLimitWait, sources({ "max-rate-limit-wait": " 90 " }))),
        reason(resolve(BatonSettings.MaxRateLimitWait, sources({ "max-rate-limit-wait": "1.5h" })))
      ]).pipe(withEnv({}))
      assert.deepStrictEqual(refusals, [
        Option.some(`--max-rate-limit-wait: ${withUnit}, got "10"`),
        Option.some(`BATON_MAX_RATE_LIMIT_WAIT: ${withUnit}, got "10"`),
        Option.some(`.baton.yaml: max-rate-limit-wait: ${withUnit}, got "10"`),
        Option.some(`--max-rate-limit-wait: ${withUnit}, got "0"`),
        Option.some(`--max-rate-limit-wait: ${withUnit}, got " 90 "`),
        Option.some("--max-rate-limit-wait: expected a duration such as 1h, 10m, 90s or 1h30m, got \"1.5h\"")
      ])
      assert.deepStrictEqual(
        yield* Effect.all(
          ["90s", "10m", "1h", "1h30m", "250ms"].map((text) =>
            resolve(BatonSettings.MaxRateLimitWait, sources({ "max-rate-limit-wait": text }))
          )
        ).pipe(withEnv({})),
        [90_000, 600_000, 3_600_000, 5_400_000, 250]
      )
    }))

  it.live("request-timeout takes 1s to 10m from any source; 0s, -1s, abc, a bare number or 11m is refused with the range", () =>
    Effect.gen(function*() {
      const accepts = "expected a duration from 1s to 10m, with a unit, such as 10s, 30s or 2m"
      const flag = (text: string) => reason(resolve(BatonSettings.RequestTimeout, sources({ "request-timeout": text })))
      const refusals = yield* Effect.all([
        flag("0s"),
        flag("-1s"),
        flag("abc"),
        flag("5"),
        flag("999ms"),
        flag("10m1s"),
        reason(resolve(BatonSettings.RequestTimeout, sources({}))).pipe(withEnv({ BATON_REQUEST_TIMEOUT: "0s" })),
        reason(resolve(BatonSettings.RequestTimeout, sources({}, { "request-timeout": "1h" })))
      ]).pipe(withEnv({}))
      assert.deepStrictEqual(refusals, [
        Option.some(`--request-timeout: ${accepts}, got "0s"`),
        Option.some(`--request-timeout: ${accepts}, got "-1s"`),
        Option.some(`--request-timeout: ${accepts}, got "abc"`),
        Option.some(`--request-timeout: ${accepts}, got "5"`),
        Option.some(`--request-timeout: ${accepts}, got "999ms"`),
        Option.some(`--request-timeout: ${accepts}, got "10m1s"`),
        Option.some(`BATON_REQUEST_TIMEOUT: ${accepts}, got "0s"`),
        Option.some(`.baton.yaml: request-timeout: ${accepts}, got "1h"`)
      ])
      assert.deepStrictEqual(
        yield* Effect.all([
          ...["1s", "1500ms", "10m"].map((text) => resolve(BatonSettings.RequestTimeout, sources({ "request-timeout": text }))),
          resolve(BatonSettings.RequestTimeout, sources({})).pipe(withEnv({ BATON_REQUEST_TIMEOUT: "2m" })),
          resolve(BatonSettings.RequestTimeout, sources({}, { "request-timeout": "45s" })),
          resolve(BatonSettings.RequestTimeout, sources({}))
        ]).pipe(withEnv({})),
        [1_000, 1_500, 600_000, 120_000, 45_000, 30_000]
      )
    }))

  it.live("the defaults are the client's; a base URL loses its trailing slashes; durations are milliseconds", () =>
    Effect.gen(function*() {
      const defaults = FivetranClientConfig.make({ apiKey: Redacted.make("k"), apiSecret: Redacted.make("s") })
      const read = yield* Effect.all([
        resolve(BatonSettings.BaseUrl, sources({})),
        resolve(BatonSettings.RateLimitReserve, sources({})),
        resolve(BatonSettings.MaxRateLimitWait, sources({})),
        resolve(BatonSettings.RequestTimeout, sources({}))
      ]).pipe(withEnv({}))
      assert.deepStrictEqual(read, [
        defaults.baseUrl,
        defaults.rateLimitReservePercent,
        defaults.maxRateLimitWaitSeconds * 1000,
        defaults.requestTimeoutSeconds * 1000
      ])
      assert.strictEqual(
        yield* resolve(BatonSettings.BaseUrl, sources({ "base-url": "http://127.0.0.1:8080//" })).pipe(withEnv({})),
        "http://127.0.0.1:8080"
      )
      assert.strictEqual(
        yield* resolve(BatonSettings.MaxRateLimitWait, sources({}, { "max-rate-limit-wait": "1h30m" })).pipe(withEnv({})),
        5_400_000
      )
    }))

  it.live("an API key is the key alone: key:secret or its base64 is refused; a key that is only base64-shaped is not", () =>
    Effect.gen(function*() {
      const joined = Buffer.from("ftk7Qm2ZrXw9LpAq:fts3Nc8Hd5Ks1Jy6TzP2").toString("base64")
      const read = (key: string) =>
        Effect.either(lookup(BatonSettings.ApiKey, sources({ "api-key": key })).pipe(withEnv({}))).pipe(
          Effect.map(Either.match({ onLeft: (error) => error.reason, onRight: Option.map(Redacted.value) }))
        )
      const refusal = "--api-key: expected the API key alone (never printed), got the key and its secret together " +
        "(key:secret, or its base64 from an Authorization: Basic header): give the key to api-key and the secret to api-secret"
      assert.deepStrictEqual(
        [
          yield* read("ftk7Qm2ZrXw9LpAq:fts3Nc8Hd5Ks1Jy6TzP2"),
          yield* read(joined),
          yield* read(`Basic ${joined}`),
          yield* read("d0XjKq7Lm2Pz9RtA"),
          // Its base64 decodes to `H3FY37A[.:I+`: text with a ':', but no key and secret.
          yield* read("SDNGWTM3QVsuOkkr"),
          yield* read("sandbox_key_abe97c03b41c7dff")
        ],
        [
          refusal,
          refusal,
          refusal,
          Option.some("d0XjKq7Lm2Pz9RtA"),
          Option.some("SDNGWTM3QVsuOkkr"),
          Option.some("sandbox_key_abe97c03b41c7dff")
        ]
      )
    }))

  it.live("secrets stay Redacted; a missing required one says how to give it", () =>
    Effect.gen(function*() {
      const secret = yield* lookup(BatonSettings.ApiSecret, sources({}, { "api-secret": "s3cret" })).pipe(withEnv({}))
      assert.strictEqual(secret.pipe(Option.map(Redacted.value), Option.getOrUndefined), "s3cret")
      assert.strictEqual(secret.pipe(Option.map(String), Option.getOrUndefined), "<redacted>")
      assert.deepStrictEqual(
        yield* reason(required(BatonSettings.ApiSecret, Option.none())),
        Option.some("missing --api-secret: pass it, set BATON_API_SECRET, or add \"api-secret:\" to .baton.yaml")
      )
    }))

  it.live("a secret list: repeated flags, a comma-separated variable or a YAML list; blanks dropped, none is unset", () =>
    Effect.gen(function*() {
      const values = (found: Option.Option<ReadonlyArray<Redacted.Redacted<string>>>) =>
        Option.map(found, (list) => list.map(Redacted.value))
      assert.deepStrictEqual(values(yield* lookup(Tokens, sources({ token: ["a", "b"] })).pipe(withEnv({}))), Option.some(["a", "b"]))
      assert.deepStrictEqual(
        values(yield* lookup(Tokens, sources({})).pipe(withEnv({ BATON_HTTP_TOKENS: "one, two," }))),
        Option.some(["one", "two"])
      )
      assert.deepStrictEqual(
        values(yield* lookup(Tokens, sources({}, { token: ["y1", "y2"] })).pipe(withEnv({}))),
        Option.some(["y1", "y2"])
      )
      assert.deepStrictEqual(values(yield* lookup(Tokens, sources({}, { token: "y1,y2" })).pipe(withEnv({}))), Option.some(["y1", "y2"]))
      assert.deepStrictEqual(
        values(yield* lookup(Tokens, sources({}, { token: "y" })).pipe(withEnv({ BATON_HTTP_TOKENS: " , " }))),
        Option.some(["y"])
      )
    }))

  it.live("a secret list with a minimum refuses a shorter value by its place in its source's list, never its value", () =>
    Effect.gen(function*() {
      const Long = optional(SettingKind.secretList("token", { length: 16, howToMake: "make one with `openssl rand -base64 24`" }), {
        flag: "token",
        env: "BATON_HTTP_TOKENS",
        description: "Tokens."
      })
      const sixteen = "0123456789abcdef"
      const howTo = "is shorter than 16 characters; make one with `openssl rand -base64 24`"
      assert.deepStrictEqual(
        yield* Effect.all([
          reason(lookup(Long, sources({ token: [sixteen, "k7"] })).pipe(withEnv({}))),
          reason(lookup(Long, sources({})).pipe(withEnv({ BATON_HTTP_TOKENS: "password" }))),
          reason(lookup(Long, sources({})).pipe(withEnv({ BATON_HTTP_TOKENS: `${sixteen}, ,${sixteen},a` }))),
          reason(lookup(Long, sources({}, { token: [sixteen, "0123456789abcde"] })).pipe(withEnv({}))),
          // Every source is checked, the losing file too.
          reason(lookup(Long, sources({}, { token: "a" })).pipe(withEnv({ BATON_HTTP_TOKENS: sixteen })))
        ]),
        [
          Option.some(`--token: token 2 of 2 ${howTo}`),
          Option.some(`BATON_HTTP_TOKENS: the token ${howTo}`),
          Option.some(`BATON_HTTP_TOKENS: token 3 of 3 ${howTo}`),
          Option.some(`.baton.yaml: token: token 2 of 2 ${howTo}`),
          Option.some(`.baton.yaml: token: the token ${howTo}`)
        ]
      )
      // Characters, not UTF-16 units: "🔑" is one character in two units.
      assert.deepStrictEqual(
        yield* reason(lookup(Long, sources({ token: ["🔑".repeat(8)] })).pipe(withEnv({}))),
        Option.some(`--token: the token ${howTo}`)
      )
      const accepted = yield* lookup(Long, sources({ token: [sixteen, "🔑".repeat(16)] })).pipe(withEnv({}))
      assert.deepStrictEqual(Option.map(accepted, (list) => list.map(Redacted.value)), Option.some([sixteen, "🔑".repeat(16)]))
      assert.strictEqual(
        Long.kind.accepts,
        "secret text of at least 16 characters (never printed); repeat the flag, or separate with commas"
      )
    }))

  it.live("a list or a map where the file should give one value is refused naming the file, the key, what it is and what is expected", () =>
    Effect.gen(function*() {
      const refused = (setting: Setting<unknown>, value: unknown, env: Record<string, string> = {}) =>
        reason(lookup(setting, sources({}, { [setting.key]: value }))).pipe(withEnv(env))
      const concurrency = ".baton.yaml: concurrency: expected a whole number from 1 to 64"
      const secret = `.baton.yaml: api-secret: expected ${BatonSettings.ApiSecret.kind.accepts}`
      const tokens = `.baton.yaml: token: expected ${Tokens.kind.accepts}`
      assert.deepStrictEqual(
        yield* Effect.all([
          refused(BatonSettings.Concurrency, []),
          refused(BatonSettings.Concurrency, {}),
          refused(BatonSettings.Concurrency, [4]),
          refused(BatonSettings.Concurrency, { a: 1 }),
          refused(BatonSettings.SyncConnections, []),
          refused(BatonSettings.BaseUrl, []),
          refused(BatonSettings.ApiSecret, ["a", "b"]),
          refused(BatonSettings.ApiSecret, { nested: "x" }),
          // Checked even where the variable gives the setting.
          refused(BatonSettings.ApiSecret, ["a"], { BATON_API_SECRET: "s" }),
          refused(Tokens, ["a", { b: "c" }]),
          refused(Tokens, [["a"]]),
          refused(Tokens, { a: "b" })
        ]),
        [
          `${concurrency}, got a list`,
          `${concurrency}, got a map`,
          `${concurrency}, got a list`,
          `${concurrency}, got a map`,
          ".baton.yaml: sync-connections: expected no value as a flag (on when given), or true or false (1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False), got a list",
          `.baton.yaml: base-url: expected an http(s) URL such as ${DefaultBaseUrl}, got a list`,
          `${secret}, got a list`,
          `${secret}, got a map`,
          `${secret}, got a list`,
          `${tokens}, got a list holding a map`,
          `${tokens}, got a list holding a list`,
          `${tokens}, got a map`
        ].map(Option.some)
      )
    }))
})
