import { Schema } from "effect"
import { PageEnvelope } from "./Envelope.js"

/**
 * A user's role in one group, from `GET /v1/groups/{id}/users` (docs/fivetran-api.md §3.2): only the
 * two fields a sync maps. That list names full users, and with account-role users included (role
 * null) a large account lists nearly every user in every group: parsing and decoding whole users
 * there dominated a sync's CPU time.
 */
export const GroupMember = Schema.Struct({
  id: Schema.String,
  role: Schema.NonEmptyString
})
export type GroupMember = typeof GroupMember.Type

const quote = 34 // "
const backslash = 92
const comma = 44
const colon = 58

const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9

/**
 * Finds, in JSON text, where values end without building them. Every position it returns is
 * only trusted while the text is valid JSON; on anything else the caller gives up and leaves
 * the text to JSON.parse, which reports it.
 */
class Scanner {
  constructor(readonly text: string) {}

  space(i: number): number {
    while (i < this.text.length && isSpace(this.text.charCodeAt(i))) i++
    return i
  }

  /** `i` at an opening quote; returns the index after the closing one, or -1. */
  string(i: number): number {
    let end = this.text.indexOf("\"", i + 1)
    while (end !== -1) {
      let slashes = 0
      while (this.text.charCodeAt(end - 1 - slashes) === backslash) slashes++
      if (slashes % 2 === 0) return end + 1
      end = this.text.indexOf("\"", end + 1)
    }
    return -1
  }

  /** `i` at the start of a value; returns the index after it, or -1. */
  value(i: number): number {
    const c = this.text.charCodeAt(i)
    if (c === quote) return this.string(i)
    if (c === 123 || c === 91) { // { [
      let depth = 0
      for (let at = i; at < this.text.length;) {
        const d = this.text.charCodeAt(at)
        if (d === quote) {
          at = this.string(at)
          if (at === -1) return -1
          continue
        }
        if (d === 123 || d === 91) depth++
        else if (d === 125 || d === 93) {
          depth--
          if (depth === 0) return at + 1
        }
        at++
      }
      return -1
    }
    let at = i
    while (at < this.text.length) {
      const d = this.text.charCodeAt(at)
      if (d === comma || d === 125 || d === 93 || isSpace(d)) break
      at++
    }
    return at === i ? -1 : at
  }

  /** The decoded key of the string at `start..end` (escapes are rare in keys; JSON.parse handles them). */
  key(start: number, end: number): string {
    const raw = this.text.slice(start + 1, end - 1)
    return raw.includes("\\") ? JSON.parse(`"${raw}"`) as string : raw
  }

  /**
   * Calls `member(key, valueStart)` for each member of the object at `i`; `member` returns the
   * index after the value (or -1). Returns the index after the object, or -1.
   */
  object(i: number, member: (key: string, start: number) => number): number {
    if (this.text.charCodeAt(i) !== 123) return -1
    let at = this.space(i + 1)
    if (this.text.charCodeAt(at) === 125) return at + 1
    for (;;) {
      if (this.text.charCodeAt(at) !== quote) return -1
      const keyEnd = this.string(at)
      if (keyEnd === -1) return -1
      const key = this.key(at, keyEnd)
      at = this.space(keyEnd)
      if (this.text.charCodeAt(at) !== colon) return -1
      const end = member(key, this.space(at + 1))
      if (end === -1) return -1
      at = this.space(end)
      const c = this.text.charCodeAt(at)
      if (c === 125) return at + 1
      if (c !== comma) return -1
      at = this.space(at + 1)
    }
  }
}

const isGroupRole = (value: string) => value !== "null" && value !== "\"\""

/**
 * The fast path, for the rows the API sends: an object with no nesting and no backslash, directly
 * followed by `,` or `]`. Matched by one regular expression (native code, where a loop over the
 * characters cost a large sync seconds); anything else is left to the scanner.
 */
