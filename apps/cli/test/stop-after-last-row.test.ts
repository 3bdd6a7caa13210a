import { openC1z } from "@baton-fivetran/c1z"
import { Command, FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect, Exit, Scope, Stream } from "effect"
import { assertExit, cliCommand, logFields, runCli } from "./support/CliProcess.js"

/**
 * A stop signal once every row is written (a CronJob's pod deleted while the file is indexed and
 * compressed): the CLI threw the completed sync away, exit 130, the previous file kept, where the
 * rest took a fraction of a second and the HTTP service finishes its file. Now a first signal lets
 * the sync finish, said on a line of its own, exit 0; a second still stops it at once.
 *
 * The syncs read `baton-fivetran sandbox`'s medium preset over HTTP, one process for the file (a
 * sync only reads it). The signal is raised by the CLI process itself (a preloaded hook) as the
 * writer's debug line announcing the finish is written: at that moment every time, whatever the
 * machine's speed.
 */

/** The medium preset, seed 7: what its sync holds. */
const medium = { resources: 1107, entitlements: 727, grants: 6399 }

/** `baton-fivetran sandbox` on the medium preset: its URL and system key's flags. */
const startMediumSandbox = Effect.gen(function*() {
  const server = yield* Command.start(cliCommand(["sandbox", "--port", "0", "--preset", "medium", "--seed", "7"]))
  const lines = yield* server.stdout.pipe(
    Stream.decodeText(),
    Stream.splitLines,
    Stream.takeUntil((line) => line === "Stop with Ctrl-C."),
    Stream.runCollect
  )
  const url = Array.from(lines).flatMap((line) => line.match(/listening on (http:\/\/127\.0\.0\.1:\d+)$/)?.slice(1) ?? [])
  const key = Array.from(lines).flatMap((line) => line.match(/^ {2}system key .*--api-key (\S+) --api-secret (\S+)$/)?.slice(1) ?? [])
  assert.strictEqual(url.length, 1, Array.from(lines).join("\n"))
  assert.strictEqual(key.length, 2, Array.from(lines).join("\n"))
  return ["--base-url", url[0]!, "--api-key", key[0]!, "--api-secret", key[1]!]
})

/** Stops the file's sandbox process once its tests are done. */
const sandboxScope = Effect.runSync(Scope.make())

/** The file's one medium sandbox: started once (beforeAll), the same flags to every test after. */
const mediumSandbox = startMediumSandbox.pipe(
  Scope.extend(sandboxScope),
  Effect.provide(NodeContext.layer),
  Effect.cached,
  Effect.runSync
)

/**
 * A preload that raises `signals[0]` in the CLI's process as the writer says every row is written,
 * and each next one as the line of the one before is out (`after`: texts that start those lines).
 */
const signalsHook = (signals: ReadonlyArray<"SIGINT" | "SIGTERM">, after: ReadonlyArray<string>) =>
  [
    "const write = process.stderr.write",
    `const signals = ${JSON.stringify(signals)}`,
    `const after = ${JSON.stringify(["every row is written", ...after])}`,
    "let next = 0",
    "process.stderr.write = function (chunk, ...rest) {",
    "  const result = write.call(this, chunk, ...rest)",
    "  if (next < signals.length && String(chunk).includes(after[next])) process.kill(process.pid, signals[next++])",
    "  return result",
    "}"
  ].join("\n")

/**
 * signalsHook's SIGINT as every row is written, then a SIGTERM as the finished .c1z is renamed over
 * --file: as the rename is asked for (`issued`, the rename still under way when the signal is
 * handled) or once it is done (`done`).
 */
const renameHook = (when: "issued" | "done") =>
  [
    signalsHook(["SIGINT"], []),
    "const fsPromises = require('node:fs/promises')",
    "const rename = fsPromises.rename",
    "fsPromises.rename = function (from, to) {",
    "  if (!String(to).endsWith('.c1z')) return rename.call(this, from, to)",
    `  if (${JSON.stringify(when)} === 'issued') process.kill(process.pid, 'SIGTERM')`,
    "  return rename.call(this, from, to).then((result) => {",
    `    if (${JSON.stringify(when)} === 'done') process.kill(process.pid, 'SIGTERM')`,
    "    return result",
    "  })",
    "}"
  ].join("\n")

