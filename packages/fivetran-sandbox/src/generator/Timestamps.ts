import type { Prng } from "./Prng.js"

/** Generated accounts live between these fixed instants, so timestamps depend on the seed only. */
export const accountEpoch = Date.UTC(2022, 0, 1)
export const accountAsOf = Date.UTC(2025, 5, 1)

/** `2024-03-02T09:14:22.118203Z`: Fivetran's created_at carries microseconds. */
export const microsTimestamp = (prng: Prng, millis: number): string =>
  new Date(millis).toISOString().replace("Z", `${prng.int(0, 999).toString().padStart(3, "0")}Z`)

/** `2025-02-11T07:31:09.410Z`: logged_in_at carries milliseconds. */
export const millisTimestamp = (millis: number): string => new Date(millis).toISOString()

/** A whole-millisecond instant in [from, to]. */
export const instantBetween = (prng: Prng, from: number, to: number): number => prng.int(Math.ceil(from), Math.floor(Math.max(from, to)))
