import { Effect, type LogLevel } from "effect"
import { LogOutput } from "./Logging.js"
import * as Stderr from "./Stderr.js"

/**
 * What the CLI tells whoever reads stderr besides its logs: a failure, an interruption, a setting
 * it ignored, a sync's summary. In console format, a person reads it as it is written, whatever the
 * level. In json format (a CronJob's, a log pipeline's), it goes through the logger like any log
 * line: one JSON object at `level`, left out below `--log-level`, exported with the other logs when
 * OTLP is on (printed past the logger, these were the only lines that were not JSON).
 */
export const notice = (
  level: LogLevel.LogLevel,
  consoleText: string,
  json: { readonly msg: string; readonly fields?: Readonly<Record<string, unknown>> }
) =>
  Effect.flatMap(LogOutput, ({ format }) =>
    format === "console"
      ? Stderr.line(consoleText)
      : Effect.logWithLevel(level, json.msg).pipe(Effect.annotateLogs(json.fields ?? {})))