/** Rows per table of the .c1z at `path`, read back through the c1z reader, and its sync's id. */
const readBack = (path: string) =>
  Effect.scoped(Effect.gen(function*() {
    const reader = yield* openC1z(path)
    return {
      syncId: reader.syncRun.syncId,
      resources: yield* Stream.runCount(reader.resources()),
      entitlements: yield* Stream.runCount(reader.entitlements()),
      grants: yield* Stream.runCount(reader.grants())
    }
  }))

const previous = new Uint8Array([0x43, 0x31, 0x5a, 0x46, 0x00, 1, 2, 3, 4, 5])

/**
 * A sync of the medium sandbox over a previous file in `<dir>/out/sync.c1z`, with `hook` preloaded,
 * a summary file and JSON logs at debug; it must exit 0 (each signal it raises comes once every
 * row is written).
 */
const syncWithHook = (hook: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-cli-stop-after-rows-" })
    const connection = yield* mediumSandbox
    yield* fs.writeFileString(`${dir}/hook.cjs`, hook)
    yield* fs.makeDirectory(`${dir}/out`)
    yield* fs.writeFile(`${dir}/out/sync.c1z`, previous)
    const result = yield* runCli(
      [
        ...connection,
        "-f",
        `${dir}/out/sync.c1z`,
        "--summary-file",
        `${dir}/out/summary.json`,
        "--log-format",
        "json",
        "--log-level",
        "debug"
      ],
      { env: { NODE_OPTIONS: `--require ${dir}/hook.cjs` } }
    )
    assertExit(result, 0)
    return { dir, result }
  })

