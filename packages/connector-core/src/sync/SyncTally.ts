import type { Chunk } from "effect"
import type { Grant, SyncRow } from "../model/Baton.js"
import type { LeftOutRows } from "../model/SyncSink.js"

/** Counts of what a sync has emitted so far; the summary and the progress reports read it. */
export interface SyncTally {
  readonly resources: Readonly<Record<string, number>>
  readonly resourceTypes: number
  readonly entitlements: number
  readonly directGrants: number
  readonly derivedGrants: number
}

export const emptyTally: SyncTally = { resources: {}, resourceTypes: 0, entitlements: 0, directGrants: 0, derivedGrants: 0 }

/** A grant expanded from a team membership (immutable); a direct grant merged with team sources is not. */
export const isDerivedGrant = (grant: Grant): boolean => grant.annotations.some((a) => a._tag === "GrantImmutable")

export const addRows = (tally: SyncTally, rows: Chunk.Chunk<SyncRow>): SyncTally => {
  const resources = { ...tally.resources }
  let { derivedGrants, directGrants, entitlements, resourceTypes } = tally
  for (const row of rows) {
    switch (row._tag) {
      case "ResourceTypeRow":
        resourceTypes++
        resources[row.value.id] ??= 0
        break
      case "ResourceRow":
        resources[row.value.id.resourceType] = (resources[row.value.id.resourceType] ?? 0) + 1
        break
      case "EntitlementRow":
        entitlements++
        break
      case "GrantRow":
        if (isDerivedGrant(row.value)) derivedGrants++
        else directGrants++
        break
    }
  }
  return { resources, resourceTypes, entitlements, directGrants, derivedGrants }
}

/** The tally without the rows the sink left out (SinkReport). */
export const withoutRows = (tally: SyncTally, { entitlements, grants, resources }: LeftOutRows): SyncTally => {
  const kept = { ...tally.resources }
  for (const resource of resources) kept[resource.id.resourceType] = (kept[resource.id.resourceType] ?? 0) - 1
  const derived = grants.filter(isDerivedGrant).length
  return {
    resources: kept,
    resourceTypes: tally.resourceTypes,
    entitlements: tally.entitlements - entitlements.length,
    directGrants: tally.directGrants - (grants.length - derived),
    derivedGrants: tally.derivedGrants - derived
  }
}

export const tallyResources = (tally: SyncTally): number => Object.values(tally.resources).reduce((sum, n) => sum + n, 0)
