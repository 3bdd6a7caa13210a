import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import type { SyncJob } from "../src/Api.js"
import { harness, Harness } from "./Harness.js"

layer(harness({ syncEveryMillis: 1_500 }), { excludeTestServices: true, timeout: 120_000 })("--sync-every", (it) => {
  it.effect("runs a sync at start-up and then on schedule; GET /v1/schedule shows the next run and the last job", () =>
    Effect.gen(function*() {
      const { client } = yield* Harness
      // Two scheduled syncs finished (real time: generous bound on a loaded machine).
      const poll: Effect.Effect<ReadonlyArray<SyncJob>> = client.syncs.list().pipe(
        Effect.orDie,
        Effect.map(({ items }) => items.filter((job) => job.status === "succeeded")),
        Effect.flatMap((done) => done.length >= 2 ? Effect.succeed(done) : Effect.zipRight(Effect.sleep("100 millis"), poll))
      )
      const succeeded = yield* poll.pipe(
        Effect.timeoutFail({ duration: "100 seconds", onTimeout: () => new Error("two scheduled syncs did not finish") }),
        Effect.orDie
      )
      assert.isAtLeast(succeeded.length, 2)
      assert.isTrue(succeeded.every((job) => job.summary?.requests === 14))
      const schedule = yield* Effect.orDie(client.syncs.schedule())
      assert.strictEqual(schedule.every_seconds, 1.5)
      assert.isNotNull(schedule.next_run_at)
      assert.isNull(schedule.delayed)
      assert.isNotNull(schedule.last)
      assert.include(succeeded.map((job) => job.id).concat(schedule.last!.id), schedule.last!.id)
    }))
})
