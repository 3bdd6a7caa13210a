import { Option } from "effect"

/**
 * Durations as people type and read them: `90s`, `10m`, `1h30m`, `6h`, always with a unit (as Go's
 * durations, which baton's flags take: a bare `10` meant for minutes is not read as seconds).
 * One module for both directions, with no other imports, so the apps can parse their flags at
 * start-up without loading the client (the `./WaitDuration` export).
 */

const units: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 }

/** Milliseconds of `1h30m`, `45s` or `250ms`; none for anything else (a bare number too), or for 0. */
export const parseWaitDuration = (text: string): Option.Option<number> => {
  const trimmed = text.trim()
  if (!/^(\d+(h|ms|m|s))+$/.test(trimmed)) return Option.none()
  let millis = 0
  for (const [, amount, unit] of trimmed.matchAll(/(\d+)(h|ms|m|s)/g)) millis += Number(amount) * units[unit!]!
  return millis > 0 ? Option.some(millis) : Option.none()
}

/** `850ms`, `3.0s`, `51m 21s`, `1h 5m`: how a wait reads in logs, progress lines and errors. */
export const formatWait = (millis: number): string => {
  if (millis < 1_000) return `${Math.max(0, Math.round(millis))}ms`
  if (millis < 60_000) return `${(millis / 1_000).toFixed(1)}s`
  const totalSeconds = Math.round(millis / 1_000)
  const hours = Math.floor(totalSeconds / 3_600)
  const minutes = Math.floor((totalSeconds % 3_600) / 60)
  const seconds = totalSeconds % 60
  const [big, small] = hours > 0 ? [`${hours}h`, minutes === 0 ? "" : ` ${minutes}m`] : [`${minutes}m`, seconds === 0 ? "" : ` ${seconds}s`]
  return big + small
}
