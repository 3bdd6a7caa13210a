import { echoed, quotedEchoed } from "@baton-fivetran/fivetran-client/echoed-text"
import { Data, Effect, Option } from "effect"
import { type BatonApp, notTakenFlag } from "./BatonSdkFlags.js"
import type { CommandFlag, CommandFlags } from "./CommandFlags.js"
import { CommandLineError } from "./CommandLineError.js"
import { nearestName } from "./NearestName.js"
import { type Split, subcommandAt } from "./SubcommandSplit.js"

/**
 * A check of argv before @effect/cli parses it, for things @effect/cli lets through or
 * misreports, in both apps (the service's command line is a root without subcommands):
 * - A flag given twice. @effect/cli answered "Invalid subcommand" or "Received unknown argument";
 *   cobra would keep the last value. For a tool that provisions, refusing is safer than either.
 * - A root flag on a subcommand. @effect/cli parses a subcommand's leftover arguments as the root
 *   command's (commandDescriptor.ts, "parentArgsWithLeftover"), so `resources -p --revoke-grant G`
 *   listed resources, exit 0, and the user could believe something was revoked.
 * - Grouped short flags (`-pf x`) and a short flag's value joined to it (`-fx`, `-f=x`), which
 *   cobra reads and @effect/cli does not: it refused them as "unknown flag '-pf'" or "Invalid
 *   subcommand". The CLI has one short switch (-p) and two short value flags (-f, -o), so there is
 *   little to group; each is refused naming the spelling that works.
 * - A flag left without its value (the last argument, or followed by another flag): @effect/cli
 *   reported a subcommand's as "Received unknown argument", sending the user to check a flag that exists.
 * - `--wizard`, @effect/cli's built-in prompt mode (no baton connector's flag, nor in the help): it
 *   waited for a terminal's answers, so without one (a script, a scheduler) the run never ended.
 * - `-h`/`--help` or `--version` after other arguments (`-f x.c1z --help`, `resources -o json
 *   --help`, as a user adds it to a command that failed): @effect/cli takes them only right after a
 *   command's name, and refused the rest as "Invalid subcommand" or "Received unknown argument:
 *   '--help'". As in cobra, they stand anywhere (but as a flag's value): the check returns which
 *   help (the root's or a subcommand's) to show, or the version.
 * - An unknown flag, named with the flag it is closest to and the command whose help lists the
 *   flags: after a subcommand, and anywhere in the service's, @effect/cli said "Received unknown
 *   argument: '--tpye'".
 * - One of baton-sdk's standard flags this connector does not take (BatonSdkFlags.ts): said so,
 *   with why and what to use instead, rather than as an unknown flag.
 * What a refusal repeats of the arguments is cut past EchoedLength characters (echoed): an
 * argument of 100 kB was repeated whole.
 */

const helpFlags = new Set(["-h", "--help"])

/** @effect/cli's built-in flags the apps keep, which no command's usage lists. */
const builtIn = new Set([...helpFlags, "--version", "--completions"])

/** `unknown flag '--tpye'; did you mean '--type'? (see baton-fivetran resources --help)`. */
const unknownFlag = (line: CommandLine, typed: string, subcommand: Option.Option<string>, flags: Iterable<string>) => {
  const meant = nearestName(typed, Array.from(flags).filter((name) => name.startsWith("--")))
  const hint = meant === undefined ? "" : `; did you mean '${meant}'?`
  const help = [line.name, ...Option.toArray(subcommand), "--help"].join(" ")
  return new CommandLineError({ reason: `unknown flag '${echoed(typed)}'${hint} (see ${help})` })
}

/** @effect/cli's built-in flags the apps do not offer; refused as any unknown flag is. */
const notOffered = new Set(["--wizard"])

/** What the arguments ask for instead of a run: a command's help, or the version. */
export type BuiltInRequest = Data.TaggedEnum<{
  Help: { readonly subcommand: Option.Option<string> }
  Version: Record<never, never>
}>
export const BuiltInRequest = Data.taggedEnum<BuiltInRequest>()

