import { Data } from "effect"

/**
 * The command line itself is wrong (an unknown flag, one given twice, one left without its value):
 * found before @effect/cli parses it (FlagCheck.ts). Each app fails with it as its own usage
 * refusal, exit 2; `reason` never repeats a secret's value.
 */
export class CommandLineError extends Data.TaggedError("CommandLineError")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}
