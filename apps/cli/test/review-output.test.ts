import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { Command, FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { spawn } from "node:child_process"
import { assertExit, binPath, runCli } from "./support/CliProcess.js"
import { edgeCases, syncEdgeInto } from "./support/EdgeCases.js"
import { sheetSyncOf } from "./support/SheetSync.js"
import { copySandboxSync } from "./support/SandboxSyncs.js"

/**
 * What the review commands print on stdout, run as the real CLI process: when nobody reads it to
 * the end (`| head`), and what a table shows of text that a terminal would act on.
 */

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-review-output-" }))

const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" }

const text = (stream: Stream.Stream<Uint8Array, unknown>) => stream.pipe(Stream.decodeText(), Stream.mkString)

/** `baton-fivetran ARGS | head -1` under bash's pipefail: the pipeline's status is the CLI's (head exits 0). */
const headOne = (args: ReadonlyArray<string>) =>
  Effect.scoped(Effect.gen(function*() {
    const bash = yield* Command.start(
      Command.make("bash", "-o", "pipefail", "-c", "\"$@\" | head -1", "bash", process.execPath, binPath, ...args).pipe(
        Command.env(env, { extendEnv: false })
      )
    )
    const [stdout, stderr, exitCode] = yield* Effect.all([text(bash.stdout), text(bash.stderr), bash.exitCode], {
      concurrency: "unbounded"
    })
    return { exitCode, stdout, stderr }
  }))

/**
 * The CLI with its stdout's read end closed before it writes anything, as `| head` leaves it once
 * it has its lines, but for any size of output: the first write already finds no reader.
 */
const runUnread = (args: ReadonlyArray<string>) =>
  Effect.async<{ readonly exitCode: number | null; readonly stderr: string }>((resume) => {
    const child = spawn(process.execPath, [binPath, ...args], { env, stdio: ["ignore", "pipe", "pipe"] })
    child.stdout.destroy()
    let stderr = ""
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => stderr += chunk)
    child.on("close", (exitCode) => resume(Effect.succeed({ exitCode, stderr })))
    return Effect.sync(() => child.kill("SIGKILL"))
  })

/** Reads "Ops enabled x" on a terminal that applies the override. */
const spoof = "Ops \u202Edelbane\u202C x"
/** Every bidi control but the two in `spoof`: ALM, LRM, RLM, LRE, RLE, LRO and the isolates. */
const bidiControls = "A\u061C\u200E\u200F\u202A\u202B\u202D\u2066\u2067\u2068\u2069"