describe("a stop signal after the sync's last row", () => {
  beforeAll(() => Effect.runPromise(mediumSandbox), 120_000)
  afterAll(() => Effect.runPromise(Scope.close(sandboxScope, Exit.void)))

  it.scopedLive(
    "SIGTERM as the file is being finished: the sync finishes, a line says why, exit 0, the new file complete",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const { dir, result } = yield* syncWithHook(signalsHook(["SIGTERM"], []))
        const lines = logFields(result.stderr).filter((line) => line["level"] !== "debug")
        const held = lines.findIndex((line) => line["msg"] === "stop signal after the last row was written: finishing the sync file")
        const wrote = lines.findIndex((line) => line["msg"] === "wrote the sync file")
        assert.deepStrictEqual(lines[held], {
          level: "info",
          msg: "stop signal after the last row was written: finishing the sync file",
          c1z_sync_id: lines[wrote]!["c1z_sync_id"],
          file: `${dir}/out/sync.c1z`,
          signal: "SIGTERM"
        })
        const complete = lines.findIndex((line) => line["msg"] === "sync complete")
        // Said as the signal came, before the file was in place; the summary after it.
        assert.isTrue(held >= 0 && held < wrote && wrote < complete, result.stderr)
        assert.deepStrictEqual(
          [lines[wrote]!["resources"], lines[wrote]!["entitlements"], lines[wrote]!["grants"]],
          [medium.resources, medium.entitlements, medium.grants]
        )
        assert.isFalse(lines.some((line) => String(line["msg"]).startsWith("interrupted")), result.stderr)

        const file = yield* readBack(`${dir}/out/sync.c1z`)
        assert.deepStrictEqual(file, { syncId: lines[wrote]!["c1z_sync_id"], ...medium })
        const summary = JSON.parse(yield* fs.readFileString(`${dir}/out/summary.json`)) as Record<string, unknown>
        assert.deepStrictEqual([summary["entitlements"], summary["file"]], [medium.entitlements, `${dir}/out/sync.c1z`])
        assert.deepStrictEqual((yield* fs.readDirectory(`${dir}/out`)).sort(), ["summary.json", "sync.c1z"])
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scopedLive(
    "a second signal once the first is said stops it at once: 130, the previous file byte-identical, no scratch file",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-cli-stop-after-rows-" })
        const connection = yield* mediumSandbox
        yield* fs.writeFileString(`${dir}/hook.cjs`, signalsHook(["SIGINT", "SIGTERM"], ["SIGINT came after the last row"]))
        yield* fs.makeDirectory(`${dir}/out`)
        yield* fs.writeFile(`${dir}/out/sync.c1z`, previous)
        const result = yield* runCli(
          [...connection, "-f", `${dir}/out/sync.c1z`, "--log-level", "debug"],
          { cwd: dir, env: { NODE_OPTIONS: `--require ${dir}/hook.cjs` } }
        )
        assertExit(result, 130)
        const said = result.stderr.split("\n").filter((line) => !/^\d\d:\d\d:\d\d\.\d{3}Z DEBUG /.test(line))
        assert.deepStrictEqual(said.slice(-3), [
          `SIGINT came after the last row was written: finishing ${dir}/out/sync.c1z (a second signal stops at once)`,
          `interrupted: ${dir}/out/sync.c1z was left as it was`,
          ""
        ])
        assert.isFalse(said.some((line) => line.startsWith("sync complete")), result.stderr)
        assert.deepStrictEqual(yield* fs.readFile(`${dir}/out/sync.c1z`), previous)
        assert.deepStrictEqual(yield* fs.readDirectory(`${dir}/out`), ["sync.c1z"])
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  /**
   * A second signal once the new file is being renamed into place, or is there: the CLI said
   * `interrupted: <file> was left as it was` and exited 130 with the new file in place (or, during
   * the summary file's write, exited 130 saying nothing, the summary unwritten). The sync is
   * complete then: the signal is said and the sync finishes, exit 0.
   */
  const secondSignalOnceComplete = (hook: string) =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const { dir, result } = yield* syncWithHook(hook)
      const lines = logFields(result.stderr)
      const messages = lines.map((line) => line["msg"])
      const wrote = lines.find((line) => line["msg"] === "wrote the sync file")
      const file = yield* readBack(`${dir}/out/sync.c1z`)
      assert.deepStrictEqual(file, { syncId: wrote?.["c1z_sync_id"], ...medium })
      const summary = JSON.parse(yield* fs.readFileString(`${dir}/out/summary.json`)) as Record<string, unknown>
      assert.deepStrictEqual([summary["entitlements"], summary["file"]], [medium.entitlements, `${dir}/out/sync.c1z`])
      assert.deepStrictEqual((yield* fs.readDirectory(`${dir}/out`)).sort(), ["summary.json", "sync.c1z"])
      assert.deepStrictEqual(
        lines.find((line) => line["msg"] === "stop signal once the sync was complete: finishing its summary"),
        {
          level: "info",
          msg: "stop signal once the sync was complete: finishing its summary",
          c1z_sync_id: wrote?.["c1z_sync_id"],
          file: `${dir}/out/sync.c1z`,
          signal: "SIGTERM"
        }
      )
      assert.isFalse(messages.some((msg) => String(msg).startsWith("interrupted")), result.stderr)
      // What was said of the signals, in order with the file's and the summary's lines.
      return messages.filter((msg) => String(msg).startsWith("stop signal") || msg === "wrote the sync file" || msg === "sync complete")
    }).pipe(Effect.provide(NodeContext.layer))

  for (
    const [when, title] of [
      ["issued", "as the new file is renamed into place: said once it is there"],
      ["done", "once the new file is in place: said"]
    ] as const
  ) {
    it.scopedLive(
      `a second signal ${title}, the sync finishes, exit 0`,
      () =>
        Effect.map(secondSignalOnceComplete(renameHook(when)), (said) =>
          assert.deepStrictEqual(said, [
            "stop signal after the last row was written: finishing the sync file",
            "wrote the sync file",
            "stop signal once the sync was complete: finishing its summary",
            "sync complete"
          ])),
      120_000
    )
  }

  it.scopedLive(
    "a second signal as the summary is written: said, the summary file written, exit 0",
    () =>
      Effect.map(
        secondSignalOnceComplete(signalsHook(["SIGINT", "SIGTERM"], ["\"msg\":\"sync complete\""])),
        (said) =>
          assert.deepStrictEqual(said, [
            "stop signal after the last row was written: finishing the sync file",
            "wrote the sync file",
            "sync complete",
            "stop signal once the sync was complete: finishing its summary"
          ])
      ),
    120_000
  )
})
