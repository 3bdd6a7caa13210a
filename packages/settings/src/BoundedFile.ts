import * as FileSystem from "@effect/platform/FileSystem"
import type { PlatformError } from "@effect/platform/Error"
import { Data, Effect, Option } from "effect"

/**
 * A file the user names (`.baton.yaml`, a sandbox snapshot) read whole into memory, but only up to
 * a limit: pointed at a log or a disk image by mistake, the read took every byte (Node refused only
 * past 2 GiB). The size is checked on the open file before reading, and the read stops one byte past
 * the limit, for a file whose size was not known up front (a file still being written, one of
 * /proc, which says 0) or not true.
 */

/** `1 MiB`, `3 GiB`, `10.6 MiB`: a size as people read it, with at most one decimal. */
export const binarySize = (bytes: number): string => {
  const units = ["KiB", "MiB", "GiB", "TiB"] as const
  const [unit, scale] = units.reduce<readonly [string, number]>(
    (found, name, index) => bytes >= 1024 ** (index + 1) ? [name, 1024 ** (index + 1)] : found,
    ["bytes", 1]
  )
  return `${Number((bytes / scale).toFixed(1))} ${unit}`
}

/** The file holds more than `limit` bytes; `size` is its size where the file system said it up front. */
export class FileTooLarge extends Data.TaggedError("FileTooLarge")<{
  readonly path: string
  readonly size: Option.Option<number>
  readonly limit: number
  /** What the file is, as the message names the limit's purpose: `a config file`. */
  readonly what: string
}> {
  /** What is wrong, without the path: `is 3221225472 bytes (3 GiB), over the limit of ...`. */
  get problem(): string {
    const size = Option.match(this.size, {
      onNone: () => "is over",
      onSome: (bytes) => `is ${bytes} bytes (${binarySize(bytes)}), over`
    })
    return `${size} the limit of ${this.limit} bytes (${binarySize(this.limit)}) for ${this.what}`
  }

  override get message() {
    return `${this.path} ${this.problem}`
  }
}

/** Bytes asked of one read: a buffer of this size each, not one of the whole limit. */
const chunkSize = 64 * 1024

/** The file's text (UTF-8), if it has at most `limit` bytes; never more than `limit + 1` bytes are read. */
export const readTextWithin = (
  path: string,
  limit: number,
  what: string
): Effect.Effect<string, FileTooLarge | PlatformError, FileSystem.FileSystem> =>
  Effect.scoped(Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const file = yield* fs.open(path, { flag: "r" })
    const size = Number((yield* file.stat).size)
    if (size > limit) return yield* new FileTooLarge({ path, size: Option.some(size), limit, what })
    const chunks: Array<Uint8Array> = []
    let total = 0
    while (total <= limit) {
      const chunk = yield* file.readAlloc(Math.min(chunkSize, limit + 1 - total))
      if (Option.isNone(chunk)) break
      chunks.push(chunk.value)
      total += chunk.value.length
    }
    if (total > limit) return yield* new FileTooLarge({ path, size: Option.none(), limit, what })
    return new TextDecoder().decode(Buffer.concat(chunks))
  }))
