import { Cause, HashMap, Inspectable, Layer, Logger, LogLevel } from "effect"
import type { LogFormat, LogLevel as BatonLogLevel } from "../settings/Settings.js"
import { writeLine } from "./Stderr.js"

/**
 * Logs on stderr in baton's two formats (baton-model.md §5.1): `console`, a line a person reads,
 * and `json`, one object per line with zap's field names (`level`, `ts`, `msg`).
 */

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

const fields = (annotations: HashMap.HashMap<string, unknown>, cause: Cause.Cause<unknown>) => {
  const entries: Record<string, unknown> = Object.fromEntries(annotations)
  if (!Cause.isEmpty(cause)) entries.error = causeText(cause)
  return entries
}

const consoleLogger = Logger.make(({ annotations, cause, date, logLevel, message }) => {
  const extra = Object.entries(fields(annotations, cause))
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : Inspectable.format(value)}`)
  const time = date.toISOString().slice(11, 23)
  writeLine([time, levelName(logLevel).toUpperCase().padEnd(5), messageText(message), ...extra].join(" "))
})

const jsonLogger = Logger.make(({ annotations, cause, date, logLevel, message }) => {
  writeLine(JSON.stringify({
    level: levelName(logLevel),
    ts: date.getTime() / 1000,
    msg: messageText(message),
    ...fields(annotations, cause)
  }))
})

export const loggingLayer = (level: BatonLogLevel, format: LogFormat) =>
  Layer.merge(
    Logger.replace(Logger.defaultLogger, format === "json" ? jsonLogger : consoleLogger),
    Logger.minimumLogLevel(levels[level])
  )
