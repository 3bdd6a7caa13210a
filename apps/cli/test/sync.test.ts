import { openC1z } from "@baton-fivetran/c1z"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { Command } from "@effect/platform"
import { addSystemKey, type Permission, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { lchown } from "node:fs/promises"
import { assertExit, assertNoSecret, cliCommand, jsonLines, logFields, runCli } from "./support/CliProcess.js"
import { countsIn } from "./support/ResourceCounts.js"
import { accountRoleCount, connectionFlags, firstRequestFrom, sandboxLayer, smallAccount } from "./support/Sandboxes.js"

const expectedCounts = {
  user: smallAccount.users.length,
  role: accountRoleCount(smallAccount),
  group: smallAccount.groups.length,
  team: smallAccount.teams.length
}

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-cli-" }))

/** Exclusion-group ids on the entitlements of a .c1z, read back through the c1z reader. */
const exclusionGroupsIn = (path: string) =>
  Effect.scoped(Effect.gen(function*() {
    const reader = yield* openC1z(path)
    return yield* reader.entitlements().pipe(
      Stream.runFold(new Set<string>(), (groups, row) => {
        for (const annotation of row.value.annotations) groups.add(annotation.exclusionGroupId)
        return groups
      })
    )
  }))

/**
 * A sync into `file` whose every answer takes 1.5 s, started and past its first request, so still
 * running. `watch` sees stderr as it grows (with the pid) until it answers "done".
 */
const slowSyncStarted = (file: string, watch: (seen: string, pid: number) => "done" | undefined) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox
    const { flags } = yield* connectionFlags
    yield* sandbox.setFaults({ latency: { minMillis: 1500, maxMillis: 1500 } })
    const child = yield* Command.start(cliCommand([...flags, "-f", file]))
    let seen = ""
    let done = false
    const stderr = yield* Effect.fork(child.stderr.pipe(
      Stream.decodeText(),
      Stream.tap((text) =>
        Effect.sync(() => {
          seen += text
          if (!done) done = watch(seen, child.pid) === "done"
        })
      ),
      Stream.mkString
    ))
    yield* firstRequestFrom(child)
    return { child, stderr }
  })

/** The small preset whose only system key lacks CONNECTOR:READ. */
const withoutConnector = (() => {
  const permissions: ReadonlyArray<Permission> = (["ACCOUNT", "USER", "ROLES", "TEAM", "DESTINATION"] as const)
    .map((resource_type) => ({ resource_type, access_level: "READ" as const }))
  const { credential, snapshot } = addSystemKey(smallAccount, permissions)
  return { ...snapshot, credentials: [credential] }
})()

/**
 * A sync over an existing file, sent `signal` once under way: it exits 130 and says so, the file is
 * byte-identical and no scratch file is left beside it.
 */
const interruptedSync = (signal: "SIGINT" | "SIGHUP") =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const dir = yield* tempDir
    const file = `${dir}/out.c1z`
    const previous = new Uint8Array([0x43, 0x31, 0x5a, 0x46, 0x00, 1, 2, 3, 4, 5])
    yield* fs.writeFile(file, previous)
    const { child, stderr } = yield* slowSyncStarted(file, () => undefined)
    yield* child.kill(signal)
    const exitCode = yield* child.exitCode
    const output = yield* Effect.flatten(stderr.await)
    assert.strictEqual(exitCode, 130, output)
    assert.include(output, `interrupted: ${file} was left as it was`)
    assert.deepStrictEqual(yield* fs.readFile(file), previous)
    assert.deepStrictEqual(yield* fs.readDirectory(dir), ["out.c1z"])
  }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer))

