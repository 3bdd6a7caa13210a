/**
 * What finds a secret in text from outside: the secret as it is, or percent-encoded the way an
 * upstream may echo it back from a URL or a form (`encodeURIComponent`, `encodeURI`, `+` for a
 * space), with either hex case and any mix of encoded and plain characters; and the base64 texts
 * that give it away (`base64Forms`), each found the same way.
 */

const utf8 = new TextEncoder()

const literal = (char: string) => char.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&")

/** A hex digit in either case: `%2f` and `%2F` are the same byte. */
const hexDigit = (nibble: number) => {
  const digit = nibble.toString(16)
  return nibble < 10 ? digit : `[${digit}${digit.toUpperCase()}]`
}

const percentEncoded = (char: string) => Array.from(utf8.encode(char), (byte) => `%${hexDigit(byte >> 4)}${hexDigit(byte & 15)}`).join("")

const anyForm = (char: string) => `(?:${literal(char)}|${percentEncoded(char)}${char === " " ? "|\\+" : ""})`

/** Matches every occurrence of `secret` in any of its forms. */
export const secretPattern = (secret: string): RegExp => new RegExp(Array.from(secret, anyForm).join(""), "g")

/** A value's base64 text in the standard alphabet and in the URL-safe one (`-` and `_`). */
const bothAlphabets = (text: string) => [text, text.replace(/\+/g, "-").replace(/\//g, "_")]

/**
 * Shorter base64 texts would match unrelated words: a secret that short is still masked as it is.
 */
const shortestBase64Form = 8

/**
 * The texts that give `value` away base64-encoded, for masking: the whole encoding, padded and
 * not, and, for a value inside a longer encoded text (a `key:secret` pair, a token), the
 * characters that encode only its bytes at each of the three byte offsets it may start at (an
 * edge character also holds a neighbour's bits, at most 4 of the value's). An upstream or a proxy
 * may echo an `Authorization` header with its padding dropped, or the secret alone.
 */
export const base64Forms = (value: string): ReadonlyArray<string> => {
  const bytes = utf8.encode(value)
  const whole = Buffer.from(bytes).toString("base64")
  const inner = [0, 1, 2].map((offset) => {
    const shifted = new Uint8Array(offset + bytes.length)
    shifted.set(bytes, offset)
    const encoded = Buffer.from(shifted).toString("base64")
    return encoded.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + bytes.length)) / 6))
  })
  const forms = [whole, whole.replace(/=+$/, ""), ...inner].flatMap(bothAlphabets)
  return [...new Set(forms)].filter((form) => form.length >= shortestBase64Form)
}
