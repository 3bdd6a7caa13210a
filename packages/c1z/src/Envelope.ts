import { Effect, Exit, Option } from "effect"
import { type FileHandle, open, rm } from "node:fs/promises"
import { dirname } from "node:path"
import binding from "zstd-napi/binding.js"
import { Corrupt, Io, NotAC1z, OversizedDatabase, UnsupportedVersion, WorkingCopyFailed } from "./C1zError.js"
import { openReadableFile } from "./ReadableFile.js"
import { type DatabaseSize, declaredDatabaseSize, sqliteHeaderBytes } from "./SqliteHeader.js"

/**
 * The v1 envelope (docs/c1z-format.md §1): the 5-byte magic `C1ZF\0`, then one zstd stream of the
 * SQLite database file. Both directions stream file to file, so memory does not depend on the
 * database size, both through zstd-napi's low-level binding, each step written before the next.
 */

export const magic = Buffer.from("C1ZF\0", "latin1")

/**
 * The mode of every file the package writes (the `.c1z`, the writer's scratch database, the
 * reader's working copy): they hold every user's email, name, role, last login and access, so
 * owner read and write only, whatever the umask would give.
 */
export const ownerOnlyFile = 0o600

/** zstd level 3 (the library default), with a frame checksum as the Go writer sets one. */
const compressionLevel = 3

/**
 * Read size for the database file: 1 MiB instead of the stream default of 64 KiB halves the time to
 * compress a ~900 MB database (a million grants), at a fixed 1 MiB of memory.
 */
const readChunkBytes = 1024 * 1024

/**
 * Writes `magic + zstd(db file)` to `target` (created; an existing file is an error), fsynced before
 * it succeeds. The file is read into one reused buffer and compressed into another, each output
 * written before the next step runs: a read stream allocates a new buffer per read, and zstd-napi's
 * `CompressStream` a new 128 KiB one per output, queued in a write stream. Those dead megabytes,
 * outside the JavaScript heap and with almost no allocation on it to trigger a collection, were the
 * peak of a large sync's RSS (~17 MB in the last 0.3 s of a `large` sync, ~6 MB of a `medium` one).
 * An interruption is honoured between steps; the partial `target` is the caller's to remove.
 */
export const compressDatabase = (databasePath: string, target: string): Effect.Effect<void, Io> =>
  Effect.scoped(Effect.gen(function*() {
    const failed = (operation: string, path = target) => (cause: unknown) => new Io({ path, operation, cause })
    const input = yield* Effect.acquireRelease(
      Effect.tryPromise({ try: () => open(databasePath, "r"), catch: failed("open the sync database", databasePath) }),
      (handle) => Effect.promise(() => handle.close().catch(() => undefined))
    )
    const output = yield* Effect.acquireRelease(
      Effect.tryPromise({ try: () => open(target, "wx", ownerOnlyFile), catch: failed("compress the sync database") }),
      (handle) => Effect.promise(() => handle.close().catch(() => undefined))
    )
    const cctx = yield* Effect.try({
      try: () => {
        const context = new binding.CCtx()
        context.setParameter(binding.CParameter.compressionLevel, compressionLevel)
        context.setParameter(binding.CParameter.checksumFlag, 1)
        return context
      },
      catch: failed("set up the zstd compressor")
    })
    const write = (bytes: Buffer) => writeAll(output, bytes, failed("write the compressed sync database"))

    yield* write(magic)
    const read = Buffer.allocUnsafe(readChunkBytes)
    const compressed = Buffer.allocUnsafe(binding.cStreamOutSize())
    for (;;) {
      const { bytesRead } = yield* Effect.tryPromise({
        try: () => input.read(read, 0, read.length, null),
        catch: failed("read the sync database", databasePath)
      })
      const end = bytesRead === 0
      const directive = end ? binding.EndDirective.end : binding.EndDirective.continue
      let pending = read.subarray(0, bytesRead)
      for (;;) {
        const [remaining, produced, consumed] = yield* Effect.try({
          try: () => cctx.compressStream2(compressed, pending, directive),
          catch: failed("compress the sync database")
        })
        if (produced > 0) yield* write(compressed.subarray(0, produced))
        pending = pending.subarray(consumed)
        if (pending.length === 0 && (!end || remaining === 0)) break
      }
      if (end) break
    }
    yield* Effect.tryPromise({ try: () => output.sync(), catch: failed("write the compressed sync database") })
  }))

/** The magic of the v3 format (docs/c1z-format.md §1), recognized only to say so. */
const magicV3 = Buffer.from("C1Z3\0", "latin1")

/**
 * Reads the first bytes of `path`: the v1 magic passes, v3's is UnsupportedVersion, anything else
 * (a path naming no regular file included) NotAC1z.
 */
