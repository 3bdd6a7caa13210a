import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, assertNoSecret, jsonLines, runCli } from "./support/CliProcess.js"
import { sandboxLayer, smallAccount, systemKeyOf } from "./support/Sandboxes.js"

/**
 * The one-shot provisioning flags and --sandbox read BATON_<FLAG> and .baton.yaml like every other
 * flag (baton-sdk's viper does): an action from a variable or the file runs, or is refused exactly
 * as on the command line. They were read from the command line only: such an action was ignored
 * and a full sync ran, exit 0.
 */

const group = smallAccount.groups[0]!
const members = new Set(smallAccount.user_groups.filter((row) => row.group_id === group.id).map((row) => row.user_id))
const [outsider, otherOutsider] = smallAccount.users.filter((user) => !members.has(user.id))
const destinationRole = smallAccount.roles.find((role) => role.scope.includes("DESTINATION"))!.name
const entitlementId = `group:${group.id}:${destinationRole}`

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-cli-" }))

/** The test sandbox's URL and system key as BATON_* variables. */
const connectionEnv = Effect.gen(function*() {
  const sandbox = yield* Sandbox
  const key = systemKeyOf(yield* sandbox.snapshot)
  return { key, env: { BATON_BASE_URL: sandbox.baseUrl, BATON_API_KEY: key.key, BATON_API_SECRET: key.secret } }
})

/** The role a user holds in the group, as the sandbox has it now. */
const membershipOf = (userId: string) =>
  Effect.gen(function*() {
    const snapshot = yield* Effect.flatMap(Sandbox, (sandbox) => sandbox.snapshot)
    return snapshot.user_groups.find((row) => row.group_id === group.id && row.user_id === userId)?.role
  })

const requestCount = Effect.map(Effect.flatMap(Sandbox, (sandbox) => sandbox.requestLog), (log) => log.length)

