/**
 * A generic protobuf wire-format walk, written from the encoding spec alone (varint keys,
 * wire types 0/1/2/5), so tests check the bytes without going through the package's decoders.
 */

export type WireValue =
  | { readonly wireType: 0; readonly varint: bigint }
  | { readonly wireType: 1 | 5; readonly fixed: Uint8Array }
  | { readonly wireType: 2; readonly bytes: Uint8Array }

export interface WireField {
  readonly field: number
  readonly value: WireValue
}

const readVarint = (bytes: Uint8Array, start: number): [bigint, number] => {
  let result = 0n
  let shift = 0n
  let pos = start
  for (;;) {
    const byte = bytes[pos++]
    if (byte === undefined) throw new Error("truncated varint")
    result |= BigInt(byte & 0x7f) << shift
    if ((byte & 0x80) === 0) return [result, pos]
    shift += 7n
  }
}

/** Every field of one message, in the order they appear on the wire. */
export const walk = (bytes: Uint8Array): ReadonlyArray<WireField> => {
  const fields: Array<WireField> = []
  let pos = 0
  while (pos < bytes.length) {
    const [key, afterKey] = readVarint(bytes, pos)
    const field = Number(key >> 3n)
    const wireType = Number(key & 7n)
    pos = afterKey
    if (wireType === 0) {
      const [varint, next] = readVarint(bytes, pos)
      fields.push({ field, value: { wireType, varint } })
      pos = next
    } else if (wireType === 2) {
      const [length, next] = readVarint(bytes, pos)
      const end = next + Number(length)
      if (end > bytes.length) throw new Error("truncated length-delimited field")
      fields.push({ field, value: { wireType, bytes: bytes.subarray(next, end) } })
      pos = end
    } else if (wireType === 1 || wireType === 5) {
      const size = wireType === 1 ? 8 : 4
      fields.push({ field, value: { wireType, fixed: bytes.subarray(pos, pos + size) } })
      pos += size
    } else throw new Error(`unexpected wire type ${wireType}`)
  }
  return fields
}

export const fieldNumbers = (bytes: Uint8Array): ReadonlyArray<number> => walk(bytes).map((f) => f.field)

const all = (bytes: Uint8Array, field: number) => walk(bytes).filter((f) => f.field === field).map((f) => f.value)

/** All length-delimited values of `field`. */
export const messages = (bytes: Uint8Array, field: number): ReadonlyArray<Uint8Array> =>
  all(bytes, field).map((v) => {
    if (v.wireType !== 2) throw new Error(`field ${field} is not length-delimited`)
    return v.bytes
  })

export const message = (bytes: Uint8Array, field: number): Uint8Array | undefined => messages(bytes, field)[0]

export const text = (bytes: Uint8Array, field: number): string | undefined => {
  const value = message(bytes, field)
  return value === undefined ? undefined : Buffer.from(value).toString("utf8")
}

export const varint = (bytes: Uint8Array, field: number): bigint | undefined => {
  const value = all(bytes, field)[0]
  if (value === undefined) return undefined
  if (value.wireType !== 0) throw new Error(`field ${field} is not a varint`)
  return value.varint
}

/** Follows a path of nested message fields, e.g. [1, 1, 1] = Grant.entitlement.resource.id. */
export const path = (bytes: Uint8Array, fields: ReadonlyArray<number>): Uint8Array | undefined =>
  fields.reduce<Uint8Array | undefined>((at, field) => (at === undefined ? undefined : message(at, field)), bytes)

/** An Any's type URL and value. */
export const any = (bytes: Uint8Array) => ({ typeUrl: text(bytes, 1), value: message(bytes, 2) ?? new Uint8Array(0) })

/** A 64-bit fixed field read as a little-endian double (Value.number_value). */
export const double = (bytes: Uint8Array, field: number): number | undefined => {
  const value = all(bytes, field)[0]
  if (value === undefined) return undefined
  if (value.wireType !== 1) throw new Error(`field ${field} is not 64-bit`)
  return Buffer.from(value.fixed).readDoubleLE(0)
}
