import { editDistance } from "@baton-fivetran/settings"

/**
 * The role a mistyped name was meant as ("Acount Reviewer", "View Destinaton"): the one role at the
 * fewest edits, one or two by the name's length. A name as near to two roles names neither, so
 * that the suggestion is never a guess between them. (settings' NearestName.ts, whose edit
 * distance this counts with, takes the first near flag; roles of one scope are alike, "Edit
 * Connection" and "View Connection", so here the nearest and only it.)
 */

/** Two edits for a name of 8 characters or more, one for a shorter one. */
const nearEnough = (length: number, distance: number): boolean => distance <= (length >= 8 ? 2 : 1)

/**
 * Of `names`, the one nearest `word` when it is near and no other is as near. Both are compared as
 * `normalized` gives them (case and spaces aside), so a wrong case plus one typo is still found.
 */
export const nearestRoleName = (
  word: string,
  names: ReadonlyArray<string>,
  normalized: (name: string) => string
): string | undefined => {
  const typed = normalized(word)
  const ranked = names
    .map((name) => normalized(name))
    .flatMap((name, i) =>
      // Lengths more than two apart are more than two edits apart: a long paste is not compared.
      Math.abs(name.length - typed.length) > 2 ? [] : [{ name: names[i]!, distance: editDistance(typed, name), length: name.length }]
    )
    .filter(({ distance, length }) => nearEnough(length, distance))
    .sort((a, b) => a.distance - b.distance)
  const [best, next] = ranked
  return best !== undefined && (next === undefined || next.distance > best.distance) ? best.name : undefined
}
