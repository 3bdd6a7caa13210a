import { echoed } from "@baton-fivetran/fivetran-client/echoed-text"
import { Config, type ConfigError, Effect, Option } from "effect"
import { CommandLineError } from "./CommandLineError.js"
import type { ConfigFileSource } from "./ConfigFile.js"

/**
 * baton-sdk's standard flags (docs/baton-conventions.md) that neither app takes. Someone used to
 * another baton connector who gave one met `unknown flag '--client-id'` (the service:
 * `Received unknown argument: '--client-id'`), which said neither that the flag is baton's nor what
 * to do here instead. Each group says why it has no place here and, where there is one, what to use
 * in each app: the two differ (the service's alternative to service mode is itself; it reads one
 * type of resource over its API, not with `resources`), and each offers only flags it has.
 *
 * As a flag it is refused (exit 2), as any unknown flag is. As a BATON_* variable or a .baton.yaml
 * key it is ignored with a warning, not refused: an environment or a file may be shared by several
 * connectors (BATON_CLIENT_ID exported for one that runs in service mode) and by both apps, and a
 * key that is no setting is ignored as viper ignores it (MisspeltKeys.ts); the warning says that
 * this run is not what baton-sdk would have made of it.
 */

/** The two programs, by name: what a refusal says each offers instead. */
export type BatonApp = "baton-fivetran" | "baton-fivetran-http"

interface NotTaken {
  /** baton-sdk's flags of the group, without their dashes. */
  readonly flags: ReadonlyArray<string>
  /** The start of the group's flags baton-sdk may add after v0.7.27: flags and keys only, their variables are not known by name. */
  readonly prefix?: string
  /** What the group is in baton-sdk. */
  readonly what: string
  /** Why the app has none of it, and what to use instead if there is something. */
  readonly instead: Readonly<Record<BatonApp, string>>
}

/** The same in both apps. */
const both = (text: string): Readonly<Record<BatonApp, string>> => ({ "baton-fivetran": text, "baton-fivetran-http": text })

const notCapable = {
  "baton-fivetran": "it is not among this connector's capabilities (baton-fivetran capabilities)",
  "baton-fivetran-http": "it is not among this connector's capabilities (GET /v1/capabilities)"
}

const NotTakenFlags: ReadonlyArray<NotTaken> = [
  {
    flags: ["client-id", "client-secret", "skip-full-sync", "health-check", "health-check-port", "health-check-bind-address"],
    what: "service mode: a daemon taking tasks from ConductorOne",
    instead: {
      "baton-fivetran": "it runs one sync or action and exits; run it on a schedule (cron, a Kubernetes CronJob), " +
        "or run the HTTP service (baton-fivetran-http --sync-every <duration>)",
      "baton-fivetran-http": "it is a service itself: clients start syncs and provisioning over its API (--token), " +
        "--sync-every <duration> syncs on a schedule, and probes read GET /healthz and /readyz"
    }
  },
  {
    flags: ["log-path"],
    what: "log file",
    instead: {
      "baton-fivetran": "it logs to stderr; redirect that (2>>baton-fivetran.log)",
      "baton-fivetran-http": "it logs to stderr; redirect that (2>>baton-fivetran-http.log), or let its supervisor collect it"
    }
  },
  {
    flags: ["log-level-debug-expires-at"],
    what: "debug level with an end time",
    instead: {
      "baton-fivetran": "a level holds for the whole run; give --log-level debug to the runs that need it",
      "baton-fivetran-http": "a level holds until the service stops; start it with --log-level debug while you need it"
    }
  },
  {
    flags: ["sync-resources", "sync-resource-types"],
    what: "targeted sync",
    instead: {
      "baton-fivetran": "every sync is of the whole account; read one type from the sync file (baton-fivetran resources --type <type>)",
      "baton-fivetran-http": "every sync is of the whole account; read one type from the latest sync (GET /v1/resources?type=<type>)"
    }
  },
  {
    flags: ["skip-entitlements-and-grants", "skip-grants"],
    what: "resource-only sync",
    instead: both("every sync writes the entitlements and grants an access review reads")
  },
  {
    flags: ["workers", "parallel-sync"],
    what: "sync workers",
    instead: both("one bounded pool makes its Fivetran requests; use --concurrency <n>, how many run at once")
  },
  {
    flags: ["http-timeout-seconds"],
    what: "HTTP timeout",
    instead: both("use --request-timeout <duration>, each attempt's limit (e.g. 300s)")
  },
  { flags: ["storage-engine"], what: "storage engine", instead: both("the .c1z holds SQLite, the engine baton reads") },
  {
    flags: ["c1z-temp-dir"],
    what: "c1z temporary directory",
    instead: {
      "baton-fivetran": "a sync builds its database beside --file (choose that directory); SQLite's own temporary files " +
        "go to SQLITE_TMPDIR (else TMPDIR), a review command's working copy to TMPDIR",
      "baton-fivetran-http": "a sync builds its database in --data-dir; SQLite's own temporary files go to SQLITE_TMPDIR " +
        "(else TMPDIR), the working copies queries read to --temp-dir"
    }
  },
  {
    // baton-sdk's field names; their BATON_OTEL_* variables are warned of as the other groups' are.
    flags: [
      "otel-collector-endpoint",
      "otel-collector-endpoint-tls-cert",
      "otel-collector-endpoint-tls-cert-path",
      "otel-collector-endpoint-tls-insecure",
      "otel-tracing-disabled",
      "otel-logging-disabled"
    ],
    prefix: "otel-",
    what: "OpenTelemetry export",
    instead: both("it exports through the standard variables: set OTEL_EXPORTER_OTLP_ENDPOINT (and the other OTEL_* variables)")
  },
  {
    flags: ["ticketing", "create-ticket", "bulk-create-ticket", "get-ticket", "list-ticket-schemas", "ticket-template-path", "ticket-id"],
    what: "ticketing",
    instead: notCapable
  },
  { flags: ["rotate-credentials", "rotate-credentials-type"], what: "credential rotation", instead: notCapable },
  { flags: ["event-feed", "event-feed-id", "event-feed-start-at", "event-feed-cursor"], what: "event feed", instead: notCapable },
  {
    flags: ["invoke-action", "invoke-action-args", "list-action-schemas"],
    what: "custom actions",
    instead: {
      "baton-fivetran": "it defines none; its provisioning actions are flags taken with -p (baton-fivetran --help)",
      "baton-fivetran-http":
        "it defines none; its provisioning actions are endpoints, enabled with --provisioning (/openapi.json lists them)"
    }
  },
  {
    flags: ["external-resource-c1z", "external-resource-entitlement-id-filter", "external-resource-traits"],
    what: "external resources",
    instead: both("its principals are the Fivetran account's own users and teams")
  }
]

