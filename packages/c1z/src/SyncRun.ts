import { randomBytes } from "node:crypto"

/** The fields of the one sync run a file holds. Times are the `v1_sync_runs` text (UTC). */
export interface SyncRun {
  readonly syncId: string
  readonly startedAt: string
  readonly endedAt: string
  readonly type: string
}

/**
 * SQLite DATETIME text as the SDK reads it: Go layout `2006-01-02 15:04:05.999999999`, written
 * in UTC with all nine fraction digits so that text comparison (the reader picks the newest
 * `ended_at` by text) is also time order.
 */
export const sqliteTimestamp = (date: Date): string => {
  const iso = date.toISOString() // YYYY-MM-DDTHH:MM:SS.mmmZ
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${iso.slice(20, 23)}000000`
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
const ksuidEpochSeconds = 1_400_000_000

/**
 * A KSUID as the SDK makes sync ids: 4 bytes of seconds since the KSUID epoch (2014-05-13) and
 * 16 random bytes, as a 27-character base-62 number, so ids sort by creation time.
 */
export const ksuid = (now: Date): string => {
  const bytes = Buffer.alloc(20)
  bytes.writeUInt32BE(Math.max(0, Math.floor(now.getTime() / 1000) - ksuidEpochSeconds) >>> 0, 0)
  randomBytes(16).copy(bytes, 4)
  let n = BigInt(`0x${bytes.toString("hex")}`)
  let text = ""
  while (n > 0n) {
    text = base62[Number(n % 62n)] + text
    n /= 62n
  }
  return text.padStart(27, "0")
}