describe("review output", () => {
  it.scopedLive("stops quietly, with exit 0, when the reader of stdout goes away", () =>
    Effect.gen(function*() {
      const file = `${yield* tempDir}/medium.c1z`
      yield* copySandboxSync(file, "medium")

      const head = yield* headOne(["export", "-f", file])
      assert.deepStrictEqual(head, {
        exitCode: 0,
        stdout:
          "principal,principal_name,email,status,last_login,account_type,resource,resource_name,entitlement,permission,via,via_name,sync_id,synced_at\r\n",
        stderr: ""
      })

      for (
        const args of [["export"], ["export", "-o", "json"], ["grants", "-o", "json"], ["resources", "-o", "csv"], [
          "resources",
          "-o",
          "table"
        ]]
      ) {
        assert.deepStrictEqual(yield* runUnread([...args, "-f", file]), { exitCode: 0, stderr: "" }, args.join(" "))
      }
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a table shows control characters, tab and line breaks included, as \\u escapes; JSON and CSV keep them", () =>
    Effect.gen(function*() {
      const file = `${yield* tempDir}/edge.c1z`
      yield* syncEdgeInto(file)
      const name = "Bo B\u001b[31mRED\u001b]0;x\u0007\u0001\u007f\u009b2J\tend\nz"

      const table = yield* runCli(["resources", "--type", "user", "-f", file, "-o", "table"])
      assertExit(table, 0)
      assert.deepStrictEqual(table.stdout.split("\n"), [
        "ID                   NAME                                                              EMAIL                STATUS    LAST_LOGIN            ACCOUNT_TYPE  PARENT",
        "user:account_cy      Cy Account                                                        cy@edge.example      enabled   2025-03-01T10:00:00Z  human",
        "user:admin_ada       Ada Admin                                                         ada@edge.example     enabled   2025-03-01T10:00:00Z  human",
        // 65 columns: past the widest a column gets (64), so its line is pushed out by one.
        "user:both_bo         Bo B\\u001b[31mRED\\u001b]0;x\\u0007\\u0001\\u007f\\u009b2J\\u0009end\\u000az  bo@edge.example      enabled   2025-03-01T10:00:00Z  human",
        "user:invited_ed      ed@edge.example                                                   ed@edge.example      invited                         human",
        "user:owner_fa        Fa Owner                                                          fa@edge.example      enabled   2025-03-01T10:00:00Z  human",
        "user:service_ci      CI Bot                                                            ci-bot@edge.example  enabled   2025-03-01T10:00:00Z  service",
        "user:service_nomail  Deploy Bot                                                                             enabled                         service",
        "user:suspended_di    Di Suspended                                                      di@edge.example      disabled  2025-03-01T10:00:00Z  human",
        ""
      ])

      const sync = yield* sheetSyncOf(file)
      const json = yield* runCli(["resources", "--type", "user", "-f", file, "-o", "json"])
      assertExit(json, 0)
      assert.include(
        json.stdout,
        `${
          JSON.stringify({
            id: "user:both_bo",
            name,
            email: "bo@edge.example",
            status: "enabled",
            last_login: "2025-03-01T10:00:00Z",
            account_type: "human",
            parent: "",
            sync_id: sync.id,
            synced_at: sync.at
          })
        }\n`
      )

      const csv = yield* runCli(["resources", "--type", "user", "-f", file, "-o", "csv"])
      assertExit(csv, 0)
      assert.include(csv.stdout, `\r\nuser:both_bo,"${name}",bo@edge.example,enabled,2025-03-01T10:00:00Z,human,,${sync.id},${sync.at}\r\n`)
    }).pipe(
      Effect.provide(Sandbox.layer({
        snapshot: {
          ...edgeCases,
          users: edgeCases.users.map((user) =>
            user.id === "both_bo" ? { ...user, family_name: "B\u001b[31mRED\u001b]0;x\u0007\u0001\u007f\u009b2J\tend\nz" } : user
          )
        },
        port: 0
      })),
      Effect.provide(NodeContext.layer)
    ))

  it.scopedLive("a table lines up wide (CJK, emoji) and combining characters by terminal columns, and escapes bidi controls", () =>
    Effect.gen(function*() {
      const file = `${yield* tempDir}/edge.c1z`
      yield* syncEdgeInto(file)

      const users = yield* runCli(["resources", "--type", "user", "-f", file, "-o", "table"])
      assertExit(users, 0)
      // 山田 太郎 and "Ada 👩‍💻 Zoë" are 5 and 14 UTF-16 units, but 9 and 10 terminal columns wide.
      assert.deepStrictEqual(users.stdout.split("\n"), [
        "ID                   NAME             EMAIL                STATUS    LAST_LOGIN            ACCOUNT_TYPE  PARENT",
        "user:account_cy      山田 太郎        cy@edge.example      enabled   2025-03-01T10:00:00Z  human",
        "user:admin_ada       Ada \u{1F469}\u200D\u{1F4BB} Zoe\u0308       ada@edge.example     enabled   2025-03-01T10:00:00Z  human",
        "user:both_bo         Bo Both          bo@edge.example      enabled   2025-03-01T10:00:00Z  human",
        "user:invited_ed      ed@edge.example  ed@edge.example      invited                         human",
        "user:owner_fa        Fa Owner         fa@edge.example      enabled   2025-03-01T10:00:00Z  human",
        "user:service_ci      CI Bot           ci-bot@edge.example  enabled   2025-03-01T10:00:00Z  service",
        "user:service_nomail  Deploy Bot                            enabled                         service",
        "user:suspended_di    Di Suspended     di@edge.example      disabled  2025-03-01T10:00:00Z  human",
        ""
      ])

      const teams = yield* runCli(["resources", "--type", "team", "-f", file, "-o", "table"])
      assertExit(teams, 0)
      assert.deepStrictEqual(teams.stdout.split("\n"), [
        "ID               NAME                                                           EMAIL  STATUS  LAST_LOGIN  ACCOUNT_TYPE  PARENT",
        "team:analysts_t  A\\u061c\\u200e\\u200f\\u202a\\u202b\\u202d\\u2066\\u2067\\u2068\\u2069",
        "team:ops_t       Ops \\u202edelbane\\u202c x",
        ""
      ])

      const json = yield* runCli(["resources", "--type", "team", "-f", file, "-o", "json"])
      assertExit(json, 0)
      const sync = yield* sheetSyncOf(file)
      const ops = { id: "team:ops_t", name: spoof, email: "", status: "", last_login: "", account_type: "", parent: "" }
      assert.include(json.stdout, `${JSON.stringify({ ...ops, sync_id: sync.id, synced_at: sync.at })}\n`)
    }).pipe(
      Effect.provide(Sandbox.layer({
        snapshot: {
          ...edgeCases,
          users: edgeCases.users.map((user) =>
            user.id === "account_cy"
              ? { ...user, given_name: "山田", family_name: "太郎" }
              : user.id === "admin_ada"
              ? { ...user, family_name: "\u{1F469}\u200D\u{1F4BB} Zoe\u0308" }
              : user
          ),
          teams: edgeCases.teams.map((team) =>
            team.id === "ops_t" ? { ...team, name: spoof } : team.id === "analysts_t" ? { ...team, name: bidiControls } : team
          )
        },
        port: 0
      })),
      Effect.provide(NodeContext.layer)
    ))
})
