import { loggingLayer as batonLogging } from "@baton-fivetran/connector-core/logging"
import { BatonSettings, type DefaultedSetting, loadConfigFile, resolve, type SettingSources } from "@baton-fivetran/settings"
import { Context, Effect, FiberRef, HashSet, Logger, Option } from "effect"
import type { LogFormat, LogLevel } from "../settings/Settings.js"
import { writeLine } from "./Stderr.js"

/** Logs on stderr (stdout carries only a command's result), in baton's console or json format. */
export const loggingLayer = (level: LogLevel, format: LogFormat) => batonLogging(level, format, writeLine)

export interface LogChoice {
  readonly level: LogLevel
  readonly format: LogFormat
}

/** The logging settings' defaults: info, console on a terminal and json otherwise (baton's rule). */
const defaults = (): LogChoice => ({ level: BatonSettings.LogLevel.fallback.value(), format: BatonSettings.LogFormat.fallback.value() })

/** The run's logging, for what is told on stderr outside the logger too (Notice.ts). */
export class LogOutput extends Context.Reference<LogOutput>()("baton-cli/LogOutput", { defaultValue: defaults }) {}

/**
 * `effect` with the logger and the LogOutput of `choice`. From Effect's own loggers: a logger layer
 * given with Effect.provide stays in the fiber's loggers after the effect (effect 3.22), so the
 * failure a command's run reported after its command had its logger was printed twice.
 */
export const withLogging = (choice: LogChoice) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  effect.pipe(
    Effect.provide(loggingLayer(choice.level, choice.format)),
    Effect.provideService(LogOutput, choice),
    Effect.locally(FiberRef.currentLoggers, HashSet.make(Logger.defaultLogger, Logger.tracerLogger))
  )

/**
 * A logging setting as far as it can be read, for telling a failure (perhaps of that very
 * setting): a bad flag is passed over for the variable and the file, an unreadable file or a bad
 * value there for the default.
 */
const readable = <A>(setting: DefaultedSetting<A>, sources: SettingSources) => {
  const flags = new Map(sources.flags)
  flags.delete(setting.flag)
  return resolve(setting, sources).pipe(
    Effect.orElse(() => resolve(setting, { ...sources, flags })),
    Effect.orElseSucceed(() => setting.fallback.value())
  )
}

/** The logging settings (the logging flags, BATON_LOG_*, .baton.yaml) as far as they can be read. */
export const logChoiceOf = (flags: SettingSources["flags"]) =>
  Effect.gen(function*() {
    const file = yield* Effect.orElseSucceed(loadConfigFile, () => Option.none())
    return {
      level: yield* readable(BatonSettings.LogLevel, { flags, file }),
      format: yield* readable(BatonSettings.LogFormat, { flags, file })
    } satisfies LogChoice
  })
