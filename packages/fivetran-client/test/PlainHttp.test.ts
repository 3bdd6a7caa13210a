import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { captureLogs } from "./support/CapturedLogs.js"
import { clientFor } from "./support/TestClient.js"

/**
 * `--base-url http://api.fivetran.com` sent the API key and secret unencrypted (HTTP Basic) before
 * Fivetran's redirect came back, with no word of it. The client now warns as it is made, for an
 * http: base URL of another machine; never for https: or loopback (the sandbox).
 */

const warning = (origin: string) =>
  `the base URL ${origin} is plain http: to another machine: every request carries the API key and secret ` +
  "unencrypted; use https:// (Fivetran's API is https://api.fivetran.com) unless it is a gateway inside your network"

/** What a client made for `baseUrl` logs as it is made (no request is sent). */
const warningsFor = (baseUrl: string) =>
  Effect.gen(function*() {
    const logs = yield* captureLogs
    yield* logs.provide(clientFor(baseUrl))
    return (yield* logs.lines).map((line) => [line.level, line.text, line.message, line.annotations["base_url"]])
  })

describe("an http: base URL", () => {
  it.scopedLive("of another machine is warned of once, as the client is made, naming its origin", () =>
    Effect.gen(function*() {
      // The sentence on a console; one `msg` for JSON whatever the URL, the origin a field.
      const msg = "the base URL is plain http: to another machine: every request carries the API key and secret unencrypted"
      assert.deepStrictEqual(yield* warningsFor("http://api.fivetran.com"), [
        ["WARN", warning("http://api.fivetran.com"), msg, "http://api.fivetran.com"]
      ])
      assert.deepStrictEqual(yield* warningsFor("http://10.0.0.7:8080/fivetran"), [
        ["WARN", warning("http://10.0.0.7:8080"), msg, "http://10.0.0.7:8080"]
      ])
    }))

  it.scopedLive("of this machine (the sandbox), or any https: one, is not", () =>
    Effect.gen(function*() {
      for (const baseUrl of ["http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080", "https://api.fivetran.com"]) {
        assert.deepStrictEqual(yield* warningsFor(baseUrl), [], baseUrl)
      }
    }))
})