export const checkMagic = (path: string): Effect.Effect<void, NotAC1z | UnsupportedVersion | Io> =>
  Effect.acquireUseRelease(
    openReadableFile(path),
    (handle) =>
      Effect.tryPromise({
        try: () => handle.read(Buffer.alloc(magic.length), 0, magic.length, 0),
        catch: (cause) => new Io({ path, operation: "read the .c1z header", cause })
      }).pipe(
        Effect.flatMap(({ buffer, bytesRead }): Effect.Effect<void, NotAC1z | UnsupportedVersion> =>
          bytesRead === magic.length && buffer.equals(magic)
            ? Effect.void
            : bytesRead === magicV3.length && buffer.equals(magicV3)
            ? Effect.fail(new UnsupportedVersion({ path, version: "v3" }))
            : Effect.fail(new NotAC1z({ path }))
        )
      ),
    (handle) => Effect.promise(() => handle.close())
  )

/** Every SQLite 3 database file starts with these 16 bytes (sqlite.org/fileformat.html, §1.3). */
export const sqliteHeader = Buffer.from("SQLite format 3\0", "latin1")

/**
 * The largest zstd window the reader accepts: 2^27 bytes, i.e. at most 128 MiB of decoder memory,
 * baton's own reader limit (docs/c1z-format.md §1) and libzstd's default, set here so that the
 * bound does not depend on the library's default. A frame that asks for more is `Corrupt`.
 */
const windowLogMax = 27

/**
 * The most a database may decompress to: 3 GiB, the default limit of baton's own reader
 * (`BATON_DECODER_MAX_DECODED_SIZE_MB`, docs/c1z-format.md §1), which reads no larger file at all.
 * It bounds a database whose SQLite header does not declare its size (SqliteHeader.ts; only SQLite
 * before 3.7.0 wrote such files), and one whose header declares more is refused at the header: a
 * crafted header declaring 2^32 pages otherwise let 4 GiB of zeros reach the disk.
 */
export const databaseCapBytes = 3 * 1024 * 1024 * 1024

/**
 * Whether `bytes` start with a zstd frame: its magic number, or a skippable frame's (RFC 8878 §3.1),
 * little-endian. Anything else after the .c1z header is not zstd at all (text, a plain SQLite file
 * behind the header), said so rather than as a damaged stream.
 */
const startsZstdFrame = (bytes: Buffer): boolean =>
  bytes.length >= 4 &&
  (bytes.readUInt32LE(0) === 0xfd2fb528 || (bytes.readUInt32LE(0) & 0xfffffff0) === 0x184d2a50)

/** Compressed bytes read, and decompressed bytes produced, per step: one reused 1 MiB buffer each. */
const decompressChunkBytes = 1024 * 1024

/**
 * Decompresses the zstd stream after the magic into `databasePath` (created; an existing file is an
 * error), streamed with bounded memory whatever the decompressed size: the compressed file is read 1
 * MiB at a time and each step decompresses at most 1 MiB, written to the file before the next step
 * runs (the backpressure), so the process holds two 1 MiB buffers and the zstd window (at most 128
 * MiB, `windowLogMax`) at any time. zstd-napi's `DecompressStream` is not used: its transform
 * decompresses a whole input chunk at once, pushing every output buffer without waiting for the
 * reader, so 64 KiB of a zstd stream of zeros became gigabytes in memory before the first write.
 *
 * A path naming no regular file is NotAC1z ("not a regular file", on the descriptor opened). Nothing
 * after the magic, or bytes that do not start a zstd frame, are NotAC1z ("empty", "not zstd"). The
 * first 16 decompressed bytes must be the SQLite header (NotAC1z otherwise), so a decompression
 * bomb of zeros is refused after its first step, before anything is written. The header's first 100
 * bytes then bound the output (SqliteHeader.ts): a page size SQLite never writes is NotAC1z; past
 * page size × page count, or past `databaseCapBytes` when the header declares no size, the
 * output is `OversizedDatabase`, refused before the step that passes the limit is written; a header
 * declaring more than `databaseCapBytes` is refused before anything is written: a bomb behind a
 * real header cannot fill the disk. A damaged or truncated
 * stream is `Corrupt`; a failure to write the copy (ENOSPC in the temporary directory) is
 * `WorkingCopyFailed`, one to read the .c1z `Io`. On any
 * failure or interruption the partial file is removed.
 */
