import { Args, Command, Options } from "@effect/cli"
import { Effect, LogLevel, Option, Schema } from "effect"
import { OutputFormat, OutputFormats } from "./output/OutputFormat.js"
import type { StdoutClosed } from "./output/Stdout.js"
import { type LogChoice, withLogging } from "./output/Logging.js"
import { interruptionNotice } from "./output/InterruptionNotice.js"
import { stoppableBySignals } from "./SignalTurns.js"
import { type FlagValue, loadConfigFile, resolveSourced } from "@baton-fivetran/settings"
import { FileSystem } from "@effect/platform"
import { decodeFlag } from "./settings/FlagValue.js"
import { UsageError } from "./UsageError.js"
import { DefaultFile, File } from "./settings/Settings.js"

/**
 * The access-review subcommands. Each reads a `.c1z`: `-f` after the subcommand or before it, or
 * BATON_FILE / .baton.yaml, default sync.c1z; `-o table|json|csv`, a table by default when
 * stdout is a terminal, JSON lines otherwise (export: CSV). The work is in commands/Review.ts,
 * imported only when one of them runs. When the reader of stdout goes away (`| head`), a command
 * stops there and exits 0 without a word, as Unix tools do: the reader has what it wanted, and a
 * `set -o pipefail` pipeline does not fail for it. Ctrl-C or SIGTERM stops it between two pages of
 * rows: it says so on stderr (what stdout got is incomplete), removes the decompressed copies and
 * exits 130.
 */

/** The connector's resource types (connector-core's, named here so that start-up does not load it). */
const ResourceTypes = ["user", "role", "group", "team", "connection"] as const

/** A flag a run may leave out (help says so: @effect/cli's own "optional" line is dropped). */
const optional = (name: string, pseudoName: string, description: string) =>
  Options.text(name).pipe(Options.withPseudoName(pseudoName), Options.withDescription(`${description} Optional.`), Options.optional)

/** `-o`, whose default the command names: export's sheet is CSV by default, the others a table on a terminal. */
const outputOption = (defaultFormat: string) =>
  optional("output", OutputFormats.join("|"), `Output format (default ${defaultFormat}).`).pipe(Options.withAlias("o"))

const outputOptions = {
  file: optional("file", "path", `The .c1z to read (else BATON_FILE, .baton.yaml's file:, or ${DefaultFile}).`).pipe(
    Options.withAlias("f")
  ),
  output: outputOption("table on a terminal, else json")
}

interface OutputFlags {
  readonly file: Option.Option<string>
  readonly output: Option.Option<string>
}

const review = Effect.promise(() => import("./commands/Review.js"))

/** `export --sheet`: the access-review sheet, or the users sheet. */
const Sheets = ["access", "users"] as const
const verifyCommand = Effect.promise(() => import("./commands/Verify.js"))

/**
 * The default file missing: the user named no file, so `--file sync.c1z: no such file` read as a
 * mistake in a flag they never typed (a reviewer in another directory than the sync's).
 */
const checkDefaultFile = (path: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => Effect.orElseSucceed(fs.exists(path), () => true)).pipe(
    Effect.filterOrFail(
      (exists) => exists,
      () =>
        new UsageError({
          reason: `--file ${path}: no such file; ${path} is the default: name the sync file with -f <file.c1z> ` +
            `(or ${File.env}), or write one here first: baton-fivetran -f ${path}`
        })
    )
  )

/** The file (this command's -f, the root's -f, then env, file and default) and the format. */
const resolveOutput = (flags: OutputFlags, rootFile: Option.Option<FlagValue>, fallback: OutputFormat) =>
  Effect.gen(function*() {
    const given = Option.orElse(flags.file, () => rootFile)
    const file = yield* resolveSourced(File, {
      flags: new Map(Option.isSome(given) ? [[File.flag, given.value]] : []),
      file: yield* loadConfigFile
    })
    const format = yield* decodeFlag("output", OutputFormat, OutputFormats.join(", "), flags.output)
    if (file.origin === "default") yield* checkDefaultFile(file.value)
    return { file: file.value, format: Option.getOrElse(format, () => fallback) }
  })

const interactiveDefault = (): OutputFormat => process.stdout.isTTY === true ? "table" : "json"

const interruptedText = "interrupted: the output is incomplete"

