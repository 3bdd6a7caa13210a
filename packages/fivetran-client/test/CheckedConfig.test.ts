import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Redacted } from "effect"
import { FivetranClient } from "../src/FivetranClient.js"
import { FivetranClientConfig } from "../src/FivetranClientConfig.js"

/**
 * A workspace app builds its client's config itself (FivetranClientConfig.make); the apps check
 * these numbers as settings, the client checked none: a timeout of 0 made every attempt time out
 * and NaN passed every comparison. The layer now refuses such a config as it is built, naming each.
 */
const built = (options: Partial<FivetranClientConfig>) =>
  Layer.build(FivetranClient.layer(FivetranClientConfig.make({
    apiKey: Redacted.make("key"),
    apiSecret: Redacted.make("secret"),
    baseUrl: "http://127.0.0.1:9",
    ...options
  }))).pipe(Effect.scoped, Effect.exit)

describe("a client config out of range", () => {
  it.live("is a defect naming every number out of range, and the secrets nowhere", () =>
    Effect.gen(function*() {
      const exit = yield* built({ requestTimeoutSeconds: 0, maxAttempts: 1.5, rateLimitReservePercent: Number.NaN })
      assert.isTrue(Exit.isFailure(exit))
      const defect = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
      assert.instanceOf(defect, Error)
      const message = (defect as Error).message
      assert.strictEqual(
        message,
        "FivetranClientConfig: requestTimeoutSeconds: Expected a positive number, actual 0; " +
          "maxAttempts: Expected an integer, actual 1.5; " +
          "rateLimitReservePercent: Expected a number between 0 and 100, actual NaN"
      )
      assert.notInclude(message, "secret")
    }))

  it.live("the defaults and the edges the apps allow build a client", () =>
    Effect.gen(function*() {
      assert.isTrue(Exit.isSuccess(yield* built({})))
      assert.isTrue(
        Exit.isSuccess(yield* built({ rateLimitReservePercent: 0, maxRateLimitWaitSeconds: 0, backoffBaseMillis: 0, maxAttempts: 1 }))
      )
      assert.isTrue(Exit.isSuccess(yield* built({ rateLimitReservePercent: 99 })))
    }))
})
