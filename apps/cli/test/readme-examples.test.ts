import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { assertExit, runCli } from "./support/CliProcess.js"
import { connectionFlags, sandboxLayer } from "./support/Sandboxes.js"

/**
 * The README's one-shot provisioning lines, run as written against `--sandbox small`: the ids they
 * name must exist in the generated preset, so a newcomer can paste them. Its "Access review" sample
 * session, run command by command in a directory holding its files, must print what it shows.
 */

const readme = readFileSync(join(import.meta.dirname, "..", "..", "..", "README.md"), "utf8")

/** Shell words of one command line: whitespace-separated, quotes (single or double) keep everything literal. */
const shellWords = (line: string): ReadonlyArray<string> =>
  [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((match) => match[1] ?? match[2] ?? match[3]!)

const examples = readme
  .replace(/\\\n\s*/g, "")
  .split("\n")
  .filter((line) => line.startsWith("baton-fivetran -p --sandbox small "))
  .map((line) => shellWords(line).slice(1))

const expectedOutput = [
  "granted group:exact_creek:View Destination to user:wise_cactus",
  "revoked group:formal_birch:Edit Destination:user:formal_sierra",
  /^created user:[a-z_]+ \(ada@example\.com\)$/,
  "deleted user:fancy_petal"
] as const

describe("README", () => {
  it("shows one example of each provisioning action, each on the small sandbox", () => {
    assert.deepStrictEqual(examples.map((args) => args.find((a) => a.startsWith("--") && a !== "--sandbox")), [
      "--grant-entitlement",
      "--revoke-grant",
      "--create-account-email",
      "--delete-resource"
    ])
  })

  examples.forEach((args, i) => {
    it.scopedLive(`works as written: baton-fivetran ${args.join(" ")}`, () =>
      Effect.gen(function*() {
        const result = yield* runCli(args)
        assertExit(result, 0)
        const expected = expectedOutput[i]!
        const output = result.stdout.trim()
        if (typeof expected === "string") assert.strictEqual(output, expected)
        else assert.match(output, expected)
      }).pipe(Effect.provide(NodeContext.layer)))
  })
})

/** One `$ command` of the README's sample session and the lines shown under it. */
interface SessionStep {
  readonly command: string
  readonly shown: ReadonlyArray<string>
}

const accessReviewSession: ReadonlyArray<SessionStep> = readme
  .split("\n## Access review\n")[1]!
  .split("```console\n")[1]!
  .split("\n```")[0]!
  .split("\n")
  .reduce<Array<{ command: string; shown: Array<string> }>>((steps, line) => {
    if (line.startsWith("$ ")) steps.push({ command: line.slice(2).replace(/\s+#.*$/, ""), shown: [] })
    else if (line !== "") steps.at(-1)!.shown.push(line)
    return steps
  }, [])

/**
 * Sync ids and ends are new at every sync: `(<old> → <new>)` in diff's count line, a table's
 * `from sync <id> (synced <end>)` after its count, and the sheet's last two CSV cells.
 */
const withoutSyncIds = (line: string) =>
  line
    .replace(/\(\w+ → \w+\)/, "(<old sync id> → <new sync id>)")
    .replace(/^from sync \w+ \(synced [\dT:.Z-]+\)$/, "from sync <sync id> (synced <end>)")
    .replace(/,\w{27},\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, ",<sync id>,<end>")

const lines = (text: string) => text.split("\n").map((line) => line.replace(/\r$/, "")).filter((line) => line !== "")

/**
 * What a terminal shows for one step, run in `dir`: a table on stdout unless it is redirected (a
 * terminal's default output), then stderr, then `echo $?`'s status; `head -N file` reads the file.
 */
const runStep = (dir: string, command: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const head = /^head -(\d+) (\S+)$/.exec(command)
    if (head !== null) return lines(yield* fs.readFileString(join(dir, head[2]!))).slice(0, Number(head[1]))
    const [, cli, redirect, echo] = /^(baton-fivetran [^>;]+?)(?: > (\S+))?(; echo \$\?)?$/.exec(command)!
    const args = shellWords(cli!).slice(1)
    const result = yield* runCli(redirect === undefined ? [...args, "-o", "table"] : args, { cwd: dir })
    if (echo === undefined) assertExit(result, 0)
    if (redirect !== undefined) yield* fs.writeFileString(join(dir, redirect), result.stdout)
    return [
      ...(redirect === undefined ? lines(result.stdout) : []),
      ...lines(result.stderr),
      ...(echo === undefined ? [] : [String(result.exitCode)])
    ]
  })

/**
 * Lines around a `...` are the output's beginning and its end; without one, the whole output. A
 * command shown without output (what to type next) only has to succeed.
 */
const assertShown = (step: SessionStep, output: ReadonlyArray<string>) => {
  if (step.shown.length === 0) return
  const actual = output.map(withoutSyncIds)
  const shown = step.shown.map(withoutSyncIds)
  const elided = shown.indexOf("...")
  const [first, last] = elided < 0 ? [shown, []] : [shown.slice(0, elided), shown.slice(elided + 1)]
  const message = `$ ${step.command}\n${actual.join("\n")}`
  if (elided < 0) assert.deepStrictEqual(actual, first, message)
  else {
    assert.deepStrictEqual(actual.slice(0, first.length), first, message)
    assert.deepStrictEqual(actual.slice(actual.length - last.length), last, message)
  }
}

describe("README's access review session", () => {
  it("shows the output of a listing, a user's and a destination's access, a diff, its exit code and the export", () => {
    assert.deepStrictEqual(
      accessReviewSession.filter((step) => step.shown.length > 0).map((step) => step.command.replace(/^baton-fivetran /, "").split(" ")[0]),
      ["resources", "access", "access", "diff", "diff", "head"]
    )
  })

  it.scopedLive(
    "prints what it shows, on pnpm demo's sync and one after granting a destination role to a team",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-readme-review-" })
        const { flags } = yield* connectionFlags
        assertExit(yield* runCli([...flags, "-f", "sync.c1z"], { cwd: dir }), 0)
        // The sync before the grant is that same sync: a copy, not a second sync of an unchanged account.
        yield* fs.copyFile(join(dir, "sync.c1z"), join(dir, "before.c1z"))
        const grant = ["--grant-entitlement", "group:formal_birch:Manage Destination", "--grant-principal", "sunny_barley"]
        assertExit(yield* runCli([...flags, "-p", ...grant, "--grant-principal-type", "team"]), 0)
        assertExit(yield* runCli([...flags, "-f", "after.c1z"], { cwd: dir }), 0)

        for (const step of accessReviewSession) assertShown(step, yield* runStep(dir, step.command))
      }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)),
    120_000
  )
})

