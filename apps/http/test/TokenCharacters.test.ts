import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { runServiceOnce } from "./ServiceProcess.js"

/**
 * A token that is not printable ASCII, refused at start by the bundled service (exit 2), naming its
 * place and never its value. Before, the service started with it, and a client sending it as UTF-8
 * (curl) was answered 401 "the bearer token is not valid for this service": Node reads a header's
 * bytes as Latin-1, so no such token matched what the operator had typed.
 */

const refusal = (where: string, which: string) =>
  `error: ${where}: ${which} holds a character that is not printable ASCII (a letter such as é, a symbol such as €, ` +
  "or a control character): clients send it in an HTTP header, which does not carry it as typed, so no request " +
  "could use it; make one with `openssl rand -base64 24`\n"

describe("a token that is not printable ASCII (the service process)", () => {
  it.scopedLive("is refused at start, in a variable or a flag, by its place and never its value", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-token-characters-" })
      const accented = "token-with-an-accent-é-000"
      const euro = "token-priced-in-€-0000000"
      const inVariable = yield* runServiceOnce(["--sandbox", "--port", "0"], {
        cwd: dir,
        env: { BATON_HTTP_TOKENS: `a-plain-ascii-token-00001,${accented}` }
      })
      const inFlag = yield* runServiceOnce(["--sandbox", "--port", "0", "--read-token", euro], { cwd: dir })
      assert.deepStrictEqual(
        [inVariable, inFlag].map((run) => ({ code: run.code, stdout: run.stdout, stderr: run.stderr })),
        [
          { code: 2, stdout: "", stderr: refusal("BATON_HTTP_TOKENS", "token 2 of 2") },
          { code: 2, stdout: "", stderr: refusal("--read-token", "the token") }
        ]
      )
      assert.deepStrictEqual(yield* fs.readDirectory(dir), [])
    }).pipe(Effect.provide(NodeContext.layer)), 180_000)
})
