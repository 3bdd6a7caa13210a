import { Effect } from "effect"
import { mkdtemp, readdir, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** A fresh directory for one test, removed when its scope closes. */
export const tempDir = Effect.acquireRelease(
  Effect.promise(() => mkdtemp(join(tmpdir(), "c1z-test-"))),
  (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
)

export const listDir = (dir: string) => Effect.promise(() => readdir(dir).then((names) => names.sort()))
