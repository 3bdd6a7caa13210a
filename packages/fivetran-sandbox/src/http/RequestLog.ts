import type { FaultKind } from "./Faults.js"

/** One request as the sandbox saw it. */
export interface RequestLogEntry {
  readonly method: string
  /** The path without the query, e.g. `/v1/users/quiet_harbor`. */
  readonly path: string
  /** The raw query string without `?`; empty when there was none. */
  readonly query: string
  /** The status answered; 0 when the connection was dropped on purpose. */
  readonly status: number
  readonly durationMillis: number
  /** The fault injected into this request, if any. */
  readonly fault: FaultKind | null
  /** `X-Rate-Limit-Remaining` of the answer (0 when refused); null when the connection was dropped. */
  readonly rateLimitRemaining: number | null
}

/** Keeps the latest entries only, so a long benchmark cannot grow the log without bound. */
export const REQUEST_LOG_CAPACITY = 100_000

export class RequestLog {
  private entries: Array<RequestLogEntry> = []

  add(entry: RequestLogEntry): void {
    this.entries.push(entry)
    if (this.entries.length > REQUEST_LOG_CAPACITY * 1.5) this.entries = this.entries.slice(-REQUEST_LOG_CAPACITY)
  }

  read(): ReadonlyArray<RequestLogEntry> {
    return this.entries.slice(-REQUEST_LOG_CAPACITY)
  }

  clear(): void {
    this.entries = []
  }
}
