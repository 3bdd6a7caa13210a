import { openC1z } from "@baton-fivetran/c1z"
import type { Grant } from "@baton-fivetran/connector-core"
import { Effect, Stream } from "effect"
import type { AccessFacts, EntitlementFacts, GrantFacts, ResourceFacts } from "./AccessModel.js"

/** A .c1z's resources, entitlements and grants, read back with the c1z reader, as the access model's facts. */

const ref = (id: { readonly resourceType: string; readonly resource: string }) => `${id.resourceType}:${id.resource}`

const grantFacts = (grant: Grant): GrantFacts => {
  const sources = Object.entries(grant.sources ?? {})
    .map(([entitlement, { isDirect }]) => `${entitlement} ${isDirect ? "direct" : "via team"}`)
    .sort()
  const expandable = grant.annotations.find((annotation) => annotation._tag === "GrantExpandable")
  const immutable = grant.annotations.find((annotation) => annotation._tag === "GrantImmutable")
  return {
    entitlement: grant.entitlement.id,
    principal: ref(grant.principal.id),
    sources,
    expandsTo: expandable === undefined ? null : expandable.entitlementIds,
    immutable: immutable === undefined ? null : immutable.sourceId ?? ""
  }
}

/** Rows keyed by id; an id the file holds twice goes to `repeated` (the model has each once). */
const collect = <A, B, E>(
  stream: Stream.Stream<{ readonly value: A }, E>,
  key: (row: A) => string,
  facts: (row: A) => B,
  repeated: Array<string>
) =>
  Stream.runFold(stream, new Map<string, B>(), (rows, { value }) => {
    const id = key(value)
    if (rows.has(id)) repeated.push(id)
    return rows.set(id, facts(value))
  })

export const syncedAccess = (path: string) =>
  Effect.scoped(Effect.gen(function*() {
    const reader = yield* openC1z(path)
    const repeated: Array<string> = []
    const resourceTypes = yield* collect(
      Stream.map(reader.resourceTypes, (value) => ({ value })),
      (type) => type.id,
      (type): ReadonlyArray<string> => type.traits,
      repeated
    )
    const resources = yield* collect(reader.resources(), (resource) => ref(resource.id), (resource): ResourceFacts => ({
      displayName: resource.displayName ?? "",
      parent: resource.parentResourceId === undefined ? null : ref(resource.parentResourceId)
    }), repeated)
    const entitlements = yield* collect(reader.entitlements(), (entitlement) => entitlement.id, (entitlement): EntitlementFacts => ({
      resource: ref(entitlement.resource.id),
      slug: entitlement.slug,
      purpose: entitlement.purpose,
      grantableTo: entitlement.grantableTo.map((type) => type.id).sort()
    }), repeated)
    const grants = yield* collect(reader.grants(), (grant) => grant.id, grantFacts, repeated)
    return { facts: { resourceTypes, resources, entitlements, grants } satisfies AccessFacts, repeated }
  }))
