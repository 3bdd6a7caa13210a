import { emailOf, type Resource, resourceRef } from "@baton-fivetran/connector-core"

/**
 * The one rule of the service's two searches, GET /v1/resources?q= (Queries.ts) and
 * GET /v1/principals?q= (Review.ts), kept here so the two cannot drift apart: a resource matches
 * when its `type:id`, display name or (a user's) email contains the search text, in any case and
 * without the text's surrounding spaces.
 */
export interface ResourceSearch {
  /** The text looked for: `q` trimmed, in lower case (a resource listing's filters digest it). */
  readonly needle: string
  readonly matches: (resource: Resource) => boolean
}

/**
 * The search `q` asks for, or undefined when `q` is absent or blank: what blank means is each
 * endpoint's own (the resource listing refuses it, the principal search lists everyone).
 */
export const resourceSearch = (q: string | undefined): ResourceSearch | undefined => {
  const needle = q?.trim().toLowerCase()
  if (needle === undefined || needle === "") return undefined
  return {
    needle,
    matches: (resource) =>
      [resourceRef(resource), resource.displayName ?? "", emailOf(resource)].some((text) => text.toLowerCase().includes(needle))
  }
}
