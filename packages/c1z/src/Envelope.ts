import { Effect } from "effect"
import { createReadStream, createWriteStream } from "node:fs"
import { open } from "node:fs/promises"
import { pipeline } from "node:stream/promises"
import { CompressStream, DecompressStream } from "zstd-napi"
import { Corrupt, Io, NotAC1z } from "./C1zError.js"

/**
 * The v1 envelope (docs/c1z-format.md §1): the 5-byte magic `C1ZF\0`, then one zstd stream of the
 * SQLite database file. Both directions stream file to file, so memory does not depend on the
 * database size.
 */

export const magic = Buffer.from("C1ZF\0", "latin1")

/** zstd level 3 (the library default) with a frame checksum, as the Go writer sets one. */
const compressParameters = { compressionLevel: 3, checksumFlag: true } as const

/**
 * Read size for the database file: 1 MiB instead of the stream default of 64 KiB halves the time to
 * compress a ~900 MB database (a million grants), at a fixed 1 MiB of memory.
 */
const readChunkBytes = 1024 * 1024

/**
 * Writes `magic + zstd(db file)` to `target`, fsynced before it resolves. The file is read into one
 * reused buffer: a read stream allocates a new one per read, and those dead megabytes, outside the
 * JavaScript heap and with almost no allocation on it to trigger a collection, were the peak of a
 * large sync's RSS. The compressor has consumed a chunk once its write's callback runs.
 */
export const compressDatabase = (databasePath: string, target: string): Effect.Effect<void, Io> =>
  Effect.tryPromise({
    try: async (signal) => {
      const input = await open(databasePath, "r")
      try {
        const compressor = new CompressStream(compressParameters)
        const out = createWriteStream(target, { flags: "wx", flush: true })
        out.write(magic)
        const written = pipeline(compressor, out, { signal })
        const feed = async () => {
          try {
            const chunk = Buffer.allocUnsafe(readChunkBytes)
            for (;;) {
              const { bytesRead } = await input.read(chunk, 0, chunk.length, null)
              if (bytesRead === 0) break
              await new Promise<void>((resolve, reject) =>
                compressor.write(chunk.subarray(0, bytesRead), (error) => error ? reject(error) : resolve())
              )
            }
            compressor.end()
          } catch (error) {
            compressor.destroy(error as Error)
            throw error
          }
        }
        await Promise.all([feed(), written])
      } finally {
        await input.close()
      }
    },
    catch: (cause) => new Io({ path: target, operation: "compress the sync database", cause })
  })

/** Reads the first bytes of `path` and fails with NotAC1z unless they are the v1 magic. */
export const checkMagic = (path: string): Effect.Effect<void, NotAC1z | Io> =>
  Effect.acquireUseRelease(
    Effect.tryPromise({
      try: () => open(path, "r"),
      catch: (cause) => new Io({ path, operation: "open the .c1z", cause })
    }),
    (handle) =>
      Effect.tryPromise({
        try: () => handle.read(Buffer.alloc(magic.length), 0, magic.length, 0),
        catch: (cause) => new Io({ path, operation: "read the .c1z header", cause })
      }).pipe(
        Effect.filterOrFail(
          ({ buffer, bytesRead }) => bytesRead === magic.length && buffer.equals(magic),
          () => new NotAC1z({ path })
        ),
        Effect.asVoid
      ),
    (handle) => Effect.promise(() => handle.close())
  )

/** Decompresses the zstd stream after the magic into `databasePath`. */
export const decompressDatabase = (path: string, databasePath: string): Effect.Effect<void, Corrupt | Io> =>
  Effect.tryPromise({
    try: (signal) =>
      pipeline(
        createReadStream(path, { start: magic.length }),
        new DecompressStream(),
        createWriteStream(databasePath, { flags: "wx" }),
        { signal }
      ),
    catch: (cause) =>
      isZstdError(cause)
        ? new Corrupt({ path, reason: `the zstd stream cannot be decompressed (${(cause as Error).message})` })
        : new Io({ path, operation: "decompress the .c1z", cause })
  })

/** zstd-napi reports format errors as plain Errors whose message comes from libzstd; fs errors carry a `code`. */
const isZstdError = (cause: unknown): boolean => cause instanceof Error && !("code" in cause) && cause.name !== "AbortError"
