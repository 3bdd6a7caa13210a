import { Version } from "@baton-fivetran/fivetran-client/version"
import { explainLeftover, withPlainHelp } from "@baton-fivetran/settings"
import { CliConfig, Command, Options, ValidationError } from "@effect/cli"
import { Effect, Option } from "effect"
import { sandboxBanner } from "./SandboxBanner.js"
import { decodeFlags, options } from "./SandboxFlags.js"
import { UsageError } from "./UsageError.js"

/**
 * The `fivetran-sandbox` command: serves an in-memory Fivetran REST API until interrupted. It takes
 * the sandbox layer's fault and rate-limit flags as `baton-fivetran sandbox` does (TrafficFlags.ts).
 * The server (SandboxServe.ts, which `baton-fivetran sandbox` serves with too: the generator, the
 * snapshot reader, the HTTP API) is loaded only once the flags are good (SandboxFlags.ts): --help,
 * --version and a refused flag load none of it (with it loaded first they took ~2.8 s of CPU and
 * 158 MiB).
 */

export const sandboxCommand = Command.make(
  "fivetran-sandbox",
  options,
  (given) =>
    Effect.flatMap(
      decodeFlags(given),
      (settings) =>
        Effect.flatMap(
          Effect.promise(() => import("./SandboxServe.js")),
          ({ serve }) => serve(settings, { banner: sandboxBanner(settings.traffic), beforeListen: Effect.void, onListening: Effect.void })
        )
    )
).pipe(
  Command.withDescription(
    "Serves an in-memory Fivetran REST API on loopback until interrupted, and prints its base URL and every " +
      "credential it accepts (sandbox-only keys). Also takes -h/--help and --version."
  )
)

/** Parses argv (as process.argv: node, script, args...) and runs the command. */
export const runSandboxCommand = (argv: ReadonlyArray<string>) =>
  Command.run(sandboxCommand, { name: "fivetran-sandbox", version: Version })(argv).pipe(
    Effect.provide(CliConfig.layer({ showBuiltIns: false })),
    // "Received unknown argument" also stands for a flag without its value: say which it is.
    Effect.catchIf(
      ValidationError.isValidationError,
      (error) =>
        Effect.fail(Option.match(explainLeftover("fivetran-sandbox", Options.all(options), [], argv.slice(2)), {
          onNone: (): UsageError | ValidationError.ValidationError => error,
          onSome: (reason) => new UsageError({ reason })
        }))
    ),
    withPlainHelp
  )
