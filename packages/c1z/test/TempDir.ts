import { Effect } from "effect"
import { mkdir, mkdtemp, readdir, rm, utimes } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** A fresh directory for one test, removed when its scope closes. */
export const tempDir = Effect.acquireRelease(
  Effect.promise(() => mkdtemp(join(tmpdir(), "c1z-test-"))),
  (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
)

export const listDir = (dir: string) => Effect.promise(() => readdir(dir).then((names) => names.sort()))

/** Makes `dir` (created here) the process's temporary directory until the scope closes: `os.tmpdir()` reads TMPDIR on every call. */
export const tmpdirAt = (dir: string) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      await mkdir(dir)
      const saved = process.env.TMPDIR
      process.env.TMPDIR = dir
      return saved
    }),
    (saved) => Effect.sync(() => saved === undefined ? delete process.env.TMPDIR : (process.env.TMPDIR = saved))
  )

/**
 * Sets the times of `paths` to `minutes` ago: a file of this process's pid counts as left behind only
 * once nobody has renewed it for two minutes (ScratchOwners.ts), as a killed run's has not.
 */
export const lastWrittenAgo = (paths: ReadonlyArray<string>, minutes: number) =>
  Effect.promise(() => {
    const then = new Date(Date.now() - minutes * 60 * 1000)
    return Promise.all(paths.map((path) => utimes(path, then, then)))
  })
