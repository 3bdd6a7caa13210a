import { shownText } from "@baton-fivetran/fivetran-client/shown-text"
import { echoed } from "@baton-fivetran/fivetran-client/echoed-text"
import { VersionLine } from "@baton-fivetran/fivetran-client/version"
import {
  BatonSettings,
  BuiltInRequest,
  checkFlags,
  commandFlags,
  type CommandLine,
  errorMessage,
  explainLeftover,
  type FlagValue,
  helpText,
  ignoredKeys,
  ignoredVariables,
  joinSubcommandNamedValues,
  loadConfigFile,
  misspeltKeyWarnings,
  LogLevels,
  normalizeArgv,
  settingOptions,
  withGivenFlags,
  withOneFinalLineBreak,
  withPlainHelp
} from "@baton-fivetran/settings"
import { trafficOptions } from "@baton-fivetran/fivetran-sandbox/traffic-flags"
import { CliConfig, Command, CommandDescriptor, Options, ValidationError } from "@effect/cli"
import { Console, Effect, HashMap, LogLevel, Option } from "effect"
import { selectAction } from "./commands/ActionFlags.js"
import { reviewCommands } from "./ReviewCommands.js"
import { logChoiceOf, withLogging } from "./output/Logging.js"
import { notice } from "./output/Notice.js"
import { untoldInterruption } from "./output/InterruptionNotice.js"
import { receivedStopSignal } from "./StopSignals.js"
import { withCheckedStdout } from "./output/Stdout.js"
import { ActionSettings, findProvisioningFlags } from "./settings/ActionSettings.js"
import { File, resolveLogging, resolveSettings, RootSettings } from "./settings/Settings.js"
import { reportFailure } from "./Exit.js"
import { UsageError } from "./UsageError.js"

/**
 * baton-fivetran's command line, in baton's shape (docs/baton-conventions.md): the default action is a
 * full sync into --file; one-shot provisioning flags run one action instead (only with -p); the
 * `capabilities`, `config` and `sandbox` subcommands print manifests or serve a sandbox; the
 * review subcommands (ReviewCommands.ts) read sync files.
 *
 * The settings' flags come from their declarations (@baton-fivetran/settings); every value is read
 * as text and checked by the settings resolution, so a bad value from a flag, a BATON_* variable
 * or .baton.yaml gets the same message, naming where it came from.
 *
 * Start-up stays short: a command's implementation (the HTTP client, the c1z writer with its
 * native SQLite and zstd modules, the sandbox server) is imported only when that command runs.
 */

/** A flag every run may leave out (help says so: @effect/cli's own "optional" line is dropped). */
const optional = (name: string, pseudoName: string, description: string) =>
  Options.text(name).pipe(Options.withPseudoName(pseudoName), Options.withDescription(`${description} Optional.`), Options.optional)

const rootOptions = { settings: settingOptions(RootSettings) }

/** A `.baton.yaml` key an edit or two from a setting's: named, with the one it probably meant. */
const warnMisspelt = (file: Effect.Effect.Success<typeof loadConfigFile>) =>
  Effect.flatMap(misspeltKeyWarnings(file, RootSettings), (warnings) =>
    Effect.forEach(
      warnings,
      ({ fields, text }) => notice(LogLevel.Warning, `warning: ${shownText(text)}`, { msg: text, fields }),
      { discard: true }
    ))

/** BATON_* variables and `.baton.yaml` keys of baton-sdk's flags that this connector does not take (settings' BatonSdkFlags.ts). */
const warnIgnoredBatonSdkFlags = (file: Effect.Effect.Success<typeof loadConfigFile>) =>
  Effect.flatMap(
    ignoredVariables("baton-fivetran"),
    (variables) =>
      Effect.forEach([...variables, ...ignoredKeys(file, "baton-fivetran")], ({ fields, text }) =>
        notice(LogLevel.Warning, `warning: ${shownText(text)}`, { msg: text, fields }), { discard: true })
  )

