/**
 * Finds every `google.protobuf.Any` in a protobuf blob without knowing its schema: the wire format
 * is walked from the spec (varint keys, wire types 0/1/2/5), every length-delimited field that
 * parses as a message is walked in turn, and a message whose field 1 is a string starting with
 * `type.googleapis.com/` (and has no field but 1 and 2) is an Any. A baton reader resolves each
 * of these, so a type URL it does not know makes it fail.
 */

const AnyPrefix = "type.googleapis.com/"
const utf8 = new TextDecoder("utf-8", { fatal: true })

interface Field {
  readonly field: number
  readonly bytes?: Uint8Array
}

const readVarint = (bytes: Uint8Array, start: number): [number, number] | undefined => {
  let result = 0
  let scale = 1
  for (let pos = start; pos < bytes.length && pos < start + 10; pos++) {
    const byte = bytes[pos]!
    result += (byte & 0x7f) * scale
    if ((byte & 0x80) === 0) return [result, pos + 1]
    scale *= 128
  }
  return undefined
}

/** The fields of `bytes` as one message, or undefined when the bytes are not a well-formed message. */
const parse = (bytes: Uint8Array): ReadonlyArray<Field> | undefined => {
  const fields: Array<Field> = []
  let pos = 0
  while (pos < bytes.length) {
    const key = readVarint(bytes, pos)
    if (key === undefined) return undefined
    const [tag, afterKey] = key
    const field = Math.floor(tag / 8)
    const wireType = tag % 8
    if (field === 0) return undefined
    pos = afterKey
    if (wireType === 0) {
      const value = readVarint(bytes, pos)
      if (value === undefined) return undefined
      pos = value[1]
      fields.push({ field })
    } else if (wireType === 2) {
      const length = readVarint(bytes, pos)
      if (length === undefined || length[1] + length[0] > bytes.length) return undefined
      fields.push({ field, bytes: bytes.subarray(length[1], length[1] + length[0]) })
      pos = length[1] + length[0]
    } else if (wireType === 1 || wireType === 5) {
      pos += wireType === 1 ? 8 : 4
      if (pos > bytes.length) return undefined
      fields.push({ field })
    } else return undefined
  }
  return fields
}

export interface FoundAny {
  readonly typeUrl: string
  readonly value: Uint8Array
}

const asAny = (fields: ReadonlyArray<Field>): FoundAny | undefined => {
  const first = fields[0]
  if (first?.field !== 1 || first.bytes === undefined || fields.some((f) => f.field !== 1 && f.field !== 2)) return
  try {
    const typeUrl = utf8.decode(first.bytes)
    if (!typeUrl.startsWith(AnyPrefix)) return undefined
    return { typeUrl, value: fields.find((f) => f.field === 2)?.bytes ?? new Uint8Array(0) }
  } catch {
    return undefined
  }
}

/** Every Any in `blob`, nested ones included, in wire order. */
export const findAnys = (blob: Uint8Array): ReadonlyArray<FoundAny> => {
  const found: Array<FoundAny> = []
  const visit = (bytes: Uint8Array) => {
    const fields = parse(bytes)
    if (fields === undefined) return
    const any = asAny(fields)
    if (any !== undefined) found.push(any)
    for (const { bytes: nested } of fields) if (nested !== undefined && nested.length > 0) visit(nested)
  }
  visit(blob)
  return found
}

/** The first string field `field` of a message, for reading an Any's value. */
export const stringField = (message: Uint8Array, field: number): string | undefined => {
  const bytes = parse(message)?.find((f) => f.field === field)?.bytes
  return bytes === undefined ? undefined : utf8.decode(bytes)
}
