import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Option } from "effect"
import { binarySize, FileTooLarge, readTextWithin } from "../src/BoundedFile.js"

describe("bounded file", () => {
  it.live("a file whose size is not known up front (/dev/zero, which never ends) is read up to the limit, then refused", () =>
    Effect.gen(function*() {
      const result = yield* Effect.either(readTextWithin("/dev/zero", 100_000, "a test file"))
      assert.deepStrictEqual(
        result,
        Either.left(new FileTooLarge({ path: "/dev/zero", size: Option.none(), limit: 100_000, what: "a test file" }))
      )
      assert.strictEqual(
        Either.getLeft(result).pipe(Option.map((error) => error.message), Option.getOrNull),
        "/dev/zero is over the limit of 100000 bytes (97.7 KiB) for a test file"
      )
    }).pipe(Effect.provide(NodeContext.layer)))

  it("sizes read as people read them", () => {
    assert.deepStrictEqual(
      [0, 1023, 1024, 1536, 1024 * 1024, 11_166_607, 48 * 1024 * 1024, 3 * 1024 ** 3].map(binarySize),
      ["0 bytes", "1023 bytes", "1 KiB", "1.5 KiB", "1 MiB", "10.6 MiB", "48 MiB", "3 GiB"]
    )
  })
})
