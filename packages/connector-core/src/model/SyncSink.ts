import { Context, Data, type Effect, type Stream } from "effect"
import type { Grant, SyncRow } from "./Baton.js"

export class SinkError extends Data.TaggedError("SinkError")<{ readonly reason: string }> {
  override get message() {
    return `could not write the sync output: ${this.reason}`
  }
}

/** What a sink did not keep of the rows it was given. */
export interface SinkReport {
  /**
   * Grants whose principal is not among the rows' resources: a `.c1z` leaves them out, since baton's
   * grant listings fail on a grant whose principal they cannot find.
   */
  readonly leftOutGrants: ReadonlyArray<Grant>
}

/**
 * Where a sync's rows go. packages/c1z implements it with the `.c1z` writer; `write` consumes the
 * stream as it arrives and commits the output only when the stream completes (a failure or an
 * interruption leaves any previous output untouched).
 */
export interface SyncSinkShape {
  readonly write: <E, R>(rows: Stream.Stream<SyncRow, E, R>) => Effect.Effect<SinkReport, E | SinkError, R>
}

export class SyncSink extends Context.Tag("connector-core/SyncSink")<SyncSink, SyncSinkShape>() {}
