import { openC1z } from "@baton-fivetran/c1z"
import { resourceRef } from "@baton-fivetran/connector-core"
import { generatePreset } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { assert, layer } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { repackEdited } from "../../../packages/c1z/test/RepackedFile.js"
import { resourceSearch } from "../src/ResourceSearch.js"
import { harness, Harness, runSync, TestToken } from "./Harness.js"

/**
 * A search reads a resource row's id and blob before it decodes it (ResourceSearch's `mayMatch`),
 * and passes over the rows that cannot match: decoding every row made a search that matches little
 * cost ~0.3 s on a `large` account. It must never pass over one the search matches: checked here
 * on every row of a `medium` sync, the blobs as the service's .c1z holds them, for needles cut from
 * the names, emails and ids, and for the two characters whose lower case is ASCII (İ, the Kelvin sign).
 */

const medium = generatePreset("medium")
const snapshot = {
  ...medium,
  users: medium.users.map((user, index) =>
    index === 0 ? { ...user, given_name: "\u0130lker" } : index === 1 ? { ...user, family_name: "\u212Aelvin" } : user
  )
}

layer(harness({ snapshot }), { excludeTestServices: true, timeout: 120_000 })("a search's pre-filter", (it) => {
  it.effect("passes over no row the search matches, and over every row a needle found nowhere cannot match", () =>
    Effect.gen(function*() {
      const { dataDir, request } = yield* Harness
      const fs = yield* FileSystem.FileSystem
      const job = yield* runSync
      const file = `${dataDir}/${job.id}.c1z`
      const copy = `${yield* fs.makeTempDirectoryScoped()}/copy.c1z`
      const rows = repackEdited(
        file,
        copy,
        (db) => db.prepare("SELECT external_id, data FROM v1_resources").all() as ReadonlyArray<{ external_id: string; data: unknown }>
      )
      const resources = new Map(
        Chunk.toReadonlyArray(
          yield* Effect.scoped(
            Effect.flatMap(Effect.orDie(openC1z(file)), (reader) => Effect.orDie(Stream.runCollect(reader.sorted.resources())))
          )
        ).map((row) => [row.key, row.value])
      )
      assert.strictEqual(resources.size, rows.length)
      const texts = Array.from(resources.values()).flatMap((resource) =>
        [resourceRef(resource), resource.displayName ?? ""].map((text) => text.toLowerCase())
      )
      const cut = texts.flatMap((text, i) => i % 7 === 0 ? [text.slice(0, 3), text.slice(2, 9), text.slice(-4)] : [])
      const needles = [...cut, "i", "k", "kelvin", "ilker", "@", ".com", "user:", "team:", "zz-no-such-name", "ä"]
        .filter((needle) => needle.trim() !== "")
      const missed: Array<string> = []
      for (const needle of new Set(needles)) {
        const search = resourceSearch(needle)!
        for (const row of rows) {
          if (search.matches(resources.get(row.external_id)!) && !search.mayMatch(row.external_id, row.data)) {
            missed.push(`${needle} ${row.external_id}`)
          }
        }
      }
      assert.deepStrictEqual(missed, [])
      assert.isAbove(new Set(needles).size, 300)
      // A needle found nowhere decodes almost no row (each was decoded before): those holding İ or the
      // Kelvin sign, and the few whose binary fields happen to hold the same bytes.
      const nowhere = resourceSearch("zz-no-such-name")!
      const decoded = rows.filter((row) => nowhere.mayMatch(row.external_id, row.data)).map((row) => row.external_id)
      assert.includeMembers(decoded, snapshot.users.slice(0, 2).map((user) => `user:${user.id}`))
      assert.isAtMost(decoded.length, rows.length / 100, decoded.join(", "))
      // The Kelvin sign lower-cases to "k": its user is found by "kelvin" (decoded, then matched).
      const kelvin = yield* request("GET", "/v1/principals?q=kelvin", { token: TestToken })
      const found = (yield* Effect.orDie(kelvin.json)) as { readonly items: ReadonlyArray<{ readonly id: string }> }
      assert.deepStrictEqual(found.items.map((item) => item.id), [`user:${snapshot.users[1]!.id}`])
    }).pipe(Effect.scoped, Effect.orDie))
})
