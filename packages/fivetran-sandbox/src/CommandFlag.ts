import { quotedEchoed } from "@baton-fivetran/fivetran-client/echoed-text"
import { Options } from "@effect/cli"
import { Effect, Option, Schema } from "effect"
import { UsageError } from "./UsageError.js"

/**
 * A value flag of a sandbox command, read as text by @effect/cli and decoded here, so that a bad
 * value is refused naming the flag and what it takes (@effect/cli's own typed options do not name
 * the flag).
 */
export interface CommandFlag<A, I> {
  readonly name: string
  readonly schema: Schema.Schema<A, I>
  readonly accepts: string
  readonly options: Options.Options<Option.Option<string>>
}

export const commandFlag = <A, I>(
  name: string,
  pseudoName: string,
  schema: Schema.Schema<A, I>,
  accepts: string,
  description: string
): CommandFlag<A, I> => ({
  name,
  schema,
  accepts,
  options: Options.text(name).pipe(
    Options.withPseudoName(pseudoName),
    Options.withDescription(`${description} Takes ${accepts}.`),
    Options.optional
  )
})

/** A flag's value, decoded; a bad one is refused naming the flag, what it takes and what it got (cut if long). */
export const decodeCommandFlag = <A, I>(
  flag: CommandFlag<A, I>,
  value: Option.Option<string>
): Effect.Effect<Option.Option<A>, UsageError> =>
  Option.match(value, {
    onNone: () => Effect.succeedNone,
    onSome: (text) =>
      Schema.decodeUnknown(flag.schema)(text).pipe(
        Effect.map(Option.some),
        Effect.mapError(() => new UsageError({ reason: `--${flag.name}: expected ${flag.accepts}, got ${quotedEchoed(text)}` }))
      )
  })
