import { CliConfig, CommandDescriptor, HelpDoc, Span, Usage } from "@effect/cli"
import { Effect, HashSet, Option } from "effect"
import stringWidth from "string-width"

/**
 * The page `--help` prints: @effect/cli's (CliApp's banner, version line and USAGE, then the
 * command's own sections from CommandDescriptor.getHelp), with two of its defects mended:
 * - the COMMANDS list padded every entry to the widest subcommand usage, `sandbox` with its twenty
 *   flags, so each description stood after hundreds of spaces, past the edge of an 80-column
 *   terminal. Each entry is now the command's name and positional arguments, its description two
 *   columns after the widest of them (as cobra's list); the flags stay in `baton-fivetran <command> --help`.
 * - a subcommand's USAGE read `$ sandbox ...`: @effect/cli names the program only when `--help`
 *   precedes the subcommand. It reads `$ baton-fivetran sandbox ...`, as cobra's does.
 */

const spanText = (span: Span.Span): string => {
  switch (span._tag) {
    case "Text":
    case "URI":
      return span.value
    case "Highlight":
    case "Strong":
    case "Weak":
      return spanText(span.value)
    case "Sequence":
      return spanText(span.left) + spanText(span.right)
  }
}

/** `doc` with the part after the header `title` replaced by `section`. */
const withSection = (doc: HelpDoc.HelpDoc, title: string, section: HelpDoc.HelpDoc): HelpDoc.HelpDoc => {
  if (doc._tag !== "Sequence") return doc
  if (doc.left._tag === "Header" && spanText(doc.left.value) === title) return HelpDoc.sequence(doc.left, section)
  return HelpDoc.sequence(withSection(doc.left, title, section), withSection(doc.right, title, section))
}

/** The part of `doc` after the header `title`, if it has one. */
const section = (doc: HelpDoc.HelpDoc, title: string): Option.Option<HelpDoc.HelpDoc> => {
  if (doc._tag !== "Sequence") return Option.none()
  if (doc.left._tag === "Header" && spanText(doc.left.value) === title) return Option.some(doc.right)
  return Option.orElse(section(doc.left, title), () => section(doc.right, title))
}

/** `usage` without its flags: the command's name and its positional arguments. */
const withoutFlags = (usage: Usage.Usage): Usage.Usage => {
  switch (usage._tag) {
    case "Named":
      return usage.names.some((name) => name.startsWith("-")) ? Usage.empty : usage
    case "Optional": {
      const kept = withoutFlags(usage.usage)
      return kept._tag === "Empty" ? kept : Usage.optional(kept)
    }
    case "Repeated": {
      const kept = withoutFlags(usage.usage)
      return kept._tag === "Empty" ? kept : Usage.repeated(kept)
    }
    case "Alternation":
      return Usage.alternation(withoutFlags(usage.left), withoutFlags(usage.right))
    case "Concat":
      return Usage.concat(withoutFlags(usage.left), withoutFlags(usage.right))
    case "Empty":
    case "Mixed":
      return usage
  }
}

interface ListedCommand {
  readonly synopsis: string
  readonly description: string
}

const listedCommand = (command: CommandDescriptor.Command<unknown>, config: CliConfig.CliConfig): ListedCommand => ({
  synopsis: Usage.enumerate(withoutFlags(CommandDescriptor.getUsage(command)), config).map(spanText).join(" "),
  description: Option.match(section(CommandDescriptor.getHelp(command, config), "DESCRIPTION"), {
    onNone: () => "",
    onSome: (doc) => spanText(HelpDoc.getSpan(doc))
  })
})

/** Each command's synopsis, then its description from one column on (the widest synopsis's, plus 2). */
const commandList = (commands: ReadonlyArray<ListedCommand>): HelpDoc.HelpDoc => {
  const column = Math.max(...commands.map((command) => stringWidth(command.synopsis))) + 2
  const entries = commands.map(({ description, synopsis }) =>
    HelpDoc.p(`${synopsis}${" ".repeat(column - stringWidth(synopsis))}${description}`.trimEnd())
  )
  return entries.length === 0 ? HelpDoc.empty : HelpDoc.enumeration([entries[0]!, ...entries.slice(1)])
}

export interface HelpPageArgs {
  /** The program's name and version line, as Command.run is given them. */
  readonly name: string
  readonly version: string
  /** The root command, with its subcommands (Command.withSubcommands), in the order COMMANDS lists them. */
  readonly root: CommandDescriptor.Command<unknown>
  readonly subcommands: ReadonlyArray<CommandDescriptor.Command<unknown>>
}

const nameOf = (command: CommandDescriptor.Command<unknown>) => Array.from(HashSet.values(CommandDescriptor.getNames(command)))[0]

/** The page's text for `<name> --help`, or `<name> <subcommand> --help`. */
export const helpPage = (
  args: HelpPageArgs,
  subcommand: Option.Option<string>
): Effect.Effect<string, never, CliConfig.CliConfig> =>
  Effect.map(CliConfig.CliConfig, (config) => {
    const chosen = Option.flatMap(subcommand, (name) => Option.fromNullable(args.subcommands.find((sub) => nameOf(sub) === name)))
    const usage = Option.match(chosen, {
      onNone: () => CommandDescriptor.getUsage(args.root),
      onSome: (sub) => Usage.concat(Usage.named([args.name], Option.none()), CommandDescriptor.getUsage(sub))
    })
    const body = Option.match(chosen, {
      onNone: () =>
        withSection(
          CommandDescriptor.getHelp(args.root, config),
          "COMMANDS",
          commandList(args.subcommands.map((sub) => listedCommand(sub, config)))
        ),
      onSome: (sub) => CommandDescriptor.getHelp(sub, config)
    })
    return HelpDoc.toAnsiText(HelpDoc.blocks([
      HelpDoc.h1(Span.code(args.name)),
      HelpDoc.p(`${args.name} ${args.version}`),
      HelpDoc.h1("USAGE"),
      ...Usage.enumerate(usage, config).map((line) => HelpDoc.p(Span.concat(Span.text("$ "), line))),
      body
    ]))
  })
