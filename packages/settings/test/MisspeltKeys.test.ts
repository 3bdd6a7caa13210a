import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { BatonSettings, misspeltKeys } from "../src/index.js"

const file = (content: Record<string, unknown>) => ({ label: ".baton.yaml", values: content, written: {} })

describe(".baton.yaml keys", () => {
  it.live("a key an edit or two from a setting's is named with the key it probably meant; others are left alone", () =>
    Effect.gen(function*() {
      const keys = yield* misspeltKeys(
        file({
          "sync-conections": true,
          "API-KEY": "k",
          "concurency": 4,
          "base-url": "https://api.fivetran.com",
          // Another app's keys (one file may serve both) and unrelated ones: not typos of these settings.
          "port": 8080,
          "data-dir": "/data",
          "notes": "hello"
        }),
        BatonSettings.SharedFlags
      )
      assert.deepStrictEqual(keys, [
        { key: "API-KEY", meant: "api-key" },
        { key: "concurency", meant: "concurrency" },
        { key: "sync-conections", meant: "sync-connections" }
      ])
    }))
})
