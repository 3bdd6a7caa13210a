import { FileSystem, Path } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, it } from "@effect/vitest"
import { Effect } from "effect"
import { type ChildProcessByStdio, spawn } from "node:child_process"
import { get, type IncomingMessage } from "node:http"
import type { Readable } from "node:stream"
import { harness, Harness, runSync, TestToken } from "./Harness.js"
import { requestCounts, requestLine } from "./RequestRecords.js"
import { manyRows } from "./HeldExports.js"

/**
 * An export whose sheet fails after its head and part of its body were sent (here: the sync's working
 * copy cut short under the open reader, as a failing disk or a damaged page deep in the file does)
 * must end so that the client sees an error. The platform ended the chunked body with its last
 * chunk, so `curl -f ... > review.csv` exited 0 with a truncated review.
 */

/** How a download ended on the client's side: the bytes it got, and the error it saw, if any. */
interface ClientEnd {
  readonly status: number
  readonly received: Buffer
  readonly complete: boolean
  readonly error: string | undefined
}

const headers = (requestId: string) => ({ authorization: `Bearer ${TestToken}`, "x-request-id": requestId })

/** How `response` ended for its client, once it closes: `chunks` holds what arrived. */
const endOf = (response: IncomingMessage, chunks: Array<Buffer>, resume: (end: Effect.Effect<ClientEnd>) => void) => {
  let error: string | undefined
  response.on("error", (cause) => error = cause.message)
  response.on("close", () =>
    resume(Effect.succeed({
      status: response.statusCode ?? 0,
      received: Buffer.concat(chunks),
      complete: response.complete,
      error
    })))
}

/** A GET read whole, as a client sees its end. */
const readWhole = (baseUrl: string, path: string, requestId: string) =>
  Effect.async<ClientEnd>((resume) => {
    const request = get(`${baseUrl}${path}`, { headers: headers(requestId), agent: false }, (response) => {
      const chunks: Array<Buffer> = []
      response.on("data", (chunk: Buffer) => chunks.push(chunk))
      endOf(response, chunks, resume)
    })
    request.on("error", (cause) => resume(Effect.die(cause)))
  })

/**
 * A GET whose body is held after its first bytes while `meanwhile` runs, then read to its end.
 */
const readAround = <E, R>(baseUrl: string, path: string, requestId: string, meanwhile: Effect.Effect<void, E, R>) =>
  Effect.gen(function*() {
    const chunks: Array<Buffer> = []
    const response = yield* Effect.async<IncomingMessage>((resume) => {
      const request = get(`${baseUrl}${path}`, { headers: headers(requestId), agent: false }, (answer) => {
        answer.once("data", () => {
          answer.pause()
          resume(Effect.succeed(answer))
        })
        answer.on("data", (chunk: Buffer) => chunks.push(chunk))
      })
      request.on("error", (cause) => resume(Effect.die(cause)))
    })
    yield* meanwhile
    return yield* Effect.async<ClientEnd>((resume) => {
      endOf(response, chunks, resume)
      response.resume()
    })
  })

/** The database of the one open reader's working copy in `tempDir`. */
const theWorkingCopy = (tempDir: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const copies = (yield* fs.readDirectory(tempDir)).filter((name) => name.startsWith("c1z-"))
    assert.strictEqual(copies.length, 1)
    return path.join(tempDir, copies[0]!, "db")
  })

/** Cuts the working copy of the one open reader in `tempDir` short: its first pages only. */
const cutWorkingCopy = (tempDir: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    yield* fs.truncate(yield* theWorkingCopy(tempDir), 8192)
  })

/**
 * `curl -sf` saving `path` to stdout, whose output is held after its first bytes while `meanwhile`
 * runs (curl then stops reading the answer): its exit code and what it saved.
 */
const curlAround = <E, R>(baseUrl: string, path: string, requestId: string, meanwhile: Effect.Effect<void, E, R>) =>
  Effect.gen(function*() {
    const chunks: Array<Buffer> = []
    const curl = yield* Effect.async<ChildProcessByStdio<null, Readable, null>>((resume) => {
      const child = spawn("curl", [
        "-sf",
        "-H",
        `authorization: Bearer ${TestToken}`,
        "-H",
        `x-request-id: ${requestId}`,
        `${baseUrl}${path}`
      ], { stdio: ["ignore", "pipe", "ignore"] })
      child.stdout.once("data", () => {
        child.stdout.pause()
        resume(Effect.succeed(child))
      })
      child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk))
      child.on("error", (cause) => resume(Effect.die(cause)))
    })
    yield* meanwhile
    return yield* Effect.async<{ readonly exitCode: number | null; readonly saved: Buffer }>((resume) => {
      curl.on("close", (exitCode) => resume(Effect.succeed({ exitCode, saved: Buffer.concat(chunks) })))
      curl.stdout.resume()
    })
  })

/** One sync of `manyRows`, its export read whole, on a service whose working copies are in `tempDir`. */
interface SyncedExport {
  readonly baseUrl: string
  readonly tempDir: string
  /** The export as a client read it whole. */
  readonly whole: ClientEnd
  /**
   * The request line of export `requestId` failed on the working copy cut short under it: the sync
   * file's reader found it damaged.
   */
  readonly failedSheetLine: (requestId: string) => Record<string, unknown>
}