/** The group of `name` (a flag without its dashes, or a .baton.yaml key). */
const groupOf = (name: string): NotTaken | undefined =>
  NotTakenFlags.find((group) => group.flags.includes(name) || (group.prefix !== undefined && name.startsWith(group.prefix)))

const reason = (group: NotTaken, app: BatonApp) => `a baton-sdk flag (${group.what}) that ${app} does not take: ${group.instead[app]}`

/** The refusal of `typed` (`--client-id`, as typed before any `=`) when it is one of baton-sdk's flags. */
export const notTakenFlag = (typed: string, app: BatonApp): Option.Option<CommandLineError> =>
  Option.map(
    Option.fromNullable(typed.startsWith("--") ? groupOf(typed.slice(2)) : undefined),
    (group) => new CommandLineError({ reason: `${echoed(typed)} is ${reason(group, app)}` })
  )

/** One source that gave a flag of the groups, and what to tell of it. */
export interface IgnoredSource {
  readonly fields: { readonly variable: string } | { readonly key: string }
  readonly text: string
}

const variableOf = (flag: string) => `BATON_${flag.toUpperCase().replaceAll("-", "_")}`

/** The BATON_* variables of the groups' flags that are set (an empty one counts as unset, as for the settings). */
export const ignoredVariables = (app: BatonApp): Effect.Effect<ReadonlyArray<IgnoredSource>, ConfigError.ConfigError> =>
  Effect.map(
    Effect.forEach(
      NotTakenFlags.flatMap((group) => group.flags.map((flag) => ({ group, variable: variableOf(flag) }))),
      ({ group, variable }) =>
        Effect.map(Config.option(Config.string(variable)), (value) =>
          Option.isSome(value) && value.value !== ""
            ? [{ fields: { variable }, text: `${variable} is ignored: it sets ${reason(group, app)}` }]
            : [])
    ),
    (found) => found.flat()
  )

/** The .baton.yaml keys that are flags of the groups. */
export const ignoredKeys = (file: Option.Option<ConfigFileSource>, app: BatonApp): ReadonlyArray<IgnoredSource> =>
  Option.match(file, {
    onNone: () => [],
    onSome: (source) =>
      Object.keys(source.values).sort().flatMap((key) => {
        const group = groupOf(key)
        return group === undefined
          ? []
          : [{ fields: { key }, text: `${source.label}: ${JSON.stringify(key)} is ignored: it sets ${reason(group, app)}` }]
      })
  })
