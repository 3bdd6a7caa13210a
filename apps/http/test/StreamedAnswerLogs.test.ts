import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { get, type IncomingMessage } from "node:http"
import { harness, Harness, runSync, TestToken } from "./Harness.js"
import { requestCounts, requestLine } from "./RequestRecords.js"
import { manyRows } from "./HeldExports.js"

/**
 * A streamed answer (an export's sheet, a sync's `.c1z`) is logged and counted when its body has
 * ended, saying how: completed with the bytes sent, or aborted when the client hung up mid-download
 * (counted as status 499). It was logged as soon as the head went out, 200 either way.
 */

/** A GET with `requestId`, its head; the body is left unread until `read` or the client hangs up with `hangUp`. */
const download = (baseUrl: string, path: string, requestId: string) =>
  Effect.async<{ readonly response: IncomingMessage; readonly hangUp: () => void }>((resume) => {
    const request = get(
      `${baseUrl}${path}`,
      { headers: { authorization: `Bearer ${TestToken}`, "x-request-id": requestId }, agent: false },
      (response) => resume(Effect.succeed({ response, hangUp: () => request.destroy() }))
    )
    request.on("error", (error) => resume(Effect.die(error)))
  })

const read = (response: IncomingMessage) =>
  Effect.async<Buffer>((resume) => {
    const chunks: Array<Buffer> = []
    response.on("data", (chunk: Buffer) => chunks.push(chunk))
    response.on("end", () => resume(Effect.succeed(Buffer.concat(chunks))))
  })

// An answer read whole is of any size: the small preset's sheet. Only an answer cut short needs
// manyRows' sheet, larger than the socket buffers, whose every whole read costs seconds of CPU.
layer(harness({ logLevel: "info" }), { excludeTestServices: true, timeout: 180_000 })(
  "a streamed answer's request line, read whole",
  (it) => {
    it.effect("says completed and the bytes sent for an export and a sync file read whole", () =>
      Effect.gen(function*() {
        const { baseUrl } = yield* Harness
        const job = yield* runSync
        assert.strictEqual(job.status, "succeeded")

        const sheet = yield* download(baseUrl, "/v1/export", "whole-sheet")
        const sheetBytes = (yield* read(sheet.response)).byteLength
        assert.deepStrictEqual(yield* requestLine("whole-sheet"), {
          level: "info",
          msg: "http request",
          request_id: "whole-sheet",
          method: "GET",
          route: "/v1/export",
          status: 200,
          outcome: "completed",
          bytes: sheetBytes
        })

        const file = yield* download(baseUrl, `/v1/syncs/${job.id}/file`, "whole-file")
        const fileBytes = (yield* read(file.response)).byteLength
        assert.strictEqual(fileBytes, job.file_bytes)
        assert.deepStrictEqual(yield* requestLine("whole-file"), {
          level: "info",
          msg: "http request",
          request_id: "whole-file",
          method: "GET",
          route: "/v1/syncs/:id/file",
          status: 200,
          outcome: "completed",
          bytes: fileBytes
        })
        assert.deepStrictEqual(yield* requestCounts("/v1/export"), { "200": 1 })
      }))
  }
)

// http_server_requests_total is the process's, so the counts go on from the file's first service.
layer(harness({ snapshot: manyRows, logLevel: "info" }), { excludeTestServices: true, timeout: 180_000 })(
  "a streamed answer's request line, cut short",
  (it) => {
    it.effect("says aborted, with fewer bytes than the sheet, when the client hangs up mid-download; counted as 499", () =>
      Effect.gen(function*() {
        const { baseUrl } = yield* Harness
        assert.strictEqual((yield* runSync).status, "succeeded")
        const whole = (yield* read((yield* download(baseUrl, "/v1/export", "another-whole-sheet")).response)).byteLength
        const abandoned = yield* download(baseUrl, "/v1/export", "abandoned-sheet")
        assert.strictEqual(abandoned.response.statusCode, 200)
        abandoned.hangUp()
        const { bytes, ...line } = yield* requestLine("abandoned-sheet")
        assert.deepStrictEqual(line, {
          level: "info",
          msg: "http request",
          request_id: "abandoned-sheet",
          method: "GET",
          route: "/v1/export",
          status: 200,
          outcome: "aborted"
        })
        assert.isNumber(bytes)
        assert.isBelow(bytes as number, whole)
        assert.deepStrictEqual(yield* requestCounts("/v1/export"), { "200": 2, "499": 1 })
      }))
  }
)
