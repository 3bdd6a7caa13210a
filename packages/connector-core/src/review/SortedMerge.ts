import { Chunk, Effect, Option, Stream } from "effect"
import { compareKeys } from "./KeyOrder.js"

/** A row and its key; listings handed to `mergeSorted` are in ascending key order (KeyOrder). */
export interface Keyed<A> {
  readonly key: string
  readonly value: A
}

export type Merged<A> =
  | { readonly _tag: "Left"; readonly key: string; readonly left: A }
  | { readonly _tag: "Right"; readonly key: string; readonly right: A }
  | { readonly _tag: "Both"; readonly key: string; readonly left: A; readonly right: A }

/** Rows per emitted chunk. */
const batch = 500

/** A pull-based cursor over a stream's chunks: one row of look-ahead, nothing else held. */
const cursor = <A, E>(pull: Effect.Effect<Chunk.Chunk<A>, Option.Option<E>>) => {
  let rows: ReadonlyArray<A> = []
  let index = 0
  let ended = false
  const peek: Effect.Effect<Option.Option<A>, E> = Effect.suspend(() => {
    if (index < rows.length) return Effect.succeed(Option.some(rows[index]!))
    if (ended) return Effect.succeed(Option.none())
    return Effect.matchEffect(pull, {
      onFailure: (error) =>
        Option.match(error, {
          onNone: () => {
            ended = true
            return Effect.succeed(Option.none<A>())
          },
          onSome: (e) => Effect.fail(e)
        }),
      onSuccess: (chunk) => {
        rows = Chunk.toReadonlyArray(chunk)
        index = 0
        return peek
      }
    })
  })
  return { peek, advance: () => void index++ }
}

/**
 * Merge-joins two listings sorted by key: each key once, from the left, the right or both. Holds
 * one chunk of each side, so two syncs of any size are compared in constant memory.
 */
export const mergeSorted = <A, E>(
  left: Stream.Stream<Keyed<A>, E>,
  right: Stream.Stream<Keyed<A>, E>
): Stream.Stream<Merged<A>, E> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const l = cursor(yield* Stream.toPull(left))
    const r = cursor(yield* Stream.toPull(right))
    // Stream.repeatEffectChunkOption: a failure Some(e) is an error, None the end.
    const peekLeft = Effect.mapError(l.peek, Option.some)
    const peekRight = Effect.mapError(r.peek, Option.some)
    const next: Effect.Effect<Chunk.Chunk<Merged<A>>, Option.Option<E>> = Effect.gen(function*() {
      const out: Array<Merged<A>> = []
      while (out.length < batch) {
        const a = yield* peekLeft
        const b = yield* peekRight
        if (Option.isNone(a) && Option.isNone(b)) break
        const order = Option.isNone(a) ? 1 : Option.isNone(b) ? -1 : compareKeys(a.value.key, b.value.key)
        if (order < 0 && Option.isSome(a)) {
          out.push({ _tag: "Left", key: a.value.key, left: a.value.value })
          l.advance()
        } else if (order > 0 && Option.isSome(b)) {
          out.push({ _tag: "Right", key: b.value.key, right: b.value.value })
          r.advance()
        } else if (Option.isSome(a) && Option.isSome(b)) {
          out.push({ _tag: "Both", key: a.value.key, left: a.value.value, right: b.value.value })
          l.advance()
          r.advance()
        }
      }
      return out.length === 0 ? yield* Effect.fail(Option.none<E>()) : Chunk.unsafeFromArray(out)
    })
    return Stream.repeatEffectChunkOption(next)
  }))
