import type { Corrupt, NoFinishedSync, NotAC1z, OversizedDatabase, UnsupportedVersion } from "@baton-fivetran/c1z"
import type {
  InvalidId,
  InvalidInput,
  NotGrantable,
  UnknownEntitlement,
  UnknownPrincipal,
  UnknownRole,
  Unsupported,
  WrongScope
} from "@baton-fivetran/connector-core"
import { withoutEmails } from "@baton-fivetran/fivetran-client/logged-emails"
import { shownText } from "@baton-fivetran/fivetran-client/shown-text"
import { errorMessage, type SettingError } from "@baton-fivetran/settings"
import { ValidationError } from "@effect/cli"
import { Cause, Data, Effect, Exit, FiberRef, LogLevel, Option, Predicate } from "effect"
import type { ChangesFound } from "./ChangesFound.js"
import { notice } from "./output/Notice.js"
import type { UsageError } from "./UsageError.js"

/**
 * How a run ends: 0 success, 1 failure, 2 bad usage (unknown flag, bad value from a flag, an env
 * variable or the config file, a missing required setting, a malformed id, a provisioning request
 * naming what the account does not have, a .c1z that is not a readable sync file), 130 interrupted
 * (SIGINT/SIGTERM: the sync was stopped and its temporary file removed), 3 `diff --fail-on-change`
 * found differences.
 * Errors print as one line, `error: ...` (in json format an error-level log line with `exit_code`),
 * never a stack trace (ErrorLine.ts of @baton-fivetran/settings).
 */

/**
 * A failure already reported, where OTLP still exported it (`reportedHere`), by the exit code it
 * ends the run with: the run's end reports it no more.
 */
export class FailureReported extends Data.TaggedError("FailureReported")<{ readonly exitCode: number }> {}

/**
 * The failures that do not exit 1, by tag. The tags are checked against the classes' types; the
 * classes themselves are not imported, so that start-up does not load connector-core.
 */
const exitCodeByTag: {
  readonly [
    Tag in
      | UsageError["_tag"]
      | SettingError["_tag"]
      | InvalidId["_tag"]
      | InvalidInput["_tag"]
      | RefusedAsNamed["_tag"]
      | ChangesFound["_tag"]
      | UnreadableSyncFile["_tag"]
  ]: number
} = {
  UsageError: 2,
  // A setting with a bad value (from a flag, a variable or .baton.yaml), or a required one missing.
  SettingError: 2,
  // connector-core's refusal of a malformed entitlement or grant id: bad usage too.
  InvalidId: 2,
  // connector-core's refusal of a provisioning flag's value (an email that is not one, a padded id).
  InvalidInput: 2,
  // A provisioning request naming what the account does not have or cannot do: a role no role's
  // name, one of another scope, an entitlement a principal type cannot hold, a type not provisioned,
  // a group, team, connection, user or team that does not exist (or exists as the other principal
  // type). Fivetran ids come only from Fivetran's answers (a sync, create-account's output), and it
  // reads its own writes at once: an id it lacks is mistyped, another type's or deleted, and waiting
  // brings none back. A retry sends the same request to the same refusal. Conflict, NotFound (a 404
  // while the request was carried out), MissingPermission and ProvisioningDisabled stay 1, and so
  // does KeyRejected, as a sync whose key Fivetran rejects exits 1: each run reads the key afresh
  // (a CronJob's retry is a new pod reading the Secret), so a retry after the key is fixed works.
  UnknownRole: 2,
  WrongScope: 2,
  NotGrantable: 2,
  Unsupported: 2,
  UnknownEntitlement: 2,
  UnknownPrincipal: 2,
  // A .c1z named on the command line that is not a readable sync file: the wrong file, or a damaged
  // one; the same file fails every time. The reader's Io, WorkingCopyFailed (EIO, permission, a
  // full temporary directory) and WorkingCopyDamaged (its copy cut under it) stay 1: the file may be
  // fine, the machine is not.
  NotAC1z: 2,
  UnsupportedVersion: 2,
  Corrupt: 2,
  OversizedDatabase: 2,
  NoFinishedSync: 2,
  ChangesFound: 3
}

