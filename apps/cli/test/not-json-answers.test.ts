import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, assertNoSecret, runCli } from "./support/CliProcess.js"
import { connectionFlags, sandboxLayer } from "./support/Sandboxes.js"

/**
 * Fivetran (or a proxy or gateway between) answering 200 with a whole body that is no JSON failed
 * the sync at once, "could not list roles: GET /v1/roles: unexpected response body: Expected
 * double-quoted property name in JSON at position 4602": not retried, though a body cut short is,
 * and naming nothing to check. A read is now retried, and the last failure says what answered.
 */

describe("a sync whose reads Fivetran answers 200 with no JSON", () => {
  it.scopedLive("repeats each read up to its five attempts, then fails saying what answered and what to check", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      yield* sandbox.setFaults({ malformedShare: 1, methods: ["GET"] })
      const { flags, key } = yield* connectionFlags
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-cli-not-json-" })
      const result = yield* runCli([...flags, "-f", `${dir}/sync.c1z`, "--log-level", "warn"])
      assertExit(result, 1)
      assertNoSecret(result, key.secret)
      const roles = (yield* sandbox.requestLog).filter((entry) => entry.path === "/v1/roles")
      assert.deepStrictEqual(roles.map((entry) => [entry.status, entry.fault]), Array(5).fill([200, "malformed"]))
      const notJson = "GET /v1/roles: Fivetran answered 200, but its body is not JSON (4,603 bytes, starting " +
        `'{"code":"Success","data":{"items":[{"nam…'): a proxy or gateway between may be rewriting answers; check the base ` +
        "URL and any proxy (HTTPS_PROXY, HTTP_PROXY) on the way"
      const lines = result.stderr.split("\n")
      // Before it, the longer of the jittered waits (a warning from 2 s), each naming what it repeats.
      assert.deepStrictEqual(lines.slice(-2), [`error: could not list roles: ${notJson}; gave up after 5 attempts`, ""])
      for (const wait of lines.slice(0, -2)) assert.match(wait, /WARN {2}waiting [\d.]+s \(until \S+\) before retrying /)
      for (const wait of lines.slice(0, -2)) assert.include(wait, `before retrying ${notJson} endpoint=GET /v1/roles`)
      assert.deepStrictEqual(yield* fs.readDirectory(dir), [])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))
})
