import type { ReviewRow } from "./Client.js"
import { cell, el, table } from "./Dom.js"

/**
 * A view's rows as the explorer shows them: sorted as a reviewer scans names, a table PageRows at a
 * time, and the line saying how many are shown of how many.
 */

/** Rows a view adds to its table at a time ("Show more rows" adds the next ones). */
const PageRows = 1000

const counted = (count: number) => count.toLocaleString("en")

/**
 * How many rows the table shows of how many the view has (of how many were read, past ReadLimit),
 * and for a view of holders how many principals they are: a row is an access path, and a user in a
 * team and holding a role there directly is on two ("16 rows" beside "15 holders" in the account
 * roles' list read as a miscount).
 */
const countText = (shown: number, read: number, more: boolean, holders: number | undefined) => {
  const of = holders === undefined ? "" : `, the access paths of ${counted(holders)} ${holders === 1 ? "holder" : "holders"}`
  // Past the rows read, the holders counted would be some of them only: not said.
  return more
    ? `${counted(shown)} of the first ${counted(read)} rows the service sent; the view has more, which the page does not ` +
      "read: download these rows (CSV) for all of them."
    : shown < read
    ? `${counted(shown)} of ${counted(read)} rows${of}.`
    : `${counted(read)} ${read === 1 ? "row" : "rows"}${of}.`
}

const collator = new Intl.Collator("en", { sensitivity: "base", numeric: true })

/** Names as a reader scans them (any case, 2 before 10); a nameless row, which shows only its id, after the named. */
export const compareNames = (a: string, b: string) => a === "" || b === "" ? Number(a === "") - Number(b === "") : collator.compare(a, b)

/** Ids in one fixed order (the service's: code units), so equal names always come in the same order. */
export const compareIds = (a: ReadonlyArray<string>, b: ReadonlyArray<string>) => {
  for (const [index, id] of a.entries()) {
    const other = b[index] ?? ""
    if (id !== other) return id < other ? -1 : 1
  }
  return 0
}

/** A view's rows by the name a reviewer looks for, then by ids. */
export const sortRows = (
  rows: ReadonlyArray<ReviewRow>,
  name: (row: ReviewRow) => string,
  ids: (row: ReviewRow) => ReadonlyArray<string>
) => [...rows].sort((a, b) => compareNames(name(a), name(b)) || compareIds(ids(a), ids(b)))

/**
 * A view's table of `rows` (already sorted), PageRows at a time: "Show more rows" adds the next
 * ones, and `count` says how many are shown of how many. `more`: the view has rows past the
 * ReadLimit read. The button is under the table and above it: a keyboard user would otherwise Tab
 * through every link of 1,000 rows to reach it. Pressed above, the keyboard's place moves to the
 * first row it brought; under, it stays on the button until the last rows come, then moves so.
 */
export const pagedTable = (
  testId: string,
  caption: string,
  headers: ReadonlyArray<string>,
  rows: ReadonlyArray<ReviewRow>,
  cells: (row: ReviewRow) => ReadonlyArray<Node | string>,
  view: {
    readonly more: boolean
    readonly count: HTMLElement
    /** Whether the rows are holders of something, whose number of principals the count says too. */
    readonly ofHolders?: boolean
  }
): ReadonlyArray<Node> => {
  const holders = view.ofHolders === true ? new Set(rows.map((row) => row.principal)).size : undefined
  const grid = table(testId, caption, headers, [])
  const body = grid.tBodies[0]!
  const above = el("button", { type: "button", "data-testid": "rows-more-above" }, "Show more rows")
  const under = el("button", { type: "button", "data-testid": "rows-more" }, "Show more rows")
  const append = () => {
    const added = rows.slice(body.rows.length, body.rows.length + PageRows).map((row) => el("tr", {}, ...cells(row).map(cell)))
    body.append(...added)
    view.count.textContent = countText(body.rows.length, rows.length, view.more, holders)
    above.hidden = under.hidden = body.rows.length === rows.length
    return added
  }
  const focusFirst = (added: ReadonlyArray<HTMLTableRowElement>) => {
    if (added[0] === undefined) return
    added[0].tabIndex = -1
    added[0].focus()
  }
  append()
  above.addEventListener("click", () => focusFirst(append()))
  under.addEventListener("click", () => {
    const added = append()
    // The button pressed is gone with the last rows: the keyboard's place is the first row it brought.
    if (under.hidden) focusFirst(added)
  })
  return [above, grid, under]
}
