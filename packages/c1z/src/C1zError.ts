import { Data } from "effect"

/**
 * The file is not a v1 sync file: it does not start with the v1 magic `C1ZF\0`, or (`payload:
 * "not SQLite"`) it does but what its zstd stream decompresses to does not start with the SQLite
 * header, as a decompression bomb of zeros does (refused after its first decompressed bytes).
 */
export class NotAC1z extends Data.TaggedError("NotAC1z")<{ readonly path: string; readonly payload?: "not SQLite" }> {
  override get message() {
    return this.payload === "not SQLite"
      ? `${this.path} is not a c1z sync file: its payload is not a SQLite database`
      : `${this.path}: not a .c1z file (bad magic; expected the v1 header "C1ZF\\0")`
  }
}

/** The file holds no `full` sync run with an `ended_at`, so there is nothing finished to read. */
export class NoFinishedSync extends Data.TaggedError("NoFinishedSync")<{ readonly path: string }> {
  override get message() {
    return `${this.path}: the .c1z holds no finished full sync (was the sync interrupted? run it again)`
  }
}

/** A file-system or SQLite operation failed. */
export class Io extends Data.TaggedError("Io")<{
  readonly path: string
  readonly operation: string
  readonly cause: unknown
}> {
  override get message() {
    const reason = this.cause instanceof Error ? this.cause.message : String(this.cause)
    return `${this.path}: could not ${this.operation}: ${reason} (check the path, free disk space and permissions)`
  }
}

/** The file has the right magic but its content cannot be read back (zstd, SQLite or protobuf). */
export class Corrupt extends Data.TaggedError("Corrupt")<{ readonly path: string; readonly reason: string }> {
  override get message() {
    return `${this.path}: the .c1z is damaged: ${this.reason} (write it again)`
  }
}

/** A row handed to the writer cannot be encoded (for example a timestamp that is not ISO-8601). */
export class InvalidRow extends Data.TaggedError("InvalidRow")<{ readonly path: string; readonly reason: string }> {
  override get message() {
    return `${this.path}: a sync row cannot be written: ${this.reason}`
  }
}

export type C1zError = NotAC1z | NoFinishedSync | Io | Corrupt | InvalidRow