describe("one-shot actions from BATON_* variables and .baton.yaml", () => {
  it.scopedLive(
    "BATON_GRANT_* with BATON_PROVISIONING=true grant the membership (no sync); again, already exists",
    () =>
      Effect.gen(function*() {
        const cwd = yield* tempDir
        const { env, key } = yield* connectionEnv
        const grantEnv = {
          ...env,
          BATON_PROVISIONING: "true",
          BATON_GRANT_ENTITLEMENT: entitlementId,
          BATON_GRANT_PRINCIPAL: outsider!.id,
          BATON_GRANT_PRINCIPAL_TYPE: "user"
        }
        const granted = yield* runCli([], { cwd, env: grantEnv })
        assertExit(granted, 0)
        assertNoSecret(granted, key.secret)
        assert.strictEqual(granted.stdout, `granted ${entitlementId} to user:${outsider!.id}\n`)
        assert.strictEqual(yield* membershipOf(outsider!.id), destinationRole)
        const again = yield* runCli([], { cwd, env: grantEnv })
        assertExit(again, 0)
        assert.strictEqual(again.stdout, `already exists: user:${outsider!.id} already holds ${entitlementId}\n`)
        // Provisioning only: no sync file was written.
        assert.deepStrictEqual(yield* Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readDirectory(cwd)), [])
      }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scopedLive(
    ".baton.yaml's grant-* keys grant; its create-account-* keys (the profile as JSON text) invite",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const { env } = yield* connectionEnv
        const grantDir = yield* tempDir
        yield* fs.writeFileString(
          `${grantDir}/.baton.yaml`,
          `provisioning: true\ngrant-entitlement: "${entitlementId}"\ngrant-principal: ${outsider!.id}\ngrant-principal-type: user\n`
        )
        const granted = yield* runCli([], { cwd: grantDir, env })
        assertExit(granted, 0)
        assert.strictEqual(granted.stdout, `granted ${entitlementId} to user:${outsider!.id}\n`)
        assert.strictEqual(yield* membershipOf(outsider!.id), destinationRole)

        const inviteDir = yield* tempDir
        yield* fs.writeFileString(
          `${inviteDir}/.baton.yaml`,
          "provisioning: true\ncreate-account-email: ada@example.com\n" +
            "create-account-profile: '{\"given_name\":\"Ada\",\"family_name\":\"Lovelace\"}'\n"
        )
        const invited = yield* runCli([], { cwd: inviteDir, env })
        assertExit(invited, 0)
        const ada = (yield* Effect.flatMap(Sandbox, (sandbox) => sandbox.snapshot)).users.find((u) => u.email === "ada@example.com")
        assert.deepStrictEqual([ada?.given_name, ada?.family_name], ["Ada", "Lovelace"])
        assert.strictEqual(invited.stdout, `created user:${ada!.id} (ada@example.com)\n`)
      }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scopedLive("a flag wins over its variable, which wins over the file, each flag on its own", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const cwd = yield* tempDir
      const { env } = yield* connectionEnv
      yield* fs.writeFileString(
        `${cwd}/.baton.yaml`,
        `grant-entitlement: "${entitlementId}"\ngrant-principal: ${otherOutsider!.id}\ngrant-principal-type: team\n`
      )
      const granted = yield* runCli(["-p", "--grant-principal", outsider!.id], {
        cwd,
        env: { ...env, BATON_GRANT_PRINCIPAL: otherOutsider!.id, BATON_GRANT_PRINCIPAL_TYPE: "user" }
      })
      assertExit(granted, 0)
      assert.strictEqual(granted.stdout, `granted ${entitlementId} to user:${outsider!.id}\n`)
      assert.deepStrictEqual([yield* membershipOf(outsider!.id), yield* membershipOf(otherOutsider!.id)], [destinationRole, undefined])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)), 120_000)

  it.scopedLive(
    "an incomplete action from a variable or the file exits 2 naming where it came from, contacting nothing",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const { env } = yield* connectionEnv
        const cwd = yield* tempDir
        const fromEnv = yield* runCli([], { cwd, env: { ...env, BATON_PROVISIONING: "true", BATON_GRANT_ENTITLEMENT: entitlementId } })
        const fileDir = yield* tempDir
        yield* fs.writeFileString(`${fileDir}/.baton.yaml`, "delete-resource-type: user\n")
        const fromFile = yield* runCli(["-p"], { cwd: fileDir, env })
        assert.deepStrictEqual(
          [fromEnv, fromFile].map((result) => [result.exitCode, result.stderr, result.stdout]),
          [
            [
              2,
              "error: granting needs --grant-principal (asked for by BATON_GRANT_ENTITLEMENT): " +
              "pass it, set BATON_GRANT_PRINCIPAL, or add \"grant-principal:\" to .baton.yaml\n",
              ""
            ],
            [
              2,
              "error: deleting needs --delete-resource (asked for by .baton.yaml: delete-resource-type): " +
              "pass it, set BATON_DELETE_RESOURCE, or add \"delete-resource:\" to .baton.yaml\n",
              ""
            ]
          ]
        )
        assert.strictEqual(yield* requestCount, 0)
      }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scopedLive(
    "an action from a variable with one from the command line: two actions, exit 2; a bad value names its source",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const cwd = yield* tempDir
        const { env } = yield* connectionEnv
        const mapDir = yield* tempDir
        yield* fs.writeFileString(
          `${mapDir}/.baton.yaml`,
          "create-account-email: ada@example.com\ncreate-account-profile: {given_name: Ada, family_name: Lovelace}\n"
        )
        const [two, badType, badProfile, badField, profileMap] = yield* Effect.all([
          runCli(["-p", "--delete-resource", outsider!.id, "--delete-resource-type", "user"], {
            cwd,
            env: { ...env, BATON_REVOKE_GRANT: `${entitlementId}:user:${outsider!.id}` }
          }),
          runCli(["-p"], {
            cwd,
            env: {
              ...env,
              BATON_GRANT_ENTITLEMENT: entitlementId,
              BATON_GRANT_PRINCIPAL: outsider!.id,
              BATON_GRANT_PRINCIPAL_TYPE: "group"
            }
          }),
          runCli(["-p", "--create-account-email", "ada@example.com"], {
            cwd,
            env: { ...env, BATON_CREATE_ACCOUNT_PROFILE: "{\"given_name\":\"Ada\",\"family_name\":\"Lovelace\",\"phone\":" }
          }),
          // A field's value is never shown: the profile is a person's name and phone.
          runCli(["-p", "--create-account-email", "ada@example.com"], {
            cwd,
            env: { ...env, BATON_CREATE_ACCOUNT_PROFILE: "{\"given_name\":\"Ada\",\"family_name\":\"Lovelace\",\"phone\":5550100}" }
          }),
          runCli(["-p"], { cwd: mapDir, env })
        ], { concurrency: "unbounded" })
        assert.deepStrictEqual(
          [two, badType, badProfile, badField, profileMap].map((result) => [result.exitCode, result.stderr, result.stdout]),
          [
            [2, "error: one provisioning action per run: got BATON_REVOKE_GRANT and --delete-resource\n", ""],
            [2, "error: BATON_GRANT_PRINCIPAL_TYPE group: expected one of user, team (only users and teams hold grants)\n", ""],
            [
              2,
              "error: BATON_CREATE_ACCOUNT_PROFILE: not valid JSON " +
              "(expected a JSON object with given_name, family_name and optionally role, phone)\n",
              ""
            ],
            [
              2,
              "error: BATON_CREATE_ACCOUNT_PROFILE: phone: expected non-empty text without spaces around it " +
              "(expected a JSON object with given_name, family_name and optionally role, phone)\n",
              ""
            ],
            [
              2,
              "error: .baton.yaml: create-account-profile: expected JSON text of an object with given_name, family_name " +
              "and optionally role, phone, got a map\n",
              ""
            ]
          ]
        )
        assert.strictEqual(yield* requestCount, 0)
        assert.strictEqual(yield* membershipOf(outsider!.id), undefined)
      }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scopedLive(
    "an action from a variable or the file without provisioning is refused (exit 1) as on the command line",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const { env } = yield* connectionEnv
        const grantId = `${entitlementId}:user:${outsider!.id}`
        const cwd = yield* tempDir
        const fileDir = yield* tempDir
        yield* fs.writeFileString(`${fileDir}/.baton.yaml`, `revoke-grant: "${grantId}"\nprovisioning: false\n`)
        const [fromEnv, fromFile, switchedOff] = yield* Effect.all([
          runCli([], { cwd, env: { ...env, BATON_REVOKE_GRANT: grantId } }),
          runCli([], { cwd: fileDir, env }),
          runCli(["--provisioning=false"], { cwd, env: { ...env, BATON_PROVISIONING: "true", BATON_REVOKE_GRANT: grantId } })
        ], { concurrency: "unbounded" })
        assert.deepStrictEqual(
          [fromEnv, fromFile, switchedOff].map((result) => [result.exitCode, result.stderr, result.stdout]),
          [
            [1, "error: provisioning is disabled: add -p/--provisioning to run --revoke-grant (asked for by BATON_REVOKE_GRANT)\n", ""],
            [
              1,
              "error: provisioning is disabled: add -p/--provisioning to run --revoke-grant (asked for by .baton.yaml: revoke-grant)\n",
              ""
            ],
            [1, "error: provisioning is disabled: add -p/--provisioning to run --revoke-grant (asked for by BATON_REVOKE_GRANT)\n", ""]
          ]
        )
        assert.strictEqual(yield* requestCount, 0)
        assert.deepStrictEqual(yield* fs.readDirectory(cwd), [])
      }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scopedLive("subcommands, --version and --help do not read an action's variables", () =>
    Effect.gen(function*() {
      const cwd = yield* tempDir
      const { env } = yield* connectionEnv
      const actionEnv = { ...env, BATON_PROVISIONING: "true", BATON_GRANT_ENTITLEMENT: entitlementId, BATON_SANDBOX: "huge" }
      const [capabilities, version, help] = yield* Effect.all([
        runCli(["capabilities"], { cwd, env: actionEnv }),
        runCli(["--version"], { cwd, env: actionEnv }),
        runCli(["--help"], { cwd, env: actionEnv })
      ], { concurrency: "unbounded" })
      assert.deepStrictEqual([capabilities, version, help].map((result) => [result.exitCode, result.stderr]), [[0, ""], [0, ""], [0, ""]])
      assert.strictEqual(yield* requestCount, 0)
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)), 120_000)
})

