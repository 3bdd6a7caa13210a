import { FileSystem, Path } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Option } from "effect"
import * as Crypto from "node:crypto"
import { vi } from "vitest"
import { temporaryTargetOf, writeFileAtomically } from "../src/AtomicFile.js"

// The temporary file's name comes from randomBytes: fixed here where a test must know it in advance.
vi.mock("node:crypto", async (original) => {
  const actual = await original<typeof Crypto>()
  return { ...actual, randomBytes: vi.fn(actual.randomBytes) }
})

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-atomic-" }))

/** The common umask (group and others lose write) until the scope closes: the modes below must not come from it. */
const umask022 = Effect.acquireRelease(Effect.sync(() => process.umask(0o022)), (saved) => Effect.sync(() => process.umask(saved)))

const modeOf = (path: string) => Effect.flatMap(FileSystem.FileSystem, (fs) => fs.stat(path)).pipe(Effect.map((info) => info.mode & 0o777))

describe("writeFileAtomically", () => {
  it.scopedLive("replaces the file with the text, owner-only (0600) where the old one was 0644, and leaves no temporary file", () =>
    Effect.gen(function*() {
      yield* umask022
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      const target = `${dir}/summary.json`
      yield* fs.writeFileString(target, "the previous run's", { mode: 0o644 })
      assert.strictEqual(yield* modeOf(target), 0o644)

      yield* writeFileAtomically(target, "{\"grants\":3}\n")
      assert.strictEqual(yield* fs.readFileString(target), "{\"grants\":3}\n")
      assert.strictEqual(yield* modeOf(target), 0o600)
      yield* writeFileAtomically(`${dir}/new.json`, "{}\n")
      assert.strictEqual(yield* modeOf(`${dir}/new.json`), 0o600)
      assert.deepStrictEqual((yield* fs.readDirectory(dir)).sort(), ["new.json", "summary.json"])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a symlink or file already at the temporary name is neither followed nor removed: the write fails, nothing changes", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      const target = `${dir}/summary.json`
      const victim = `${dir}/victim`
      yield* fs.writeFileString(target, "the previous run's")
      yield* fs.writeFileString(victim, "not the writer's to touch")
      const planted = `${dir}/.summary.json.00000000000000ff.tmp`
      yield* fs.symlink(victim, planted)
      vi.mocked(Crypto.randomBytes).mockImplementationOnce(() => Buffer.from([0, 0, 0, 0, 0, 0, 0, 0xff]))

      const error = yield* Effect.flip(writeFileAtomically(target, "the new summary"))
      assert.strictEqual(error._tag, "SystemError")
      assert.strictEqual(error._tag === "SystemError" ? error.reason : undefined, "AlreadyExists")
      assert.strictEqual(yield* fs.readFileString(victim), "not the writer's to touch")
      assert.strictEqual(yield* fs.readFileString(target), "the previous run's")
      assert.strictEqual(yield* fs.readLink(planted), victim)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a write whose rename fails (the target is a directory) removes its temporary file and fails with the rename's error", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const dir = yield* tempDir
      yield* fs.makeDirectory(path.join(dir, "summary.json", "inside"), { recursive: true })
      const error = yield* Effect.flip(writeFileAtomically(path.join(dir, "summary.json"), "{}"))
      assert.deepStrictEqual(error._tag === "SystemError" ? [error.method, error.reason] : undefined, ["rename", "BadResource"])
      assert.deepStrictEqual(yield* fs.readDirectory(dir), ["summary.json"])
    }).pipe(Effect.provide(NodeContext.layer)))

  it("temporaryTargetOf names the target of the writer's own temporary names, and only of those", () => {
    assert.deepStrictEqual(temporaryTargetOf(".20300101T000000Z-0d01.json.0123456789abcdef.tmp"), Option.some("20300101T000000Z-0d01.json"))
    assert.deepStrictEqual(temporaryTargetOf(".summary.json.0123456789abcdef.tmp"), Option.some("summary.json"))
    for (
      const name of ["summary.json.0123456789abcdef.tmp", ".summary.json.4242.tmp", ".summary.json.0123456789ABCDEF.tmp", "summary.json"]
    ) {
      assert.deepStrictEqual(temporaryTargetOf(name), Option.none(), name)
    }
  })

  it.scopedLive("an interruption while the file is written waits for the write and the rename: no temporary file is left", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      const target = `${dir}/summary.json`
      // The caller interrupted (a signal, a client hanging up) while Node wrote the file: before, the
      // temporary file was removed before Node had made it, and `.summary.json.<hex>.tmp` stayed.
      const writing = yield* Deferred.make<void>()
      const signalled = FileSystem.FileSystem.of({
        ...fs,
        writeFileString: (path, data, options) =>
          Effect.zipRight(Deferred.succeed(writing, undefined), fs.writeFileString(path, data, options))
      })
      const fiber = yield* Effect.fork(
        writeFileAtomically(target, "{\"grants\":3}\n").pipe(Effect.provideService(FileSystem.FileSystem, signalled))
      )
      yield* Deferred.await(writing)
      assert.isTrue(Exit.isInterrupted(yield* Fiber.interrupt(fiber)))
      assert.deepStrictEqual(yield* fs.readDirectory(dir), ["summary.json"])
      assert.strictEqual(yield* fs.readFileString(target), "{\"grants\":3}\n")
    }).pipe(Effect.provide(NodeContext.layer)))
})
