import { User } from "@baton-fivetran/fivetran-client"
import { Schema } from "effect"
import type { GroupUserRows, UserRows } from "../state/AccountState.js"
import { pageBuffer } from "./PageBuffers.js"
import { nextCursorJson, type PageRequest } from "./Pagination.js"

/**
 * User bodies for the user lists, encoded through the client's `User` schema once per stored user
 * object rather than once per request: a large account's group user lists repeat every account-role
 * holder in every group, millions of rows. The state replaces a user object on every write, so a
 * cache keyed by object identity can never serve a stale body. The role is spliced in per row
 * (a group's user list shows the group role), between the fields before and after it. The parts are
 * kept as UTF-8 bytes: a page is then one copy of them, where building it as a string and encoding
 * that cost most of the sandbox's CPU in a large sync.
 */
interface EncodedUser {
  /** `{"id":...,...,"role":` */
  readonly beforeRole: Uint8Array
  /** `,"logged_in_at":...}` */
  readonly afterRole: Uint8Array
  /**
   * The whole row with role `null`: most rows of a group's list (the account-role holders), so a
   * page copies most of its rows in one piece instead of three.
   */
  readonly nullRoleRow: Uint8Array
}

const encodeUser = Schema.encodeSync(User)
const encoded = new WeakMap<User, EncodedUser>()
/** `null` and each role name as JSON: an account has a few dozen roles. */
const roleJson = new Map<string | null, Uint8Array>()

