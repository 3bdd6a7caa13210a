import { Data } from "effect"

/** A flag value or combination that cannot work; the bin exits 2 with `error: <reason>`. */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}
