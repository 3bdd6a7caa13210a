import type { FivetranError } from "@baton-fivetran/fivetran-client"
import { Chunk, Effect, Stream } from "effect"
import type { Entitlement, SyncRow } from "../model/Baton.js"
import { type SyncFailed, syncFailure } from "./SyncFailure.js"

/** SyncRow constructors, one per row kind. */
export const row = {
  resourceType: (value: Extract<SyncRow, { _tag: "ResourceTypeRow" }>["value"]): SyncRow => ({ _tag: "ResourceTypeRow", value }),
  resource: (value: Extract<SyncRow, { _tag: "ResourceRow" }>["value"]): SyncRow => ({ _tag: "ResourceRow", value }),
  entitlement: (value: Entitlement): SyncRow => ({ _tag: "EntitlementRow", value }),
  grant: (value: Extract<SyncRow, { _tag: "GrantRow" }>["value"]): SyncRow => ({ _tag: "GrantRow", value })
}

/**
 * A whole list read as a stream, kept: the roles (a few dozen) and, opted in, the connections, an
 * index every connection's rows look up (2,000 for a `large` account). Lists that grow
 * with the users and memberships are streamed, never collected (per-owner lists use the client's
 * `…All` calls).
 */
export const collect = <A>(stream: Stream.Stream<A, FivetranError>): Effect.Effect<ReadonlyArray<A>, FivetranError> =>
  Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

export const indexBy = <A>(items: ReadonlyArray<A>, key: (a: A) => string): ReadonlyMap<string, A> =>
  new Map(items.map((item) => [key(item), item]))

/** A list the sync cannot do without: its failure fails the sync, saying what was being listed. */
export const required = (purpose: string) => <A>(stream: Stream.Stream<A, FivetranError>): Stream.Stream<A, SyncFailed> =>
  Stream.mapError(stream, syncFailure(purpose))
