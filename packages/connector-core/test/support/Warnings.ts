import { Logger, LogLevel } from "effect"

/** A logger that keeps each warning and above as a line, for tests of what the telemetry warns. */
export const collectWarnings = () => {
  const lines: Array<string> = []
  const logger = Logger.make(({ logLevel, message }) => {
    if (LogLevel.greaterThanEqual(logLevel, LogLevel.Warning)) {
      lines.push((Array.isArray(message) ? message : [message]).join(" "))
    }
  })
  return { lines, layer: Logger.replace(Logger.defaultLogger, logger) }
}
