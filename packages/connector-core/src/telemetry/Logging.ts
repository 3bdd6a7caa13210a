import { ConsoleSaidAnnotation, ConsoleTextAnnotation } from "@baton-fivetran/fivetran-client/console-text"
import { shownText } from "@baton-fivetran/fivetran-client/shown-text"
import type { BatonLogLevel, LogFormat } from "@baton-fivetran/settings/log-choices"
import { Cause, HashMap, Inspectable, Layer, Logger, LogLevel, Option } from "effect"

/**
 * Logs in baton's two formats (docs/baton-conventions.md), for both apps: `console`, a line a person
 * reads, and `json`, one object per line with zap's field names (`level`, `ts`, `msg`). Each app
 * says where a line goes. A line with a console text (ConsoleText.ts of fivetran-client) reads it on
 * a console, and its fixed message as `msg`. Imported on its own
 * (`@baton-fivetran/connector-core/logging`) so that an app's start-up does not load the connector.
 */

export { type BatonLogLevel, type LogFormat, LogFormats, LogLevels } from "@baton-fivetran/settings/log-choices"

const levels: Record<BatonLogLevel, LogLevel.LogLevel> = {
  debug: LogLevel.Debug,
  info: LogLevel.Info,
  warn: LogLevel.Warning,
  error: LogLevel.Error
}

const levelName = (level: LogLevel.LogLevel) => level._tag === "Warning" ? "warn" : level.label.toLowerCase()

const messageText = (message: unknown): string =>
  (Array.isArray(message) ? message : [message])
    .map((part) => typeof part === "string" ? part : Inspectable.format(part))
    .join(" ")

const causeText = (cause: Cause.Cause<unknown>) => {
  const error = Cause.squash(cause)
  return error instanceof Error ? error.message : Inspectable.format(error)
}

/** The line's fields: its annotations but its console text's (ConsoleText.ts), and its cause as `error`. */
const fields = (annotations: HashMap.HashMap<string, unknown>, cause: Cause.Cause<unknown>) => {
  const entries: Record<string, unknown> = Object.fromEntries(
    HashMap.removeMany(annotations, [ConsoleTextAnnotation, ConsoleSaidAnnotation])
  )
  if (!Cause.isEmpty(cause)) entries.error = causeText(cause)
  return entries
}

/** The fields a console line shows after its text: those its console text does not say. */
const consoleFields = (annotations: HashMap.HashMap<string, unknown>, cause: Cause.Cause<unknown>) => {
  const said = Option.getOrElse(HashMap.get(annotations, ConsoleSaidAnnotation), () => [])
  const entries = fields(annotations, cause)
  return Array.isArray(said) ? Object.fromEntries(Object.entries(entries).filter(([key]) => !said.includes(key))) : entries
}

/** What a console line says: the line's console text when it has one, else its message. */
const consoleMessage = (annotations: HashMap.HashMap<string, unknown>, message: unknown) => {
  const text = HashMap.get(annotations, ConsoleTextAnnotation)
  return Option.isSome(text) && typeof text.value === "string" ? text.value : messageText(message)
}

/**
 * A line a person reads on a terminal: its message and values quote text that is not the program's
 * own (a file name from -f, an error from Fivetran, a role name), so control and bidi characters
 * are shown escaped (shownText), not acted on: a line break in a file name printed a second line.
 * JSON lines keep the exact text.
 */
const consoleLogger = (write: (line: string) => void) =>
  Logger.make(({ annotations, cause, date, logLevel, message }) => {
    const extra = Object.entries(consoleFields(annotations, cause))
      .map(([key, value]) => `${key}=${typeof value === "string" ? value : Inspectable.format(value)}`)
    // UTC, so marked: a bare `08:56:51.411` read as local time beside the `until 12:00:02Z` of a wait.
    const time = date.toISOString().slice(11, 24)
    write(shownText([time, levelName(logLevel).toUpperCase().padEnd(5), consoleMessage(annotations, message), ...extra].join(" ")))
  })

const jsonLogger = (write: (line: string) => void) =>
  Logger.make(({ annotations, cause, date, logLevel, message }) => {
    write(JSON.stringify({
      level: levelName(logLevel),
      ts: date.getTime() / 1000,
      msg: messageText(message),
      ...fields(annotations, cause)
    }))
  })

/** Replaces Effect's default logger; `write` takes one line without its newline. */
export const loggingLayer = (level: BatonLogLevel, format: LogFormat, write: (line: string) => void) =>
  Layer.merge(
    Logger.replace(Logger.defaultLogger, format === "json" ? jsonLogger(write) : consoleLogger(write)),
    Logger.minimumLogLevel(levels[level])
  )
