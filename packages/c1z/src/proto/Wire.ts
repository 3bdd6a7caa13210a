import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire"

/**
 * Small helpers over @bufbuild/protobuf's BinaryWriter/BinaryReader, shared by the hand-written
 * encoders and decoders. Fields are always written in ascending field-number order and scalar
 * fields holding their proto3 default are omitted, as Go's deterministic marshalling does.
 */

/** Raised by an encoder for a value the wire format cannot carry; the writer turns it into `InvalidRow`. */
export class EncodeFailure extends Error {}

export type Encoder<A> = (writer: BinaryWriter, value: A) => void

export const writeString = (writer: BinaryWriter, field: number, value: string | undefined): void => {
  if (value !== undefined && value !== "") writer.tag(field, WireType.LengthDelimited).string(value)
}

export const writeBool = (writer: BinaryWriter, field: number, value: boolean | undefined): void => {
  if (value === true) writer.tag(field, WireType.Varint).bool(true)
}

export const writeEnum = (writer: BinaryWriter, field: number, value: number): void => {
  if (value !== 0) writer.tag(field, WireType.Varint).int32(value)
}

export const writeUint32 = (writer: BinaryWriter, field: number, value: number | undefined): void => {
  if (value !== undefined && value !== 0) writer.tag(field, WireType.Varint).uint32(value)
}

/** A nested message: always written when present (even when empty), like Go. */
export const writeMessage = <A>(writer: BinaryWriter, field: number, encode: Encoder<A>, value: A): void => {
  writer.tag(field, WireType.LengthDelimited).fork()
  encode(writer, value)
  writer.join()
}

/**
 * Reusable writers, one per nesting level (an annotation's Any is encoded with `toBytes` inside its
 * parent's). A fresh BinaryWriter starts at 128 bytes and doubles up to a grant's ~1 KiB on every
 * call; a reused one keeps its buffer (`finish` copies the bytes out and rewinds), which made buffer
 * growth the largest cost of encoding a million grants.
 */
const writers: Array<BinaryWriter> = []
let depth = 0
/** A writer whose buffer grew past this is not kept, so one huge message does not pin its buffer. */
const keptResultBytes = 64 * 1024

export const toBytes = <A>(encode: Encoder<A>, value: A): Uint8Array => {
  const level = depth++
  const writer = writers[level] ?? new BinaryWriter()
  writers[level] = writer
  try {
    encode(writer, value)
    const bytes = writer.finish()
    if (bytes.length > keptResultBytes) writers.length = level
    return bytes
  } catch (failure) {
    writers.length = level
    throw failure
  } finally {
    depth--
  }
}

/** Walks the fields of one message; unknown fields are skipped, as the SDK's reader discards them. */
export const readFields = (
  bytes: Uint8Array,
  onField: (field: number, wireType: WireType, reader: BinaryReader) => boolean
): void => {
  const reader = new BinaryReader(bytes)
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag()
    if (!onField(field, wireType, reader)) reader.skip(wireType, field)
  }
}

/**
 * Byte-wise UTF-8 order, the order Go uses for deterministic map keys. It is UTF-16 code-unit
 * order wherever one of the first differing code units is below the surrogates (U+D800): only two
 * units from U+D800 up (a character above U+FFFF against one from U+E000) are compared as bytes.
 * Encoding both strings for every comparison allocated hundreds of MB in a large sync's profile sorts.
 */
export const compareUtf8 = (a: string, b: string): number => {
  const shorter = Math.min(a.length, b.length)
  for (let i = 0; i < shorter; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x === y) continue
    if (x < 0xd800 || y < 0xd800) return x < y ? -1 : 1
    // From the start of the character: a shared high surrogate before i belongs to it.
    const from = i > 0 && a.charCodeAt(i - 1) >= 0xd800 && a.charCodeAt(i - 1) < 0xdc00 ? i - 1 : i
    return Buffer.compare(Buffer.from(a.slice(from)), Buffer.from(b.slice(from)))
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1
}

/** Raised by a decoder for bytes that are not the message it expects; the reader turns it into `Corrupt`. */
export class DecodeFailure extends Error {}
