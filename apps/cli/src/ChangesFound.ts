import { Data } from "effect"

/** `diff --fail-on-change` found differences: exit code 3, for CI jobs and alerts. */
export class ChangesFound extends Data.TaggedError("ChangesFound")<{ readonly summary: string }> {
  override get message() {
    return `the syncs differ (${this.summary}); exiting 3 because of --fail-on-change`
  }
}
