/**
 * The name a typed word was most likely meant as: a misspelt `.baton.yaml` key, a misspelt
 * subcommand. One or two edits (insert, delete or replace a character) apart, by the name's length.
 */

/** Edits (insert, delete, replace one character) from `a` to `b`. */
const editDistance = (a: string, b: string): number => {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]!
}

/** Two edits for a long name, one for a short one (`port` and `host` are two apart). */
const isNear = (word: string, name: string): boolean => editDistance(word.toLowerCase(), name) <= (name.length >= 8 ? 2 : 1)

/** The first of `names` near `word`, if any. */
export const nearestName = (word: string, names: ReadonlyArray<string>): string | undefined => names.find((name) => isNear(word, name))
