import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { networkInterfaces } from "node:os"
import { serviceProcessOver } from "./ServiceProcess.js"

/** The URL the service prints for its --host: an IPv6 address in brackets (the client's urlHost), one that answers. */

const ipv6Loopback = Object.values(networkInterfaces()).some((addresses) => (addresses ?? []).some((address) => address.address === "::1"))

describe.skipIf(!ipv6Loopback)("the URL the service prints", () => {
  it.scopedLive("--host ::1 prints http://[::1]:PORT, and /healthz answers there", () =>
    Effect.gen(function*() {
      const dataDir = yield* Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-http-" }))
      const service = yield* serviceProcessOver(dataDir, ["--sandbox", "--host", "::1", "--port", "0"], {
        env: { BATON_HTTP_TOKENS: "listen-url-test-token" }
      })
      const health = yield* Effect.promise(() => fetch(`${service.url}/healthz`).then((answer) => answer.status))
      assert.deepStrictEqual([service.url.replace(/:\d+$/, ":PORT"), health], ["http://[::1]:PORT", 200])
    }).pipe(Effect.provide(NodeContext.layer)), 60_000)
})
