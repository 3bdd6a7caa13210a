import { quotedEchoed } from "@baton-fivetran/fivetran-client/echoed-text"
import { Effect, Option, Schema } from "effect"
import { commandFlag, commandOptions, decodeCommandFlag } from "./CommandFlag.js"
import type { FaultOptions } from "./http/Faults.js"
import { DEFAULT_HOURLY_LIMIT, DEFAULT_RATE_WINDOW_SECONDS } from "./RateLimitDefaults.js"
import { UsageError } from "./UsageError.js"

/**
 * The sandbox layer's faults and rate limit as flags, declared once for both commands that serve a
 * sandbox (`fivetran-sandbox` and `baton-fivetran sandbox`): they take the same flags and refuse the
 * same values in the same words. baton-fivetran reads this at start-up, so it imports nothing of
 * the server (its own export, `@baton-fivetran/fivetran-sandbox/traffic-flags`).
 */

const Share = Schema.NumberFromString.pipe(Schema.between(0, 1))
const Seed = Schema.NumberFromString.pipe(Schema.int())
const Count = Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative())
const Millis = Schema.NumberFromString.pipe(Schema.int(), Schema.between(0, 600_000))
const PieceBytes = Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 1_048_576))
const HourlyLimit = Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 10_000_000))
const WindowSeconds = Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 86_400))
const ServerErrorStatus = Schema.compose(Schema.NumberFromString, Schema.Literal(500, 502, 503))
const Method = Schema.Literal("GET", "POST", "PATCH", "DELETE")

/** `20` or `10-50`. */
const Latency = Schema.Union(
  Schema.TemplateLiteralParser(Millis).pipe(
    Schema.transform(Schema.Struct({ minMillis: Schema.Number, maxMillis: Schema.Number }), {
      strict: true,
      decode: ([millis]) => ({ minMillis: millis, maxMillis: millis }),
      encode: ({ minMillis }) => [minMillis] as const
    })
  ),
  Schema.TemplateLiteralParser(Millis, "-", Millis).pipe(
    Schema.transform(Schema.Struct({ minMillis: Schema.Number, maxMillis: Schema.Number }), {
      strict: true,
      decode: ([minMillis, , maxMillis]) => ({ minMillis, maxMillis }),
      encode: ({ maxMillis, minMillis }) => [minMillis, "-", maxMillis] as const
    }),
    Schema.filter(({ maxMillis, minMillis }) => minMillis <= maxMillis)
  )
)

/** `N` or `N:SECONDS`. */
const Burst = Schema.Union(
  Schema.TemplateLiteralParser(Count).pipe(
    Schema.transform(Schema.Struct({ requests: Schema.Number, retryAfterSeconds: Schema.Number }), {
      strict: true,
      decode: ([requests]) => ({ requests, retryAfterSeconds: 1 }),
      encode: ({ requests }) => [requests] as const
    })
  ),
  Schema.TemplateLiteralParser(Count, ":", Count).pipe(
    Schema.transform(Schema.Struct({ requests: Schema.Number, retryAfterSeconds: Schema.Number }), {
      strict: true,
      decode: ([requests, , retryAfterSeconds]) => ({ requests, retryAfterSeconds }),
      encode: ({ requests, retryAfterSeconds }) => [requests, ":", retryAfterSeconds] as const
    })
  )
)

const FailAfterActingStruct = Schema.Struct({ requests: Schema.Number, status: Schema.optional(Schema.Literal(500, 502, 503)) })

/** `N` or `N:STATUS`. */
const FailAfterActing = Schema.Union(
  Schema.TemplateLiteralParser(Count).pipe(
    Schema.transform(FailAfterActingStruct, {
      strict: true,
      decode: ([requests]) => ({ requests }),
      encode: ({ requests }) => [requests] as const
    })
  ),
  Schema.TemplateLiteralParser(Count, ":", ServerErrorStatus).pipe(
    Schema.transform(FailAfterActingStruct, {
      strict: true,
      decode: ([requests, , status]) => ({ requests, status }),
      encode: ({ requests, status }) => [requests, ":", status ?? 503] as const
    })
  )
)

