import { Option, Schema } from "effect"
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
 * The text of a group-users page (`{"data": {"items": [...]}}`) without the items that hold no
 * group role (role null, empty or absent, or not an object), dropped without parsing them; or
 * undefined when the text around and between the rows is not as expected, or when `itemsAt` is
 * given and `data.items` does not begin there (the byte paths splice their kept rows at the first
 * `"items":[`, which may be another array of that name). A dropped row is not validated.
 */
const keptRowsText = (text: string, itemsAt?: number): string | undefined => {
  const scan = new Scanner(text)
  let kept: string | undefined
  /** The items array at `start`: keeps the rows with a group role; returns the index after it. */
  const items = (start: number): number => {
    if (text.charCodeAt(start) !== 91) return scan.value(start)
    if (itemsAt !== undefined && start !== itemsAt) return -1
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
  return end === -1 || scan.space(end) !== text.length ? undefined : kept
}

/**
 * Drops from a group-users page (`{"data": {"items": [...]}}`) every item that holds no group
 * role (role null, empty or absent, or not an object) without parsing it, so JSON.parse builds
 * only the members. A dropped row is not validated; anything unexpected around the rows returns
 * the text unchanged, for JSON.parse and the schema to reject as usual.
 */
export const dropRowsWithoutGroupRole = (text: string): string => keptRowsText(text) ?? text

/** A flat row without the look-ahead: in a window the separator after a row may not be read yet. */
const flatRowAlone = /\{[^"{}[\]\\]*(?:"[^"\\]*"[^"{}[\]\\]*)*\}/y

const itemsKey = Buffer.from("\"items\":[")

/** Window size: each decoded window is a short-lived string, below V8's large-object size (128 KiB). */
export const DefaultWindowBytes = 64 * 1024

/**
 * `dropRowsWithoutGroupRole` over the page's bytes, for the pages the unescaped path declines,
 * without ever holding the whole page as one string: a 300 KB string per page went to V8's
 * large-object space, and the 5,000 pages of a large sync grew the heap to several times what was
 * live. The items array is decoded a window at a time (a row cut by a window's end is carried into
 * the next); its flat rows go through the same regular expression, and only the member rows are
 * kept. Anything else (nested rows, items that are not objects, a body cut short) decodes the
 * whole page and takes the text path. The result, small, still goes through `keptRowsText`,
 * which checks the envelope around the items; when that fails (a malformed body, or `"items":[`
 * met before `data.items`), so does the whole page.
 */
export const dropRowsWithoutGroupRoleByWindows = (bytes: Uint8Array, windowBytes: number = DefaultWindowBytes): string => {
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
        return keptRowsText(`${head}${kept.join(",")}]${tail}`, head.length - 1) ?? whole()
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

const openBrace = 123
const closeBrace = 125
const closeBracket = 93

/** Whether the bytes at `at` are `"role"`. */
const isRoleString = (bytes: Uint8Array, at: number) =>
  bytes[at] === quote && bytes[at + 1] === 114 && bytes[at + 2] === 111 && bytes[at + 3] === 108 &&
  bytes[at + 4] === 101 && bytes[at + 5] === quote

/**
 * How far the backward search for `"role"` may move its window left, by the byte just left of
 * it (Sunday's algorithm, mirrored): as far as that byte's first place in `"role"` allows, past
 * the whole window for a byte not in it (most bytes), so most bytes of a row are never read.
 */
const roleShift = new Uint8Array(256).fill(7)
roleShift[quote] = 1
roleShift[114] = 2 // r
roleShift[111] = 3 // o
roleShift[108] = 4 // l
roleShift[101] = 5 // e

/**
 * Where the value of the last `"role"` key between `start` and `end` begins, or -1 when there is
 * none; searched backwards from `end` (the role is near a row's end in what Fivetran sends).
 * Only trusted on bytes without backslashes, where every `"` delimits a string, so `"role"`
 * followed by a colon is a key.
 */
const lastRoleValue = (bytes: Uint8Array, start: number, end: number): number => {
  for (let at = end - 6; at > start; at -= roleShift[bytes[at - 1]!]!) {
    if (!isRoleString(bytes, at)) continue
    let next = at + 6
    while (isSpace(bytes[next]!)) next++
    if (bytes[next] !== colon) continue
    next++
    while (isSpace(bytes[next]!)) next++
    return next
  }
  return -1
}

/** Whether the value at `at` is a group role: neither null nor "" (anything else, JSON.parse judges). */
const isGroupRoleValue = (bytes: Uint8Array, at: number): boolean =>
  !(bytes[at] === 110 && bytes[at + 1] === 117 && bytes[at + 2] === 108 && bytes[at + 3] === 108) &&
  !(bytes[at] === quote && bytes[at + 1] === quote)

const parseJson = Option.liftThrowable((text: string): unknown => JSON.parse(text))

const holdsGroupRole = (row: unknown): boolean =>
  typeof row === "object" && row !== null && "role" in row && row.role !== null && row.role !== ""

const utf8 = new TextDecoder()
/** For bytes inside a page, where a byte-order mark is content (left for JSON.parse to reject), not a mark to strip. */
const utf8KeepingBom = new TextDecoder("utf-8", { ignoreBOM: true })

/**
 * `dropRowsWithoutGroupRole` at memchr speed, for a page without a backslash after its
 * `"items":[` (what Fivetran sends: flat rows, nothing escaped); undefined on anything else, for
 * the exact paths to decide. Only bytes are read: a row is a `{` up to the next `}`
 * (Buffer.indexOf), followed by `,` or the items' `]`; its last `"role"` key is searched back
 * from that `}` (most bytes skipped), and only a row whose role is neither null nor "" is decoded
 * and parsed (JSON.parse decides whether it is a member). The other rows are neither decoded nor
 * validated, except the last one, which must parse and hold a `"role"` key.
 *
 * Why this is exact, though a `}`, `,{` or `]` inside a string cuts a row in pieces: without
 * backslashes every `"` delimits a string, so in a valid page (or one cut short) the bytes
 * `"role"` are always a string, and a key when a colon follows. A piece of a row that begins at
 * its `{` and ends inside a string holds an odd number of quotes; a piece that begins inside a
 * string meets `"role"` as the bare word `role`: neither parses. So a parsed piece holding
 * `"role"` is a whole row, a row with a role cut in pieces is declined, and the last row, a whole
 * one, proves that the `]` after it closes the items (a body cut inside a string that happens to
 * hold `}]}}` is declined). A `]` that closes an array in a row, and any nesting, leave text
 * around the items that the exact check of the result (`keptRowsText`) cannot follow.
 *
 * Malformed bodies (cut short, `,]`, items that are not objects, not JSON) are declined, and fail
 * on the exact path as before. What can newly pass is a body whose only fault is inside the
 * braces of a row without a role, dropped unread as the text path always did.
 */
export const dropRowsWithoutGroupRoleUnescaped = (bytes: Uint8Array): string | undefined => {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const open = buffer.indexOf(itemsKey)
  if (open === -1) return undefined
  const itemsStart = open + itemsKey.length
  if (buffer.indexOf(backslash, itemsStart) !== -1) return undefined
  const kept: Array<string> = []
  let at = itemsStart
  while (isSpace(buffer[at]!)) at++
  if (buffer[at] !== closeBracket) {
    for (;;) {
      if (buffer[at] !== openBrace) return undefined
      const end = buffer.indexOf(closeBrace, at + 1)
      if (end === -1) return undefined
      const role = lastRoleValue(buffer, at, end)
      let next = end + 1
      while (isSpace(buffer[next]!)) next++
      const isLast = buffer[next] === closeBracket
      if (isLast && role === -1) return undefined
      if (isLast || (role !== -1 && isGroupRoleValue(buffer, role))) {
        const row = utf8KeepingBom.decode(buffer.subarray(at, end + 1))
        const parsed = parseJson(row)
        if (Option.isNone(parsed)) return undefined
        if (holdsGroupRole(parsed.value)) kept.push(row)
      }
      at = next
      if (isLast) break
      if (buffer[at] !== comma) return undefined
      at++
      while (isSpace(buffer[at]!)) at++
    }
  }
  const head = utf8.decode(buffer.subarray(0, itemsStart))
  return keptRowsText(`${head}${kept.join(",")}]${utf8KeepingBom.decode(buffer.subarray(at + 1))}`, head.length - 1)
}

/**
 * `dropRowsWithoutGroupRole` over a page's bytes: the unescaped path, which reads only bytes and
 * decodes only member rows, and where it declines (an escape in the items, nesting, a malformed
 * body), the exact path over windows.
 */
export const dropRowsWithoutGroupRoleFromBytes = (bytes: Uint8Array): string =>
  dropRowsWithoutGroupRoleUnescaped(bytes) ?? dropRowsWithoutGroupRoleByWindows(bytes)

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
