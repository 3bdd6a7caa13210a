import { assert, describe, it } from "@effect/vitest"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join, relative } from "node:path"
import ts from "typescript"

/**
 * A workspace app's engineer starts from a package's README: each ```ts example in
 * packages/<name>/README.md must compile as it stands, pasted into a module of an app that extends
 * the repository's tsconfig.base.json, importing the packages by their public entry points (their
 * package.json `exports`; this package depends on them as such an app would). Fragments that used
 * `yield*` outside a generator or names they never defined did not.
 */

const root = join(import.meta.dirname, "..", "..")
const packages = join(root, "packages")

interface Example {
  /** `packages/c1z/README.md:7`, where the block starts. */
  readonly at: string
  /** Where the program sees it: a module of this package, which is never written to disk. */
  readonly path: string
  readonly source: string
}

const examplesOf = (packageName: string): Array<Example> => {
  const readme = join(packages, packageName, "README.md")
  if (!existsSync(readme)) return []
  const text = readFileSync(readme, "utf8")
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match, index) => ({
    at: `${relative(root, readme)}:${text.slice(0, match.index).split("\n").length}`,
    path: join(import.meta.dirname, "readme-examples", `${packageName}-${index + 1}.ts`),
    source: match[1]!
  }))
}

/** Every diagnostic of the program over `files`, as `where: message`, README lines for the examples. */
const compile = (files: ReadonlyArray<Example>): Array<string> => {
  const base = ts.readConfigFile(join(root, "tsconfig.base.json"), ts.sys.readFile)
  const { options } = ts.parseJsonConfigFileContent(base.config, ts.sys, root)
  const compilerOptions = { ...options, noEmit: true }
  const byPath = new Map(files.map((file) => [file.path, file]))
  const host = ts.createCompilerHost(compilerOptions)
  const getSourceFile = host.getSourceFile
  host.getSourceFile = (fileName, languageVersion, onError) => {
    const file = byPath.get(fileName)
    return file === undefined
      ? getSourceFile(fileName, languageVersion, onError)
      : ts.createSourceFile(fileName, file.source, languageVersion, true)
  }
  const fileExists = host.fileExists
  host.fileExists = (fileName) => byPath.has(fileName) || fileExists(fileName)
  const program = ts.createProgram([...byPath.keys()], compilerOptions, host)
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, " ")
    const file = diagnostic.file
    if (file === undefined) return message
    const { line } = file.getLineAndCharacterOfPosition(diagnostic.start ?? 0)
    const example = byPath.get(file.fileName)
    if (example === undefined) return `${relative(root, file.fileName)}:${line + 1}: ${message}`
    const [readme, blockLine] = example.at.split(":")
    return `${readme}:${Number(blockLine) + 1 + line}: ${message}`
  })
}

describe("the packages' README examples", () => {
  it("each compiles as a module of a workspace app, through the packages' public entry points", () => {
    const examples = readdirSync(packages).flatMap(examplesOf)
    assert.deepStrictEqual(examples.map((example) => example.at.split(":")[0]), [
      "packages/c1z/README.md",
      "packages/connector-core/README.md",
      "packages/fivetran-client/README.md",
      "packages/fivetran-sandbox/README.md",
      "packages/http-api/README.md"
    ])
    const canary: Example = {
      at: "canary:0",
      path: join(import.meta.dirname, "readme-examples", "canary.ts"),
      source: "import { SyncEngine } from \"@baton-fivetran/connector-core/dist/sync/SyncEngine.js\"\nexport const engine = SyncEngine\n"
    }
    const diagnostics = compile([...examples, canary])
    // The check itself: a deep import, past the package's `exports`, is refused.
    assert.isTrue(diagnostics.some((line) => line.startsWith("canary:1: ")), diagnostics.join("\n"))
    assert.deepStrictEqual(diagnostics.filter((line) => !line.startsWith("canary:")), [])
  })
})