const member = ([key, value]: readonly [string, unknown]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`

const encodeParts = (user: User): EncodedUser => {
  // JSON.stringify leaves out undefined members; so do these parts.
  const members = Object.entries(encodeUser(user)).filter(([, value]) => value !== undefined)
  const at = members.findIndex(([key]) => key === "role")
  const beforeRole = `{${members.slice(0, at).map((m) => `${member(m)},`).join("")}"role":`
  const afterRole = `${members.slice(at + 1).map((m) => `,${member(m)}`).join("")}}`
  return {
    beforeRole: Buffer.from(beforeRole),
    afterRole: Buffer.from(afterRole),
    nullRoleRow: Buffer.from(`${beforeRole}null${afterRole}`)
  }
}

const partsOf = (user: User): EncodedUser => {
  let parts = encoded.get(user)
  if (parts === undefined) {
    parts = encodeParts(user)
    encoded.set(user, parts)
  }
  return parts
}

const roleBytes = (role: string | null): Uint8Array => {
  let bytes = roleJson.get(role)
  if (bytes === undefined) {
    bytes = Buffer.from(JSON.stringify(role))
    roleJson.set(role, bytes)
  }
  return bytes
}

const pageHead = Buffer.from(`{"code":"Success","data":{"items":[`)
const comma = 0x2c

/** A row's bytes with `role` spliced in, as both page builders write it. */
const roleRowLength = (parts: EncodedUser, role: Uint8Array) => parts.beforeRole.length + role.length + parts.afterRole.length

/** Writes a row with `role` spliced in at `at`; returns the offset after it. */
const writeRoleRow = (body: Buffer, at: number, parts: EncodedUser, role: Uint8Array): number => {
  body.set(parts.beforeRole, at)
  body.set(role, at + parts.beforeRole.length)
  body.set(parts.afterRole, at + parts.beforeRole.length + role.length)
  return at + roleRowLength(parts, role)
}

/**
 * The body of the requested page of `rows`: the bytes `pageReply` gives for the same users, written
 * straight into one buffer. Its length is summed first, so nothing is built per row: objects and
 * piece arrays per row were most of the sandbox's allocation, and of its CPU in garbage collection,
 * while a large sync read millions of group-user rows.
 */
export const userPageBody = (rows: UserRows, request: PageRequest): Uint8Array => {
  const start = request.skip
  const end = Math.min(request.skip + request.limit, rows.size)
  const tail = Buffer.from(`]${nextCursorJson(rows.size, request)}}}`)
  let length = pageHead.length + tail.length + Math.max(0, end - start - 1)
  for (let i = start; i < end; i++) {
    const parts = partsOf(rows.user(i))
    const role = rows.role(i)
    length += role === null ? parts.nullRoleRow.length : roleRowLength(parts, roleBytes(role))
  }
  const body = pageBuffer(length)
  body.set(pageHead, 0)
  let at = pageHead.length
  for (let i = start; i < end; i++) {
    if (i > start) body[at++] = comma
    const parts = partsOf(rows.user(i))
    const role = rows.role(i)
    if (role === null) {
      body.set(parts.nullRoleRow, at)
      at += parts.nullRoleRow.length
      continue
    }
    at = writeRoleRow(body, at, parts, roleBytes(role))
  }
  body.set(tail, at)
  return body
}

/**
 * The account-role holders' rows (role null), each followed by a comma, in one buffer; `offsets[j]`
 * is where holder `j`'s row starts, `offsets[holders.length]` the end.
 */
interface HolderRowBytes {
  readonly bytes: Buffer
  readonly offsets: Uint32Array
}

/**
 * Kept by the holders array, which the state replaces whenever a user changes: like `encoded`, it
 * can never serve a stale row. Every group's list repeats these rows, so a page copies them in a few
 * runs (between the group's members) instead of one by one: ~9,000 rows, ~2.5 MB, in a large account.
 */
const holderRowBytes = new WeakMap<ReadonlyArray<User>, HolderRowBytes>()

const holderRowsOf = (holders: ReadonlyArray<User>): HolderRowBytes => {
  let found = holderRowBytes.get(holders)
  if (found === undefined) {
    const offsets = new Uint32Array(holders.length + 1)
    const rows = holders.map(partsOf)
    let length = 0
    for (let j = 0; j < rows.length; j++) {
      offsets[j] = length
      length += rows[j]!.nullRoleRow.length + 1
    }
    offsets[rows.length] = length
    const bytes = Buffer.allocUnsafe(length)
    for (let j = 0; j < rows.length; j++) {
      bytes.set(rows[j]!.nullRoleRow, offsets[j]!)
      bytes[offsets[j + 1]! - 1] = comma
    }
    found = { bytes, offsets }
    holderRowBytes.set(holders, found)
  }
  return found
}

/**
 * The body of the requested page of a group's rows: the bytes `userPageBody` gives for the same
 * rows one by one, copied as runs of the holders' rows with the group's member rows between them.
 * Each row is written with a trailing comma, the last one then overwritten by the tail.
 */
export const groupUserPageBody = (rows: GroupUserRows, request: PageRequest): Uint8Array => {
  const start = request.skip
  const end = Math.min(request.skip + request.limit, rows.size)
  const tail = Buffer.from(`]${nextCursorJson(rows.size, request)}}}`)
  const { members } = rows
  const holders = holderRowsOf(rows.holders)
  // The first member at or after `start`, and the holder row `start` is if it is no member's.
  let first = 0
  while (first < members.length && members[first]!.row < start) first++
  const previous = first === 0 ? undefined : members[first - 1]!
  const firstHolder = previous === undefined ? start : previous.nextHolder + (start - previous.row - 1)

  let length = pageHead.length + tail.length - (end > start ? 1 : 0)
  for (let i = start, m = first, h = firstHolder; i < end;) {
    const runEnd = m < members.length ? Math.min(members[m]!.row, end) : end
    if (runEnd > i) {
      length += holders.offsets[h + runEnd - i]! - holders.offsets[h]!
      h += runEnd - i
      i = runEnd
    }
    if (i < end) {
      const member = members[m++]!
      const parts = partsOf(member.user)
      length += roleRowLength(parts, roleBytes(member.role)) + 1
      h = member.nextHolder
      i++
    }
  }

  const body = pageBuffer(length)
  body.set(pageHead, 0)
  let at = pageHead.length
  for (let i = start, m = first, h = firstHolder; i < end;) {
    const runEnd = m < members.length ? Math.min(members[m]!.row, end) : end
    if (runEnd > i) {
      at += holders.bytes.copy(body, at, holders.offsets[h]!, holders.offsets[h + runEnd - i]!)
      h += runEnd - i
      i = runEnd
    }
    if (i < end) {
      const member = members[m++]!
      at = writeRoleRow(body, at, partsOf(member.user), roleBytes(member.role))
      body[at++] = comma
      h = member.nextHolder
      i++
    }
  }
  if (end > start) at--
  body.set(tail, at)
  return body
}
