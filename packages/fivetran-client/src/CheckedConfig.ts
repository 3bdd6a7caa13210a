import { Effect, ParseResult, Schema } from "effect"
import type { FivetranClientConfig } from "./FivetranClientConfig.js"

/**
 * The numbers a working client needs. The apps check them as settings; a workspace app builds its
 * own config, where a timeout of 0 made every attempt time out and NaN compared false everywhere.
 */
const ClientNumbers = Schema.Struct({
  requestTimeoutSeconds: Schema.Number.pipe(Schema.finite(), Schema.positive()),
  maxAttempts: Schema.Int.pipe(Schema.positive()),
  maxBackoffSeconds: Schema.Number.pipe(Schema.finite(), Schema.nonNegative()),
  backoffBaseMillis: Schema.Number.pipe(Schema.finite(), Schema.nonNegative()),
  rateLimitReservePercent: Schema.Number.pipe(Schema.between(0, 100)),
  maxRateLimitWaitSeconds: Schema.Number.pipe(Schema.finite(), Schema.nonNegative())
})

/**
 * The config, if a client can work with it; otherwise a defect naming each number out of range
 * (a programming error of the app that built it, found as its layer is built, before any request).
 */
export const checkedConfig = (config: FivetranClientConfig): Effect.Effect<FivetranClientConfig> =>
  Schema.decodeUnknown(ClientNumbers, { errors: "all", onExcessProperty: "ignore" })(config).pipe(
    Effect.as(config),
    Effect.orDieWith((error) =>
      new Error(
        `FivetranClientConfig: ${
          ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")
        }`
      )
    )
  )
