import { assert, describe, it } from "@effect/vitest"
import { existsSync, readFileSync } from "node:fs"
import { dirname, join, relative } from "node:path"
import { filesUnder, repositoryRoot as root, workspaceDirs } from "./support/RepositoryFiles.js"

/**
 * Issue 15: a newcomer must be able to follow every document the code and the READMEs cite. Every
 * `*.md` a source file, test, script or README names has to exist in the repository (relative to
 * the root or to the citing file), every local link of docs/ has to resolve, and nothing points at a
 * machine path or an outside design text. (docs/ also names files of the public repositories its
 * facts come from, such as a `CHANGELOG.md`; those are sources, not links.)
 */

/** The project's own text files. */
const textFile = /\.(ts|mts|mjs|md)$/

const thisFile = join(import.meta.dirname, "doc-references.test.ts")

/** The project's own text: sources, tests, scripts and READMEs (docs/ is checked by its links only). */
const citingFiles = (): Array<string> =>
  [
    join(root, "README.md"),
    ...filesUnder(join(root, "scripts"), textFile),
    ...filesUnder(join(root, "e2e", "test"), textFile),
    ...filesUnder(join(root, "bench", "src"), textFile),
    ...[...workspaceDirs("packages"), ...workspaceDirs("apps")].flatMap((dir) => [
      join(dir, "README.md"),
      ...filesUnder(join(dir, "src"), textFile),
      ...filesUnder(join(dir, "test"), textFile),
      ...filesUnder(join(dir, "web"), textFile),
      ...filesUnder(join(dir, "scripts"), textFile)
    ])
  ].filter((file) => existsSync(file) && file !== thisFile)

/** `docs/c1z-format.md`, `../../docs/deploy.md`, `README.md#quick-start`: the path part of each. */
const mdReference = /[\w./-]*[\w-]+\.md\b/g

/** The target of a markdown link to a local file: `[text](../c1z-format.md#anchor)`. */
const mdLink = /\]\((?!https?:|#|mailto:)([^)#\s]+)/g

/** Texts only someone with our machines could follow. */
const outsidePointers = [/\/work\//, /shared\/docs/, /design document/i, /research notes/i]

describe("document references", () => {
  it("every .md a file names exists in the repository, and nothing cites an outside document", () => {
    const files = citingFiles()
    assert.isAbove(files.length, 100)
    const broken: Array<string> = []
    const check = (file: string, references: (line: string) => Array<string>) =>
      readFileSync(file, "utf8").split("\n").forEach((line, i) => {
        const at = `${relative(root, file)}:${i + 1}`
        for (const reference of references(line)) {
          if (!existsSync(join(root, reference)) && !existsSync(join(dirname(file), reference))) {
            broken.push(`${at}: ${reference}`)
          }
        }
        for (const pattern of outsidePointers) {
          if (pattern.test(line)) broken.push(`${at}: ${pattern.source}`)
        }
      })
    for (const file of files) check(file, (line) => line.match(mdReference) ?? [])
    for (const file of filesUnder(join(root, "docs"), textFile)) {
      check(file, (line) => [...line.matchAll(mdLink)].map((match) => match[1]!))
    }
    assert.deepStrictEqual(broken, [])
  })

  it("the check itself finds a citation of a document that is not here", () => {
    const missing = "design.md §2".match(mdReference) ?? []
    assert.deepStrictEqual(missing, ["design.md"])
    assert.isFalse(existsSync(join(root, "design.md")))
    assert.isTrue(existsSync(join(root, "docs", "architecture.md")))
  })
})
