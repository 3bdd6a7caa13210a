import { Data } from "effect"

/**
 * The command line, an environment variable or the config file asked for something that cannot
 * work (bad value, missing setting, conflicting actions). Exits with code 2; `reason` names the
 * flag or variable and what is accepted, never a secret's value.
 */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}
