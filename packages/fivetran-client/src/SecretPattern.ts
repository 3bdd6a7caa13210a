/**
 * What finds a secret in text from outside: the secret as it is, or percent-encoded the way an
 * upstream may echo it back from a URL or a form (`encodeURIComponent`, `encodeURI`, `+` for a
 * space), with either hex case and any mix of encoded and plain characters.
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
