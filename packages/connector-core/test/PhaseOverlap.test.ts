import { assert, describe, it } from "@effect/vitest"
import { Data, Deferred, Effect, Stream } from "effect"
import { type OverlappedPhase, overlapPhases } from "../src/sync/PhaseOverlap.js"

class PhaseFailed extends Data.TaggedError("PhaseFailed")<{ readonly phase: string }> {}

type Phase = OverlappedPhase<string, PhaseFailed>

/** A hang (the overlap not starting a phase it should) fails here instead of at vitest's timeout. */
const guarded = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.timeoutFail(effect, { duration: "10 seconds", onTimeout: () => new Error("the phases waited on each other") })

const run = (phases: ReadonlyArray<Phase>) => guarded(Stream.runCollect(overlapPhases(phases)).pipe(Effect.map((rows) => Array.from(rows))))

const noteOf = (log: Array<string>) => (entry: string) => Effect.sync(() => void log.push(entry))

describe("overlapPhases", () => {
  it.live("starts a phase's requests once the phase before has made its last, while that one's rows are still to come", () =>
    Effect.gen(function*() {
      const usersRequested = yield* Deferred.make<void>()
      const phases: ReadonlyArray<Phase> = [
        {
          fetches: true,
          reached: Effect.void,
          // The teams' rows wait for the users' first request: without the overlap this never ends.
          rows: (gates) =>
            Stream.concat(Stream.execute(gates.fetchesDone), Stream.fromEffect(Effect.as(Deferred.await(usersRequested), "team row")))
        },
        {
          fetches: true,
          reached: Effect.void,
          rows: (gates) =>
            Stream.concat(
              Stream.execute(Deferred.succeed(usersRequested, undefined)),
              Stream.fromEffect(Effect.as(gates.rowsAfter, "user row"))
            )
        }
      ]
      assert.deepStrictEqual(yield* run(phases), ["team row", "user row"])
    }))

  it.live("builds no row of a phase before the phases before it have built all theirs", () =>
    Effect.gen(function*() {
      const log: Array<string> = []
      const note = noteOf(log)
      const laterRequested = yield* Deferred.make<void>()
      const phases: ReadonlyArray<Phase> = [
        {
          fetches: false,
          reached: note("reached first"),
          rows: () =>
            Stream.concat(Stream.execute(Deferred.await(laterRequested)), Stream.make("a", "b")).pipe(
              Stream.tap((r) => note(`built ${r}`))
            )
        },
        {
          fetches: true,
          reached: note("reached second"),
          rows: (gates) =>
            Stream.concat(
              Stream.execute(Effect.zipRight(note("requested second"), Deferred.succeed(laterRequested, undefined))),
              Stream.concat(Stream.execute(gates.rowsAfter), Stream.make("c")).pipe(Stream.tap((r) => note(`built ${r}`)))
            )
        }
      ]
      assert.deepStrictEqual(yield* run(phases), ["a", "b", "c"])
      // "built c" waits for "built b", not for the output; the output reaches the second phase once "b" is out.
      assert.deepStrictEqual(log.filter((entry) => !entry.startsWith("reached")), ["requested second", "built a", "built b", "built c"])
      assert.isBelow(log.indexOf("reached first"), log.indexOf("built a"))
      assert.isAbove(log.indexOf("reached second"), log.indexOf("built b"))
    }))

  it.live("holds the next phase back until the last row of a phase that makes requests and never says it is done", () =>
    Effect.gen(function*() {
      const log: Array<string> = []
      const note = noteOf(log)
      const phases: ReadonlyArray<Phase> = [
        { fetches: true, reached: Effect.void, rows: () => Stream.make("a", "b").pipe(Stream.tap((r) => note(`built ${r}`))) },
        { fetches: true, reached: Effect.void, rows: () => Stream.fromEffect(Effect.as(note("started second"), "c")) }
      ]
      assert.deepStrictEqual(yield* run(phases), ["a", "b", "c"])
      assert.deepStrictEqual(log, ["built a", "built b", "started second"])
    }))

  it.live("passes on every row of the phases before a failed one, then its failure, and starts no phase after it", () =>
    Effect.gen(function*() {
      const laterFailed = yield* Deferred.make<void>()
      const log: Array<string> = []
      const phases: ReadonlyArray<Phase> = [
        {
          fetches: true,
          reached: Effect.void,
          // Its rows come after the next phase has already failed.
          rows: (gates) =>
            Stream.concat(
              Stream.execute(gates.fetchesDone),
              Stream.concat(Stream.execute(Deferred.await(laterFailed)), Stream.make("a", "b"))
            )
        },
        {
          fetches: true,
          reached: Effect.void,
          rows: () => Stream.fail(new PhaseFailed({ phase: "second" })).pipe(Stream.ensuring(Deferred.succeed(laterFailed, undefined)))
        },
        { fetches: false, reached: Effect.void, rows: () => Stream.fromEffect(Effect.as(noteOf(log)("started third"), "c")) }
      ]
      const out: Array<string> = []
      const error = yield* guarded(Effect.flip(Stream.runForEach(overlapPhases(phases), (r) => Effect.sync(() => void out.push(r)))))
      assert.deepStrictEqual(error, new PhaseFailed({ phase: "second" }))
      assert.deepStrictEqual(out, ["a", "b"])
      assert.deepStrictEqual(log, [])
    }))
})
