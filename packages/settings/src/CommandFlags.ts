import type { Usage } from "@effect/cli"
import { Option } from "effect"

/** One flag of a command, as the argv pre-check (FlagCheck.ts) reads it. */
export interface CommandFlag {
  /** The long spelling (`--file`), whichever spelling was typed. */
  readonly name: string
  /** What help calls its value (`path`); none for a switch. */
  readonly placeholder: Option.Option<string>
  /** Declared repeatable (Options.repeated): giving it twice is meant. */
  readonly repeatable: boolean
}

/** A command's flags by every spelling (`--file` and `-f`). */
export type CommandFlags = ReadonlyMap<string, CommandFlag>

const collect = (usage: Usage.Usage, repeatable: boolean, into: Map<string, CommandFlag>): void => {
  switch (usage._tag) {
    case "Named": {
      // A command's own name and its positional arguments are Named too, without a dash.
      const names = usage.names.filter((name) => name.startsWith("-"))
      const name = names.find((spelling) => spelling.startsWith("--")) ?? names[0]
      if (name === undefined) return
      const flag: CommandFlag = { name, placeholder: usage.acceptedValues, repeatable }
      for (const spelling of names) into.set(spelling, flag)
      return
    }
    case "Optional":
      return collect(usage.usage, repeatable, into)
    case "Repeated":
      return collect(usage.usage, true, into)
    case "Alternation":
    case "Concat":
      collect(usage.left, repeatable, into)
      return collect(usage.right, repeatable, into)
    case "Empty":
    case "Mixed":
      return
  }
}

/** The flags in a command's usage (Command.getUsage): its options, not its subcommands'. */
export const commandFlags = (usage: Usage.Usage): CommandFlags => {
  const flags = new Map<string, CommandFlag>()
  collect(usage, false, flags)
  return flags
}
