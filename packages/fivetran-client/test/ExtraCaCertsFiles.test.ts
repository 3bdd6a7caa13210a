import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect } from "effect"
import { execFileSync } from "node:child_process"
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { startSelfSignedServer } from "./support/SelfSignedServer.js"
import { clientFor } from "./support/TestClient.js"

/**
 * NODE_EXTRA_CA_CERTS naming something no CA bundle is: a named pipe (read whole, the hint waited
 * for a writer that never came), /dev/zero (read whole, it filled memory) or a file larger than any
 * bundle. The refused certificate's hint says what it is, without reading it.
 */

const refused = "GET /v1/teams/bright_otter: could not reach Fivetran: the server's TLS certificate was refused " +
  "(DEPTH_ZERO_SELF_SIGNED_CERT self-signed certificate), so nothing was sent"

const notRead = (path: string, reason: string) =>
  `${refused}; NODE_EXTRA_CA_CERTS is set to "${path}", which is not read here: ${reason}; make it a PEM file of the CA ` +
  "certificate that this process can read, and start again (Node reads it only at start)"

/** The message of a GET to a server of a CA this machine does not trust, with NODE_EXTRA_CA_CERTS set to `path`. */
const refusalWith = (path: string) =>
  Effect.gen(function*() {
    const server = yield* startSelfSignedServer
    const client = yield* clientFor(server.baseUrl, { backoffBaseMillis: 0 })
    return (yield* Effect.flip(client.getTeam("bright_otter"))).message
  }).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["NODE_EXTRA_CA_CERTS", path]]))))

describe("NODE_EXTRA_CA_CERTS naming no CA bundle", () => {
  it.scopedLive("a named pipe, /dev/zero and a 9 MiB file are named for what they are, not read", () =>
    Effect.gen(function*() {
      const dir = yield* Effect.acquireRelease(
        Effect.sync(() => mkdtempSync(join(tmpdir(), "baton-extra-ca-"))),
        (made) => Effect.sync(() => rmSync(made, { recursive: true, force: true }))
      )
      const pipe = join(dir, "ca.pem")
      execFileSync("mkfifo", [pipe])
      const large = join(dir, "bundle.pem")
      // Sparse: 9 MiB of zeros that take no disk.
      writeFileSync(large, "")
      truncateSync(large, 9 * 1024 * 1024)

      assert.deepStrictEqual(
        [yield* refusalWith(pipe), yield* refusalWith("/dev/zero"), yield* refusalWith(large)],
        [
          notRead(pipe, "it is a named pipe (FIFO), not a regular file"),
          notRead("/dev/zero", "it is a character device, not a regular file"),
          notRead(large, "it is larger than any CA bundle (over 8388608 bytes)")
        ]
      )
    }), 20_000)
})
