import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { assert } from "@effect/vitest"
import { Effect } from "effect"
import { assertNoSecret, logFields, runCli } from "./CliProcess.js"
import { connectionFlags } from "./Sandboxes.js"

/**
 * A -p action the CLI must refuse before it changes anything, run against the test's sandbox with
 * json logs: nothing on stdout, no secret in what it printed, no write the sandbox saw. Gives the
 * run and its error lines, for the test to check the exit code and the words.
 */
export const refusedAction = (...args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const { flags, key } = yield* connectionFlags
    const result = yield* runCli([...flags, "-p", ...args, "--log-format", "json"])
    assertNoSecret(result, key.secret)
    assert.strictEqual(result.stdout, "")
    const writes = (yield* Effect.flatMap(Sandbox, (sandbox) => sandbox.requestLog)).filter((entry) => entry.method !== "GET")
    assert.deepStrictEqual(writes, [])
    return { result, errors: logFields(result.stderr).filter((line) => line["level"] === "error") }
  })

/**
 * A -p action run against the test's sandbox with json logs, checked only for secrets: what it
 * printed, the writes the sandbox saw and the account after it, for the test to check all three.
 */
export const provisioningRun = (...args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox
    const { flags, key } = yield* connectionFlags
    const result = yield* runCli([...flags, "-p", ...args, "--log-format", "json"])
    assertNoSecret(result, key.secret)
    const writes = (yield* sandbox.requestLog).filter((entry) => entry.method !== "GET")
    return { result, writes, snapshot: yield* sandbox.snapshot }
  })

/** `provisioningRun` of a grant of `entitlementId` to `userId` given as a user (--grant-principal-type user). */
export const grantToUser = (entitlementId: string, userId: string) =>
  provisioningRun("--grant-entitlement", entitlementId, "--grant-principal", userId, "--grant-principal-type", "user")

/** A provisioning action's audit line with `fields`, as logFields reads it. */
export const auditLine = (fields: Record<string, string>) => ({ level: "info", msg: "provisioning action", ...fields })

/** The account roles a role refusal on the small preset lists. */
export const smallAccountRoles = `valid ACCOUNT roles: "Account Administrator", "Account Billing", "Account Analyst", ` +
  `"Account Reviewer", "Destination Creator", "Security Auditor"`
