/**
 * The order of SQLite's BINARY collation on UTF-8 text, i.e. code point order. JavaScript's `<`
 * compares UTF-16 code units, which puts U+E000..U+FFFF after the astral planes; the classic
 * fix-up below moves surrogates above them, so a merge of two sorted SQL listings agrees with
 * SQLite on every id.
 */
const fixUp = (unit: number): number => unit >= 0xd800 ? (unit >= 0xe000 ? unit - 0x800 : unit + 0x2000) : unit

export const compareKeys = (a: string, b: string): number => {
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y) return fixUp(x) - fixUp(y)
  }
  return a.length - b.length
}