/** `BYTES:MILLIS`. */
const SlowBodyPieces = Schema.TemplateLiteralParser(PieceBytes, ":", Millis).pipe(
  Schema.transform(Schema.Struct({ chunkBytes: Schema.Number, chunkDelayMillis: Schema.Number }), {
    strict: true,
    decode: ([chunkBytes, , chunkDelayMillis]) => ({ chunkBytes, chunkDelayMillis }),
    encode: ({ chunkBytes, chunkDelayMillis }) => [chunkBytes, ":", chunkDelayMillis] as const
  })
)

/** `A,B,...`: one or more. */
const commaList = <A, I extends string>(item: Schema.Schema<A, I>) => Schema.compose(Schema.split(","), Schema.NonEmptyArray(item))

const DefaultSlowBodyPieces = { chunkBytes: 64, chunkDelayMillis: 10 }

const share = (name: string, description: string) => commandFlag(name, "share", Share, "a share from 0 to 1", description)

export const trafficFlags = {
  latency: commandFlag(
    "latency",
    "millis",
    Latency,
    "milliseconds, e.g. 20 or 10-50",
    "Answer each request this many milliseconds after it arrived, or MIN-MAX drawn per request. Default: 0."
  ),
  faultSeed: commandFlag(
    "fault-seed",
    "n",
    Seed,
    "a whole number",
    "Seed of the fault draws: the same seed and requests give the same faults. Default: 1."
  ),
  serverErrors: share("server-errors", "Answer this share of requests with a 5xx (--server-error-statuses), without acting on them."),
  serverErrorStatuses: commandFlag(
    "server-error-statuses",
    "status,...",
    commaList(ServerErrorStatus),
    "a comma-separated list of 500, 502 and 503, e.g. 502,503",
    "The statuses --server-errors answers with, drawn per request. Default: 500,502,503."
  ),
  drops: share("drops", "Close this share of connections without an answer, without acting on them."),
  malformed: share("malformed", "Send this share of answers' bodies as invalid JSON."),
  truncated: share("truncated", "Cut this share of answers' bodies in half."),
  slowBodies: share("slow-bodies", "Send this share of answers' bodies in pieces with a pause between them (--slow-body-pieces)."),
  slowBodyPieces: commandFlag(
    "slow-body-pieces",
    "bytes:millis",
    SlowBodyPieces,
    "bytes from 1 to 1048576, ':' and milliseconds from 0 to 600000, e.g. 64:10",
    "The size of --slow-bodies' pieces and the pause between them. Default: 64:10."
  ),
  rateLimitBurst: commandFlag(
    "rate-limit-burst",
    "n[:seconds]",
    Burst,
    "a request count, optionally :seconds",
    "Answer the first N requests with 429 and this Retry-After (default 1 s)."
  ),
  lostAnswers: commandFlag(
    "lost-answers",
    "n",
    Count,
    "a request count",
    "Act on the first N requests, then close their connections without an answer: the change made, its answer lost."
  ),
  failAfterActing: commandFlag(
    "fail-after-acting",
    "n[:status]",
    FailAfterActing,
    "a request count, optionally :500, :502 or :503",
    "Act on the first N requests, then answer them with this 5xx (default 503): the change made, a failure reported."
  ),
  faultMethods: commandFlag(
    "fault-methods",
    "method,...",
    commaList(Method),
    "a comma-separated list of GET, POST, PATCH and DELETE, e.g. POST,PATCH",
    "The faults (not --latency) strike only requests of these methods; the others are answered as usual. Default: every method."
  ),
  hourlyLimit: commandFlag(
    "hourly-limit",
    "n",
    HourlyLimit,
    "a whole number from 1 to 10000000",
    `Requests allowed per rolling window. Default: ${DEFAULT_HOURLY_LIMIT} (Fivetran's).`
  ),
  rateWindowSeconds: commandFlag(
    "rate-window-seconds",
    "s",
    WindowSeconds,
    "whole seconds from 1 to 86400",
    `Length of that window; a short one shows rate limiting in seconds. Default: ${DEFAULT_RATE_WINDOW_SECONDS}.`
  )
}

type TrafficFlag = keyof typeof trafficFlags

/** The flags' @effect/cli options, each read as text (`decodeTrafficFlags` checks them). */
export const trafficOptions = commandOptions(trafficFlags)

