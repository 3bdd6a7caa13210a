import { csvRecord } from "@baton-fivetran/connector-core"
import { shownText } from "@baton-fivetran/fivetran-client/shown-text"
import { Chunk, Effect, Stream } from "effect"
import type { OutputFormat } from "./OutputFormat.js"
import { type OutputError, type StdoutClosed, writeStdout } from "./Stdout.js"
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

/**
 * Table widths come from the first rows, so memory stays flat; a longer cell later pushes its
 * line out rather than being cut (ids must stay whole to be copied).
 */
const widthSample = 200
const maxWidth = 64

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
