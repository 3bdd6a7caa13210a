import { Effect } from "effect"
import { createWriteStream } from "node:fs"
import { pipeline } from "node:stream/promises"
import { CompressStream } from "zstd-napi"
import binding from "zstd-napi/binding.js"
import { magic, sqliteHeader } from "../src/Envelope.js"

export const MiB = 1024 * 1024

/**
 * The first 100 bytes of a SQLite file (sqlite.org/fileformat.html, §1.3) of 64 KiB pages whose
 * in-header size is `databaseBytes` rounded up to whole pages, valid as SQLite 3.7.0 and later keep
 * it (change counter = version-valid-for); with `declared: false`, as an older SQLite left it
 * (the two differ, so the page count says nothing).
 */
export const sqliteHeaderDeclaring = (databaseBytes: number, declared = true): Buffer => {
  const header = Buffer.alloc(100)
  sqliteHeader.copy(header)
  header.writeUInt16BE(1, 16) // 65536
  header.set([1, 1, 0, 64, 32, 32], 18) // versions, reserved bytes, payload fractions
  header.writeUInt32BE(7, 24)
  header.writeUInt32BE(Math.ceil(databaseBytes / 65536), 28)
  header.writeUInt32BE(declared ? 7 : 6, 92)
  header.writeUInt32BE(3045001, 96)
  return header
}

/**
 * Writes a decompression bomb: `C1ZF\0`, then a zstd stream (zstd-napi's `CompressStream`, level 3
 * unless `parameters` say otherwise) of `prefix` followed by `zeroBytes` zeros. The zeros are fed
 * 1 MiB at a time from one buffer, so writing it holds no more than that: 512 MiB of zeros make a
 * file of a few dozen KB.
 */
export const writeZeroBomb = (
  path: string,
  zeroBytes: number,
  prefix: Uint8Array = new Uint8Array(0),
  parameters: ConstructorParameters<typeof CompressStream>[0] = {}
) =>
  Effect.promise(async () => {
    const compressor = new CompressStream(parameters)
    const out = createWriteStream(path)
    out.write(magic)
    const written = pipeline(compressor, out)
    const feed = (chunk: Uint8Array) =>
      new Promise<void>((resolve, reject) => compressor.write(chunk, (error) => error ? reject(error) : resolve()))
    if (prefix.length > 0) await feed(prefix)
    const zeros = Buffer.alloc(MiB)
    for (let left = zeroBytes; left > 0; left -= zeros.length) await feed(zeros.subarray(0, Math.min(left, zeros.length)))
    compressor.end()
    await written
  })

/**
 * Watches every zstd decompression step until the scope closes: zstd-napi's `DCtx.decompressStream`,
 * which the package's reader calls and zstd-napi's own `DecompressStream` calls too. `beforeStep`
 * sees how many bytes the steps so far produced; `produced` is the running total.
 */
export const watchDecompression = (beforeStep: (producedSoFar: number) => void = () => {}) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const prototype = binding.DCtx.prototype
      const original = prototype.decompressStream
      const seen = { produced: 0, steps: 0, original }
      prototype.decompressStream = function(this: binding.DCtx, dst: Uint8Array, src: Uint8Array) {
        beforeStep(seen.produced)
        const result = original.call(this, dst, src)
        seen.produced += result[1]
        seen.steps += 1
        return result
      }
      return seen
    }),
    ({ original }) => Effect.sync(() => void (binding.DCtx.prototype.decompressStream = original))
  )
