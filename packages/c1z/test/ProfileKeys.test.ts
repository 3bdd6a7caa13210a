import type { Profile, Resource } from "@baton-fivetran/connector-core"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { join } from "node:path"
import { openC1z, writeC1z } from "../src/index.js"
import * as F from "./fixtures.js"
import { tempDir } from "./TempDir.js"

describe("profile keys", () => {
  it.scopedLive("a \"__proto__\" key reads back as an ordinary own property, beside the usual ones", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const path = join(dir, "sync.c1z")
      const profile = JSON.parse(`{"__proto__": {"polluted": true}, "name": "x", "n": 1}`) as Profile
      const resource: Resource = { ...F.warehouse, profile }
      yield* writeC1z(path, Stream.make({ _tag: "ResourceRow" as const, value: resource }))
      const reader = yield* openC1z(path)
      const read = Chunk.toArray(yield* Stream.runCollect(reader.resources()))[0]!.value.profile!
      assert.deepStrictEqual(Object.keys(read).sort(), ["__proto__", "n", "name"])
      assert.strictEqual(Object.getPrototypeOf(read), Object.prototype)
      assert.deepStrictEqual(Object.getOwnPropertyDescriptor(read, "__proto__")?.value, { polluted: true })
      assert.strictEqual(read["name"], "x")
      assert.isUndefined(({} as Record<string, unknown>)["polluted"])
    }))
})
