import { Chunk, Effect, Stream } from "effect"

/**
 * A listed item given again by a later page is dropped. Fivetran's cursors are offsets: an item
 * added before the cursor while a list is read shifts the rest, and the next page starts with the
 * last items of the one before. Passed on, a user listed twice was counted twice in the summary,
 * and its second rows replaced the first in the file without the team that also grants its role.
 * Only the current and the previous page's ids are kept, so memory stays at a page or two however
 * large the account; a repeat further apart (a list edited many times over) is not found.
 */
export const withoutRepeats = <A extends { readonly id: string }, E>(
  onRepeat: (item: A) => Effect.Effect<void>
) =>
(list: Stream.Stream<A, E>): Stream.Stream<A, E> =>
  Stream.suspend(() => {
    let previous = new Set<string>()
    return Stream.mapChunksEffect(list, (page) => {
      const current = new Set<string>()
      const repeats: Array<A> = []
      const kept = Chunk.filter(page, (item) => {
        if (previous.has(item.id) || current.has(item.id)) {
          repeats.push(item)
          return false
        }
        current.add(item.id)
        return true
      })
      previous = current
      return Effect.as(Effect.forEach(repeats, onRepeat, { discard: true }), kept)
    })
  })
