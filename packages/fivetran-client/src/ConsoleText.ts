import { Effect } from "effect"

/**
 * A log line whose sentence for a person embeds its values (a wait's length and end, an endpoint, a
 * count) is logged with a fixed message, what a JSON line's `msg` and an OTLP record's body carry
 * and what an alert or a log query matches, its values as fields, and the sentence as this
 * annotation: the console logger prints it in the message's place, the JSON logger leaves it out
 * (connector-core's Logging.ts). One `msg` per kind of line: a `msg` with the time in it matched no
 * alert. Imported on its own (`@baton-fivetran/fivetran-client/console-text`), as the logger is.
 */
export const ConsoleTextAnnotation = "console_text"

/** The fields a line's console text says already: a console line does not repeat them after it. */
export const ConsoleSaidAnnotation = "console_said"

/** The lines `effect` logs read `text` on a console, without the fields named in `said` (the text has them). */
export const withConsoleText = (text: string, said: ReadonlyArray<string> = []) =>
  Effect.annotateLogs({ [ConsoleTextAnnotation]: text, [ConsoleSaidAnnotation]: said })