describe("--sandbox from BATON_SANDBOX and .baton.yaml", () => {
  it.scopedLive(
    "BATON_SANDBOX=medium syncs the embedded sandbox without credentials; the flag wins; a bad value names its source",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const cwd = yield* tempDir
        const fileDir = yield* tempDir
        yield* fs.writeFileString(`${fileDir}/.baton.yaml`, "sandbox: true\n")
        const [fromEnv, flagWins, badEnv, badFile] = yield* Effect.all([
          runCli(["-f", "env.c1z", "--log-format", "json"], { cwd, env: { BATON_SANDBOX: "medium" } }),
          runCli(["--sandbox", "-f", "flag.c1z", "--log-format", "json"], { cwd, env: { BATON_SANDBOX: "medium" } }),
          runCli([], { cwd, env: { BATON_SANDBOX: "huge" } }),
          runCli([], { cwd: fileDir })
        ], { concurrency: 2 })
        assertExit(fromEnv, 0)
        assertExit(flagWins, 0)
        const users = (result: typeof fromEnv) =>
          (jsonLines(result.stderr).find((line) => line["msg"] === "sync complete")?.["resources_by_type"] as Record<string, number>)[
            "user"
          ]
        assert.deepStrictEqual([users(fromEnv), users(flagWins)], [1000, 25])
        assert.deepStrictEqual(
          [badEnv, badFile].map((result) => [result.exitCode, result.stderr, result.stdout]),
          [
            [2, "error: BATON_SANDBOX: expected small, medium or large, got \"huge\"\n", ""],
            [2, "error: .baton.yaml: sandbox: expected small, medium or large, got \"true\"\n", ""]
          ]
        )
      }).pipe(Effect.provide(NodeContext.layer)),
    240_000
  )
  it.scopedLive(
    "a sandbox beside a base URL, key or secret given as specifically is refused, naming both; --sandbox over a key in the environment runs the sandbox",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const cwd = yield* tempDir
        const fileDir = yield* tempDir
        yield* fs.writeFileString(`${fileDir}/.baton.yaml`, "sandbox: small\n")
        const grant = ["-p", "--grant-entitlement", entitlementId, "--grant-principal", "glad_tundra", "--grant-principal-type", "user"]
        const { env, key } = yield* connectionEnv
        const [baseUrlOverFile, bothVariables, bothFlags, flagOverVariables] = yield* Effect.all([
          runCli([...grant, "--base-url", env.BATON_BASE_URL, "--log-format", "console"], {
            cwd: fileDir,
            env: { BATON_API_KEY: key.key, BATON_API_SECRET: key.secret }
          }),
          runCli(["--log-format", "console"], { cwd, env: { BATON_SANDBOX: "small", BATON_API_KEY: key.key } }),
          runCli(["--sandbox", "small", "--api-secret", key.secret, "--log-format", "console"], { cwd }),
          runCli(["--sandbox", "-f", "flag.c1z", "--log-format", "json"], { cwd, env })
        ], { concurrency: 2 })
        const refusal = (given: string, sandbox: string) =>
          `error: ${given} names the Fivetran account to use, but ${sandbox} runs against an embedded sandbox instead: ` +
          "remove one of them (a sandbox needs no base URL, key or secret)\n"
        assert.deepStrictEqual(
          [baseUrlOverFile, bothVariables, bothFlags].map((result) => [result.exitCode, result.stderr, result.stdout]),
          [
            [2, refusal("--base-url", ".baton.yaml: sandbox"), ""],
            [2, refusal("BATON_API_KEY", "BATON_SANDBOX"), ""],
            [2, refusal("--api-secret", "--sandbox"), ""]
          ]
        )
        // Nothing reached the account the refused grant named; the sandbox ran where the flag asked for it.
        assert.strictEqual(yield* requestCount, 0)
        assertExit(flagOverVariables, 0)
        const summary = jsonLines(flagOverVariables.stderr).find((line) => line["msg"] === "sync complete")
        assert.deepStrictEqual(summary?.["resources_by_type"], { user: 25, role: 6, group: 4, team: 3 })
        assert.deepStrictEqual((yield* fs.readDirectory(cwd)).sort(), ["flag.c1z"])
        assert.deepStrictEqual((yield* fs.readDirectory(fileDir)).sort(), [".baton.yaml"])
      }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)),
    240_000
  )
})
