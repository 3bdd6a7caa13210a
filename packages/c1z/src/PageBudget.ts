import type { BlobRow } from "./RowBlob.js"

/**
 * The blob bytes a page of rows may hold before it ends early: 16 MiB, four rows at the blob limit
 * (RowBlob.ts). A page is up to 1,000 rows, and 1,000 rows just under the limit would have been ~4
 * GB held at once (the database cap lets ~3 GiB of them in); this connector's pages hold ~1.2 MB.
 */
export const pageBlobBudgetBytes = 16 * 1024 * 1024

/** A page of rows taken from a query, and whether rows may follow it. */
export interface Page<R> {
  readonly rows: ReadonlyArray<R>
  /** The page holds `limit` rows or ended at the budget: the next page starts after its last row. */
  readonly more: boolean
}

const bytesOf = (value: unknown): number => typeof value === "number" ? value : 0

/**
 * Up to `limit` rows of `rows` (a statement's iterator, stepped one row at a time), ending early
 * once their blobs (`<column>_bytes`, RowBlob.ts's `blobColumns`) reach the budget, that row
 * included; the statement is reset when the page ends before it does.
 */
export const takePage = <R extends Pick<BlobRow, "data_bytes" | "expansion_bytes">>(
  rows: IterableIterator<R>,
  limit: number
): Page<R> => {
  const taken: Array<R> = []
  let bytes = 0
  try {
    for (const row of rows) {
      taken.push(row)
      bytes += bytesOf(row.data_bytes) + bytesOf(row.expansion_bytes)
      if (taken.length >= limit || bytes >= pageBlobBudgetBytes) return { rows: taken, more: true }
    }
    return { rows: taken, more: false }
  } finally {
    rows.return?.()
  }
}
