/**
 * Whether text is JSON cut off before its end: valid JSON (RFC 8259) up to its last character, but
 * a value still open there. That is what a body cut in transit looks like when nothing at the HTTP
 * level shows it (a proxy forwarding half a body with a matching Content-Length, a close-delimited
 * answer whose connection dropped). Text that breaks the grammar anywhere, complete JSON, and text
 * with no JSON at all (empty, whitespace) are not cut short. Checked without building any value, and
 * without recursion: a deeply nested body cannot overflow the stack.
 */

/** The text ended inside a value: cut short. */
const Cut = -1
/** The text broke the grammar here. */
const Broken = -2

const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9
const isDigit = (c: number) => c >= 48 && c <= 57
const isHex = (c: number) => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)
const escapes = new Set([...`"\\/bfnrt`].map((c) => c.charCodeAt(0)))

const [openBrace, closeBrace, openBracket, closeBracket, quote, backslash, comma, colon, minus, plus, dot] = [
  ..."{}[]\"\\,:-+."
].map((c) => c.charCodeAt(0)) as [number, number, number, number, number, number, number, number, number, number, number]

/** `i` at an opening quote: the index after the closing one, Cut or Broken. */
const string = (text: string, i: number): number => {
  for (let at = i + 1; at < text.length; at++) {
    const c = text.charCodeAt(at)
    if (c === quote) return at + 1
    if (c < 0x20) return Broken
    if (c !== backslash) continue
    at++
    if (at === text.length) return Cut
    const escaped = text.charCodeAt(at)
    if (escaped === 117) { // u
      for (let k = 1; k <= 4; k++) {
        if (at + k === text.length) return Cut
        if (!isHex(text.charCodeAt(at + k))) return Broken
      }
      at += 4
    } else if (!escapes.has(escaped)) {
      return Broken
    }
  }
  return Cut
}

const digits = (text: string, i: number): number => {
  if (i === text.length) return Cut
  if (!isDigit(text.charCodeAt(i))) return Broken
  let at = i
  while (at < text.length && isDigit(text.charCodeAt(at))) at++
  return at
}

/** `i` at a number's first character: the index after it, Cut or Broken. */
const number = (text: string, i: number): number => {
  let at = text.charCodeAt(i) === minus ? i + 1 : i
  if (at === text.length) return Cut
  at = text.charCodeAt(at) === 48 ? at + 1 : digits(text, at)
  if (at < 0) return at
  if (text.charCodeAt(at) === dot) at = digits(text, at + 1)
  if (at < 0) return at
  const e = text.charCodeAt(at)
  if (e !== 101 && e !== 69) return at
  at++
  const sign = text.charCodeAt(at)
  return digits(text, sign === plus || sign === minus ? at + 1 : at)
}

/** `i` at a literal's first character: the index after it, Cut or Broken. */
const literal = (text: string, i: number, word: string): number => {
  for (let k = 0; k < word.length; k++) {
    if (i + k === text.length) return Cut
    if (text.charCodeAt(i + k) !== word.charCodeAt(k)) return Broken
  }
  return i + word.length
}

/** One scalar or the opening of a container at `i` (not at the end): the index after it, Cut or Broken. */
const scalar = (text: string, i: number): number => {
  const c = text.charCodeAt(i)
  if (c === quote) return string(text, i)
  if (c === 116) return literal(text, i, "true")
  if (c === 102) return literal(text, i, "false")
  if (c === 110) return literal(text, i, "null")
  if (c === minus || isDigit(c)) return number(text, i)
  return Broken
}

export const isCutShortJson = (text: string): boolean => {
  const space = (i: number) => {
    let at = i
    while (at < text.length && isSpace(text.charCodeAt(at))) at++
    return at
  }
  let at = space(0)
  if (at === text.length) return false
  // The containers open at `at`, innermost last: `{` or `[`.
  const open: Array<number> = []
  let expect: "value" | "key" | "after" = "value"
  while (true) {
    at = space(at)
    if (at === text.length) return open.length > 0 || expect !== "after"
    const c = text.charCodeAt(at)
    if (expect === "after") {
      const inner = open[open.length - 1]
      if (inner === undefined) return false // more after a complete value: broken
      if (c === comma) {
        expect = inner === openBrace ? "key" : "value"
        at++
      } else if ((inner === openBrace && c === closeBrace) || (inner === openBracket && c === closeBracket)) {
        open.pop()
        at++
      } else {
        return false
      }
    } else if (expect === "key") {
      if (c !== quote) return false
      at = string(text, at)
      if (at < 0) return at === Cut
      at = space(at)
      if (at === text.length) return true
      if (text.charCodeAt(at) !== colon) return false
      at++
      expect = "value"
    } else if (c === openBrace || c === openBracket) {
      at = space(at + 1)
      if (at === text.length) return true
      const close = c === openBrace ? closeBrace : closeBracket
      if (text.charCodeAt(at) === close) {
        at++
        expect = "after"
      } else {
        open.push(c)
        expect = c === openBrace ? "key" : "value"
      }
    } else {
      at = scalar(text, at)
      if (at < 0) return at === Cut
      expect = "after"
    }
  }
}
