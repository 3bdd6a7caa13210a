import type { FivetranClientShape } from "@baton-fivetran/fivetran-client"
import { Chunk, Clock, Effect, Ref, Stream } from "effect"
import type { SyncRow } from "../model/Baton.js"
import { SyncSink } from "../model/SyncSink.js"
import { SyncFailed } from "./SyncFailure.js"
import type { SyncOptions } from "./SyncOptions.js"
import { loadCatalog, makePhases } from "./SyncPhases.js"
import { addRows, emptyTally, tallyResources } from "./SyncTally.js"
import type { SyncSummary } from "./SyncSummary.js"
import { TeamExpansion } from "./TeamExpansion.js"

/**
 * One sync (design.md §2, §4): loads the role catalog (and connections), streams the phases of
 * SyncPhases.ts into the sink as rows are produced, counts what passes, reports progress per phase
 * and per request, and sums up with the client's request, retry and wait metrics.
 */
export const runSync = (
  client: FivetranClientShape,
  options: SyncOptions
): Effect.Effect<SyncSummary, SyncFailed, SyncSink> =>
  Effect.gen(function*() {
    const sink = yield* SyncSink
    const startedAt = yield* Clock.currentTimeMillis
    const before = yield* client.metrics
    const warnings = yield* Ref.make<ReadonlyArray<string>>([])
    const tally = yield* Ref.make(emptyTally)
    const phase = yield* Ref.make("roles")
    const reported = yield* Ref.make({ phase: "", requests: -1 })
    const connectionListsAllowed = yield* Ref.make(true)

    const warn = (message: string) =>
      Ref.update(warnings, (all) => (all.includes(message) ? all : [...all, message]))

    /** Calls onProgress when the phase changed or a request completed since the last call. */
    const report = Effect.gen(function*() {
      if (options.onProgress === undefined) return
      const now = yield* Ref.get(phase)
      const requests = (yield* client.metrics).requests - before.requests
      const last = yield* Ref.get(reported)
      if (now === last.phase && requests === last.requests) return
      yield* Ref.set(reported, { phase: now, requests })
      const counts = yield* Ref.get(tally)
      yield* options.onProgress({
        phase: now,
        resources: tallyResources(counts),
        entitlements: counts.entitlements,
        grants: counts.directGrants + counts.derivedGrants,
        requests
      })
    })

    /** A phase: its progress report, then its rows inside its own span (`sync.teams`), a child of the sync's. */
    const enter = <E>(name: string, rows: Stream.Stream<SyncRow, E>): Stream.Stream<SyncRow, E> =>
      Stream.concat(Stream.execute(Ref.set(phase, name).pipe(Effect.zipRight(report))), rows).pipe(
        Stream.withSpan(`sync.${name.replace(/ /g, "_")}`)
      )

    const rows = Stream.unwrap(Effect.gen(function*() {
      const { catalog, connections } = yield* loadCatalog(client, options.syncConnections, warn).pipe(
        Effect.withSpan("sync.catalog")
      )
      const phases = makePhases({
        client,
        catalog,
        connections,
        concurrency: Math.max(1, Math.floor(options.concurrency)),
        expansion: new TeamExpansion(),
        warn,
        connectionListsAllowed
      })
      return Stream.concatAll(Chunk.make(
        enter<SyncFailed>("resource types", phases.header),
        enter("teams", phases.teams),
        enter("users", phases.users),
        enter("derived grants", phases.derived),
        enter("groups", Stream.concat(phases.groups, phases.unclaimed))
      ))
    }))

    const recorded = rows.pipe(
      Stream.mapChunksEffect((chunk) =>
        Ref.update(tally, (counts) => addRows(counts, chunk)).pipe(Effect.zipRight(report), Effect.as(chunk))
      )
    )

    yield* sink.write(recorded).pipe(
      Effect.catchTag("SinkError", (error) => Effect.fail(new SyncFailed({ reason: error.message, cause: error })))
    )
    yield* Ref.set(phase, "done").pipe(Effect.zipRight(report))

    const after = yield* client.metrics
    const counts = yield* Ref.get(tally)
    const finishedAt = yield* Clock.currentTimeMillis
    return {
      resources: counts.resources,
      resourceTypes: counts.resourceTypes,
      entitlements: counts.entitlements,
      grants: { direct: counts.directGrants, derived: counts.derivedGrants },
      requests: after.requests - before.requests,
      retries: after.retries - before.retries,
      rateLimitWaitMillis: after.waitedMillis - before.waitedMillis,
      warnings: yield* Ref.get(warnings),
      durationMillis: finishedAt - startedAt
    } satisfies SyncSummary
  })