export type TrafficFlagValues = { readonly [K in TrafficFlag]: Option.Option<string> }

export interface RateLimitOptions {
  readonly hourly?: number
  readonly windowSeconds?: number
}

/** What the flags ask of the sandbox layer: its faults and its rate limit (each empty unless given). */
export interface Traffic {
  readonly faults: FaultOptions
  readonly rateLimit: RateLimitOptions
}

/** The key with the value when given, else nothing: FaultOptions' fields are optional, not undefined. */
const given = <K extends string, A>(key: K, value: Option.Option<A>) =>
  Option.match(value, { onNone: () => ({}), onSome: (v) => ({ [key]: v }) as { readonly [P in K]: A } })

/**
 * A list flag's items, each once: `--fault-methods POST,POST` would be taken as POST and hide a
 * slip (e.g. POST,POST for POST,PATCH), so a repeat is refused naming it.
 */
const listedOnce = <A extends string | number>(
  flag: { readonly name: string },
  value: Option.Option<string>,
  items: Option.Option<ReadonlyArray<A>>
): Effect.Effect<void, UsageError> =>
  Option.match(
    Option.flatMap(Option.zipWith(value, items, (text, list) => [text, list] as const), ([text, list]) =>
      Option.map(Option.fromNullable(list.find((item, i) => list.indexOf(item) !== i)), (item) => [text, item] as const)),
    {
      onNone: () =>
        Effect.void,
      onSome: ([text, item]) =>
        Effect.fail(new UsageError({ reason: `--${flag.name}: ${item} is listed twice in ${quotedEchoed(text)}; list each once` }))
    }
  )

export const decodeTrafficFlags = (values: TrafficFlagValues): Effect.Effect<Traffic, UsageError> =>
  Effect.gen(function*() {
    const flags = yield* Effect.all({
      latency: decodeCommandFlag(trafficFlags.latency, values.latency),
      seed: decodeCommandFlag(trafficFlags.faultSeed, values.faultSeed),
      serverErrorShare: decodeCommandFlag(trafficFlags.serverErrors, values.serverErrors),
      serverErrorStatuses: decodeCommandFlag(trafficFlags.serverErrorStatuses, values.serverErrorStatuses),
      dropShare: decodeCommandFlag(trafficFlags.drops, values.drops),
      malformedShare: decodeCommandFlag(trafficFlags.malformed, values.malformed),
      truncatedShare: decodeCommandFlag(trafficFlags.truncated, values.truncated),
      slowShare: decodeCommandFlag(trafficFlags.slowBodies, values.slowBodies),
      slowBodyPieces: decodeCommandFlag(trafficFlags.slowBodyPieces, values.slowBodyPieces),
      rateLimitBurst: decodeCommandFlag(trafficFlags.rateLimitBurst, values.rateLimitBurst),
      lostAnswers: decodeCommandFlag(trafficFlags.lostAnswers, values.lostAnswers),
      failAfterActing: decodeCommandFlag(trafficFlags.failAfterActing, values.failAfterActing),
      methods: decodeCommandFlag(trafficFlags.faultMethods, values.faultMethods),
      hourly: decodeCommandFlag(trafficFlags.hourlyLimit, values.hourlyLimit),
      windowSeconds: decodeCommandFlag(trafficFlags.rateWindowSeconds, values.rateWindowSeconds)
    })
    yield* listedOnce(trafficFlags.serverErrorStatuses, values.serverErrorStatuses, flags.serverErrorStatuses)
    yield* listedOnce(trafficFlags.faultMethods, values.faultMethods, flags.methods)
    // Either alone would be taken and do nothing.
    if (Option.isSome(flags.serverErrorStatuses) && Option.isNone(flags.serverErrorShare)) {
      return yield* new UsageError({
        reason: "--server-error-statuses picks the statuses of --server-errors: give --server-errors SHARE too"
      })
    }
    if (Option.isSome(flags.slowBodyPieces) && Option.isNone(flags.slowShare)) {
      return yield* new UsageError({
        reason: "--slow-body-pieces shapes the bodies --slow-bodies slows: give --slow-bodies SHARE too"
      })
    }
    const slowBody = Option.map(flags.slowShare, (share) => ({
      share,
      ...Option.getOrElse(flags.slowBodyPieces, () => DefaultSlowBodyPieces)
    }))
    return {
      faults: {
        ...given("latency", flags.latency),
        ...given("seed", flags.seed),
        ...given("serverErrorShare", flags.serverErrorShare),
        ...given("serverErrorStatuses", flags.serverErrorStatuses),
        ...given("dropShare", flags.dropShare),
        ...given("malformedShare", flags.malformedShare),
        ...given("truncatedShare", flags.truncatedShare),
        ...given("slowBody", slowBody),
        ...given("rateLimitBurst", flags.rateLimitBurst),
        ...given("lostAnswers", Option.map(flags.lostAnswers, (requests) => ({ requests }))),
        ...given("failAfterActing", flags.failAfterActing),
        ...given("methods", flags.methods)
      },
      rateLimit: { ...given("hourly", flags.hourly), ...given("windowSeconds", flags.windowSeconds) }
    }
  })