const rootCommand = (given: ReadonlyMap<string, FlagValue>) =>
  Command.make("baton-fivetran", rootOptions, (options) =>
    Effect.gen(function*() {
      const file = yield* loadConfigFile
      const sources = { flags: withGivenFlags(options.settings, given), file }
      // The logging first: everything after it is told in the format asked for.
      const logging = yield* resolveLogging(sources)
      return yield* withLogging({ level: logging.logLevel, format: logging.logFormat })(Effect.gen(function*() {
        yield* warnMisspelt(file)
        yield* warnIgnoredBatonSdkFlags(file)
        const settings = yield* resolveSettings(sources)
        const action = yield* Effect.flatMap(findProvisioningFlags(sources), selectAction)
        if (Option.isNone(action)) {
          const { runSync } = yield* Effect.promise(() => import("./commands/Sync.js"))
          return yield* runSync(settings)
        }
        const { runProvisioning } = yield* Effect.promise(() => import("./commands/Provision.js"))
        return yield* runProvisioning(action.value, settings)
      }))
    })).pipe(Command.withDescription(
      "Sync a Fivetran account's users, roles, groups, teams and their access into a baton .c1z file, " +
        "or (with -p) grant, revoke, invite or delete. Every command also takes " +
        `--log-level ${LogLevels.join("|")} (${helpText(BatonSettings.LogLevel)}), -h/--help and --version. ` +
        "The .baton.yaml the settings name is the file BATON_CONFIG_PATH names if set (a .yaml or .yml), " +
        "else .baton.yaml or .baton.yml in the working directory."
    ))

const sandboxOptions = {
  port: optional("port", "port", "Port to listen on (default 0: any free port, printed)."),
  host: optional(
    "host",
    "address",
    "IP address to listen on (default 127.0.0.1; ::1 for IPv6, 0.0.0.0 or :: for every address, which is warned of)."
  ),
  preset: optional("preset", "small|medium|large", "Generate the account from this preset (default small)."),
  state: optional("state", "file.json", "Load the account from this snapshot file instead."),
  seed: optional("seed", "n", "Generator seed for --preset (the same seed gives the same account)."),
  saveState: optional(
    "save-state",
    "file.json",
    "Write the account --preset and --seed generate to this snapshot file and exit, instead of serving it (edit it, " +
      "then serve it with --state)."
  ),
  // The sandbox layer's faults and rate limit: the flags fivetran-sandbox takes, declared there.
  ...trafficOptions
}

const sandboxCommand = (root: ReturnType<typeof rootCommand>, given: ReadonlyMap<string, FlagValue>) =>
  Command.make("sandbox", sandboxOptions, (options) =>
    Effect.gen(function*() {
      const rootFlags = yield* root
      const logging = yield* resolveLogging({
        flags: withGivenFlags(rootFlags.settings, given),
        file: yield* loadConfigFile
      })
      const server = yield* Effect.promise(() => import("./commands/SandboxServer.js"))
      const run = Option.match(options.saveState, {
        onNone: () => server.serveSandbox(options),
        onSome: (file) => server.saveSandboxState(options, file)
      })
      yield* run.pipe(withLogging({ level: logging.logLevel, format: logging.logFormat }))
    })).pipe(Command.withDescription(
      "Serve the embedded Fivetran sandbox over HTTP (on loopback unless --host says otherwise) until Ctrl-C; prints its URL and keys."
    ))

const manifests = Effect.promise(() => import("./commands/Manifests.js"))

// Loaded for --help only: string-width's module sets up an Intl.Segmenter, ~30 ms of every start
// (--version, a one-shot grant) when HelpPage.ts was imported at the top.
const helpPages = Effect.promise(() => import("./HelpPage.js"))

const capabilitiesCommand = Command.make("capabilities", {}, () => Effect.flatMap(manifests, (m) => m.printCapabilities)).pipe(
  Command.withDescription("Print the connector's capabilities (c1.connector.v2.ConnectorCapabilities JSON).")
)

const configCommand = Command.make("config", {}, () => Effect.flatMap(manifests, (m) => m.printConfigurationSchema)).pipe(
  Command.withDescription("Print the connector's configuration schema (c1.config.v1.Configuration JSON).")
)

const isCommandMismatch = (error: unknown): error is ValidationError.ValidationError =>
  ValidationError.isValidationError(error) && ValidationError.isCommandMismatch(error)

/**
 * @effect/cli's own refusals ("Missing argument <NEW.c1z>", "Received unknown argument: 'user:b'"),
 * as the CLI's own read: ending with where the command's usage is listed (they named no way on), and
 * each argument they quote cut as the CLI's refusals cut it (echoed): `resources <a 100 kB id>` was
 * quoted whole. A UsageError, exit 2 as well.
 */
const asOwnRefusal = (args: ReadonlyArray<string>, subcommandNames: ReadonlyArray<string>) => <E>(error: E): E | UsageError => {
  if (!ValidationError.isValidationError(error)) return error
  const subcommand = args.slice(2).find((arg) => subcommandNames.includes(arg))
  const help = ["baton-fivetran", ...(subcommand === undefined ? [] : [subcommand]), "--help"].join(" ")
  const text = args.filter((arg) => echoed(arg) !== arg).reduce((cut, arg) => cut.replaceAll(arg, echoed(arg)), errorMessage(error))
  return new UsageError({ reason: `${text} (see ${help})` })
}

