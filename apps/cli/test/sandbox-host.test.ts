import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { networkInterfaces } from "node:os"
import { assertExit, runCli } from "./support/CliProcess.js"
import { startSandboxCommand } from "./support/SandboxCommand.js"

/** `baton-fivetran sandbox --host`: the address it listens on, the URL it prints, the warning beyond loopback once it listens. */

const ipv6Loopback = Object.values(networkInterfaces()).some((addresses) => (addresses ?? []).some((address) => address.address === "::1"))

const suite = ipv6Loopback
  ? "sandbox --host"
  : "sandbox --host (skipped: this machine has no IPv6 loopback address ::1)"

const firstLine = (stderr: Stream.Stream<Uint8Array, unknown>) =>
  stderr.pipe(Stream.decodeText(), Stream.splitLines, Stream.take(1), Stream.runCollect, Effect.map(Chunk.join("")))

const usersOf = (url: string, authorization: string) =>
  Effect.promise(() => fetch(`${url}/v1/users?limit=1`, { headers: { authorization } }).then((answer) => answer.status))

const warning = (host: string) =>
  `warning: --host ${host} serves the sandbox to other machines, and it has no authentication worth the name: ` +
  "its keys are the same on every run of a preset and seed, and anyone can print them with baton-fivetran sandbox, " +
  "and it speaks plain HTTP; leave --host at 127.0.0.1 unless another machine must reach it"

const accepted =
  "an IP address of this machine, IPv6 without brackets: 127.0.0.1 or ::1 for this machine only, 0.0.0.0 or :: for all of its addresses"

describe.skipIf(!ipv6Loopback)(suite, () => {
  it.scopedLive("--host ::1 prints its URL in brackets, and the CLI syncs the sandbox over [::1]; loopback is not warned of", () =>
    Effect.gen(function*() {
      const { banner, connection, url } = yield* startSandboxCommand(["--host", "::1"])
      assert.match(url, /^http:\/\/\[::1\]:\d+$/)
      assert.match(banner[0]!, /listening on http:\/\/\[::1\]:\d+$/)
      assert.strictEqual(banner.at(-2), `Try: baton-fivetran --base-url ${url} --api-key <key> --api-secret <secret>`)
      const dir = yield* Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-cli-" }))
      const sync = yield* runCli([...connection, "-f", `${dir}/sync.c1z`])
      assert.include(sync.stderr, "resources     38 (25 user, 6 role, 4 group, 3 team)")
      assertExit(sync, 0)
      // A second one on its port fails at once: its stderr is the refusal alone, no warning before it.
      const port = url.slice(url.lastIndexOf(":") + 1)
      const busy = yield* runCli(["sandbox", "--host", "::1", "--port", port])
      assert.deepStrictEqual(busy, {
        exitCode: 2,
        stdout: "",
        stderr: `error: --port ${port}: the port is already in use on ::1; choose another port, or --port 0 for any free one\n`
      })
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive(
    "--host 0.0.0.0 or ::: a warning line first, and the URL a client here uses (127.0.0.1, [::1]) answers; on a busy port, the refusal alone",
    () =>
      Effect.gen(function*() {
        const served = (host: string) =>
          Effect.gen(function*() {
            const { authorization, banner, stderr, url } = yield* startSandboxCommand(["--host", host])
            const port = url.slice(url.lastIndexOf(":") + 1)
            const busy = yield* runCli(["sandbox", "--host", host, "--port", port])
            return {
              line: banner[0]!.replace(/:\d+ \(/, ":PORT ("),
              status: yield* usersOf(url, authorization),
              stderr: yield* firstLine(stderr),
              busy: { exitCode: busy.exitCode, stdout: busy.stdout, stderr: busy.stderr.replace(`--port ${port}:`, "--port PORT:") }
            }
          })
        const note = "every address of this machine: from another machine, use one of its addresses"
        const inUse = (host: string) => ({
          exitCode: 2,
          stdout: "",
          stderr: `error: --port PORT: the port is already in use on ${host}; choose another port, or --port 0 for any free one\n`
        })
        assert.deepStrictEqual(yield* served("0.0.0.0"), {
          line: `Fivetran sandbox ("small" preset, seed 20240302) listening on http://127.0.0.1:PORT (bound to 0.0.0.0, ${note})`,
          status: 200,
          stderr: warning("0.0.0.0"),
          busy: inUse("0.0.0.0")
        })
        assert.deepStrictEqual(yield* served("::"), {
          line: `Fivetran sandbox ("small" preset, seed 20240302) listening on http://[::1]:PORT (bound to ::, ${note})`,
          status: 200,
          stderr: warning("::"),
          busy: inUse("::")
        })
      }).pipe(Effect.provide(NodeContext.layer))
  )

  it.live("a host that is no IP address, or not this machine's, exits 2 saying so", () =>
    Effect.gen(function*() {
      const refused = (host: string) =>
        Effect.map(runCli(["sandbox", "--host", host]), ({ exitCode, stderr, stdout }) => ({ exitCode, stdout, stderr }))
      assert.deepStrictEqual(yield* refused("localhost"), {
        exitCode: 2,
        stdout: "",
        stderr: `error: --host: expected ${accepted}, got "localhost"\n`
      })
      assert.deepStrictEqual(yield* refused("[::1]"), {
        exitCode: 2,
        stdout: "",
        stderr: `error: --host: expected ${accepted}, got "[::1]"\n`
      })
      // TEST-NET-2 (RFC 5737): no interface of a machine has it. Nothing listened: no warning of serving beyond loopback.
      assert.deepStrictEqual(yield* refused("198.51.100.7"), {
        exitCode: 2,
        stdout: "",
        stderr: "error: --host 198.51.100.7: no network interface of this machine has that " +
          "address (EADDRNOTAVAIL); give one of its addresses, 127.0.0.1 (the default) or ::1 for this machine only, " +
          "or 0.0.0.0 or :: for all of them\n"
      })
    }).pipe(Effect.provide(NodeContext.layer)))
})