export interface CommandLine extends Split {
  readonly name: BatonApp
  /** What a root flag given to a subcommand belongs to (`the sync/provisioning command`). */
  readonly rootCommand: string
  readonly subcommands: ReadonlyMap<string, CommandFlags>
  /** Root flags every subcommand reads (logging). */
  readonly everywhere: ReadonlySet<string>
  /** Root flags that only act with -p: the hint shows them with it. */
  readonly provisioning: ReadonlySet<string>
  /** Flags whose value is never shown. */
  readonly secret: ReadonlySet<string>
}

interface Given {
  readonly typed: string
  readonly flag: CommandFlag
  readonly value: Option.Option<string>
  /** A root flag the subcommand does not read. */
  readonly misplaced: boolean
}

const times = (count: number) => count === 2 ? "twice" : `${count} times`

/** The values are shown unless the flag is secret or one was given without a value (a switch). */
const repeated = (flag: CommandFlag, given: ReadonlyArray<Given>, secret: boolean) => {
  const values = given.flatMap((one) => Option.toArray(one.value))
  const shown = secret || values.length < given.length ? "" : ` (${values.map(quotedEchoed).join(", ")})`
  return new CommandLineError({ reason: `${flag.name} was given ${times(given.length)}${shown}; give it once` })
}

/** `a`, `a and b`, `a, b and c`. */
const listed = (names: ReadonlyArray<string>) => names.length < 2 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`

/**
 * A root flag given to a subcommand that does not read it, naming the other subcommands that do
 * (`-f` belongs to the review commands too, not only to the sync: `diff` names its two files).
 */
const misplaced = (line: CommandLine, typed: string, flag: CommandFlag, subcommand: string) => {
  const example = [
    line.name,
    ...(line.provisioning.has(flag.name) ? ["-p"] : []),
    typed,
    ...Option.toArray(Option.map(flag.placeholder, (placeholder) => `<${placeholder}>`))
  ].join(" ")
  const readers = Array.from(line.subcommands)
    .filter(([, flags]) => Array.from(flags.values()).some((own) => own.name === flag.name))
    .map(([name]) => name)
    .sort()
  const also = readers.length === 0 ? "" : ` and of ${listed(readers)}`
  return new CommandLineError({
    reason: `${typed} is a flag of ${line.rootCommand} (${example})${also}, not of "${subcommand}"`
  })
}

/**
 * `-pf`, `-fx` or `-f=x` whose first letter is a short flag of `flags`: how to give it instead. A
 * joined value is never shown (a placeholder stands for it): it may be anything.
 */
const joinedShortFlags = (flags: CommandFlags, arg: string): Option.Option<CommandLineError> => {
  const short = arg.slice(0, 2)
  const first = flags.get(short)
  if (arg.startsWith("--") || arg.length < 3 || first === undefined) return Option.none()
  if (Option.isSome(first.placeholder)) {
    const value = `<${first.placeholder.value}>`
    return Option.some(
      new CommandLineError({
        reason: `${short} with its value joined to it: give the value after a space (${short} ${value}), or use ${first.name}=${value}`
      })
    )
  }
  const typed = arg.split("=", 1)[0]!
  const apart = Array.from(typed.slice(1), (letter) => `-${letter}`).join(" ")
  return Option.some(
    new CommandLineError({ reason: `${echoed(typed)}: short flags are not grouped here; give each apart (${echoed(apart)})` })
  )
}

/** Whether `arg` is a flag of the root or of the subcommand's `own` flags, as typed or before its `=`. */
const isFlag = (line: CommandLine, own: CommandFlags, arg: string) => {
  const typed = arg.split("=", 1)[0]!
  return own.has(typed) || line.root.has(typed)
}

/**
 * `args` is argv without node and the script, as typed (before normalizeArgv). Succeeds with what
 * they ask for instead of a run, when they ask for help or the version.
 */
export const checkFlags = (
  line: CommandLine,
  args: ReadonlyArray<string>
): Effect.Effect<Option.Option<BuiltInRequest>, CommandLineError> =>
  Effect.suspend(() => {
    const end = args.includes("--") ? args.indexOf("--") : args.length
    // Where @effect/cli splits root and subcommand arguments, once a flag's value naming one is joined to it.
    const at = subcommandAt(line, args)
    const subcommand = at < 0 ? Option.none() : Option.some(args[at]!)
    const own = Option.match(subcommand, { onNone: () => new Map(), onSome: (name) => line.subcommands.get(name)! })
    const ownNames = new Set(Array.from(own.values(), (flag) => flag.name))
    const given: Array<Given> = []
    let help = false
    let version = false
    for (let i = 0; i < end; i++) {
      const arg = args[i]!
      if (!arg.startsWith("-") || arg === "-") continue
      const equals = arg.indexOf("=")
      const typed = equals < 0 ? arg : arg.slice(0, equals)
      if (notOffered.has(typed)) return Effect.fail(new CommandLineError({ reason: `unknown flag '${typed}' (see ${line.name} --help)` }))
      help ||= helpFlags.has(arg)
      version ||= arg === "--version"
      const afterSubcommand = at >= 0 && i > at
      const flag = afterSubcommand ? own.get(typed) ?? line.root.get(typed) : line.root.get(typed)
      // `-f=x` too: @effect/cli reads `=` only after a long flag.
      if (flag === undefined || (equals >= 0 && !typed.startsWith("--") && Option.isSome(flag.placeholder))) {
        const joined = joinedShortFlags(afterSubcommand ? new Map([...line.root, ...own]) : line.root, arg)
        if (Option.isSome(joined)) return Effect.fail(joined.value)
        if (flag === undefined && !builtIn.has(typed)) {
          return Effect.fail(Option.getOrElse(notTakenFlag(typed, line.name), () =>
            afterSubcommand
              ? unknownFlag(line, typed, subcommand, [...own.keys(), ...line.everywhere])
              : unknownFlag(line, typed, Option.none(), line.root.keys())))
        }
        continue
      }
      // Before the subcommand, a root flag it also has of its own (review's -f) is one it reads.
      const readHere = at < 0 || line.everywhere.has(flag.name) || (afterSubcommand ? own.has(typed) : ownNames.has(flag.name))
      const next = args[i + 1]
      const takesNext = Option.isSome(flag.placeholder) && equals < 0 && next !== undefined && i + 1 < end && (
        line.optionalValue.has(flag.name)
          // An optional value is a word that is not the subcommand: `--sandbox resources` is misplaced.
          ? !next.startsWith("-") && i + 1 !== at
          // Any other is the next argument unless that is a flag (@effect/cli takes even that): a value
          // starting with "-" (a secret's, say) is never read as a flag, nor shown.
          : !next.startsWith("-") || !isFlag(line, own, next)
      )
      // @effect/cli reports a subcommand's flag left without its value as an unknown argument.
      if (Option.isSome(flag.placeholder) && equals < 0 && !takesNext && !line.optionalValue.has(flag.name)) {
        return Effect.fail(new CommandLineError({ reason: `${typed} needs a value (${typed} <${flag.placeholder.value}>)` }))
      }
      const value = equals >= 0 ? Option.some(arg.slice(equals + 1)) : takesNext ? Option.some(next!) : Option.none()
      if (takesNext) i++
      given.push({ typed, flag, value, misplaced: !readHere })
    }
    const wrong = given.filter((one) => one.misplaced)
    const worst = wrong.find((one) => line.provisioning.has(one.flag.name)) ?? wrong[0]
    if (worst !== undefined && Option.isSome(subcommand)) {
      return Effect.fail(misplaced(line, worst.typed, worst.flag, subcommand.value))
    }
    const byName = new Map<string, Array<Given>>()
    for (const one of given) byName.set(one.flag.name, [...(byName.get(one.flag.name) ?? []), one])
    for (const [name, all] of byName) {
      if (all.length > 1 && !all[0]!.flag.repeatable) return Effect.fail(repeated(all[0]!.flag, all, line.secret.has(name)))
    }
    if (help) return Effect.succeed(Option.some(BuiltInRequest.Help({ subcommand })))
    return Effect.succeed(version ? Option.some(BuiltInRequest.Version()) : Option.none())
  })
