import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, assertNoSecret, runCli } from "./support/CliProcess.js"
import { sandboxLayer, smallAccount, systemKeyOf } from "./support/Sandboxes.js"

/**
 * `--api-key-file` and `--api-secret-file` (docs/deploy.md, "The Fivetran API key and secret"): the
 * CLI process reads them once a run and syncs as with the values; a file that cannot serve, or a
 * value given beside its file, is refused before any request, exit 2, naming the setting and the
 * path, never the content.
 */

const key = systemKeyOf(smallAccount)

/** A temporary directory holding the key and the secret as a mounted Secret does (a final newline). */
const mounted = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-cli-credential-files-" })
  yield* fs.writeFileString(`${dir}/api-key`, `${key.key}\n`)
  yield* fs.writeFileString(`${dir}/api-secret`, `${key.secret}\n`)
  return { fs, dir } as const
})

describe("the key and secret from files (the CLI process)", () => {
  it.scopedLive(
    "a sync with --api-key-file and --api-secret-file syncs as with the values; the secret as a value and the key from a file too",
    () =>
      Effect.gen(function*() {
        const sandbox = yield* Sandbox
        const { dir, fs } = yield* mounted
        const fromFiles = yield* runCli([
          "--base-url",
          sandbox.baseUrl,
          "--api-key-file",
          `${dir}/api-key`,
          "--api-secret-file",
          `${dir}/api-secret`,
          "-f",
          `${dir}/files.c1z`,
          "--summary-file",
          `${dir}/files.json`
        ])
        assertExit(fromFiles, 0)
        assertNoSecret(fromFiles, key.secret)
        const mixed = yield* runCli(["--base-url", sandbox.baseUrl, "-f", `${dir}/mixed.c1z`, "--summary-file", `${dir}/mixed.json`], {
          env: { BATON_API_KEY_FILE: `${dir}/api-key`, BATON_API_SECRET: key.secret }
        })
        assertExit(mixed, 0)
        const users = (name: string) =>
          Effect.map(fs.readFileString(`${dir}/${name}`), (text) =>
            (JSON.parse(text) as { resources: Record<string, number> }).resources["user"])
        assert.deepStrictEqual([yield* users("files.json"), yield* users("mixed.json")], [
          smallAccount.users.length,
          smallAccount.users.length
        ])
      }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)),
    { timeout: 60_000 }
  )

  it.scopedLive(
    "a value beside its file, an empty file or a missing one: exit 2 with one line naming them, nothing sent",
    () =>
      Effect.gen(function*() {
        const sandbox = yield* Sandbox
        const { dir, fs } = yield* mounted
        yield* fs.writeFileString(`${dir}/empty`, "")
        const refusal = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
          Effect.map(runCli(["--base-url", sandbox.baseUrl, "-f", `${dir}/out.c1z`, ...args], { env }), (result) => {
            assertExit(result, 2)
            assertNoSecret(result, key.secret)
            assertNoSecret(result, key.key)
            return result.stderr
          })
        assert.deepStrictEqual(
          [
            yield* refusal(["--api-key", key.key, "--api-secret", key.secret, "--api-secret-file", `${dir}/api-secret`]),
            yield* refusal(["--api-key-file", `${dir}/api-key`, "--api-secret-file", `${dir}/empty`]),
            yield* refusal(["--api-key-file", `${dir}/missing`], { BATON_API_SECRET: key.secret })
          ],
          [
            "error: both --api-secret and --api-secret-file are given; give the API secret one way: its value, or the file " +
            "holding it (which the HTTP service re-reads, so that it rotates without a restart)\n",
            `error: --api-secret-file "${dir}/empty" is empty: write the API secret in it\n`,
            `error: --api-key-file "${dir}/missing" cannot be read (ENOENT)\n`
          ]
        )
        assert.deepStrictEqual(yield* sandbox.requestLog, [])
        assert.deepStrictEqual((yield* fs.readDirectory(dir)).sort(), ["api-key", "api-secret", "empty"])
      }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)),
    { timeout: 60_000 }
  )
})
