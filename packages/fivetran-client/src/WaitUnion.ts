/** A wait of a tally: from its start to its planned end, or to when it ended if cut short. */
interface OpenWait {
  readonly id: number
  readonly start: number
  readonly until: number
  endedAt: number | undefined
}

/**
 * The time during which at least one of a set of waits was in progress: concurrent waits count
 * once. A wait counts once it has ended and every wait that began before it has, so the union is
 * summed in start order without keeping the waits already counted.
 */
export class WaitUnion {
  private millis = 0
  private coveredUntil = Number.NEGATIVE_INFINITY
  private readonly open: Array<OpenWait> = []

  get total(): number {
    return Math.round(this.millis)
  }

  begin(id: number, start: number, until: number): void {
    this.open.push({ id, start, until, endedAt: undefined })
  }

  /** Ends the wait `id` (if it is one of these) at `now`, or at its planned end if that came first. */
  end(id: number, now: number): void {
    const ended = this.open.find((wait) => wait.id === id)
    if (ended !== undefined) ended.endedAt = Math.min(ended.until, now)
    while (this.open.length > 0) {
      const { endedAt, start } = this.open[0]!
      if (endedAt === undefined) break
      this.open.shift()
      this.millis += Math.max(0, endedAt - Math.max(start, this.coveredUntil))
      this.coveredUntil = Math.max(this.coveredUntil, endedAt)
    }
  }
}
