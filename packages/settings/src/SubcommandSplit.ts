import { Option } from "effect"
import type { CommandFlag, CommandFlags } from "./CommandFlags.js"

/**
 * Where argv turns from the root command's arguments into a subcommand's. @effect/cli splits at the
 * first argument that names a subcommand, even one that is a flag's value: `baton-fivetran -f
 * resources --sandbox` (a sync into a file named `resources`) was read as the `resources` command
 * given the sync's --sandbox, and refused. As cobra does,
 * a flag that takes a value takes the argument after it, whatever it names; only `--sandbox`, whose
 * value is optional, leaves a subcommand's name as the subcommand (no preset is named so).
 */

export interface Split {
  readonly root: CommandFlags
  /** The subcommands, by name (their flags are not read here). */
  readonly subcommands: ReadonlyMap<string, unknown>
  /** Flags whose value may be left out (`--sandbox`): a subcommand's name after one is the subcommand. */
  readonly optionalValue: ReadonlySet<string>
}

/** The root flag `arg` is, if it takes the next argument as its value (`-f x`, not `-f=x`). */
const takingNext = (split: Split, arg: string): CommandFlag | undefined => {
  if (!arg.startsWith("-") || arg.includes("=")) return undefined
  const flag = split.root.get(arg)
  return flag !== undefined && Option.isSome(flag.placeholder) && !split.optionalValue.has(flag.name) ? flag : undefined
}

/** The index of the subcommand's name in `args` (argv without node and script), or -1. */
export const subcommandAt = (split: Split, args: ReadonlyArray<string>): number => {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === "--") return -1
    if (split.subcommands.has(arg)) return i
    if (takingNext(split, arg) !== undefined) i++
  }
  return -1
}

/**
 * `args` with each root flag whose value names a subcommand given as `--flag=value`, so that
 * @effect/cli splits where subcommandAt does.
 */
export const joinSubcommandNamedValues = (split: Split, args: ReadonlyArray<string>): ReadonlyArray<string> => {
  const end = subcommandAt(split, args)
  const joined: Array<string> = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    const flag = end < 0 || i < end ? takingNext(split, arg) : undefined
    const next = args[i + 1]
    if (arg === "--") {
      joined.push(...args.slice(i))
      break
    }
    if (flag !== undefined && next !== undefined && split.subcommands.has(next)) {
      joined.push(`${flag.name}=${next}`)
      i++
    } else {
      joined.push(arg)
      if (flag !== undefined && next !== undefined) {
        joined.push(next)
        i++
      }
    }
  }
  return joined
}
