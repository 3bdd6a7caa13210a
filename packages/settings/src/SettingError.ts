import { Data } from "effect"

/** A setting could not be read or is missing; both apps exit 2 with this message (never a secret's value). */
export class SettingError extends Data.TaggedError("SettingError")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}
