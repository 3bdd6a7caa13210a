import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, assertNoSecret, logFields, runCli } from "./support/CliProcess.js"
import { auditLine } from "./support/RefusedActions.js"
import { connectionFlags, sandboxLayer, smallAccount } from "./support/Sandboxes.js"

/**
 * The email of an invitation, and one given where an id belongs, stay out of the CLI's log lines
 * (JSON, at debug): the lines name the user's id, or `<email>`. The output keeps it: the invitation's
 * `created user:<id> (<email>)` answers whoever ran the command. Before, an invitation whose
 * POST Fivetran made but did not answer logged a warning whose `provisioning` field was `create
 * an account for <the email>` (and whose `error`, Fivetran's 409, quoted it again), and the audit
 * line of a grant to an email was `principal_id: <the email>`.
 */

const invitee = "new.analyst@example.org"
const profile = JSON.stringify({ given_name: "New", family_name: "Analyst", role: "Account Analyst" })

/** Runs the CLI with -p, JSON logs at debug, against the test's sandbox with `faults` set on its POSTs. */
const provision = (faults: Parameters<Sandbox["Type"]["setFaults"]>[0], ...args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox
    yield* sandbox.setFaults({ ...faults, methods: ["POST"] })
    const { flags, key } = yield* connectionFlags
    const result = yield* runCli([...flags, "-p", ...args, "--log-format", "json", "--log-level", "debug"])
    assertNoSecret(result, key.secret)
    const invited = (yield* sandbox.snapshot).users.find((user) => user.email === invitee)
    return { result, invitedId: invited?.id }
  })

/** Invites `invitee` under `faults`, checked to be reported created (exit 0): the run and the new user's id. */
const invitedUnder = (faults: Parameters<Sandbox["Type"]["setFaults"]>[0]) =>
  Effect.gen(function*() {
    const { invitedId, result } = yield* provision(faults, "--create-account-email", invitee, "--create-account-profile", profile)
    assertExit(result, 0)
    assert.isDefined(invitedId)
    assert.strictEqual(result.stdout, `created user:${invitedId} (${invitee})\n`)
    return { invitedId, result }
  })

/** The audit line of the invitation these tests make, the user it created being `id`. */
const createdAudit = (id: string | undefined) =>
  auditLine({ action: "create_account", role: "Account Analyst", principal_type: "user", principal_id: id!, outcome: "created" })

/** The warn and info lines (the debug ones are the client's requests: path, status, duration). */
const outcomeLines = (stderr: string) => logFields(stderr).filter((line) => line["level"] !== "debug")

describe("the CLI's log lines name users by id, not email", () => {
  it.scopedLive("an invitation whose POST was made, answered 503 and repeated into 409", () =>
    Effect.gen(function*() {
      const { invitedId, result } = yield* invitedUnder({ failAfterActing: { requests: 1, status: 503 } })
      assert.deepStrictEqual(outcomeLines(result.stderr).filter((line) => !String(line["msg"]).startsWith("waiting ")), [
        {
          level: "warn",
          msg: "an invitation's repeat met the user it invited: the invitation most likely landed on an earlier attempt; " +
            "reporting the user as created",
          provisioning: "create an account for <email>",
          error: "POST /v1/users: conflicts with the current state (409 Conflict): A user with email '<email>' already exists " +
            "in the account, answering attempt 2; an earlier one (Fivetran answered 503) may have made the change itself",
          resource_id: invitedId
        },
        createdAudit(invitedId)
      ])
      assert.notInclude(result.stderr, invitee)
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("an invitation whose POST was made and its answer lost, which the read-back finds", () =>
    Effect.gen(function*() {
      const { invitedId, result } = yield* invitedUnder({ lostAnswers: { requests: 1 } })
      assert.deepStrictEqual(outcomeLines(result.stderr), [
        {
          level: "warn",
          msg: "a write's outcome was unknown, but the read-back found the change made",
          provisioning: "create an account for <email>",
          error: "POST /v1/users: could not reach Fivetran: the request failed: UND_ERR_SOCKET other side closed"
        },
        createdAudit(invitedId)
      ])
      assert.notInclude(result.stderr, invitee)
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("a grant to an email given as the user's id: audited and refused as <email> in JSON", () =>
    Effect.gen(function*() {
      const email = smallAccount.users.find((user) => user.email !== null)!.email!
      const { result } = yield* provision(
        {},
        "--grant-entitlement",
        "role:Account Analyst:assigned",
        "--grant-principal",
        email,
        "--grant-principal-type",
        "user"
      )
      assertExit(result, 2)
      assert.deepStrictEqual(outcomeLines(result.stderr), [
        auditLine({
          action: "grant",
          entitlement_id: "role:Account Analyst:assigned",
          principal_type: "user",
          principal_id: "<email>",
          outcome: "invalid_id"
        }),
        {
          // A log line like the others (a CronJob's stderr goes to the log store): the email is <email>.
          level: "error",
          msg: `invalid user id "<email>": it is an email address, not a Fivetran id (such as nozzle_eat); give the ` +
            "user's id, which the sync's resources list (a user's beside its email)",
          exit_code: 2
        }
      ])
      assert.notInclude(result.stderr, email)
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("the same refusal on a console quotes the email to whoever typed it", () =>
    Effect.gen(function*() {
      const email = smallAccount.users.find((user) => user.email !== null)!.email!
      const { flags } = yield* connectionFlags
      const result = yield* runCli([
        ...flags,
        "-p",
        "--grant-entitlement",
        "role:Account Analyst:assigned",
        "--grant-principal",
        email,
        "--grant-principal-type",
        "user",
        "--log-format",
        "console"
      ])
      assertExit(result, 2)
      assert.strictEqual(
        result.stderr.split("\n").filter((line) => line.startsWith("error: ")).join("\n"),
        `error: invalid user id "${email}": it is an email address, not a Fivetran id (such as nozzle_eat); give the ` +
          "user's id, which the sync's resources list (a user's beside its email)"
      )
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))
})
