import { Options, type Usage } from "@effect/cli"
import { Option } from "effect"
import { nearestName } from "./NearestName.js"

/**
 * @effect/cli reports any argument a command does not take as "Invalid subcommand" or "Received
 * unknown argument" (a flag without its value among them). This finds what the user actually got
 * wrong: an unknown flag, a flag whose value is missing, or, for a command with subcommands, an
 * unknown command (`resource`, `help`), named with the one it is closest to, as cobra does.
 */

/** Every flag name (aliases too) of a set of options, and whether it takes a value. */
const flagNames = (usage: Usage.Usage): ReadonlyArray<readonly [string, boolean]> => {
  switch (usage._tag) {
    case "Named":
      return usage.names.map((name) => [name, Option.isSome(usage.acceptedValues)] as const)
    case "Optional":
    case "Repeated":
      return flagNames(usage.usage)
    case "Alternation":
    case "Concat":
      return [...flagNames(usage.left), ...flagNames(usage.right)]
    default:
      return []
  }
}

const builtIns: ReadonlyArray<readonly [string, boolean]> = [["--help", false], ["-h", false], ["--version", false]]

/**
 * Whether a stray argument may be shown: a word, as a mistyped command is. Anything else (digits,
 * symbols, past 32 characters) may be a secret whose flag was left out (`--api-key K S`, or the
 * secret given twice), and the refusal goes to a terminal, a log and a CI job's output.
 */
const showable = (word: string) => word.length <= 32 && /^[A-Za-z][A-Za-z-]*$/.test(word)

/** A stray argument as a refusal names it: itself, or not at all when it may be a secret. */
const strayArgument = (word: string) =>
  showable(word) ? `'${word}'` : "(not shown: it is no word, and may be a secret given without its flag)"

/** `help` and `version` are cobra's commands; here they are flags. */
const unknownCommand = (command: string, subcommands: ReadonlyArray<string>, word: string) => {
  if (!showable(word)) {
    return `unknown command ${strayArgument(word)}: the commands are ${subcommands.join(", ")} (see ${command} --help)`
  }
  const meant = builtIns.some(([flag]) => flag === `--${word}`) ? `--${word}` : nearestName(word, subcommands)
  return meant === undefined
    ? `unknown command '${word}': the commands are ${subcommands.join(", ")} (see ${command} --help)`
    : `unknown command '${word}'; did you mean '${meant}'? (see ${command} --help)`
}

/** The first problem in `args` (argv without node and script) for `command` taking `options`, if any. */
export const explainLeftover = <A>(
  command: string,
  options: Options.Options<A>,
  subcommands: ReadonlyArray<string>,
  args: ReadonlyArray<string>
): Option.Option<string> => {
  const known = new Map([...flagNames(Options.getUsage(options)), ...builtIns])
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === "--" || subcommands.includes(arg)) return Option.none()
    if (!arg.startsWith("-")) {
      return Option.some(
        subcommands.length === 0
          ? `unexpected argument ${strayArgument(arg)} (see ${command} --help)`
          : unknownCommand(command, subcommands, arg)
      )
    }
    const [name, inlineValue] = arg.split("=", 2) as [string, string | undefined]
    const takesValue = known.get(name)
    if (takesValue === undefined) return Option.some(`unknown flag '${name}' (see ${command} --help)`)
    if (takesValue && inlineValue === undefined) {
      const value = args[i + 1]
      if (value === undefined || value.startsWith("-")) return Option.some(`${name} needs a value`)
      i++
    }
  }
  return Option.none()
}
