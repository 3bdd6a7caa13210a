import { FivetranClient, FivetranClientConfig } from "@baton-fivetran/fivetran-client"
import { type AccountSnapshot, addSystemKey, type Permission, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { Chunk, Effect, Layer, Redacted, Ref, Stream } from "effect"
import { type SyncRow, SyncSink } from "../../src/index.js"

/** A sink that keeps every row in memory, for tests only. */
export const collectingSink = Effect.map(Ref.make<ReadonlyArray<SyncRow>>([]), (rows) => ({
  rows: Ref.get(rows),
  layer: Layer.succeed(SyncSink, {
    write: (stream) =>
      Stream.runCollect(stream).pipe(
        Effect.flatMap((chunk) => Ref.set(rows, Chunk.toReadonlyArray(chunk))),
        Effect.as({ leftOut: { resources: [], entitlements: [], grants: [] } })
      )
  })
}))

/** The snapshot with an added system key holding exactly `permissions`, and that key. */
export const withSystemKey = (snapshot: AccountSnapshot, permissions: ReadonlyArray<Permission>) => addSystemKey(snapshot, permissions)

export const READ_ALL: ReadonlyArray<Permission> = (["ACCOUNT", "USER", "ROLES", "TEAM", "DESTINATION", "CONNECTOR"] as const)
  .map((resource_type) => ({ resource_type, access_level: "READ" as const }))

export const readAllBut = (missing: Permission["resource_type"]) => READ_ALL.filter((p) => p.resource_type !== missing)

/** The real client (one attempt unless told otherwise) pointed at the running sandbox with this key. */
export const clientLayer = (credential: { readonly key: string; readonly secret: string }, maxAttempts = 1) =>
  Layer.unwrapEffect(Effect.map(Sandbox, (sandbox) =>
    FivetranClient.layer(FivetranClientConfig.make({
      apiKey: Redacted.make(credential.key),
      apiSecret: Redacted.make(credential.secret),
      baseUrl: sandbox.baseUrl,
      maxAttempts
    }))))
