import type { BinaryWriter } from "@bufbuild/protobuf/wire"
import { WireType } from "@bufbuild/protobuf/wire"
import type { Profile } from "@baton-fivetran/connector-core"
import { compareUtf8, EncodeFailure, readFields, writeString } from "./Wire.js"

/**
 * google.protobuf Any, Struct/Value/ListValue and Timestamp, encoded by hand (any.proto,
 * struct.proto, timestamp.proto are the specification; field numbers are facts of the wire).
 */

export const typeUrlPrefix = "type.googleapis.com/"

// --- Any: 1 type_url, 2 value ---------------------------------------------------------------

export interface AnyMessage {
  readonly typeUrl: string
  readonly value: Uint8Array
}

export const encodeAny = (writer: BinaryWriter, any: AnyMessage): void => {
  writeString(writer, 1, any.typeUrl)
  if (any.value.length > 0) writer.tag(2, WireType.LengthDelimited).bytes(any.value)
}

export const decodeAny = (bytes: Uint8Array): AnyMessage => {
  let typeUrl = ""
  let value: Uint8Array = new Uint8Array(0)
  readFields(bytes, (field, _wire, reader) => {
    if (field === 1) typeUrl = reader.string()
    else if (field === 2) value = reader.bytes()
    else return false
    return true
  })
  return { typeUrl, value }
}

// --- Struct: 1 map<string, Value> fields; Value oneof 1 null, 2 number, 3 string, 4 bool, 5 struct, 6 list;
// --- ListValue: 1 repeated Value ------------------------------------------------------------

const isPlainObject = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value) &&
  (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null)

/** A member's place in a profile, for an error message: built only when one is thrown or a value nests. */
const pathAt = (parent: string, key: string | number): string => typeof key === "number" ? `${parent}[${key}]` : `${parent}.${key}`

/** `parent` and `key` name the value: a path string and a closure per member cost more than encoding it. */
const encodeValue = (writer: BinaryWriter, value: unknown, parent: string, key: string | number): void => {
  if (value === null || value === undefined) writer.tag(1, WireType.Varint).int32(0)
  else if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new EncodeFailure(`profile value ${pathAt(parent, key)} is ${value}, which JSON cannot hold`)
    writer.tag(2, WireType.Bit64).double(value)
  } else if (typeof value === "string") writer.tag(3, WireType.LengthDelimited).string(value)
  else if (typeof value === "boolean") writer.tag(4, WireType.Varint).bool(value)
  else if (Array.isArray(value)) {
    const path = pathAt(parent, key)
    writer.tag(6, WireType.LengthDelimited).fork()
    value.forEach((item, i) => {
      writer.tag(1, WireType.LengthDelimited).fork()
      encodeValue(writer, item, path, i)
      writer.join()
    })
    writer.join()
  } else if (isPlainObject(value)) {
    writer.tag(5, WireType.LengthDelimited).fork()
    encodeStructAt(writer, value, pathAt(parent, key))
    writer.join()
  } else throw new EncodeFailure(`profile value ${pathAt(parent, key)} is a ${typeof value}, not a JSON value`)
}

/** Up to this many keys are sorted by insertion; a larger object by `Array.prototype.sort`. */
const insertionSortedKeys = 32

/**
 * The keys in byte-wise UTF-8 order, sorted in place by insertion: a profile has a dozen keys,
 * mostly in the same order every time. `Array.prototype.sort` allocates a working copy per call,
 * and with a `filter` before it, a large sync's profiles cost ~100 MB of garbage (heap profile).
 */
const sortedKeys = (struct: Readonly<Record<string, unknown>>): Array<string> => {
  const keys = Object.keys(struct)
  if (keys.length > insertionSortedKeys) return keys.sort(compareUtf8)
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!
    let j = i - 1
    while (j >= 0 && compareUtf8(keys[j]!, key) > 0) {
      keys[j + 1] = keys[j]!
      j--
    }
    keys[j + 1] = key
  }
  return keys
}

const encodeStructAt = (writer: BinaryWriter, struct: Readonly<Record<string, unknown>>, path: string): void => {
  for (const key of sortedKeys(struct)) {
    // An undefined member is left out, as JSON leaves it out.
    if (struct[key] === undefined) continue
    writer.tag(1, WireType.LengthDelimited).fork()
    writer.tag(1, WireType.LengthDelimited).string(key)
    writer.tag(2, WireType.LengthDelimited).fork()
    encodeValue(writer, struct[key], path, key)
    writer.join()
    writer.join()
  }
}

/** Keys are written in sorted order so the same profile always gives the same bytes. */
export const encodeStruct = (writer: BinaryWriter, struct: Profile): void => encodeStructAt(writer, struct, "profile")

