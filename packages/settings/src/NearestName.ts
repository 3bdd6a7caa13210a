/**
 * The name a typed word was most likely meant as: a misspelt `.baton.yaml` key, a misspelt
 * subcommand or flag. One or two edits apart, by the name's length.
 */

/**
 * Edits from `a` to `b`: insert, delete or replace a character, or swap two neighbours (`tpye`),
 * each one edit (the optimal string alignment distance).
 */
export const editDistance = (a: string, b: string): number => {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => i === 0 ? j : j === 0 ? i : 0))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const replace = d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)
      const swap = i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1] ? d[i - 2]![j - 2]! + 1 : Infinity
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, replace, swap)
    }
  }
  return d[a.length]![b.length]!
}

/**
 * Two edits for a long name, one for a short one (`port` and `host` are two apart). Lengths further
 * apart than that are as many edits apart, so a long paste is not compared: its table would be its
 * length times the name's, for every name.
 */
const isNear = (word: string, name: string): boolean => {
  const edits = name.length >= 8 ? 2 : 1
  const typed = word.toLowerCase()
  return Math.abs(typed.length - name.length) <= edits && editDistance(typed, name) <= edits
}

/** The first of `names` near `word`, if any. */
export const nearestName = (word: string, names: ReadonlyArray<string>): string | undefined => names.find((name) => isNear(word, name))
