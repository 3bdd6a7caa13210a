import { csvRecord } from "@baton-fivetran/connector-core"
import { shownText } from "@baton-fivetran/fivetran-client/shown-text"
import { Chunk, Data, Effect, Stream } from "effect"
import type { OutputFormat } from "./OutputFormat.js"
import { padded, width } from "./TableCell.js"

/**
 * A command's result rows on stdout, in one of three forms: an aligned table for a person, JSON
 * lines (one object per row, keys = column names) or CSV (RFC 4180, with a header). Rows are
 * written as they stream, chunk by chunk, waiting for stdout to drain: an export of any size
 * holds one chunk at a time, and stops at the first write that finds its reader gone.
 */

/** A row as named text cells, in column order. */
export interface Columns<A> {
  readonly names: ReadonlyArray<string>
  readonly cells: (row: A) => ReadonlyArray<string>
}

/** stdout failed (a full disk, say). */
export class OutputError extends Data.TaggedError("OutputError")<{ readonly reason: string }> {
  override get message() {
    return `could not write the output: ${this.reason}`
  }
}

/**
 * The reader of stdout went away (EPIPE: `| head` has its lines). Not a failure: the commands end
 * there, quietly, with exit 0 (ReviewCommands.ts).
 */
export class StdoutClosed extends Data.TaggedError("StdoutClosed") {}

/**
 * Table widths come from the first rows, so memory stays flat; a longer cell later pushes its
 * line out rather than being cut (ids must stay whole to be copied).
 */
const widthSample = 200
const maxWidth = 64

const writeFailure = (error: NodeJS.ErrnoException) =>
  error.code === "EPIPE" ? new StdoutClosed() : new OutputError({ reason: error.message })

/** A write error reaches the write's callback; without a listener Node also throws it, as an 'error' event. */
const ignore = () => {}

/** Writes to stdout, waiting for the write: a failure is an OutputError, a reader gone (EPIPE) StdoutClosed. */
export const writeStdout = (text: string) =>
  Effect.async<void, OutputError | StdoutClosed>((resume) => {
    if (!process.stdout.listeners("error").includes(ignore)) process.stdout.on("error", ignore)
    process.stdout.write(text, (error) => resume(error ? Effect.fail(writeFailure(error)) : Effect.void))
  })

const jsonLine = (names: ReadonlyArray<string>, cells: ReadonlyArray<string>) =>
  `${JSON.stringify(Object.fromEntries(names.map((name, i) => [name, cells[i] ?? ""])))}\n`

const tableLine = (widths: ReadonlyArray<number>, cells: ReadonlyArray<string>) =>
  `${cells.map((cell, i) => padded(cell, widths[i]!)).join("  ").trimEnd()}\n`

/** Writes the rows; returns how many there were. */
export const printRows = <A, E, R>(
  format: OutputFormat,
  columns: Columns<A>,
  rows: Stream.Stream<A, E, R>
): Effect.Effect<number, E | OutputError | StdoutClosed, R> =>
  Effect.gen(function*() {
    let count = 0
    let widths: ReadonlyArray<number> | undefined
    const header = (sample: ReadonlyArray<ReadonlyArray<string>>) => {
      widths = columns.names.map((name, i) => Math.min(maxWidth, Math.max(width(name), ...sample.map((cells) => width(cells[i] ?? "")))))
      return tableLine(widths, columns.names.map((name) => name.toUpperCase()))
    }
    if (format === "csv") yield* writeStdout(csvRecord(columns.names))
    yield* rows.pipe(
      Stream.map(format === "table" ? (row) => columns.cells(row).map(shownText) : columns.cells),
      Stream.rechunk(widthSample),
      Stream.runForEachChunk((chunk) => {
        const batch = Chunk.toReadonlyArray(chunk)
        count += batch.length
        switch (format) {
          case "csv":
            return writeStdout(batch.map(csvRecord).join(""))
          case "json":
            return writeStdout(batch.map((cells) => jsonLine(columns.names, cells)).join(""))
          case "table": {
            const head = widths === undefined ? header(batch) : ""
            return writeStdout(head + batch.map((cells) => tableLine(widths!, cells)).join(""))
          }
        }
      })
    )
    if (format === "table" && count === 0) yield* writeStdout("(none)\n")
    return count
  })
