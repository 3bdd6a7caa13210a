/**
 * Account text inside a name the connector composes (`<role> on <destination>`, `<team> member`),
 * which the .c1z carries to every reader of it: ConductorOne, baton, a spreadsheet. A bidi
 * embedding, override or isolate the text opens and leaves open ran on over the connector's words
 * after it in any reader that applies bidi: a team named "\u202Etrats" made "<team> member" read as
 * "rebmem start". Each part is kept exactly and followed by the closer of each one it leaves open
 * (PDF U+202C, PDI U+2069; innermost first), as the end of a paragraph would close them (UAX #9):
 * it shows as it did alone, and ends there. Names of one field (a team's, a role's) are the
 * account's own and are written as Fivetran gives them.
 */

const PopDirectionalFormatting = "\u202C"
const PopDirectionalIsolate = "\u2069"

/** The closers `text` needs, innermost first, by UAX #9's matching (X1-X8; depth limits aside). */
const closersOf = (text: string): string => {
  const open: Array<string> = []
  for (const char of text) {
    switch (char) {
      // LRE, RLE, LRO, RLO.
      case "\u202A":
      case "\u202B":
      case "\u202D":
      case "\u202E":
        open.push(PopDirectionalFormatting)
        break
      // LRI, RLI, FSI.
      case "\u2066":
      case "\u2067":
      case "\u2068":
        open.push(PopDirectionalIsolate)
        break
      // A PDF closes an embedding opened inside the innermost isolate, and nothing else.
      case PopDirectionalFormatting:
        if (open.at(-1) === PopDirectionalFormatting) open.pop()
        break
      // A PDI closes the innermost open isolate and whatever was opened inside it.
      case PopDirectionalIsolate: {
        const isolate = open.lastIndexOf(PopDirectionalIsolate)
        if (isolate !== -1) open.length = isolate
        break
      }
      // A paragraph separator closes everything.
      case "\n":
      case "\r":
      case "\u001C":
      case "\u001D":
      case "\u001E":
      case "\u0085":
      case "\u2029":
        open.length = 0
    }
  }
  return open.reverse().join("")
}

/** `text`, then the closer of every bidi embedding, override or isolate it leaves open. */
export const bidiClosed = (text: string): string => text + closersOf(text)
