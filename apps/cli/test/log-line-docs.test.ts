import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { assertExit, logFields, runCli } from "./support/CliProcess.js"
import { connectionFlags, sandboxLayer } from "./support/Sandboxes.js"

/**
 * The CLI's JSON log lines as docs/deploy.md and apps/cli's README show them to whoever writes a log
 * alert for a CronJob: the failed sync's error line (every example of it, its fields and words), the
 * `sync complete` line's field names and the c1z writer's. Renamed or added fields (9dedc46, 1cd8ffa,
 * fc7bca4) left examples behind; these fail when a doc and the bundle part again.
 */

const root = join(import.meta.dirname, "..", "..", "..")
/** A doc's text with its line breaks as spaces: an inline example may be wrapped mid-message. */
const docText = (path: string) => readFileSync(join(root, path), "utf8").replace(/\n\s*/g, " ")
const deploy = docText("docs/deploy.md")
const cliReadme = docText("apps/cli/README.md")

/** Every inline `{"level":"error",...}` example of a doc, `"ts":…` read as any time. */
const errorLineExamples = (text: string) =>
  [...text.matchAll(/\{"level":"error",[^`]*?"exit_code":\d+\}/g)].map((match) =>
    JSON.parse(match[0].replace(/"ts":(…|\.\.\.|[\d.]+),/, "")) as Record<string, unknown>
  )

/** A shown message, "..." or "…" standing for any text. */
const messagePattern = (shown: string) =>
  new RegExp(`^${shown.split(/\.\.\.|…/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`)

/** The backticked names of the doc's text between `from` and `to`. */
const namesBetween = (text: string, from: string, to: string) => {
  const start = text.indexOf(from)
  const end = text.indexOf(to, start)
  assert.isTrue(start >= 0 && end > start, `${from} ... ${to} is in the doc`)
  return [...text.slice(start, end).matchAll(/`([a-z0-9_]+)`/g)].map((match) => match[1]!).sort()
}

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-cli-log-docs-" }))

describe("the docs' JSON log lines", () => {
  it.scopedLive("every failed-sync error line shown is the line of a sync whose secret Fivetran refuses", () =>
    Effect.gen(function*() {
      const examples = [...errorLineExamples(deploy), ...errorLineExamples(cliReadme)]
      assert.strictEqual(examples.length, 3, "docs/deploy.md shows it twice, apps/cli's README once")
      const dir = yield* tempDir
      const { flags } = yield* connectionFlags
      const result = yield* runCli([
        ...flags.slice(0, 4),
        "--api-secret",
        "not-the-secret-0123456789",
        "-f",
        `${dir}/out.c1z`,
        "--log-format",
        "json"
      ])
      assertExit(result, 1)
      const [line] = logFields(result.stderr).filter((fields) => fields["level"] === "error")
      const syncId = logFields(result.stderr)[0]?.["c1z_sync_id"]
      assert.match(String(syncId), /^[0-9A-Za-z]{27}$/)
      for (const { msg, ...shown } of examples) {
        const { msg: actual, ...fields } = line!
        // The sync's id is shown as "…", any id: it is the run's.
        assert.deepStrictEqual(fields, { ...shown, c1z_sync_id: shown["c1z_sync_id"] === "…" ? syncId : shown["c1z_sync_id"] })
        assert.match(String(actual), messagePattern(String(msg)))
      }
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)), { timeout: 60_000 })

  it.scopedLive("the `sync complete` line and the writer's line have the fields docs/deploy.md names", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const { flags } = yield* connectionFlags
      const result = yield* runCli([...flags, "-f", `${dir}/out.c1z`, "--log-format", "json"])
      assertExit(result, 0)
      const fieldsOf = (msg: string) => {
        const line = logFields(result.stderr).find((fields) => fields["msg"] === msg)
        assert.isDefined(line, msg)
        return Object.keys(line!).filter((key) => key !== "level" && key !== "msg").sort()
      }
      assert.deepStrictEqual(
        fieldsOf("sync complete"),
        namesBetween(deploy, "the line's fields are the file's values named in snake case", "), or the failure")
      )
      assert.deepStrictEqual(
        fieldsOf("wrote the sync file"),
        namesBetween(deploy, "line (both apps) names the sync id", "- **Requests**")
      )
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)), { timeout: 60_000 })
})
