import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { runServiceOnce, type SyncJobAnswer } from "./ServiceProcess.js"
// The client package's HTTPS server, whose certificate only itself (a CA, for 127.0.0.1) signs.
import { startSelfSignedServer } from "../../../packages/fivetran-client/test/support/SelfSignedServer.js"

/**
 * NODE_EXTRA_CA_CERTS naming a file Node could not use (it reads it once, as the process starts, and
 * goes on without it): the job's error names the file and what is wrong, as the CLI's does.
 */

const Token = "extra-ca-certs-test-token-0123"

const jobAnswer = (url: string, path: string, method = "GET") =>
  Effect.promise(() =>
    fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${Token}` } }).then((r) => r.json() as Promise<SyncJobAnswer>)
  )

describe("the service with NODE_EXTRA_CA_CERTS naming a missing file", () => {
  it.scopedLive(
    "a sync job against a server of a private CA fails, its error naming the file and that it is missing",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-extra-ca-" })
        const { baseUrl } = yield* startSelfSignedServer
        const missing = `${dir}/proxy-ca.pem`
        let failed: SyncJobAnswer | undefined
        const run = yield* runServiceOnce(
          ["--base-url", baseUrl, "--port", "0", "--data-dir", `${dir}/data`, "--log-format", "json"],
          {
            cwd: dir,
            env: {
              BATON_API_KEY: "abcdabcdabcdabcd",
              BATON_API_SECRET: "abcdabcdabcdabcdabcdabcdabcdabcd",
              BATON_HTTP_TOKENS: Token,
              NODE_EXTRA_CA_CERTS: missing
            }
          },
          (url) =>
            Effect.gen(function*() {
              const started = yield* jobAnswer(url, "/v1/syncs", "POST")
              failed = yield* jobAnswer(url, `/v1/syncs/${started.id}`).pipe(
                Effect.delay("100 millis"),
                Effect.repeat({ until: (job) => job.status !== "running" && job.status !== "queued" }),
                Effect.timeout("60 seconds"),
                Effect.orDie
              )
            })
        )
        assert.deepStrictEqual([run.code, failed?.status, failed?.error], [
          0,
          "failed",
          "could not list roles: GET /v1/roles: could not reach Fivetran: the server's TLS certificate was refused " +
          "(DEPTH_ZERO_SELF_SIGNED_CERT self-signed certificate), so nothing was sent; NODE_EXTRA_CA_CERTS is set to " +
          `"${missing}", but Node could not use it: no such file; make it a PEM file of the CA certificate that this ` +
          "process can read, and start again (Node reads it only at start)"
        ])
        // Node's warning comes first, in plain text: it is written before any of the service's code runs.
        assert.strictEqual(
          run.stderr.split("\n")[0],
          `Warning: Ignoring extra certs from \`${missing}\`, load failed: error:80000002:system library::No such file or directory`
        )
      }).pipe(Effect.provide(NodeContext.layer)),
    90_000
  )
})
