import { generatePreset, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { writeFileAtomically } from "@baton-fivetran/settings"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schedule } from "effect"
import { createHash } from "node:crypto"
import { join } from "node:path"
import { awaitLogged, logged } from "./LoggedLines.js"
import { type RunningService, runServiceOnce, sandboxServiceArgs, serviceProcessOver } from "./ServiceProcess.js"

/**
 * `--token-file` and `--read-token-file` on the bundled service: a file rewritten while it runs
 * (atomically, or by the kubelet's swap of a mounted Secret's `..data` link) replaces its tokens
 * without a restart; an invalid content keeps the previous tokens with one warning; a missing or
 * invalid file, or a file beside its list's flag, refuses the start (exit 2).
 */

const TokenA = "file-token-a-0000000000"
const TokenB = "file-token-b-1111111111"
const ReadToken1 = "read-file-token-1-22222"
const ReadToken2 = "read-file-token-2-33333"
const ReadToken3 = "read-file-token-3-44444"

/** The `caller` the service logs for a token: `printf %s "$TOKEN" | sha256sum | cut -c1-12`. */
const callerOf = (kind: "token" | "read-token", token: string) => `${kind}:${createHash("sha256").update(token).digest("hex").slice(0, 12)}`

const status = (service: RunningService, token: string, method = "GET") =>
  Effect.promise(() =>
    fetch(`${service.url}/v1/syncs`, { method, headers: { authorization: `Bearer ${token}` } }).then(async (response) => {
      await response.arrayBuffer()
      return response.status
    })
  )

/** Asks with `token` until it is answered `expected`: the service reads its files every 5 s; 30 s at most. */
const awaitStatus = (service: RunningService, token: string, expected: number) =>
  status(service, token).pipe(
    Effect.repeat({ schedule: Schedule.spaced("200 millis"), until: (answered) => answered === expected }),
    Effect.timeout("30 seconds"),
    Effect.orDie
  )

/**
 * A Secret's volume as the kubelet writes it: `<key>` links to `..data/<key>`, `..data` to a
 * timestamped directory; an update writes a new directory and renames a new `..data` link over the old.
 */
const kubeletSecret = (dir: string, key: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    let generation = 0
    const write = (text: string) =>
      Effect.gen(function*() {
        generation += 1
        const version = `..2026_12_02_${generation}`
        yield* fs.makeDirectory(join(dir, version))
        yield* fs.writeFileString(join(dir, version, key), text)
        yield* fs.symlink(version, join(dir, "..data_tmp"))
        yield* fs.rename(join(dir, "..data_tmp"), join(dir, "..data"))
      })
    yield* write("")
    yield* fs.symlink(join("..data", key), join(dir, key))
    return { path: join(dir, key), write }
  })

const unauthorized = 401

