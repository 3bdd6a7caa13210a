import { quotedEchoed } from "@baton-fivetran/fivetran-client/echoed-text"
import { Options } from "@effect/cli"
import { Effect, Option, Schema } from "effect"
import { UsageError } from "./UsageError.js"

/** A flag's @effect/cli option, read as text. */
type TextOption = Options.Options<Option.Option<string>>

/**
 * A value flag of a sandbox command, read as text by @effect/cli and decoded here, so that a bad
 * value is refused naming the flag and what it takes (@effect/cli's own typed options do not name
 * the flag).
 */
export interface CommandFlag<A, I> {
  readonly name: string
  readonly schema: Schema.Schema<A, I>
  readonly accepts: string
  readonly options: TextOption
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

/** The @effect/cli options of a command's flags, under the same keys. */
export const commandOptions = <K extends string>(
  flags: { readonly [P in K]: { readonly options: TextOption } }
): { readonly [P in K]: TextOption } =>
  Object.fromEntries(
    Object.entries<{ readonly options: TextOption }>(flags).map(([key, flag]) => [key, flag.options])
  ) as { readonly [P in K]: TextOption }

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