export const decompressDatabase = (
  path: string,
  databasePath: string
): Effect.Effect<void, NotAC1z | Corrupt | OversizedDatabase | Io | WorkingCopyFailed> =>
  Effect.scoped(Effect.gen(function*() {
    const toTemp = (cause: unknown) =>
      new WorkingCopyFailed({ path, directory: dirname(databasePath), operation: "decompress the .c1z", cause })
    const corrupt = (reason: string) => new Corrupt({ path, reason: `the zstd stream cannot be decompressed (${reason})` })
    const input = yield* Effect.acquireRelease(
      openReadableFile(path),
      (handle) => Effect.promise(() => handle.close().catch(() => undefined))
    )
    const output = yield* Effect.acquireRelease(
      Effect.tryPromise({ try: () => open(databasePath, "wx", ownerOnlyFile), catch: toTemp }),
      (handle, exit) =>
        Effect.promise(async () => {
          await handle.close().catch(() => undefined)
          if (Exit.isFailure(exit)) await rm(databasePath, { force: true }).catch(() => undefined) // else with its directory
        })
    )
    const dctx = yield* Effect.try({
      try: () => {
        const context = new binding.DCtx()
        context.setParameter(binding.DParameter.windowLogMax, windowLogMax)
        return context
      },
      catch: (cause) => new Io({ path, operation: "set up the zstd decompressor", cause })
    })

    const compressed = Buffer.allocUnsafe(decompressChunkBytes)
    const decompressed = Buffer.allocUnsafe(decompressChunkBytes)
    let position = magic.length
    let pending = compressed.subarray(0, 0)
    /** The last step filled `decompressed`: the decoder may hold more output for the same input. */
    let full = false
    /** The last step ended inside a frame (libzstd's hint is 0 only once a frame is complete). */
    let inFrame = false
    /** How many leading bytes of the payload have been checked against the SQLite header. */
    let checked = 0
    /** The payload's first `sqliteHeaderBytes`, gathered until the size they declare is known. */
    const head = Buffer.alloc(sqliteHeaderBytes)
    let written = 0
    /** How far the output may go, once the header has said. */
    let limit: Option.Option<{ readonly size: DatabaseSize; readonly bytes: number }> = Option.none()
    for (;;) {
      if (pending.length === 0 && !full) {
        const { bytesRead } = yield* Effect.tryPromise({
          try: () => input.read(compressed, 0, compressed.length, position),
          catch: (cause) => new Io({ path, operation: "read the .c1z", cause })
        })
        if (bytesRead === 0) {
          if (position === magic.length) return yield* new NotAC1z({ path, payload: "empty" })
          break
        }
        if (position === magic.length && !startsZstdFrame(compressed.subarray(0, bytesRead))) {
          return yield* new NotAC1z({ path, payload: "not zstd" })
        }
        position += bytesRead
        pending = compressed.subarray(0, bytesRead)
      }
      const [hint, produced, consumed] = yield* Effect.try({
        try: () => dctx.decompressStream(decompressed, pending),
        catch: (cause) => corrupt(cause instanceof Error ? cause.message : String(cause))
      })
      pending = pending.subarray(consumed)
      full = produced === decompressed.length
      // A step with nothing to do (called because the last one filled the buffer exactly, and the frame
      // had ended with it) answers the size of a next frame's header: not a sign of being inside one.
      if (consumed > 0 || produced > 0) inFrame = hint !== 0
      if (checked < sqliteHeader.length && produced > 0) {
        const end = Math.min(sqliteHeader.length, checked + produced)
        if (!decompressed.subarray(0, end - checked).equals(sqliteHeader.subarray(checked, end))) {
          return yield* new NotAC1z({ path, payload: "not SQLite" })
        }
        checked = end
      }
      if (written < sqliteHeaderBytes && produced > 0) {
        decompressed.copy(head, written, 0, Math.min(produced, sqliteHeaderBytes - written))
        if (written + produced >= sqliteHeaderBytes) {
          const size = declaredDatabaseSize(head)
          if (Option.isNone(size)) return yield* new NotAC1z({ path, payload: "not SQLite" })
          const declared = size.value._tag === "Declared" ? size.value.pageBytes * size.value.pages : undefined
          if (declared !== undefined && declared > databaseCapBytes) {
            return yield* new OversizedDatabase({ path, size: size.value, limitBytes: databaseCapBytes, reachedBytes: written })
          }
          limit = Option.some({ size: size.value, bytes: declared ?? databaseCapBytes })
        }
      }
      if (Option.isSome(limit) && written + produced > limit.value.bytes) {
        const { bytes, size } = limit.value
        return yield* new OversizedDatabase({ path, size, limitBytes: bytes, reachedBytes: written + produced })
      }
      if (produced > 0) yield* writeAll(output, decompressed.subarray(0, produced), toTemp)
      written += produced
    }
    if (inFrame) return yield* corrupt("it ends in the middle of a frame; is the file truncated?")
    if (checked < sqliteHeader.length) return yield* new NotAC1z({ path, payload: "not SQLite" })
  }))

/** Writes all of `bytes` at the file's current position (a write may take fewer bytes than asked). */
const writeAll = <E>(handle: FileHandle, bytes: Buffer, onError: (cause: unknown) => E): Effect.Effect<void, E> =>
  Effect.tryPromise({
    try: async () => {
      for (let offset = 0; offset < bytes.length;) {
        offset += (await handle.write(bytes, offset, bytes.length - offset)).bytesWritten
      }
    },
    catch: onError
  })