/** `test` on a service that has synced `manyRows` once and served its export whole. */
const afterSyncedExport = <E>(test: (synced: SyncedExport) => Effect.Effect<void, E, Harness | FileSystem.FileSystem | Path.Path>) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const tempDir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-copies-" })
    yield* Effect.gen(function*() {
      const { baseUrl, dataDir } = yield* Harness
      const job = yield* runSync
      assert.strictEqual(job.status, "succeeded")
      const whole = yield* readWhole(baseUrl, "/v1/export", "whole-sheet")
      assert.deepStrictEqual([whole.status, whole.complete, whole.error], [200, true, undefined])
      const copy = yield* theWorkingCopy(tempDir)
      const failedSheetLine = (requestId: string) => ({
        level: "error",
        msg: "http request",
        request_id: requestId,
        method: "GET",
        route: "/v1/export",
        status: 200,
        outcome: "failed",
        error: `${copy}: the working copy of ${dataDir}/${job.id}.c1z was damaged while it was read (database disk image is ` +
          `malformed); the .c1z itself was checked when it was opened and is not the cause: check the disk of ${tempDir} ` +
          "and any tmp cleaner that removes or cuts files there, then read it again"
      })
      yield* test({ baseUrl, tempDir, whole, failedSheetLine })
    }).pipe(Effect.provide(harness({ snapshot: manyRows, logLevel: "info", tempDir })))
  }).pipe(Effect.scoped, Effect.provide(NodeContext.layer))

it.live(
  "an export failing mid-body is cut off: the client sees an error, the line and the counter say failed",
  () =>
    afterSyncedExport(({ baseUrl, failedSheetLine, tempDir, whole }) =>
      Effect.gen(function*() {
        const cut = yield* readAround(baseUrl, "/v1/export", "failed-sheet", cutWorkingCopy(tempDir))
        assert.deepStrictEqual([cut.status, cut.complete, cut.error], [200, false, "aborted"])
        assert.isBelow(cut.received.byteLength, whole.received.byteLength)
        assert.isTrue(cut.received.equals(whole.received.subarray(0, cut.received.byteLength)))

        const { bytes, ...line } = yield* requestLine("failed-sheet")
        assert.deepStrictEqual(line, failedSheetLine("failed-sheet"))
        // The client got at most what was handed to the connection.
        assert.isAtLeast(bytes as number, cut.received.byteLength)
        assert.isBelow(bytes as number, whole.received.byteLength)
        assert.deepStrictEqual(yield* requestCounts("/v1/export"), { "200": 1, "500": 1 })
      })
    ),
  180_000
)

it.live(
  "curl -f saving an export that fails mid-body exits 18 (partial file), not 0",
  () =>
    afterSyncedExport(({ baseUrl, failedSheetLine, tempDir, whole }) =>
      Effect.gen(function*() {
        const curl = yield* curlAround(baseUrl, "/v1/export", "curl-sheet", cutWorkingCopy(tempDir))
        assert.strictEqual(curl.exitCode, 18)
        assert.isBelow(curl.saved.byteLength, whole.received.byteLength)
        assert.isTrue(curl.saved.equals(whole.received.subarray(0, curl.saved.byteLength)))
        const { bytes: _bytes, ...line } = yield* requestLine("curl-sheet")
        assert.deepStrictEqual(line, failedSheetLine("curl-sheet"))
      })
    ),
  180_000
)

it.live("a .c1z download whose file is cut short in place ends failed, its connection cut at the cut", () =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const dataDir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-data-" })
    const job = yield* runSync.pipe(Effect.provide(harness({ dataDir })))
    // Larger than the socket buffers hold, so that the download is still reading when the file is cut.
    const size = 32 * 1024 * 1024
    const file = `${dataDir}/${job.id}.c1z`
    yield* fs.truncate(file, size)
    yield* fs.writeFileString(`${dataDir}/${job.id}.json`, JSON.stringify({ ...job, file_bytes: size }))
    const whole = Buffer.from(yield* fs.readFile(file))
    const cutAt = size / 2

    yield* Effect.gen(function*() {
      const { baseUrl } = yield* Harness
      const cut = yield* readAround(baseUrl, `/v1/syncs/${job.id}/file`, "cut-file", fs.truncate(file, cutAt))
      assert.deepStrictEqual([cut.status, cut.complete, cut.error], [200, false, "aborted"])
      assert.isAtMost(cut.received.byteLength, cutAt)
      assert.isTrue(cut.received.equals(whole.subarray(0, cut.received.byteLength)))
      assert.deepStrictEqual(yield* requestLine("cut-file"), {
        level: "error",
        msg: "http request",
        request_id: "cut-file",
        method: "GET",
        route: "/v1/syncs/:id/file",
        status: 200,
        outcome: "failed",
        bytes: cutAt,
        error: `the body ended after ${cutAt} of the ${size} bytes its Content-Length declared`
      })
      assert.deepStrictEqual(yield* requestCounts("/v1/syncs/:id/file"), { "500": 1 })
    }).pipe(Effect.provide(harness({ dataDir, logLevel: "info" })))
  }).pipe(Effect.scoped, Effect.provide(NodeContext.layer)), 180_000)
