import type { JsonPieces } from "./UserJson.js"

/**
 * A whole list's items encoded once, comma-separated in one buffer, with where each item starts:
 * a page is then a view of the buffer. A large sync reads every group's user list (10,000 rows)
 * page by page; splicing each page's rows anew cost the sandbox most of its time per page.
 */
export interface EncodedRows {
  readonly size: number
  /** Items `start` to `end - 1` as comma-separated JSON (empty when none). */
  readonly run: (start: number, end: number) => Uint8Array
}

const comma = Buffer.from(",")

export const encodeRows = (items: ReadonlyArray<JsonPieces>): EncodedRows => {
  const starts = new Array<number>(items.length)
  const pieces: Array<Uint8Array> = []
  let length = 0
  items.forEach((item, index) => {
    if (index > 0) {
      pieces.push(comma)
      length += 1
    }
    starts[index] = length
    for (const piece of item) {
      pieces.push(piece)
      length += piece.length
    }
  })
  const bytes = Buffer.concat(pieces, length)
  return {
    size: items.length,
    run: (start, end) => {
      const from = Math.min(start, items.length)
      const to = Math.min(end, items.length)
      return from >= to ? bytes.subarray(0, 0) : bytes.subarray(starts[from], to < items.length ? starts[to]! - 1 : bytes.length)
    }
  }
}
