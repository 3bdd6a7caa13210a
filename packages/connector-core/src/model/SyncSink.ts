import { Context, Data, type Effect, type Stream } from "effect"
import type { Entitlement, Grant, Resource, SyncRow } from "./Baton.js"

export class SinkError extends Data.TaggedError("SinkError")<{
  readonly reason: string
  /** The program's native add-ons are missing where it runs: its installation, not the storage, is at fault. */
  readonly notInstalled?: boolean
}> {
  override get message() {
    return `could not write the sync output: ${this.reason}`
  }
}

/**
 * Rows naming a resource, entitlement or principal the rows do not hold: a `.c1z` leaves them out,
 * since baton's listings fail on the first such id they cannot find (c1z's MissingReferences.ts).
 */
export interface LeftOutRows {
  /** Resources whose parent is missing. */
  readonly resources: ReadonlyArray<Resource>
  /** Entitlements whose resource is missing. */
  readonly entitlements: ReadonlyArray<Entitlement>
  /** Grants whose entitlement or principal is missing. */
  readonly grants: ReadonlyArray<Grant>
}

/** What a sink did not keep of the rows it was given. */
export interface SinkReport {
  readonly leftOut: LeftOutRows
}

/** The report of a sink that keeps every row, as a workspace app's own sink returns it (whatever the report grows to hold). */
export const nothingLeftOut: SinkReport = { leftOut: { resources: [], entitlements: [], grants: [] } }

/**
 * Where a sync's rows go. packages/c1z implements it with the `.c1z` writer; `write` consumes the
 * stream as it arrives and commits the output only when the stream completes (a failure or an
 * interruption leaves any previous output untouched).
 */
export interface SyncSinkShape {
  readonly write: <E, R>(rows: Stream.Stream<SyncRow, E, R>) => Effect.Effect<SinkReport, E | SinkError, R>
}

export class SyncSink extends Context.Tag("connector-core/SyncSink")<SyncSink, SyncSinkShape>() {}