/**
 * apps/cli's README shows each provisioning line with what it prints and what it prints again (`#
 * <first>   (again: <second>)`, `...` and `<id>`-like placeholders standing for any text): run twice
 * against one sandbox, each must print both, so that a repeat's no-op answer cannot drift from it.
 */
const cliReadme = readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8").replace(/\\\n\s*/g, "")

interface RepeatedExample {
  readonly args: ReadonlyArray<string>
  readonly first: string
  readonly again: string
}

/** The text of a `#   ` comment line under an example. */
const commentText = (line: string | undefined) => line?.startsWith("#   ") === true ? line.slice(4) : ""

const repeatedExamples: ReadonlyArray<RepeatedExample> = cliReadme
  .split("\n")
  .flatMap((line, i, all) => {
    if (!line.startsWith("baton-fivetran -p --sandbox small ")) return []
    const first = commentText(all[i + 1])
    const shown = /^(.+?)\s+\(again: (.+)\)$/.exec(first.includes("(again: ") ? first : `${first} ${commentText(all[i + 2])}`)
    return shown === null ? [] : [{ args: shellWords(line).slice(4), first: shown[1]!, again: shown[2]! }]
  })

/** A shown output line, `...` and `<...>` standing for any text. */
const shownPattern = (shown: string) =>
  new RegExp(`^${shown.split(/\.\.\.|<[^>]+>/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".+")}$`)

describe("apps/cli's README provisioning lines", () => {
  it("shows each of the four actions with what it prints again", () => {
    assert.deepStrictEqual(repeatedExamples.map(({ args }) => args.find((a) => a.startsWith("--"))), [
      "--grant-entitlement",
      "--revoke-grant",
      "--create-account-email",
      "--delete-resource"
    ])
  })

  it.scopedLive("print what they show, and again what they show run a second time", () =>
    Effect.gen(function*() {
      const { flags } = yield* connectionFlags
      for (const { again, args, first } of repeatedExamples) {
        for (const shown of [first, again]) {
          const result = yield* runCli([...flags, "-p", ...args])
          assertExit(result, 0)
          assert.match(result.stdout.trim(), shownPattern(shown), `baton-fivetran -p ${args.join(" ")}`)
        }
      }
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)), 120_000)
})
