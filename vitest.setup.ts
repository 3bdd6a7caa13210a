import { Either, Exit, Option } from "effect"
import { chai } from "vitest"

/**
 * chai's deep equality compares two iterables by what they yield, and Option, Either and Exit are
 * iterable (for `yield*` in Effect.gen), each yielding one wrapper of itself: so
 * `assert.deepStrictEqual(Option.some(1), Option.none())` passed, and any Option, Either or Exit
 * deep inside an expected value compared equal to any other of its kind. They are compared by their
 * JSON form instead (`_tag` and contents, compared deeply in turn).
 */
const isTagged = (value: unknown): value is Option.Option<unknown> | Either.Either<unknown, unknown> | Exit.Exit<unknown, unknown> =>
  Option.isOption(value) || Either.isEither(value) || Exit.isExit(value)

const comparator = (left: unknown, right: unknown): boolean | null => {
  if (!isTagged(left) && !isTagged(right)) return null
  if (!isTagged(left) || !isTagged(right)) return false
  return chai.util.eql(left.toJSON(), right.toJSON(), { comparator })
}

chai.config.deepEqual = (left: unknown, right: unknown) => chai.util.eql(left, right, { comparator })