describe("token files re-read while the service runs (the service process)", () => {
  it.scopedLive(
    "a rewritten --token-file and a swapped --read-token-file Secret replace their tokens without a restart; an invalid " +
      "content (a bad line, a read-only token made full) keeps the previous tokens with one warning; no token is logged",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "token-files-" })
        const tokenFile = join(dir, "tokens")
        yield* writeFileAtomically(tokenFile, `# the service's clients\n${TokenA}\n\n`)
        yield* fs.makeDirectory(join(dir, "secret"))
        const secret = yield* kubeletSecret(join(dir, "secret"), "read-tokens")
        yield* secret.write(`${ReadToken1}\n`)
        const launch = yield* sandboxServiceArgs(TokenA)
        const { BATON_HTTP_TOKENS: _, ...env } = launch.env
        const service = yield* serviceProcessOver(
          join(dir, "data"),
          [...launch.args, "--log-format", "json", "--token-file", tokenFile],
          { env: { ...env, BATON_HTTP_READ_TOKEN_FILE: secret.path } }
        )
        assert.deepStrictEqual(
          [yield* status(service, TokenA), yield* status(service, ReadToken1), yield* status(service, ReadToken1, "POST")],
          [200, 200, 403]
        )

        yield* writeFileAtomically(tokenFile, `${TokenB}\n`)
        yield* awaitStatus(service, TokenB, 200)
        assert.strictEqual(yield* status(service, TokenA), unauthorized)

        yield* secret.write(`${ReadToken2}\r\n`)
        yield* awaitStatus(service, ReadToken2, 200)
        assert.deepStrictEqual(
          [yield* status(service, ReadToken1), yield* status(service, ReadToken2, "POST"), yield* status(service, TokenB)],
          [unauthorized, 403, 200]
        )

        // A bad second line: the file is refused whole and B serves on.
        yield* writeFileAtomically(tokenFile, `${TokenB}\nshort-token\n`)
        yield* awaitLogged(service, "bearer token file not reloaded", 1)
        // The read-token file's change is read in a later pass, which reads the refused file again: still one warning.
        yield* secret.write(`${ReadToken3}\n`)
        yield* awaitStatus(service, ReadToken3, 200)
        assert.deepStrictEqual([yield* status(service, TokenB), yield* status(service, ReadToken2)], [200, unauthorized])
        // A read-only token copied into the full list would provision: refused, and it stays read-only.
        yield* writeFileAtomically(tokenFile, `${TokenB}\n${ReadToken3}\n`)
        yield* awaitLogged(service, "bearer token file not reloaded", 2)
        assert.deepStrictEqual([yield* status(service, ReadToken3, "POST"), yield* status(service, TokenB)], [403, 200])

        assert.strictEqual(yield* service.stop, 0)
        const reloads = yield* logged(service, "bearer tokens reloaded")
        assert.deepStrictEqual(
          reloads.map((line) => [line["level"], line["file"], line["tokens"], line["added"], line["removed"]]),
          [
            ["info", tokenFile, 1, [callerOf("token", TokenB)], [callerOf("token", TokenA)]],
            ["info", secret.path, 1, [callerOf("read-token", ReadToken2)], [callerOf("read-token", ReadToken1)]],
            ["info", secret.path, 1, [callerOf("read-token", ReadToken3)], [callerOf("read-token", ReadToken2)]]
          ]
        )
        const warnings = yield* logged(service, "bearer token file not reloaded")
        assert.deepStrictEqual(warnings.map((line) => [line["level"], line["file"], line["reason"]]), [[
          "warn",
          tokenFile,
          `--token-file "${tokenFile}": the token on line 2 is shorter than 16 characters; make one with \`openssl rand -base64 24\``
        ], [
          "warn",
          tokenFile,
          `--token-file "${tokenFile}": a read-only token is also a token of the service's full-access list, which may do ` +
          "everything (provisioning included), so it would not be read-only: keep each token in one list"
        ]])
        const stderr = yield* service.stderr
        for (const token of [TokenA, TokenB, ReadToken1, ReadToken2, ReadToken3]) assert.notInclude(stderr, token)
      }).pipe(Effect.provide(Sandbox.layer({ snapshot: generatePreset("small"), port: 0 })), Effect.provide(NodeContext.layer)),
    120_000
  )
})

describe("a token file at start (the service process)", () => {
  it.scopedLive(
    "missing, holding a bad line or no token, or given beside its list's flag, refuses the start (exit 2)",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "token-files-start-" })
        const cwd = join(dir, "cwd")
        yield* fs.makeDirectory(cwd)
        const badLine = join(dir, "bad-line")
        yield* fs.writeFileString(badLine, `${TokenA}\n# note\ntoken-with-an-accent-é-000\n`)
        const onlyNotes = join(dir, "only-notes")
        yield* fs.writeFileString(onlyNotes, "# rotated by ops\n\n")
        const runs = [
          yield* runServiceOnce(["--sandbox", "--port", "0", "--token-file", join(dir, "missing")], { cwd }),
          yield* runServiceOnce(["--sandbox", "--port", "0"], { cwd, env: { BATON_HTTP_TOKEN_FILE: badLine } }),
          yield* runServiceOnce(["--sandbox", "--port", "0", "--read-token-file", onlyNotes], { cwd }),
          yield* runServiceOnce(["--sandbox", "--port", "0", "--token-file", badLine], { cwd, env: { BATON_HTTP_TOKENS: TokenA } })
        ]
        assert.deepStrictEqual(runs.map((run) => [run.code, run.stdout, run.stderr]), [
          [2, "", `error: --token-file "${join(dir, "missing")}" cannot be read (ENOENT)\n`],
          [
            2,
            "",
            `error: BATON_HTTP_TOKEN_FILE "${badLine}": the token on line 3 holds a character that is not printable ASCII (a ` +
            "letter such as é, a symbol such as €, or a control character): clients send it in an HTTP header, which does " +
            "not carry it as typed, so no request could use it; make one with `openssl rand -base64 24`\n"
          ],
          [
            2,
            "",
            `error: --read-token-file "${onlyNotes}" holds no token: write one a line (blank lines and lines starting with # ` +
            "are ignored)\n"
          ],
          [
            2,
            "",
            "error: both BATON_HTTP_TOKENS and --token-file are given; give one: drop BATON_HTTP_TOKENS to rotate its " +
            "tokens without a restart (the file is re-read while the service runs), or drop --token-file\n"
          ]
        ])
        assert.deepStrictEqual(yield* fs.readDirectory(cwd), [])
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )
})
