/** The outcome of asking a budget for one more request. */
export type Admission =
  | { readonly _tag: "Admitted"; readonly remaining: number }
  | { readonly _tag: "Refused"; readonly retryAfterSeconds: number }

export const HOUR_MILLIS = 3_600_000

/**
 * A request budget over a rolling window (docs/fivetran-api.md §1.7): at most `limit` admitted requests
 * in any `windowMillis`; a refused request is not counted. Times come from the caller (the Effect
 * Clock), so tests can drive the window with TestClock.
 */
export class RollingWindow {
  /** Admission times, oldest first; `head` skips expired ones without shifting the array. */
  private times: Array<number> = []
  private head = 0

  constructor(
    readonly limit: number,
    readonly windowMillis: number = HOUR_MILLIS
  ) {}

  /** `hour`, or `30 seconds` for a shortened window. */
  get windowText(): string {
    return this.windowMillis === HOUR_MILLIS ? "hour" : `${this.windowMillis / 1000} seconds`
  }

  admit(now: number): Admission {
    this.expire(now)
    const inWindow = this.times.length - this.head
    if (inWindow >= this.limit) {
      const oldest = this.times[this.head]!
      return { _tag: "Refused", retryAfterSeconds: Math.max(1, Math.ceil((oldest + this.windowMillis - now) / 1000)) }
    }
    this.times.push(now)
    return { _tag: "Admitted", remaining: this.limit - inWindow - 1 }
  }

  /** What is left now, counting nothing: for an answer that spends none of the budget. */
  remaining(now: number): number {
    this.expire(now)
    return Math.max(0, this.limit - (this.times.length - this.head))
  }

  private expire(now: number): void {
    while (this.head < this.times.length && this.times[this.head]! + this.windowMillis <= now) this.head++
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head)
      this.head = 0
    }
  }
}