describe("sync", () => {
  it.scopedLive("a key without CONNECTOR:READ and --sync-connections: exit 0, and the skipped part is a warn line, not only in the summary", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const { flags } = yield* connectionFlags
      const result = yield* runCli([...flags, "-f", `${dir}/out.c1z`, "--sync-connections", "--log-format", "json"])
      assertExit(result, 0)
      const warning = "the API key lacks CONNECTOR:READ, needed to list connections; connections are not synced"
      const lines = jsonLines(result.stderr)
      assert.deepStrictEqual(
        lines.filter((line) => line.level === "warn").map((line) => [line.msg, line.warning_kind, line.warning_message]),
        [["sync warning", "missing_permission", warning]]
      )
      assert.deepStrictEqual(lines.find((line) => line.msg === "sync complete")?.warning_messages, [warning])
    }).pipe(Effect.provide(sandboxLayer(withoutConnector)), Effect.provide(NodeContext.layer)))

  it.scopedLive("writes a .c1z whose resources are exactly the sandbox's, and a JSON summary on stderr", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const { flags, key } = yield* connectionFlags
      const file = `${dir}/out.c1z`
      // Debug logs include every request: the secret must not be in them either. JSON logs are the
      // default when stderr is not a terminal (an empty variable is unset).
      const result = yield* runCli([...flags, "-f", file, "--log-level", "debug"], { env: { BATON_LOG_FORMAT: "" } })
      assertExit(result, 0)
      assertNoSecret(result, key.secret)
      assert.strictEqual(result.stdout, "")
      assert.deepStrictEqual(yield* countsIn(file), expectedCounts)
      const summary = jsonLines(result.stderr).find((line) => line.msg === "sync complete")
      assert.isDefined(summary)
      assert.strictEqual(summary!.file, file)
      assert.deepStrictEqual(summary!.resources_by_type, expectedCounts)
      assert.isTrue(jsonLines(result.stderr).some((line) => line.level === "debug"))
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("reads settings from .baton.yaml (sync-connections too) and BATON_* variables, a flag winning over both", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      const sandbox = yield* Sandbox
      const { key } = yield* connectionFlags
      yield* fs.writeFileString(
        `${dir}/.baton.yaml`,
        `base-url: ${sandbox.baseUrl}\napi-key: ${key.key}\nfile: from-yaml.c1z\nconcurrency: 2\nsync-connections: true\n`
      )
      const result = yield* runCli(["--file", "from-flag.c1z"], {
        cwd: dir,
        env: { BATON_API_SECRET: key.secret, BATON_FILE: "from-env.c1z", BATON_LOG_FORMAT: "console" }
      })
      assertExit(result, 0)
      assertNoSecret(result, key.secret)
      assert.deepStrictEqual((yield* fs.readDirectory(dir)).sort(), [".baton.yaml", "from-flag.c1z"])
      assert.deepStrictEqual(yield* countsIn(`${dir}/from-flag.c1z`), {
        ...expectedCounts,
        connection: smallAccount.connections.length
      })
      assert.include(result.stderr, "sync complete: from-flag.c1z")
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("--sandbox syncs an embedded sandbox with no credentials", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const result = yield* runCli(["--sandbox", "-f", `${dir}/demo.c1z`, "--log-format", "console"])
      assertExit(result, 0)
      assert.deepStrictEqual(yield* countsIn(`${dir}/demo.c1z`), expectedCounts)
      assert.match(result.stderr, /sync complete: .*demo\.c1z\n {2}resources {5}38 \(25 user, 6 role, 4 group, 3 team\)/)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a failed sync (wrong secret) exits 1, names the cause once and leaves the previous file as it was", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      const { flags } = yield* connectionFlags
      const file = `${dir}/out.c1z`
      yield* fs.writeFileString(file, "C1ZF\u0000the previous sync")
      const wrongSecret = "not-the-secret-0123456789"
      const result = yield* runCli([...flags.slice(0, 4), "--api-secret", wrongSecret, "-f", file, "--log-level", "debug"])
      assertExit(result, 1)
      assertNoSecret(result, wrongSecret)
      assert.match(result.stderr, /^error: .*(401|credential|key|secret)/im)
      // Once, even at debug: not again by each fiber the failure ended (Effect's "Fiber terminated" line).
      const [errorLine, ...more] = result.stderr.split("\n").filter((line) => line.startsWith("error: "))
      assert.deepStrictEqual(more, [])
      assert.strictEqual(result.stderr.split(errorLine!.slice("error: ".length)).length - 1, 1)
      assert.strictEqual(yield* fs.readFileString(file), "C1ZF\u0000the previous sync")
      assert.deepStrictEqual(yield* fs.readDirectory(dir), ["out.c1z"])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("--file naming a directory exits 2 before contacting Fivetran", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const sandbox = yield* Sandbox
      const { flags } = yield* connectionFlags
      const result = yield* runCli([...flags, "-f", dir])
      assertExit(result, 2)
      assert.include(
        result.stderr,
        `error: --file ${dir} is a directory, not a regular file: the sync writes a new file and renames it there`
      )
      assert.deepStrictEqual(yield* sandbox.requestLog, [])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("an existing --file that is not a .c1z (a report, a config file) exits 2 and is left as it was; an empty one is written", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      const sandbox = yield* Sandbox
      const { flags } = yield* connectionFlags
      yield* fs.writeFileString(`${dir}/notes.txt`, "important notes\n")
      yield* fs.writeFileString(`${dir}/empty.c1z`, "")
      const refused = yield* runCli([...flags, "-f", `${dir}/notes.txt`])
      assert.deepStrictEqual([refused.exitCode, refused.stdout, refused.stderr], [
        2,
        "",
        `error: --file ${dir}/notes.txt is not a .c1z sync file (it does not start with the header "C1ZF\\0"), and the ` +
        "sync would replace it: choose another path, or remove the file first if it is meant to go\n"
      ])
      assert.strictEqual(yield* fs.readFileString(`${dir}/notes.txt`), "important notes\n")
      assert.deepStrictEqual(yield* sandbox.requestLog, [])
      assertExit(yield* runCli([...flags, "-f", `${dir}/empty.c1z`]), 0)
      assert.deepStrictEqual(yield* countsIn(`${dir}/empty.c1z`), expectedCounts)
      assert.deepStrictEqual((yield* fs.readDirectory(dir)).sort(), ["empty.c1z", "notes.txt"])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("--file through a symbolic link writes the file it points to, the link kept; a dangling link's file is created", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      const { flags } = yield* connectionFlags
      yield* fs.makeDirectory(`${dir}/shared`)
      yield* fs.makeDirectory(`${dir}/app`)
      yield* fs.writeFileString(`${dir}/shared/sync.c1z`, "C1ZF\u0000the previous sync")
      yield* fs.symlink(`${dir}/shared/sync.c1z`, `${dir}/app/current.c1z`)
      // Relative, resolved against the link's directory, as the kernel does.
      yield* fs.symlink("../shared/new.c1z", `${dir}/app/next.c1z`)
      const [current, next] = yield* Effect.all([
        runCli([...flags, "-f", `${dir}/app/current.c1z`]),
        runCli([...flags, "-f", `${dir}/app/next.c1z`])
      ])
      assertExit(current, 0)
      assertExit(next, 0)
      assert.deepStrictEqual(yield* countsIn(`${dir}/shared/sync.c1z`), expectedCounts)
      assert.deepStrictEqual(yield* countsIn(`${dir}/shared/new.c1z`), expectedCounts)
      assert.deepStrictEqual(
        [yield* fs.readLink(`${dir}/app/current.c1z`), yield* fs.readLink(`${dir}/app/next.c1z`)],
        [`${dir}/shared/sync.c1z`, "../shared/new.c1z"]
      )
      assert.deepStrictEqual((yield* fs.readDirectory(`${dir}/shared`)).sort(), ["new.c1z", "sync.c1z"])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  // Root only (as CI runs): making a link owned by another user needs lchown.
  it.scopedLive.runIf(process.getuid?.() === 0)(
    "a link another user planted in a sticky directory anyone may write in is not followed (exit 2), as the kernel's protected_symlinks",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* tempDir
        const sandbox = yield* Sandbox
        const { flags } = yield* connectionFlags
        yield* fs.makeDirectory(`${dir}/public`)
        yield* fs.chmod(`${dir}/public`, 0o1777)
        yield* fs.symlink(`${dir}/cron-job`, `${dir}/public/sync.c1z`)
        yield* Effect.promise(() => lchown(`${dir}/public/sync.c1z`, 4242, 4242))
        const refused = yield* runCli([...flags, "-f", `${dir}/public/sync.c1z`])
        assert.deepStrictEqual([refused.exitCode, refused.stderr], [
          2,
          `error: --file ${dir}/public/sync.c1z: ${dir}/public/sync.c1z is a symbolic link another user made in a directory ` +
          `anyone may write in (${dir}/public); it is not followed: give the path of the file it points to, or another path\n`
        ])
        assert.deepStrictEqual((yield* fs.readDirectory(dir)).sort(), ["public"])
        assert.deepStrictEqual(yield* sandbox.requestLog, [])
      }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer))
  )

  it.scopedLive("SIGINT during a sync exits 130, keeps the existing file byte-identical and leaves no temporary file", () =>
    interruptedSync("SIGINT"))

  it.scopedLive("SIGHUP (the terminal closed) during a sync is taken as SIGTERM: 130, said, the file byte-identical, no scratch file left", () =>
    interruptedSync("SIGHUP"))

  it.scopedLive("a second signal while an interrupted sync cleans up changes nothing: 130, said, no scratch file left", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      const file = `${dir}/out.c1z`
      // SIGTERM as soon as the first signal's notice is out: the scratch files are removed after it.
      const { child, stderr } = yield* slowSyncStarted(file, (seen, pid) => {
        if (!seen.includes("interrupted:")) return undefined
        process.kill(pid, "SIGTERM")
        return "done"
      })
      yield* Effect.sync(() => process.kill(child.pid, "SIGINT"))
      const exitCode = yield* child.exitCode
      const output = yield* Effect.flatten(stderr.await)
      assert.strictEqual(exitCode, 130, output)
      assert.include(output, `interrupted: ${file} was left as it was`)
      assert.deepStrictEqual(yield* fs.readDirectory(dir), [])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("SIGTERM or SIGINT while the program is still loading exits 130 saying so (it said nothing; Node's default killed it by the signal before that: 143 or 130 in a shell), the file untouched", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      const hooks = yield* tempDir
      const file = `${dir}/out.c1z`
      const previous = new Uint8Array([0x43, 0x31, 0x5a, 0x46, 0x00, 1, 2, 3, 4, 5])
      yield* fs.writeFile(file, previous)
      // Preloaded: the signal comes after the launcher has started and before the bundled program
      // runs, the window a signal in the first few hundred milliseconds falls into.
      const signalBeforeTheProgram = (signal: "SIGTERM" | "SIGINT", format = "console") =>
        Effect.gen(function*() {
          const hook = `${hooks}/${signal}.cjs`
          yield* fs.writeFileString(
            hook,
            [
              "const vm = require(\"node:vm\")",
              "const run = vm.Script.prototype.runInThisContext",
              `vm.Script.prototype.runInThisContext = function (...args) { process.kill(process.pid, "${signal}"); return run.apply(this, args) }`
            ].join("\n")
          )
          return yield* runCli(["--sandbox", "-f", file, "--log-format", format], { env: { NODE_OPTIONS: `--require ${hook}` } })
        })
      const results = yield* Effect.all([signalBeforeTheProgram("SIGTERM"), signalBeforeTheProgram("SIGINT")])
      const untold = (signal: string) => `interrupted by ${signal} before the command did anything: nothing was done\n`
      assert.deepStrictEqual(results.map((result) => [result.exitCode, result.stdout, result.stderr]), [
        [130, "", untold("SIGTERM")],
        [130, "", untold("SIGINT")]
      ])
      const json = yield* signalBeforeTheProgram("SIGTERM", "json")
      assert.deepStrictEqual([json.exitCode, json.stdout, logFields(json.stderr)], [130, "", [{
        level: "warn",
        msg: "interrupted before the command did anything: nothing was done",
        signal: "SIGTERM",
        exit_code: 130
      }]])
      assert.deepStrictEqual(yield* fs.readFile(file), previous)
      assert.deepStrictEqual(yield* fs.readDirectory(dir), ["out.c1z"])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a signal within Node's own start-up, before the launcher's first line runs, is Node's default: the process is killed by it, saying nothing", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      // Preloaded, so it runs before the launcher: as a signal in Node's bootstrap, which no code of
      // the CLI can catch (docs/deploy.md: a shell or Kubernetes then sees 143 for SIGTERM).
      const hook = `${dir}/signal-at-node-start.cjs`
      yield* fs.writeFileString(hook, "process.kill(process.pid, \"SIGTERM\")\n")
      const killed = yield* Effect.flip(runCli(["--sandbox", "-f", `${dir}/out.c1z`], { env: { NODE_OPTIONS: `--require ${hook}` } }))
      assert.include(String(killed), "Process interrupted due to receipt of signal: SIGTERM")
      assert.deepStrictEqual(yield* fs.readDirectory(dir), ["signal-at-node-start.cjs"])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("writes EntitlementExclusionGroup only with --exclusion-groups or BATON_EXCLUSION_GROUPS", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const { flags } = yield* connectionFlags
      const plain = yield* runCli([...flags, "-f", `${dir}/plain.c1z`])
      assertExit(plain, 0)
      assert.deepStrictEqual([...(yield* exclusionGroupsIn(`${dir}/plain.c1z`))], [])

      const flagged = yield* runCli([...flags, "-f", `${dir}/flag.c1z`, "--exclusion-groups"])
      assertExit(flagged, 0)
      const groups = yield* exclusionGroupsIn(`${dir}/flag.c1z`)
      assert.isTrue(groups.has("role:account"))
      assert.strictEqual(
        [...groups].filter((id) => id.startsWith("group:")).length,
        smallAccount.groups.length
      )

      const fromEnv = yield* runCli([...flags, "-f", `${dir}/env.c1z`], { env: { BATON_EXCLUSION_GROUPS: "true" } })
      assertExit(fromEnv, 0)
      assert.deepStrictEqual(yield* exclusionGroupsIn(`${dir}/env.c1z`), groups)
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))
})
