import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schedule } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { runServiceOnce } from "./ServiceProcess.js"

/**
 * The README's curl examples of reads, each shown with the answer it gets (`# {"sync_id":...}`), run
 * against the bundled service over the `small` sandbox with connections: each answer must be what
 * the comment shows, `...` standing for any text and a job id for any job id, so that an example
 * cannot drift from the service's answers.
 */

const readme = readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8")

interface ShownAnswer {
  readonly path: string
  readonly shown: string
}

const shownAnswers: ReadonlyArray<ShownAnswer> = readme
  .split("\n## Examples\n")[1]!
  .split("\n")
  .flatMap((line) => {
    const example = /^curl -s -H "\$AUTH" "?\$URL(\/[^"\s$]+)"?\s+# (?:with --sync-connections: )?((?:\{|\.\.\.).*)$/.exec(line)
    return example === null ? [] : [{ path: example[1]!, shown: example[2]! }]
  })

/** A shown answer as a pattern: `...` any text, the README's job id any job id. */
const answerPattern = (shown: string) =>
  new RegExp(
    `^${
      shown.split("...").map((part) =>
        part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\d{8}T\d{6}Z-[0-9a-f]{4}/g, "\\d{8}T\\d{6}Z-[0-9a-f]{4}")
      ).join(".*")
    }$`
  )

const Token = "token-of-the-readme-examples"

const call = (url: string, path: string, init: RequestInit = {}) =>
  Effect.promise(() => fetch(`${url}${path}`, { ...init, headers: { authorization: `Bearer ${Token}` } }).then((answer) => answer.text()))

describe("apps/http's README examples", () => {
  it("shows the answers of a search, a destination and a connection", () => {
    assert.deepStrictEqual(shownAnswers.map(({ path }) => path), [
      "/v1/principals?q=mensah",
      "/v1/resources/group/trusty_inlet",
      "/v1/resources/connection/flying_panther"
    ])
  })

  it.scopedLive(
    "each read answers what its comment shows, after a sync of the small sandbox with connections",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-readme-" })
        const answers: Array<string> = []
        const run = yield* runServiceOnce(
          ["--sandbox", "--sync-connections", "--port", "0", "--log-format", "json"],
          { cwd: dir, env: { BATON_HTTP_TOKENS: Token } },
          (url) =>
            Effect.gen(function*() {
              const { id } = JSON.parse(yield* call(url, "/v1/syncs", { method: "POST" })) as { id: string }
              yield* call(url, `/v1/syncs/${id}`).pipe(
                Effect.repeat({
                  schedule: Schedule.spaced("200 millis"),
                  until: (job) => (JSON.parse(job) as { status: string }).status === "succeeded"
                }),
                Effect.timeout("60 seconds"),
                Effect.orDie
              )
              for (const { path } of shownAnswers) answers.push(yield* call(url, path))
            })
        )
        assert.strictEqual(run.code, 0, run.stderr)
        shownAnswers.forEach(({ path, shown }, i) => assert.match(answers[i]!, answerPattern(shown), path))
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )
})
