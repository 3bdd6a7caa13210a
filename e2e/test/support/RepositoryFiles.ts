import { existsSync, readdirSync, statSync } from "node:fs"
import { join } from "node:path"

/** The repository's root, as the e2e tests that read its files see it. */
export const repositoryRoot = join(import.meta.dirname, "..", "..", "..")

/** Directories that hold what was built, installed or generated, not the project's own text. */
const skipped = new Set(["node_modules", "dist", "bundle", "public", "test-screenshots", "data", "fixtures"])

/** The files under `dir` (none if it is missing) whose names `named` accepts, skipped directories left out. */
export const filesUnder = (dir: string, named: RegExp): Array<string> =>
  existsSync(dir)
    ? readdirSync(dir).flatMap((name) => {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) return skipped.has(name) ? [] : filesUnder(path, named)
      return named.test(name) ? [path] : []
    })
    : []

/** Each workspace package's directory under `parent` (`packages`, `apps`). */
export const workspaceDirs = (parent: string): Array<string> =>
  readdirSync(join(repositoryRoot, parent)).map((name) => join(repositoryRoot, parent, name))