const percent = (share: number) => `${Math.round(share * 10_000) / 100}%`

/** `A`, `A or B`, `A, B or C`. */
const either = (items: ReadonlyArray<string | number>) =>
  items.length === 1 ? `${items[0]}` : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`

/** The line of a setting given, or none. */
const lineOf = <A>(setting: A | undefined, line: (setting: A) => string): ReadonlyArray<string> =>
  setting === undefined ? [] : [line(setting)]

/**
 * The faults a banner names, a line a setting: what it does, to which share or how many of which
 * requests, answered with which status; none if every one is off.
 */
export const faultLines = (faults: FaultOptions): ReadonlyArray<string> => {
  const method = faults.methods === undefined ? "" : `${either(faults.methods)} `
  const requests = `${method}requests`
  const first = (count: number) => count === 1 ? `the first ${method}request` : `the first ${count} ${requests}`
  return [
    ...lineOf(faults.latency, ({ maxMillis, minMillis }) =>
      minMillis === maxMillis
        ? `latency: ${minMillis} ms before every answer, whatever the method`
        : `latency: ${minMillis}-${maxMillis} ms before every answer, drawn per request, whatever the method`),
    ...lineOf(
      faults.serverErrorShare,
      (share) =>
        `server errors: ${percent(share)} of ${requests} answered ${either(faults.serverErrorStatuses ?? [500, 502, 503])}, ` +
        "not acted on"
    ),
    ...lineOf(faults.dropShare, (share) => `drops: ${percent(share)} of ${requests} closed without an answer, not acted on`),
    ...lineOf(faults.malformedShare, (share) => `malformed: ${percent(share)} of ${requests} answered with invalid JSON`),
    ...lineOf(faults.truncatedShare, (share) => `truncated: ${percent(share)} of ${requests} answered with the body cut in half`),
    ...lineOf(
      faults.slowBody,
      ({ chunkBytes, chunkDelayMillis, share }) =>
        `slow bodies: ${percent(share)} of ${requests} answered in ${chunkBytes}-byte pieces, ${chunkDelayMillis} ms apart`
    ),
    ...lineOf(
      faults.rateLimitBurst,
      ({ requests: count, retryAfterSeconds }) => `rate-limit burst: ${first(count)} answered 429 with Retry-After: ${retryAfterSeconds}`
    ),
    ...lineOf(faults.lostAnswers, ({ requests: count }) => `lost answers: ${first(count)} acted on, then closed without an answer`),
    ...lineOf(
      faults.failAfterActing,
      ({ requests: count, status }) => `fail after acting: ${first(count)} acted on, then answered ${status ?? 503}`
    ),
    ...lineOf(faults.seed, (seed) => `fault seed: ${seed}`)
  ]
}

/** The rate limit a banner names, e.g. `50 requests per 30 s rolling window`; none if both are Fivetran's. */
export const rateLimitText = (rateLimit: RateLimitOptions): Option.Option<string> =>
  rateLimit.hourly === undefined && rateLimit.windowSeconds === undefined
    ? Option.none()
    : Option.some(
      `${rateLimit.hourly ?? DEFAULT_HOURLY_LIMIT} requests per ${rateLimit.windowSeconds ?? DEFAULT_RATE_WINDOW_SECONDS} s rolling window`
    )