const flatRow = /\{[^"{}[\]\\]*(?:"[^"\\]*"[^"{}[\]\\]*)*\}(?=[,\]])/y

/**
 * Whether the flat row `start..end` (no backslash in it) holds a group role: its last `"role"` key
 * (the one JSON.parse keeps) has a value other than null or "". In such a row every quote delimits
 * a string, so `"role"` followed by a colon is a key.
 */
const flatRowHoldsRole = (text: string, start: number, end: number): boolean => {
  for (let at = text.lastIndexOf("\"role\"", end); at > start; at = text.lastIndexOf("\"role\"", at - 1)) {
    let next = at + 6
    while (isSpace(text.charCodeAt(next))) next++
    if (text.charCodeAt(next) !== colon) continue
    next++
    while (isSpace(text.charCodeAt(next))) next++
    return !text.startsWith("null", next) && !text.startsWith("\"\"", next)
  }
  return false
}

/** The index after the flat row at `start`, or -1 when the row is not flat. */
const flatRowEnd = (text: string, start: number): number => {
  flatRow.lastIndex = start
  return flatRow.test(text) ? flatRow.lastIndex : -1
}

/**
 * Drops from a group-users page (`{"data": {"items": [...]}}`) every item that holds no group
 * role (role null, empty or absent, or not an object) without parsing it, so JSON.parse builds
 * only the members. A dropped row is not validated; anything unexpected around the rows returns
 * the text unchanged, for JSON.parse and the schema to reject as usual.
 */
export const dropRowsWithoutGroupRole = (text: string): string => {
  const scan = new Scanner(text)
  let kept: string | undefined
  /** The items array at `start`: keeps the rows with a group role; returns the index after it. */
  const items = (start: number): number => {
    if (text.charCodeAt(start) !== 91) return scan.value(start)
    const rows: Array<string> = []
    let at = scan.space(start + 1)
    if (text.charCodeAt(at) !== 93) {
      for (;;) {
        const flatEnd = text.charCodeAt(at) === 123 ? flatRowEnd(text, at) : -1
        let holdsRole = flatEnd !== -1 && flatRowHoldsRole(text, at, flatEnd)
        const rowEnd = flatEnd !== -1
          ? flatEnd
          : text.charCodeAt(at) === 123
          ? scan.object(at, (key, valueStart) => {
            const valueEnd = scan.value(valueStart)
            if (key === "role" && valueEnd !== -1) holdsRole = isGroupRole(text.slice(valueStart, valueEnd))
            return valueEnd
          })
          : scan.value(at)
        if (rowEnd === -1) return -1
        if (holdsRole) rows.push(text.slice(at, rowEnd))
        at = scan.space(rowEnd)
        const c = text.charCodeAt(at)
        if (c === 93) break
        if (c !== comma) return -1
        at = scan.space(at + 1)
      }
    }
    kept = `${text.slice(0, start)}[${rows.join(",")}]${text.slice(at + 1)}`
    return at + 1
  }
  const end = scan.object(scan.space(0), (key, start) =>
    key === "data" && text.charCodeAt(start) === 123
      ? scan.object(start, (dataKey, s) => dataKey === "items" ? items(s) : scan.value(s))
      : scan.value(start))
  return end === -1 || scan.space(end) !== text.length || kept === undefined ? text : kept
}

/** A flat row without the look-ahead: in a window the separator after a row may not be read yet. */
const flatRowAlone = /\{[^"{}[\]\\]*(?:"[^"\\]*"[^"{}[\]\\]*)*\}/y

const itemsKey = Buffer.from("\"items\":[")

/** Window size: each decoded window is a short-lived string, below V8's large-object size (128 KiB). */
export const DefaultWindowBytes = 64 * 1024

/**
 * `dropRowsWithoutGroupRole` over the page's bytes, without ever holding the whole page as one
 * string: a 300 KB string per page went to V8's large-object space, and the 5,000 pages of a large
 * sync grew the heap to several times what was live. The items array is decoded a window at a
 * time (a row cut by a window's end is carried into the next); its flat rows go through the same
 * regular expression, and only the member rows are kept. Anything else (nested or escaped rows,
 * items that are not objects, a body cut short) decodes the whole page and takes the text path.
 * The result, small, still goes through `dropRowsWithoutGroupRole`, which checks the envelope
 * around the items (leaving it to JSON.parse to reject when it is not as expected).
 */
export const dropRowsWithoutGroupRoleFromBytes = (bytes: Uint8Array, windowBytes: number = DefaultWindowBytes): string => {
  const whole = () => dropRowsWithoutGroupRole(new TextDecoder().decode(bytes))
  const open = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(itemsKey)
  if (open === -1) return whole()
  const decoder = new TextDecoder()
  const head = decoder.decode(bytes.subarray(0, open + itemsKey.length), { stream: true })
  const kept: Array<string> = []
  let expectRow = true
  let rows = 0
  let carry = ""
  for (let offset = open + itemsKey.length; offset < bytes.length;) {
    const end = Math.min(offset + windowBytes, bytes.length)
    const last = end === bytes.length
    const text = carry + decoder.decode(bytes.subarray(offset, end), { stream: !last })
    offset = end
    let at = 0
    for (;;) {
      while (isSpace(text.charCodeAt(at))) at++
      if (at >= text.length) break
      const c = text.charCodeAt(at)
      if (c === 93) {
        // `,]` is not JSON: the text path leaves it for JSON.parse to reject.
        if (expectRow && rows > 0) return whole()
        const tail = text.slice(at + 1) + decoder.decode(bytes.subarray(offset))
        return dropRowsWithoutGroupRole(`${head.slice(0, -1)}[${kept.join(",")}]${tail}`)
      }
      if (!expectRow) {
        if (c !== comma) return whole()
        expectRow = true
        at++
        continue
      }
      if (c !== 123) return whole()
      flatRowAlone.lastIndex = at
      if (!flatRowAlone.test(text)) break
      const rowEnd = flatRowAlone.lastIndex
      if (flatRowHoldsRole(text, at, rowEnd)) kept.push(text.slice(at, rowEnd))
      rows++
      expectRow = false
      at = rowEnd
    }
    carry = text.slice(at)
    // A row that never ends within a few windows, or a page that ends inside the items: the text path decides.
    if (last || carry.length > 4 * windowBytes) return whole()
  }
  return whole()
}

/**
 * A group-users page body, from its bytes: rows without a group role are dropped before parsing
 * (dropRowsWithoutGroupRoleFromBytes), the members decode as GroupMember, so a malformed member
 * still fails (an error's item position then counts member rows only).
 */
export const GroupMembersPage = Schema.Uint8ArrayFromSelf.pipe(
  Schema.transform(Schema.String, {
    strict: true,
    decode: (bytes) => dropRowsWithoutGroupRoleFromBytes(bytes),
    encode: (text) => new TextEncoder().encode(text)
  }),
  Schema.compose(Schema.parseJson(PageEnvelope(GroupMember)))
)