export const reviewCommands = <R, R2>(
  rootFile: Effect.Effect<Option.Option<FlagValue>, never, R>,
  logging: Effect.Effect<LogChoice, never, R2>
) => {
  /** The command, ended quietly when the reader of stdout goes away, and by a signal with a word. */
  const reviewRun = <A, E, R3>(effect: Effect.Effect<A, E | StdoutClosed, R3>) =>
    Effect.flatMap(logging, (choice) =>
      Effect.catchTag(effect, "StdoutClosed", () => Effect.void).pipe(
        stoppableBySignals,
        Effect.onInterrupt(() =>
          interruptionNotice(LogLevel.Warning, interruptedText, { msg: interruptedText, fields: { exit_code: 130 } })
        ),
        withLogging(choice)
      ))

  const output = (flags: OutputFlags, fallback: OutputFormat = interactiveDefault()) =>
    Effect.flatMap(rootFile, (root) => resolveOutput(flags, root, fallback))

  const resources = Command.make(
    "resources",
    { ...outputOptions, type: optional("type", ResourceTypes.join("|"), "Only this resource type.") },
    (flags) =>
      reviewRun(Effect.gen(function*() {
        const type = yield* decodeFlag("type", Schema.Literal(...ResourceTypes), ResourceTypes.join(", "), flags.type)
        const [out, r] = yield* Effect.zip(output(flags), review)
        yield* r.listResources(out, type)
      }))
  ).pipe(Command.withDescription("List the sync's resources with their ids (type:id), names, emails and status."))

  const entitlements = Command.make(
    "entitlements",
    { ...outputOptions, resource: optional("resource", "type:id", "Only this resource's entitlements.") },
    (flags) => reviewRun(Effect.flatMap(Effect.zip(output(flags), review), ([out, r]) => r.listEntitlements(out, flags.resource)))
  ).pipe(Command.withDescription("List entitlements: the ids --grant-entitlement takes."))

  const grants = Command.make(
    "grants",
    {
      ...outputOptions,
      entitlement: optional("entitlement", "id", "Only grants of this entitlement."),
      principal: optional("principal", "type:id", "Only grants held by this user or team.")
    },
    (flags) =>
      reviewRun(Effect.flatMap(Effect.zip(output(flags), review), ([out, r]) => r.listGrants(out, flags.entitlement, flags.principal)))
  ).pipe(Command.withDescription("List grants (the ids --revoke-grant takes) and how each is held: direct or via a team."))

  const access = Command.make(
    "access",
    {
      ...outputOptions,
      entitlement: optional("entitlement", "id", "Everyone who holds this entitlement, and how."),
      resource: optional(
        "resource",
        "type:id",
        "Everyone who holds any entitlement of this resource (a group, connection, role or team), and how."
      ),
      principal: Args.text({ name: "type:id" }).pipe(
        Args.withDescription("The user or team, e.g. user:<id> (not with --entitlement or --resource)."),
        Args.optional
      )
    },
    (flags) =>
      reviewRun(
        Effect.flatMap(
          Effect.zip(output(flags), review),
          ([out, r]) => r.showAccess(out, { principal: flags.principal, entitlement: flags.entitlement, resource: flags.resource })
        )
      )
  ).pipe(Command.withDescription(
    "Everything a user or team holds (access user:<id>), each with its path: direct, or via a team; " +
      "or (--entitlement E) everyone who holds E; or (--resource group:G) everyone who holds anything on G, " +
      "the sheet for its owner with -o csv."
  ))

  const diff = Command.make(
    "diff",
    {
      output: outputOptions.output,
      failOnChange: Options.boolean("fail-on-change").pipe(Options.withDescription("Exit 3 when the syncs differ.")),
      old: Args.text({ name: "OLD.c1z" }).pipe(Args.withDescription("The earlier sync file.")),
      new: Args.text({ name: "NEW.c1z" }).pipe(Args.withDescription("The later sync file."))
    },
    (flags) =>
      reviewRun(Effect.gen(function*() {
        const format = yield* decodeFlag("output", OutputFormat, OutputFormats.join(", "), flags.output)
        const r = yield* review
        yield* r.diffFiles({ format: Option.getOrElse(format, interactiveDefault) }, flags.old, flags.new, flags.failOnChange)
      }))
  ).pipe(Command.withDescription(
    "Resources, entitlements and grants added and removed between two syncs, resources renamed, (un)suspended or " +
      "given another email or account type, " +
      "and grants whose path changed; a warning when OLD.c1z was synced after NEW.c1z, or is the same file. " +
      "Exit 0; with --fail-on-change, exit 3 when anything differs."
  ))

  const exportCommand = Command.make(
    "export",
    {
      file: outputOptions.file,
      output: outputOption("csv"),
      sheet: optional(
        "sheet",
        Sheets.join("|"),
        "access (default): a row per principal, entitlement and path; users: a row per user, access or not, with its " +
          "status, last login, account type, account role and number of access paths."
      )
    },
    (flags) =>
      reviewRun(Effect.gen(function*() {
        // Read as --output is, so a wrong value is named with the flag ("--sheet: expected access, users, got ...").
        const sheet = Option.getOrElse(
          yield* decodeFlag("sheet", Schema.Literal(...Sheets), Sheets.join(", "), flags.sheet),
          () => "access"
        )
        const [out, r] = yield* Effect.zip(output(flags, "csv"), review)
        return yield* sheet === "users" ? r.exportUsers(out) : r.exportSheet(out)
      }))
  ).pipe(Command.withDescription(
    "The access-review sheet: one row per principal, entitlement and path (name, email, status, last login, resource, " +
      "permission, via), in a stable order; with --sheet users, one row per user (status, last login, account role, " +
      "access paths), users who hold nothing included; CSV (RFC 4180) by default, -o json for JSON lines."
  ))

  // One line of what was checked, on a terminal or not: a script asks for -o json.
  const verify = Command.make(
    "verify",
    { file: outputOptions.file, output: outputOption("table: one line") },
    (flags) =>
      reviewRun(Effect.flatMap(Effect.zip(output(flags, "table"), verifyCommand), ([out, v]) => v.verifyFile(out.file, out.format)))
  ).pipe(Command.withDescription(
    "Checks a .c1z before it is trusted as evidence (a sync filed away, a file received from elsewhere): the checks " +
      "every command makes, then SQLite's full integrity check of its database, every index against its rows, " +
      "which the other commands trust; one line naming its sync and counts. Exit 2 when it is damaged."
  ))

  return [resources, entitlements, grants, access, diff, exportCommand, verify] as const
}