/**
 * Sets `key` as an ordinary own property, even "__proto__" (which plain assignment would take as the
 * prototype). Only that key goes through defineProperty: defining every key that way turns the
 * object into a slow dictionary, which made decoding (and later encoding) profiles the largest
 * cost of reading users.
 */
export const setOwnKey = (target: Record<string, unknown>, key: string, value: unknown): void => {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}

const decodeValue = (bytes: Uint8Array): unknown => {
  let value: unknown = null
  readFields(bytes, (field, _wire, reader) => {
    switch (field) {
      case 1:
        reader.int32()
        value = null
        return true
      case 2:
        value = reader.double()
        return true
      case 3:
        value = reader.string()
        return true
      case 4:
        value = reader.bool()
        return true
      case 5:
        value = decodeStruct(reader.bytes())
        return true
      case 6: {
        const items: Array<unknown> = []
        readFields(reader.bytes(), (f, _w, r) => {
          if (f !== 1) return false
          items.push(decodeValue(r.bytes()))
          return true
        })
        value = items
        return true
      }
      default:
        return false
    }
  })
  return value
}

export const decodeStruct = (bytes: Uint8Array): Profile => {
  const struct: Record<string, unknown> = {}
  readFields(bytes, (field, _wire, reader) => {
    if (field !== 1) return false
    let key = ""
    let value: unknown = null
    readFields(reader.bytes(), (f, _w, r) => {
      if (f === 1) key = r.string()
      else if (f === 2) value = decodeValue(r.bytes())
      else return false
      return true
    })
    setOwnKey(struct, key, value)
    return true
  })
  return struct
}

// --- Timestamp: 1 seconds int64, 2 nanos int32 -------------------------------------------------

export interface Timestamp {
  readonly seconds: bigint
  readonly nanos: number
}

const isoPattern = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/

/** The seconds of 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: a Timestamp holds no instant outside them. */
const firstSecond = -62_135_596_800
const lastSecond = 253_402_300_799

/** Parses RFC 3339 text (the model's timestamps) into seconds and nanoseconds, keeping all nine digits. */
export const parseTimestamp = (text: string, what: string): Timestamp => {
  const match = isoPattern.exec(text)
  if (match === null) throw new EncodeFailure(`${what} "${text}" is not an RFC 3339 timestamp`)
  const [, y, mo, d, h, mi, s, fraction = "", zone = "Z"] = match
  const offsetMinutes = zone === "Z" || zone === "z"
    ? 0
    : (zone.startsWith("-") ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)))
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999 (0050 became 1950).
  const instant = new Date(0)
  instant.setUTCFullYear(Number(y), Number(mo) - 1, Number(d))
  instant.setUTCHours(Number(h), Number(mi), Number(s), 0)
  const millis = instant.getTime()
  if (Number.isNaN(millis)) throw new EncodeFailure(`${what} "${text}" is not a valid date`)
  const seconds = millis / 1000 - offsetMinutes * 60
  // Out of that range, baton's JSON output (protojson) refuses the Timestamp, and the listing with it.
  if (seconds < firstSecond || seconds > lastSecond) {
    throw new EncodeFailure(`${what} "${text}" is outside the years 1 to 9999 a timestamp holds`)
  }
  return { seconds: BigInt(seconds), nanos: Number(fraction.padEnd(9, "0")) }
}

/** RFC 3339 in UTC with 0, 3, 6 or 9 fractional digits: protobuf's canonical JSON form of a Timestamp. */
export const formatTimestamp = (timestamp: Timestamp): string => {
  const base = new Date(Number(timestamp.seconds) * 1000).toISOString().slice(0, 19)
  if (timestamp.nanos === 0) return `${base}Z`
  const digits = String(timestamp.nanos).padStart(9, "0")
  const fraction = digits.endsWith("000000") ? digits.slice(0, 3) : digits.endsWith("000") ? digits.slice(0, 6) : digits
  return `${base}.${fraction}Z`
}

export const encodeTimestamp = (writer: BinaryWriter, timestamp: Timestamp): void => {
  if (timestamp.seconds !== 0n) writer.tag(1, WireType.Varint).int64(timestamp.seconds)
  if (timestamp.nanos !== 0) writer.tag(2, WireType.Varint).int32(timestamp.nanos)
}

export const decodeTimestamp = (bytes: Uint8Array): Timestamp => {
  let seconds = 0n
  let nanos = 0
  readFields(bytes, (field, _wire, reader) => {
    if (field === 1) seconds = BigInt(reader.int64())
    else if (field === 2) nanos = reader.int32()
    else return false
    return true
  })
  return { seconds, nanos }
}