/** The root flags each subcommand reads as well: the logging ones (normalizeArgv takes both out of argv). */
const everywhere = new Set(["--log-level", "--log-format"])

const provisioning = new Set(ActionSettings.map((setting) => `--${setting.flag}`))

/** `--sandbox` alone means `--sandbox small` (Argv.ts): a subcommand's name after it is the subcommand. */
const optionalValue = new Set(["--sandbox"])

const secret = new Set(RootSettings.filter((setting) => setting.kind.secret).map((setting) => `--${setting.flag}`))

/** Parses argv (as process.argv: node, script, args...) and runs the chosen command. */
export const run = (argv: ReadonlyArray<string>) => {
  const { args, given } = normalizeArgv(argv, RootSettings)
  const root = rootCommand(given)
  const subcommandList = [
    capabilitiesCommand,
    configCommand,
    sandboxCommand(root, given),
    ...reviewCommands(Effect.map(root, (options) => Option.fromNullable(options.settings.get(File.flag))), logChoiceOf(given))
  ] as const
  const command = root.pipe(Command.withSubcommands(subcommandList))
  const app = { name: "baton-fivetran", version: VersionLine }
  const runCommand = Command.run(command, app)
  const subcommands = Command.getSubcommands(command)
  // Sorted: an unknown command's message lists them (a HashMap's order is its hashes').
  const subcommandNames = Array.from(HashMap.keys(subcommands)).sort()
  const line: CommandLine = {
    name: "baton-fivetran",
    rootCommand: "the sync/provisioning command",
    root: new Map([
      ...commandFlags(Command.getUsage(root)),
      ["--log-level", { name: "--log-level", placeholder: Option.some(LogLevels.join("|")), repeatable: false }]
    ]),
    subcommands: new Map(Array.from(subcommands, ([name, sub]) => [name, commandFlags(CommandDescriptor.getUsage(sub))])),
    everywhere,
    provisioning,
    secret,
    optionalValue
  }
  return checkFlags(line, argv.slice(2)).pipe(
    Effect.mapError(({ reason }) => new UsageError({ reason })),
    Effect.flatMap(Option.match({
      onNone: () => runCommand([...args.slice(0, 2), ...joinSubcommandNamedValues(line, args.slice(2))]),
      onSome: BuiltInRequest.$match({
        Help: ({ subcommand }) =>
          helpPages.pipe(
            Effect.flatMap(({ helpPage }) =>
              helpPage({ ...app, root: command.descriptor, subcommands: subcommandList.map((sub) => sub.descriptor) }, subcommand)
            ),
            Effect.flatMap(Console.log)
          ),
        Version: () => runCommand([...args.slice(0, 2), "--version"])
      })
    })),
    // Help lists this CLI's own flags: @effect/cli's built-in --log-level (Effect's level names) is
    // replaced by baton's (see Argv.ts), and --help/--version are named in the description.
    Effect.provide(CliConfig.layer({ showBuiltIns: false })),
    // After withPlainHelp's rewrite, whose patterns take whole lines.
    withPlainHelp,
    withOneFinalLineBreak,
    // Outside the two above, which rewrite what they are given and pass it on to this Console.log.
    withCheckedStdout,
    Effect.catchIf(
      isCommandMismatch,
      (error) =>
        // Each argument cut as a refusal repeats it (echoed): one that long is no command or flag name.
        Effect.fail(Option.match(explainLeftover("baton-fivetran", Options.all(rootOptions), subcommandNames, args.slice(2).map(echoed)), {
          onNone: (): UsageError | ValidationError.ValidationError => error,
          onSome: (reason) => new UsageError({ reason })
        }))
    ),
    Effect.mapError(asOwnRefusal(args, subcommandNames)),
    // Whatever failed (a bad flag too), in the format the logging settings ask for as far as they
    // can be read; read only then, so that --help and --version do not load the YAML parser.
    Effect.tapErrorCause((cause) => Effect.flatMap(logChoiceOf(given), (choice) => withLogging(choice)(reportFailure(cause)))),
    // A stop signal that no command told of (it came as the program loaded, or as a command read its settings).
    Effect.onInterrupt(() => Effect.flatMap(logChoiceOf(given), (choice) => withLogging(choice)(untoldInterruption(receivedStopSignal()))))
  )
}
