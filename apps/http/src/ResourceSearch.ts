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
  /**
   * Whether a resource row may match, from its `type:id` and its blob's bytes, before it is decoded
   * (SortedListings' `mayMatch`): false only when it cannot. A search that matches few rows decoded
   * every resource of the sync, 0.3 s of the service's one thread on a `large` account.
   */
  readonly mayMatch: (ref: string, blob: unknown) => boolean
}

/**
 * The only characters past ASCII whose lower case holds an ASCII one, in UTF-8: İ (U+0130, "i̇") and
 * the Kelvin sign (U+212A, "k"). Every other character of a name or an email lower-cases outside
 * ASCII or is ASCII itself, so an ASCII needle is in a lower-cased name exactly when it is in the
 * name's bytes lower-cased as ASCII (protobuf keeps a string's UTF-8 bytes as they are).
 */
const asciiWhenLowerCased = [Buffer.from("\u0130"), Buffer.from("\u212a")]

const isAscii = (text: string) => Array.from(text).every((character) => character.charCodeAt(0) < 0x80)

/** Whether an ASCII needle may be in the names and emails `blob` holds: false only when it is in none. */
const blobMayHold = (blob: Uint8Array, needle: string): boolean => {
  const bytes = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength)
  return asciiWhenLowerCased.some((character) => bytes.includes(character)) ||
    bytes.toString("latin1").toLowerCase().includes(needle)
}

/**
 * The search `q` asks for, or undefined when `q` is absent or blank: what blank means is each
 * endpoint's own (the resource listing refuses it, the principal search lists everyone).
 */
export const resourceSearch = (q: string | undefined): ResourceSearch | undefined => {
  const needle = q?.trim().toLowerCase()
  if (needle === undefined || needle === "") return undefined
  const asciiNeedle = isAscii(needle)
  return {
    needle,
    matches: (resource) =>
      [resourceRef(resource), resource.displayName ?? "", emailOf(resource)].some((text) => text.toLowerCase().includes(needle)),
    mayMatch: (ref, blob) =>
      !asciiNeedle || !(blob instanceof Uint8Array) || ref.toLowerCase().includes(needle) || blobMayHold(blob, needle)
  }
}
