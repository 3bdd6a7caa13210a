import { loggingLayer as batonLogging } from "@baton-fivetran/connector-core/logging"
import type { LogFormat, LogLevel } from "../settings/Settings.js"
import { writeLine } from "./Stderr.js"

/** Logs on stderr (stdout carries only a command's result), in baton's console or json format. */
export const loggingLayer = (level: LogLevel, format: LogFormat) => batonLogging(level, format, writeLine)
