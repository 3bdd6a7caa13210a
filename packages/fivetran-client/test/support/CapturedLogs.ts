import { Effect, HashMap, Logger, LogLevel, Option, Predicate, Ref } from "effect"
import { ConsoleTextAnnotation } from "../../src/ConsoleText.js"

export interface CapturedLine {
  readonly level: string
  readonly message: string
  /** What a console says (ConsoleText.ts): the line's console text, else its message. */
  readonly text: string
  readonly annotations: Readonly<Record<string, unknown>>
  /** The line as the logfmt and JSON loggers would print it. */
  readonly printed: ReadonlyArray<string>
}

/** A Debug-level logger that keeps every line, so a test can read what would have been printed. */
export const captureLogs = Effect.gen(function*() {
  const lines = yield* Ref.make<ReadonlyArray<CapturedLine>>([])
  const logger = Logger.make<unknown, void>((options) => {
    const consoleText = HashMap.get(options.annotations, ConsoleTextAnnotation)
    const line: CapturedLine = {
      level: options.logLevel.label,
      message: String(options.message),
      text: Option.getOrElse(Option.filter(consoleText, Predicate.isString), () => String(options.message)),
      annotations: Object.fromEntries(HashMap.toEntries(options.annotations)),
      printed: [Logger.logfmtLogger.log(options), Logger.jsonLogger.log(options)]
    }
    Effect.runSync(Ref.update(lines, (all) => [...all, line]))
  })
  const provide = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    effect.pipe(Effect.provide(Logger.add(logger)), Logger.withMinimumLogLevel(LogLevel.Debug))
  return { lines: Ref.get(lines), provide } as const
})

/** The warnings and debug lines that announce a wait, as [level, text]. */
export const waitLines = (lines: ReadonlyArray<{ readonly level: string; readonly text: string }>) =>
  lines.filter((line) => line.text.startsWith("waiting")).map((line) => [line.level, line.text])