/** connector-core's provisioning refusals of the request as named, each the same on every run. */
type RefusedAsNamed = UnknownRole | WrongScope | NotGrantable | Unsupported | UnknownEntitlement | UnknownPrincipal

/** The reader's refusals of a file's content, each the same on every run. */
type UnreadableSyncFile = NotAC1z | UnsupportedVersion | Corrupt | OversizedDatabase | NoFinishedSync

const failureCode = (error: unknown): number => {
  if (error instanceof FailureReported) return error.exitCode
  if (ValidationError.isValidationError(error)) return 2
  if (!Predicate.hasProperty(error, "_tag") || typeof error._tag !== "string") return 1
  return Object.hasOwn(exitCodeByTag, error._tag) ? exitCodeByTag[error._tag as keyof typeof exitCodeByTag] : 1
}

export const exitCode = (exit: Exit.Exit<unknown, unknown>): number => {
  if (Exit.isSuccess(exit)) return 0
  if (Cause.isInterruptedOnly(exit.cause)) return 130
  return Option.match(Cause.failureOption(exit.cause), { onNone: () => 1, onSome: failureCode })
}

/** A command's own fields for its failure's JSON line, beside `exit_code` (a failed sync's `reason`). */
export type FailureFields = (cause: Cause.Cause<unknown>) => Readonly<Record<string, unknown>>

const noFields: FailureFields = () => ({})

/**
 * Tells what went wrong, unless it was told already (an interruption is told by the command it
 * stopped): `error: <message>`, or in json format `{"level":"error","msg":<message>,"exit_code":1}`
 * with `fields`' own.
 */
export const reportFailure = (cause: Cause.Cause<unknown>, fields: FailureFields = noFields): Effect.Effect<void> => {
  const failure = Cause.failureOption(cause)
  if (Cause.isInterruptedOnly(cause) || Option.exists(failure, (error) => error instanceof FailureReported)) return Effect.void
  const message = errorMessage(Option.getOrElse(failure, () => Cause.squash(cause)))
  // On a terminal, a message quoting Fivetran's data or a setting's value cannot act on it (JSON escapes its own).
  // The console line answers whoever typed the email it may quote; the JSON line is a log line, kept
  // with the others in a shared store, where an email is `<email>` (the ids beside it stay).
  return notice(LogLevel.Error, `error: ${shownText(message)}`, {
    msg: withoutEmails(message),
    fields: { exit_code: exitCode(Exit.failCause(cause)), ...fields(cause) }
  })
}

/**
 * `effect`'s failure reported now, while the command's logger and OTLP exporter still run (at the
 * run's end they are gone, and the error line never reached the collector), then passed on as
 * FailureReported.
 */
export const reportedHere = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  fields: FailureFields = noFields
): Effect.Effect<A, E | FailureReported, R> =>
  Effect.catchAllCause(effect, (cause): Effect.Effect<never, E | FailureReported> =>
    Cause.isInterruptedOnly(cause)
      ? Effect.failCause(cause)
      : Effect.zipRight(
        reportFailure(cause, fields),
        Effect.fail(new FailureReported({ exitCode: exitCode(Exit.failCause(cause)) }))
      ))

/**
 * Effect logs every fiber that ends in a failure ("Fiber terminated with an unhandled error", at
 * debug), so at `--log-level debug` a failed run repeated its error up to three times after
 * reportFailure had printed it. Set on the main fiber without a scope (it holds at that fiber's
 * exit), and inherited by every fiber it forks.
 */
export const withoutUnhandledErrorLogs = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.zipRight(FiberRef.set(FiberRef.unhandledErrorLogLevel, Option.none()), effect)
