import { Command, FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { rootCertificates } from "node:tls"
import { assertExit, binPath, runCli, runCommand } from "./support/CliProcess.js"
import { asUidArgv } from "./support/ReadOnlyRoot.js"
// The client package's HTTPS server, whose certificate only itself (a CA, for 127.0.0.1) signs.
import { selfSignedCertFile, startSelfSignedServer } from "../../../packages/fivetran-client/test/support/SelfSignedServer.js"

/**
 * NODE_EXTRA_CA_CERTS naming a file Node cannot use: Node reads it once as the process starts and
 * goes on without it, so only a process started with the variable shows what a user meets.
 */

const startHttpsServer = Effect.map(startSelfSignedServer, ({ baseUrl }) => baseUrl)

const credentials = ["--api-key", "abcdabcdabcdabcd", "--api-secret", "abcdabcdabcdabcdabcdabcdabcdabcd"]

const refused = "could not reach Fivetran: the server's TLS certificate was refused (DEPTH_ZERO_SELF_SIGNED_CERT self-signed " +
  "certificate), so nothing was sent; "

const unusable = (path: string, reason: string) =>
  `${refused}NODE_EXTRA_CA_CERTS is set to "${path}", but Node could not use it: ${reason}; make it a PEM file of ` +
  "the CA certificate that this process can read, and start again (Node reads it only at start)\n"

/** Node's own line, written before any JavaScript runs (so in plain text, whatever --log-format says). */
const nodeWarning = (path: string, failure: string) => `Warning: Ignoring extra certs from \`${path}\`, load failed: ${failure}\n`

/** The CLI's last stderr line from the part its hint starts in. */
const hintOf = (stderr: string) => stderr.slice(stderr.indexOf("could not reach Fivetran: "))

describe("a TLS certificate refused while NODE_EXTRA_CA_CERTS is set", () => {
  it.scopedLive("a missing file, a directory or a file with no PEM certificate: the hint names the file and what is wrong", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-cli-" })
      const baseUrl = yield* startHttpsServer
      yield* fs.writeFileString(`${dir}/notes.txt`, "not a certificate\n")
      yield* fs.makeDirectory(`${dir}/certs`)
      const sync = (ca: string, format = "console") =>
        runCli([...credentials, "--base-url", baseUrl, "-f", `${dir}/out.c1z`, "--log-format", format], {
          env: { NODE_EXTRA_CA_CERTS: ca }
        })

      const missing = yield* sync(`${dir}/missing.pem`)
      assertExit(missing, 1)
      assert.isTrue(
        missing.stderr.startsWith(nodeWarning(`${dir}/missing.pem`, "error:80000002:system library::No such file or directory"))
      )
      assert.strictEqual(hintOf(missing.stderr), unusable(`${dir}/missing.pem`, "no such file"))

      const directory = yield* sync(`${dir}/certs`)
      assertExit(directory, 1)
      assert.notInclude(directory.stderr, "Warning: Ignoring extra certs")
      assert.strictEqual(hintOf(directory.stderr), unusable(`${dir}/certs`, "it is a directory, not a file"))

      const notPem = yield* sync(`${dir}/notes.txt`)
      assertExit(notPem, 1)
      assert.notInclude(notPem.stderr, "Warning: Ignoring extra certs")
      assert.strictEqual(
        hintOf(notPem.stderr),
        unusable(`${dir}/notes.txt`, "it holds no PEM certificate (no \"-----BEGIN CERTIFICATE-----\" line)")
      )

      // JSON logs: Node's warning is a plain-text line before the first JSON one, which says the same.
      const json = yield* sync(`${dir}/missing.pem`, "json")
      const [first, ...rest] = json.stderr.split("\n")
      assert.strictEqual(`${first}\n`, nodeWarning(`${dir}/missing.pem`, "error:80000002:system library::No such file or directory"))
      const error = rest.filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as { level: string; msg: string }).at(-1)
      assert.strictEqual(error?.level, "error")
      assert.strictEqual(`${hintOf(error?.msg ?? "")}\n`, unusable(`${dir}/missing.pem`, "no such file"))
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a file this process's uid cannot read (another uid than root's, which reads anything)", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-cli-" })
      const baseUrl = yield* startHttpsServer
      const locked = `${dir}/ca.pem`
      yield* fs.copyFile(selfSignedCertFile, locked)
      yield* fs.chmod(locked, 0o000)
      // The sync file's directory is written by that uid too.
      yield* fs.chmod(dir, 0o777)
      const args = [...credentials, "--base-url", baseUrl, "-f", `${dir}/out.c1z`]
      const env = { PATH: process.env.PATH ?? "", BATON_LOG_FORMAT: "console", NODE_EXTRA_CA_CERTS: locked }
      const uid = process.getuid?.() === 0 ? 65534 : process.getuid?.()
      const [program, ...rest] = [...(process.getuid?.() === 0 ? asUidArgv(65534) : []), process.execPath, binPath, ...args]
      const result = yield* runCommand(Command.make(program!, ...rest).pipe(Command.env(env, { extendEnv: false })))
      assertExit(result, 1)
      assert.isTrue(result.stderr.startsWith(nodeWarning(locked, "error:8000000D:system library::Permission denied")))
      assert.strictEqual(hintOf(result.stderr), unusable(locked, `permission denied: this process (uid ${uid}) cannot read it`))
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a readable PEM file of another CA: it was read, and the hint says it holds no CA of this certificate", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-cli-" })
      const baseUrl = yield* startHttpsServer
      yield* fs.writeFileString(`${dir}/other-ca.pem`, rootCertificates[0]!)
      const result = yield* runCli([...credentials, "--base-url", baseUrl, "-f", `${dir}/out.c1z`], {
        env: { NODE_EXTRA_CA_CERTS: `${dir}/other-ca.pem` }
      })
      assertExit(result, 1)
      assert.strictEqual(
        hintOf(result.stderr),
        `${refused}NODE_EXTRA_CA_CERTS ("${dir}/other-ca.pem") holds a certificate, but not that of the CA that signed ` +
          "this one: behind a proxy that inspects TLS, give the proxy's CA certificate there\n"
      )
      // The CA itself is trusted: the certificate passes, and the sync fails on the answer instead.
      const trusted = yield* runCli([...credentials, "--base-url", baseUrl, "-f", `${dir}/out.c1z`], {
        env: { NODE_EXTRA_CA_CERTS: selfSignedCertFile }
      })
      assertExit(trusted, 1)
      assert.notInclude(trusted.stderr, "TLS certificate")
      assert.include(trusted.stderr, "unexpected response body")
    }).pipe(Effect.provide(NodeContext.layer)))
})
