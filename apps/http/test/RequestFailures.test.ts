import { assert, describe, it } from "@effect/vitest"
import { InvalidRequest } from "@baton-fivetran/http-api"
import { HttpApiError } from "@effect/platform"
import { Effect, Schema } from "effect"
import { invalidRequestOf } from "../src/RequestFailures.js"

/** The 400 of a real decode failure, as the server builds it from the platform's HttpApiDecodeError. */
const invalidRequestFor = <A, I>(schema: Schema.Schema<A, I>, input: unknown) =>
  Schema.decodeUnknown(schema)(input).pipe(
    Effect.flip,
    Effect.flatMap(HttpApiError.HttpApiDecodeError.fromParseError),
    Effect.map(invalidRequestOf)
  )

describe("decode failures as InvalidRequest", () => {
  it.live("a schema's identifier or description is never shown as the type it expected", () =>
    Effect.gen(function*() {
      const Described = Schema.String.pipe(Schema.pattern(/^x$/), Schema.annotations({ description: "The older sync" }))
      const Identified = Schema.String.annotations({ identifier: "ResourceType" })
      assert.deepStrictEqual(
        yield* invalidRequestFor(Schema.Struct({ base: Described, type: Schema.optional(Identified) }), { base: "y" }),
        new InvalidRequest({ field: "base", message: "base: expected a different value, got \"y\"" })
      )
      assert.deepStrictEqual(
        yield* invalidRequestFor(Schema.Struct({ type: Schema.optional(Identified) }), { type: ["a", "b"] }),
        new InvalidRequest({ field: "type", message: "type: expected a different value, got [\"a\",\"b\"]" })
      )
    }))

  it.live("a keyword is said in plain words; a literal is shown as it is", () =>
    Effect.gen(function*() {
      const Body = Schema.Struct({ id: Schema.String, count: Schema.Number, on: Schema.Boolean, type: Schema.Literal("user", "team") })
      assert.deepStrictEqual(
        yield* invalidRequestFor(Body, { id: 5, count: 1, on: true, type: "user" }),
        new InvalidRequest({ field: "id", message: "id: expected a string, got 5" })
      )
      assert.deepStrictEqual(
        yield* invalidRequestFor(Body, { id: "a", count: "1", on: true, type: "user" }),
        new InvalidRequest({ field: "count", message: "count: expected a number, got \"1\"" })
      )
      assert.deepStrictEqual(
        yield* invalidRequestFor(Body, { id: "a", count: 1, on: 1, type: "user" }),
        new InvalidRequest({ field: "on", message: "on: expected true or false, got 1" })
      )
      assert.deepStrictEqual(
        yield* invalidRequestFor(Body, { id: "a", count: 1, on: true, type: "robot" }),
        new InvalidRequest({ field: "type", message: "type: expected \"user\" or \"team\", got \"robot\"" })
      )
    }))
})
