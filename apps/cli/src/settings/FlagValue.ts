import { quotedEchoed } from "@baton-fivetran/fivetran-client/echoed-text"
import { Effect, Option, Schema } from "effect"
import { UsageError } from "../UsageError.js"

/**
 * Decodes a flag that is not a baton setting (no env variable, no file key), e.g. the `sandbox`
 * command's `--port`; a bad value names the flag and what it accepts, and repeats the value up to
 * EchoedLength characters.
 */
export const decodeFlag = <A, I>(
  flag: string,
  schema: Schema.Schema<A, I>,
  accepted: string,
  value: Option.Option<string>
): Effect.Effect<Option.Option<A>, UsageError> =>
  Option.match(value, {
    onNone: () => Effect.succeedNone,
    onSome: (raw) =>
      Schema.decodeUnknown(schema)(raw).pipe(
        Effect.map(Option.some),
        Effect.mapError(() => new UsageError({ reason: `--${flag}: expected ${accepted}, got ${quotedEchoed(raw)}` }))
      )
  })
