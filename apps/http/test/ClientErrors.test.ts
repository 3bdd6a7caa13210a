import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { connect } from "node:net"
import { fileURLToPath } from "node:url"

/**
 * Requests Node refuses before any route sees them (its `clientError`), sent over a raw socket to
 * the bundled service: the answer carries the service's JSON error body, then the connection closes.
 */

const mainJs = fileURLToPath(new URL("../bundle/baton-fivetran-http.js", import.meta.url))

/** Starts the bundled service on the embedded sandbox; stops that process (by its own handle) with the scope. */
const startService = Effect.gen(function*() {
  assert.isTrue(existsSync(mainJs), `${mainJs} is missing: build the app first (pnpm --filter @baton-fivetran/http build)`)
  const fs = yield* FileSystem.FileSystem
  const dataDir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-client-errors-" })
  const child: ChildProcess = yield* Effect.acquireRelease(
    Effect.sync(() =>
      spawn(process.execPath, [mainJs, "--sandbox", "--port", "0", "--data-dir", dataDir, "--token", "t"], {
        env: { PATH: process.env.PATH ?? "" },
        stdio: ["ignore", "pipe", "pipe"]
      })
    ),
    (started) =>
      Effect.async<void>((resume) => {
        if (started.exitCode !== null) return resume(Effect.void)
        started.once("exit", () => resume(Effect.void))
        started.kill("SIGTERM")
      })
  )
  return yield* Effect.async<number, Error>((resume) => {
    let printed = ""
    child.stdout!.on("data", (data: Buffer) => {
      printed += data.toString()
      const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(printed)?.[1]
      if (port !== undefined) resume(Effect.succeed(Number(port)))
    })
    child.once("exit", (code) => resume(Effect.fail(new Error(`the service exited (${code}) before it was ready: ${printed}`))))
  }).pipe(Effect.timeout("60 seconds"))
})

/** Writes `raw` on a new connection and returns everything received until the server closes it. */
const exchange = (port: number, raw: string) =>
  Effect.async<string>((resume) => {
    const socket = connect(port, "127.0.0.1")
    let received = ""
    socket.setEncoding("utf8")
    socket.on("data", (chunk: string) => received += chunk)
    // A reset after the answer is reported by the close that follows it.
    socket.on("error", () => undefined)
    socket.on("close", () => resume(Effect.succeed(received)))
    socket.write(raw)
    return Effect.sync(() => socket.destroy())
  }).pipe(Effect.timeout("30 seconds"))

/** The exact answer: status line, JSON headers, `Connection: close`, the body. */
const answer = (status: string, body: Record<string, unknown>) => {
  const json = JSON.stringify(body)
  return `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${
    Buffer.byteLength(json)
  }\r\nConnection: close\r\n\r\n${json}`
}

describe("requests Node cannot take", () => {
  it.scopedLive(
    "a head over 16 KiB is 431 HeaderTooLarge, a malformed request 400 InvalidRequest, each with the JSON body",
    () =>
      Effect.gen(function*() {
        const port = yield* startService

        const tooLarge = yield* exchange(port, `GET /v1/syncs HTTP/1.1\r\nHost: x\r\nX-Filler: ${"a".repeat(17 * 1024)}\r\n\r\n`)
        assert.strictEqual(
          tooLarge,
          answer("431 Request Header Fields Too Large", {
            error: "HeaderTooLarge",
            message: "the request line and headers are over 16384 bytes together, the most this service reads",
            limit_bytes: 16384
          })
        )

        const cases = [
          ["BREW /v1/syncs HTTP/1.1\r\nHost: x\r\n\r\n", "HPE_INVALID_METHOD: Invalid method encountered"],
          ["GET /v1/syncs HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n", "HPE_INVALID_HEADER_TOKEN: Invalid header token"],
          ["GET /v1/syncs HTTP/9.9\r\n\r\n", "HPE_INVALID_VERSION: Invalid HTTP version"]
        ] as const
        for (const [raw, parseError] of cases) {
          assert.strictEqual(
            yield* exchange(port, raw),
            answer("400 Bad Request", {
              error: "InvalidRequest",
              message: `the request is not well-formed HTTP/1.1 (${parseError})`
            }),
            parseError
          )
        }

        // The service still answers a well-formed request as ever (a 401 without the token, in its body).
        const unauthorized = yield* exchange(port, "GET /v1/syncs HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert.match(unauthorized, /^HTTP\/1\.1 401 Unauthorized\r\n/)
        assert.match(unauthorized, /\r\n\r\n\{"error":"Unauthorized","message":"[^"]+"\}$/)
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )
})
