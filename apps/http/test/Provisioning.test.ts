import { KeyRejected, ProvisioningDisabled, Upstream } from "@baton-fivetran/connector-core"
import { type AccountSnapshot, generatePreset } from "@baton-fivetran/fivetran-sandbox"
import { assert, layer } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { harness, Harness, provisioningCall as call, type ProvisioningAnswer, TestToken } from "./Harness.js"
import { TestCaller } from "./TestCaller.js"

/**
 * Provisioning through the typed client (HttpApiClient over the contract). The client decodes an
 * answer by its status: `granted` and `created` only arrive as 201, `already_exists` as 200, and a
 * refusal as its own class only with its own status. The refusals' exact wire form is checked raw.
 */

const ids = (grants: ReadonlyArray<{ readonly id: string }>) => grants.map((grant) => grant.id)

const grant = (entitlement_id: string, principal: { readonly type: "user" | "team"; readonly id: string }) =>
  Effect.flatMap(Harness, ({ client }) => client.provisioning.grant({ payload: { entitlement_id, principal } }))

const revoke = (grant_id: string) => Effect.flatMap(Harness, ({ client }) => client.provisioning.revoke({ path: { grant_id } }))

const grantPath = (grantId: string) => `/v1/grants/${encodeURIComponent(grantId)}`

layer(harness({ provisioning: true }), { excludeTestServices: true, timeout: 60_000 })("provisioning", (it) => {
  it.effect("team membership: 201 granted, 200 already there, 200 revoked, 200 already revoked", () =>
    Effect.gen(function*() {
      const { sandbox } = yield* Harness
      const before = yield* sandbox.snapshot
      const team = before.teams[0]!.id
      const user = before.users.find((u) => !before.team_users.some((row) => row.team_id === team && row.user_id === u.id))!.id
      const entitlement = `team:${team}:member`
      const grantId = `${entitlement}:user:${user}`
      const membersOf = Effect.map(sandbox.snapshot, (s) => s.team_users.filter((row) => row.team_id === team))

      const granted = yield* grant(entitlement, { type: "user", id: user })
      assert.deepStrictEqual([granted.status, granted.message], ["granted", `granted ${entitlement} to user:${user}`])
      assert.include(ids(granted.grants), grantId)
      const afterGrant = yield* membersOf
      assert.deepStrictEqual(afterGrant.filter((row) => row.user_id === user).map((row) => row.role), ["Team Member"])

      const again = yield* grant(entitlement, { type: "user", id: user })
      assert.deepStrictEqual([again.status, again.message], [
        "already_exists",
        `already exists: user:${user} already holds ${entitlement}`
      ])
      assert.include(ids(again.grants), grantId)
      assert.deepStrictEqual(yield* membersOf, afterGrant)

      // The membership and its team role are one membership in Fivetran: the DELETE ends both grants.
      assert.deepStrictEqual(yield* revoke(grantId), {
        grant_id: grantId,
        status: "revoked",
        message: `revoked ${grantId}, and with it team:${team}:Team Member:user:${user} (one membership in Fivetran, removed whole)`,
        also_revoked: [`team:${team}:Team Member:user:${user}`]
      })
      assert.isFalse((yield* membersOf).some((row) => row.user_id === user))

      assert.deepStrictEqual(yield* revoke(grantId), {
        grant_id: grantId,
        status: "already_revoked",
        message: `already revoked: ${grantId}`
      })
      assert.strictEqual((yield* membersOf).length, afterGrant.length - 1)
    }))

  it.effect("16 clients granting the same access at once cause exactly one upstream write and share its answer", () =>
    Effect.gen(function*() {
      const { sandbox } = yield* Harness
      const before = yield* sandbox.snapshot
      const team = before.teams[1]!.id
      const user = before.users.find((u) => !before.team_users.some((row) => row.team_id === team && row.user_id === u.id))!.id
      const entitlement = `team:${team}:member`
      yield* sandbox.clearRequestLog
      const answers = yield* Effect.all(Array.from({ length: 16 }, () => grant(entitlement, { type: "user", id: user })), {
        concurrency: "unbounded"
      })
      const writes = (yield* sandbox.requestLog).filter((entry) => entry.method !== "GET")
      assert.deepStrictEqual(writes.map((entry) => `${entry.method} ${entry.path} ${entry.status}`), [
        `POST /v1/teams/${team}/users 201`
      ])
      // Those in flight together share the one write's answer (201); any that came after it found the grant there.
      for (const answer of answers) {
        assert.include(ids(answer.grants), `team:${team}:member:user:${user}`)
      }
      assert.isAbove(answers.filter((answer) => answer.status === "granted").length, 0)
      const members = (yield* sandbox.snapshot).team_users.filter((row) => row.team_id === team && row.user_id === user)
      assert.strictEqual(members.length, 1)
      // Once it has finished, the same request is checked afresh: already there, and no write.
      yield* sandbox.clearRequestLog
      const later = yield* grant(entitlement, { type: "user", id: user })
      assert.strictEqual(later.status, "already_exists")
      assert.isFalse((yield* sandbox.requestLog).some((entry) => entry.method !== "GET"))
    }))

  it.effect("account role: granting replaces the user's role, revoking removes it, repeats change nothing", () =>
    Effect.gen(function*() {
      const { sandbox } = yield* Harness
      const before = yield* sandbox.snapshot
      // Not an administrator: Fivetran refuses to demote the last one.
      const user = before.users.find((u) => u.role !== null && u.role !== "Account Administrator" && u.active)!
      const role = before.roles.find((r) => r.scope.includes("ACCOUNT") && r.is_deprecated !== true && r.name !== user.role)!.name
      const roleOf = Effect.map(sandbox.snapshot, (s) => s.users.find((u) => u.id === user.id)!.role)
      const entitlement = `role:${role}:assigned`

      const granted = yield* grant(entitlement, { type: "user", id: user.id })
      assert.strictEqual(granted.status, "granted")
      assert.include(ids(granted.grants), `${entitlement}:user:${user.id}`)
      assert.strictEqual(granted.status === "granted" ? granted.replaced_role : undefined, user.role)
      // No exclusion group on the entitlement: the service runs without --exclusion-groups, as its syncs are written.
      assert.deepStrictEqual(granted.grants.map((g) => g.entitlement.annotations), [[]])
      assert.strictEqual(yield* roleOf, role)

      const again = yield* grant(entitlement, { type: "user", id: user.id })
      assert.strictEqual(again.status, "already_exists")
      assert.strictEqual(yield* roleOf, role)

      const revoked = yield* revoke(`${entitlement}:user:${user.id}`)
      assert.strictEqual(revoked.status, "revoked")
      assert.strictEqual(yield* roleOf, null)

      const revokedAgain = yield* revoke(`${entitlement}:user:${user.id}`)
      assert.strictEqual(revokedAgain.status, "already_revoked")
      assert.strictEqual(yield* roleOf, null)
    }))

  it.effect("a revoke, and its retry, say which team grants still give the access; a user who no longer exists has nothing to revoke", () =>
    Effect.gen(function*() {
      const { sandbox } = yield* Harness
      const before = yield* sandbox.snapshot
      // A member of a team holding an account role, given that role directly too.
      const team = before.teams.find((t) => t.role !== null && before.team_users.some((row) => row.team_id === t.id))!
      const member = before.team_users.find((row) => row.team_id === team.id)!.user_id
      const entitlement = `role:${team.role}:assigned`
      const grantId = `${entitlement}:user:${member}`
      yield* grant(entitlement, { type: "user", id: member })

      const revoked = yield* call("DELETE", grantPath(grantId))
      assert.deepStrictEqual(revoked, {
        status: 200,
        body: {
          grant_id: grantId,
          status: "revoked",
          message: `revoked ${grantId}, but it is still held through ${entitlement}:team:${team.id} (revoke that, or remove ` +
            "the user from the team, to end the access)",
          still_held_through: [`${entitlement}:team:${team.id}`]
        }
      })
      // A retry: nothing direct is left, so already revoked (a retry is safe), naming the team grant again; its
      // message is the CLI's line, which says there is nothing to revoke directly, not "already revoked".
      const detail = `held only through team membership (team:${team.id}:member:user:${member}): revoke ` +
        `${entitlement}:team:${team.id}, or remove the user from the team, to end the access`
      assert.deepStrictEqual(yield* call("DELETE", grantPath(grantId)), {
        status: 200,
        body: {
          grant_id: grantId,
          status: "already_revoked",
          message: `nothing to revoke directly: ${grantId} (${detail})`,
          still_held_through: [`${entitlement}:team:${team.id}`],
          detail
        }
      })

      // An id with an unpaired surrogate is the caller's mistake (400), not the service's (it was a 500).
      const surrogate = yield* call("POST", "/v1/grants", { entitlement_id: entitlement, principal: { type: "user", id: "a\ud800" } })
      assert.deepStrictEqual([surrogate.status, surrogate.body["error"]], [400, "InvalidId"])

      const goneId = `${entitlement}:user:no_such_user`
      assert.deepStrictEqual(yield* call("DELETE", grantPath(goneId)), {
        status: 200,
        body: {
          grant_id: goneId,
          status: "already_revoked",
          message: `already revoked: ${goneId} (user no_such_user does not exist)`,
          detail: "user no_such_user does not exist"
        }
      })
    }))

  it.effect("a revoke with the group's and the user's ids swapped is 404 UnknownEntitlement naming the grant meant, as the CLI says", () =>
    Effect.gen(function*() {
      const { sandbox } = yield* Harness
      // In the small preset formal_sierra holds Edit Destination on formal_birch directly.
      const held = (s: AccountSnapshot) => s.user_groups.some((row) => row.user_id === "formal_sierra" && row.group_id === "formal_birch")
      assert.isTrue(held(yield* sandbox.snapshot))
      yield* sandbox.clearRequestLog
      assert.deepStrictEqual(yield* call("DELETE", grantPath("group:formal_sierra:Edit Destination:user:formal_birch")), {
        status: 404,
        body: {
          error: "UnknownEntitlement",
          message: "group formal_sierra does not exist, but user formal_sierra does: nothing was revoked; the two ids " +
            "look swapped (group formal_birch does exist): revoke group:formal_birch:Edit Destination:user:formal_sierra"
        }
      })
      assert.deepStrictEqual((yield* sandbox.requestLog).filter((entry) => entry.method !== "GET"), [])
      assert.isTrue(held(yield* sandbox.snapshot))
    }))

  it.effect("a revoke naming a connection's id as a group's is 404 UnknownEntitlement naming the connection grant held, as the CLI says", () =>
    Effect.gen(function*() {
      const { sandbox } = yield* Harness
      const { connection_id, role, user_id } = (yield* sandbox.snapshot).user_connections[0]!
      const held = (s: AccountSnapshot) =>
        s.user_connections.filter((row) => row.user_id === user_id && row.connection_id === connection_id).map((row) => row.role)
      yield* sandbox.clearRequestLog
      assert.deepStrictEqual(yield* call("DELETE", grantPath(`group:${connection_id}:Edit Destination:user:${user_id}`)), {
        status: 404,
        body: {
          error: "UnknownEntitlement",
          message: `group ${connection_id} does not exist, but connection ${connection_id} does: nothing was revoked; ` +
            `user:${user_id} holds connection:${connection_id}:${role}: revoke connection:${connection_id}:${role}:user:${user_id} ` +
            "to end it"
        }
      })
      assert.deepStrictEqual((yield* sandbox.requestLog).filter((entry) => entry.method !== "GET"), [])
      assert.deepStrictEqual(held(yield* sandbox.snapshot), [role])
    }))

  it.effect("a revoke naming a role the user no longer holds there is already_revoked naming the role held instead, left in place", () =>
    Effect.gen(function*() {
      const { sandbox } = yield* Harness
      // In the small preset formal_sierra holds Edit Destination on formal_birch (and no team gives her a role there).
      const heldRole = (s: AccountSnapshot) =>
        s.user_groups.find((row) => row.user_id === "formal_sierra" && row.group_id === "formal_birch")?.role
      assert.strictEqual(heldRole(yield* sandbox.snapshot), "Edit Destination")
      yield* sandbox.clearRequestLog
      const grantId = "group:formal_birch:View Destination:user:formal_sierra"
      assert.deepStrictEqual(yield* call("DELETE", grantPath(grantId)), {
        status: 200,
        body: {
          grant_id: grantId,
          status: "already_revoked",
          message: `already revoked: ${grantId} (user:formal_sierra holds group:formal_birch:Edit Destination there instead, ` +
            "which this revoke leaves in place: revoke group:formal_birch:Edit Destination:user:formal_sierra to end it)",
          held_instead: "group:formal_birch:Edit Destination:user:formal_sierra",
          detail: "user:formal_sierra holds group:formal_birch:Edit Destination there instead, which this revoke leaves " +
            "in place: revoke group:formal_birch:Edit Destination:user:formal_sierra to end it"
        }
      })
      assert.isFalse((yield* sandbox.requestLog).some((entry) => entry.method !== "GET"))
      assert.strictEqual(heldRole(yield* sandbox.snapshot), "Edit Destination")
    }))

  it.effect("accounts: 201 created, 200 already exists (a disabled user said so); deleting: 200 deleted, then 200 does_not_exist", () =>
    Effect.gen(function*() {
      const { client, sandbox } = yield* Harness
      const email = "new.hire@acmedata.com"
      const payload = { email, given_name: "New", family_name: "Hire", role: "Account Reviewer" }
      const usersWith = Effect.map(sandbox.snapshot, (s) => s.users.filter((u) => u.email === email))

      const created = yield* client.provisioning.createAccount({ payload })
      assert.strictEqual(created.status, "created")
      const resource = created.resource
      assert.strictEqual(resource.id.resourceType, "user")
      const invited = yield* usersWith
      assert.deepStrictEqual(invited.map((u) => [u.id, u.given_name, u.family_name, u.role]), [
        [resource.id.resource, "New", "Hire", "Account Reviewer"]
      ])

      const again = yield* client.provisioning.createAccount({ payload })
      assert.strictEqual(again.status, "already_exists")
      assert.deepStrictEqual(again.resource.id, resource.id)
      assert.strictEqual((yield* usersWith).length, 1)
      // The CLI's line for each, as a grant's message is.
      assert.deepStrictEqual([created.message, again.message], [
        `created user:${resource.id.resource} (${email})`,
        `already exists: user:${resource.id.resource} (${email})`
      ])
      // A disabled user found under the email: said, as the status alone read as an invitation done.
      const disabled = (yield* sandbox.snapshot).users.find((user) => !user.active && user.email !== null)!
      const found = yield* client.provisioning.createAccount({
        payload: { email: disabled.email!, given_name: disabled.given_name, family_name: disabled.family_name }
      })
      assert.deepStrictEqual([found.status, found.message], [
        "already_exists",
        `already exists: user:${disabled.id} (${disabled.email}), but it is disabled in Fivetran: it cannot sign in until ` +
        "it is enabled there (Fivetran's API cannot enable a user)"
      ])

      const path = { type: "user", id: resource.id.resource }
      assert.deepStrictEqual(yield* client.provisioning.deleteResource({ path }), {
        resource: resource.id,
        status: "deleted",
        message: `deleted user:${resource.id.resource}`
      })
      assert.deepStrictEqual(yield* usersWith, [])

      // The CLI's line for it, as for a grant and a revoke (the answer had no message before).
      assert.deepStrictEqual(yield* client.provisioning.deleteResource({ path }), {
        resource: resource.id,
        status: "does_not_exist",
        message: `does not exist: user:${resource.id.resource} (nothing to delete)`
      })
    }))

  it.effect("each refusal answers with its own code and status, and changes nothing", () =>
    Effect.gen(function*() {
      const { sandbox } = yield* Harness
      const before = yield* sandbox.snapshot
      const user = before.users[0]!.id
      const teamGroup = before.team_groups.find((tg) =>
        before.team_users.some((tu) =>
          tu.team_id === tg.team_id &&
          !before.user_groups.some((ug) => ug.user_id === tu.user_id && ug.group_id === tg.group_id)
        )
      )!
      const member = before.team_users.find((tu) =>
        tu.team_id === teamGroup.team_id &&
        !before.user_groups.some((ug) => ug.user_id === tu.user_id && ug.group_id === teamGroup.group_id)
      )!.user_id
      const grant = (entitlement: string, principal: { type: string; id: string }) =>
        call("POST", "/v1/grants", { entitlement_id: entitlement, principal })
      const cases: ReadonlyArray<readonly [string, Effect.Effect<ProvisioningAnswer, never, Harness>, number, string]> = [
        ["bad id", grant("garbage", { type: "user", id: user }), 400, "InvalidId"],
        ["unknown role", grant("role:No Such Role:assigned", { type: "user", id: user }), 422, "UnknownRole"],
        ["wrong scope", grant(`group:${teamGroup.group_id}:Team Manager`, { type: "user", id: user }), 422, "WrongScope"],
        ["unknown team", grant("team:no-such-team:member", { type: "user", id: user }), 404, "UnknownEntitlement"],
        ["unknown user", grant(`team:${teamGroup.team_id}:member`, { type: "user", id: "nobody" }), 404, "UnknownPrincipal"],
        ["team in a team", grant(`team:${teamGroup.team_id}:member`, { type: "team", id: teamGroup.team_id }), 422, "NotGrantable"],
        ["delete a group", call("DELETE", `/v1/resources/group/${teamGroup.group_id}`), 422, "Unsupported"]
      ]
      for (const [label, effect, status, code] of cases) {
        const answer = yield* effect
        assert.strictEqual(answer.status, status, label)
        // The body's `error` is the refusal's tag (one error shape everywhere).
        assert.deepStrictEqual(Object.keys(answer.body).sort(), ["error", "message"], label)
        assert.strictEqual(answer.body["error"], code, label)
        assert.isString(answer.body["message"], label)
      }
      // A padded role name is refused as the CLI refuses it, not trimmed into another request.
      const padded = yield* call("POST", "/v1/accounts", {
        email: "padded@acmedata.com",
        given_name: "P",
        family_name: "R",
        role: " Account Reviewer "
      })
      assert.deepStrictEqual([padded.status, padded.body], [400, {
        error: "InvalidRequest",
        field: "role",
        message: "role: expected non-empty text without spaces around it"
      }])
      // A grant held only through a team is not a refusal: nothing direct to revoke, the team grant named.
      const inherited = yield* call("DELETE", grantPath(`group:${teamGroup.group_id}:${teamGroup.role}:user:${member}`))
      assert.deepStrictEqual([inherited.status, inherited.body["status"], inherited.body["still_held_through"]], [
        200,
        "already_revoked",
        [`group:${teamGroup.group_id}:${teamGroup.role}:team:${teamGroup.team_id}`]
      ])
      assert.deepStrictEqual(yield* sandbox.snapshot, before)
    }))

  it.effect("a write given a query parameter or, where it takes no body, a body field is a 400 naming it, and changes nothing", () =>
    Effect.gen(function*() {
      const { sandbox } = yield* Harness
      const before = yield* sandbox.snapshot
      const member = before.team_users[0]!
      const held = `team:${member.team_id}:member:user:${member.user_id}`
      const user = before.users[0]!
      const outsider = before.users.find((u) => !before.team_users.some((row) => row.team_id === member.team_id && row.user_id === u.id))!
      const query = (field: string) => `${field} is not a field of this request (it takes no query parameters)`
      const cases: ReadonlyArray<readonly [string, Effect.Effect<ProvisioningAnswer, never, Harness>, string, string]> = [
        ["revoke, dry run", call("DELETE", `${grantPath(held)}?dry_run=true`), "dry_run", query("dry_run")],
        [
          "grant, dry run",
          call("POST", "/v1/grants?dry_run=1", {
            entitlement_id: `team:${member.team_id}:member`,
            principal: { type: "user", id: outsider.id }
          }),
          "dry_run",
          query("dry_run")
        ],
        ["delete, force", call("DELETE", `/v1/resources/user/${user.id}?force`), "force", query("force")],
        [
          "revoke with a body",
          call("DELETE", grantPath(held), { reason: "offboarding" }),
          "reason",
          "reason is not a field of this request (it takes no body)"
        ],
        [
          "delete with a body",
          call("DELETE", `/v1/resources/user/${user.id}`, ["x"]),
          "body",
          "this request takes no body (or an empty JSON object)"
        ]
      ]
      for (const [label, effect, field, message] of cases) {
        const answer = yield* effect
        assert.deepStrictEqual([answer.status, answer.body], [400, { error: "InvalidRequest", field, message }], label)
      }
      assert.deepStrictEqual(yield* sandbox.snapshot, before)
      // An empty object is no fields: the revoke goes through.
      const revoked = yield* call("DELETE", grantPath(held), {})
      assert.deepStrictEqual([revoked.status, revoked.body["status"]], [200, "revoked"])
    }))

  it.effect("a padded user id is the same 400 InvalidId from a grant, a revoke and a delete, and changes nothing", () =>
    Effect.gen(function*() {
      const { sandbox } = yield* Harness
      const before = yield* sandbox.snapshot
      const padded = `${before.users[0]!.id} `
      const teamId = before.teams[0]!.id
      const expected = {
        error: "InvalidId",
        message: `invalid user id ${JSON.stringify(padded)}: it ends with whitespace (U+0020), which no Fivetran id has`
      }
      const answers = [
        yield* call("POST", "/v1/grants", { entitlement_id: `team:${teamId}:member`, principal: { type: "user", id: padded } }),
        yield* call("DELETE", grantPath(`team:${teamId}:member:user:${padded}`)),
        yield* call("DELETE", `/v1/resources/user/${encodeURIComponent(padded)}`)
      ]
      assert.deepStrictEqual(answers.map((a) => [a.status, a.body]), [[400, expected], [400, expected], [400, expected]])
      assert.deepStrictEqual(yield* sandbox.snapshot, before)
    }))

  it.effect("Fivetran failing during a write is 502 Upstream", () =>
    Effect.gen(function*() {
      const { sandbox } = yield* Harness
      const before = yield* sandbox.snapshot
      const { client } = yield* Harness
      yield* sandbox.setFaults({ serverErrorShare: 1 })
      const refusal = yield* Effect.flip(client.provisioning.deleteResource({ path: { type: "user", id: before.users[1]!.id } }))
      yield* sandbox.setFaults({})
      assert.instanceOf(refusal, Upstream)
      assert.deepStrictEqual((yield* sandbox.snapshot).users, before.users)
    }))

  it.effect("a grant whose POST Fivetran answered 500 is 502 saying the read-back found it not made; its retry is 201", () =>
    Effect.gen(function*() {
      const { sandbox } = yield* Harness
      const before = yield* sandbox.snapshot
      const group = before.groups[0]!.id
      const user = before.users.find((u) => !before.user_groups.some((row) => row.group_id === group && row.user_id === u.id))!.id
      const body = { entitlement_id: `group:${group}:View Destination`, principal: { type: "user", id: user } }
      yield* sandbox.setFaults({ serverErrorShare: 1, serverErrorStatuses: [500], methods: ["POST"] })
      const failed = yield* call("POST", "/v1/grants", body)
      yield* sandbox.setFaults({})
      assert.deepStrictEqual(failed, {
        status: 502,
        body: {
          error: "Upstream",
          message: `cannot grant group:${group}:View Destination to user:${user}: POST /v1/users/${user}/groups: ` +
            "Fivetran answered 500; read back: the change was not made; retrying is safe (it reads before it writes)"
        }
      })
      assert.deepStrictEqual((yield* sandbox.snapshot).user_groups, before.user_groups)
      const retried = yield* call("POST", "/v1/grants", body)
      assert.deepStrictEqual([retried.status, retried.body["status"]], [201, "granted"])
    }))
})

/** What the OpenAPI document says each provisioning route answers with 409, and the schemas it names. */
const Ref = Schema.Struct({ $ref: Schema.String })
const Answers409 = Schema.Struct({
  responses: Schema.Struct({
    "409": Schema.Struct({
      content: Schema.Struct({
        // The 409's schema names Conflict through allOf, beside the description of its codes (7a5b75d).
        "application/json": Schema.Struct({ schema: Schema.Union(Ref, Schema.Struct({ allOf: Schema.Array(Ref) })) })
      })
    })
  })
})
const ConflictDocument = Schema.Struct({
  paths: Schema.Struct({
    "/v1/grants": Schema.Struct({ post: Answers409 }),
    "/v1/grants/{grant_id}": Schema.Struct({ delete: Answers409 }),
    "/v1/accounts": Schema.Struct({ post: Answers409 }),
    "/v1/resources/{type}/{id}": Schema.Struct({ delete: Answers409 })
  }),
  components: Schema.Struct({ schemas: Schema.Record({ key: Schema.String, value: Schema.Unknown }) })
})

layer(harness({ provisioning: true }), { excludeTestServices: true, timeout: 60_000 })("Fivetran's 409", (it) => {
  it.effect("is a 409 Conflict with Fivetran's message, documented on every provisioning route, and not logged as an error", () =>
    Effect.gen(function*() {
      const { logs, request, sandbox } = yield* Harness
      const before = yield* sandbox.snapshot
      const admins = before.users.filter((user) => user.role === "Account Administrator")
      assert.strictEqual(admins.length, 1)
      const admin = admins[0]!.id
      const fivetran = `conflicts with the current state (409 Conflict): User '${admin}' is the last Account Administrator; ` +
        "the account must keep one"
      const logged = (yield* logs).length
      assert.deepStrictEqual(
        yield* call("POST", "/v1/grants", { entitlement_id: "role:Account Reviewer:assigned", principal: { type: "user", id: admin } }),
        {
          status: 409,
          body: {
            error: "Conflict",
            message: `cannot grant role:Account Reviewer:assigned to user:${admin}: PATCH /v1/users/${admin}: ${fivetran}; ` +
              "grant role:Account Administrator:assigned to another user first (an account keeps at least one Account " +
              "Administrator), then run this again"
          }
        }
      )
      assert.deepStrictEqual(yield* call("DELETE", `/v1/resources/user/${admin}`), {
        status: 409,
        body: {
          error: "Conflict",
          message: `cannot delete user:${admin}: DELETE /v1/users/${admin}: ${fivetran}; grant role:Account Administrator:assigned ` +
            "to another user first (an account keeps at least one Account Administrator), then run this again"
        }
      })
      assert.deepStrictEqual((yield* logs).slice(logged), [])
      assert.deepStrictEqual(yield* sandbox.snapshot, before)

      const response = yield* request("GET", "/openapi.json", { token: TestToken })
      const document = yield* Effect.orDie(Effect.flatMap(response.json, Schema.decodeUnknown(ConflictDocument)))
      const { paths } = document
      const routes = [
        paths["/v1/grants"].post,
        paths["/v1/grants/{grant_id}"].delete,
        paths["/v1/accounts"].post,
        paths["/v1/resources/{type}/{id}"].delete
      ]
      assert.deepStrictEqual(
        routes.map((route) => route.responses["409"].content["application/json"].schema),
        routes.map(() => ({ allOf: [{ $ref: "#/components/schemas/Conflict" }] }))
      )
      assert.deepStrictEqual(document.components.schemas["Conflict"], {
        type: "object",
        required: ["error", "message"],
        properties: { error: { type: "string", enum: ["Conflict"] }, message: { type: "string" } },
        additionalProperties: false
      })
    }))
})

layer(harness({ provisioning: false }), { excludeTestServices: true, timeout: 60_000 })("provisioning disabled", (it) => {
  it.effect("every provisioning endpoint is 403 saying how to enable it, and nothing changes", () =>
    Effect.gen(function*() {
      const { sandbox } = yield* Harness
      const before = yield* sandbox.snapshot
      const user = before.users[0]!.id
      const team = before.teams[0]!.id
      const { client } = yield* Harness
      const refusals = [
        yield* Effect.flip(grant(`team:${team}:member`, { type: "user", id: user })),
        yield* Effect.flip(revoke(`team:${team}:member:user:${user}`)),
        yield* Effect.flip(client.provisioning.createAccount({ payload: { email: "x@acmedata.com", given_name: "X", family_name: "Y" } })),
        yield* Effect.flip(client.provisioning.deleteResource({ path: { type: "user", id: user } }))
      ]
      const disabled = new ProvisioningDisabled({
        message: "provisioning is disabled; start the service with --provisioning (or BATON_PROVISIONING=true) to enable it"
      })
      assert.deepStrictEqual(refusals, [disabled, disabled, disabled, disabled])
      const raw = yield* call("POST", "/v1/grants", { entitlement_id: `team:${team}:member`, principal: { type: "user", id: user } })
      assert.deepStrictEqual(raw, { status: 403, body: { error: "ProvisioningDisabled", message: disabled.message } })
      assert.deepStrictEqual(yield* sandbox.snapshot, before)
      const log = yield* sandbox.requestLog
      assert.isFalse(log.some((entry) => entry.method !== "GET"))
    }))

  it.effect("whatever the body holds, the answer is that 403 (401 without a token), and the body is not read", () =>
    Effect.gen(function*() {
      const { request } = yield* Harness
      const bodies: ReadonlyArray<readonly ["POST" | "DELETE", string, unknown, Record<string, string>]> = [
        ["POST", "/v1/grants", "{ not json", {}],
        ["POST", "/v1/grants", "[".repeat(100), {}],
        ["POST", "/v1/grants", { entitlement_id: "team:t:member" }, {}],
        ["POST", "/v1/grants", "entitlement_id=team:t:member", { "content-type": "application/x-www-form-urlencoded" }],
        ["POST", "/v1/accounts", { email: "not an email", dry_run: true }, {}],
        ["POST", "/v1/accounts", { email: "big@acmedata.com", given_name: "x".repeat(70 * 1024), family_name: "B" }, {}],
        ["DELETE", "/v1/grants/team%3At%3Amember%3Auser%3Au", "{", {}],
        ["DELETE", "/v1/resources/user/u", "{", {}]
      ]
      const answers = yield* Effect.forEach(bodies, ([method, path, body, headers]) =>
        Effect.gen(function*() {
          const withToken = yield* request(method, path, { token: TestToken, body, headers })
          const without = yield* request(method, path, { body, headers })
          return [
            `${method} ${path}`,
            withToken.status,
            yield* Effect.orDie(withToken.json),
            withToken.headers["connection"],
            without.status,
            yield* Effect.orDie(without.json)
          ]
        }))
      assert.deepStrictEqual(
        answers,
        bodies.map(([method, path]) => [
          `${method} ${path}`,
          403,
          {
            error: "ProvisioningDisabled",
            message: "provisioning is disabled; start the service with --provisioning (or BATON_PROVISIONING=true) to enable it"
          },
          // The unread body is not read on: the connection ends with the answer.
          "close",
          401,
          { error: "Unauthorized", message: "missing Authorization header; send `Authorization: Bearer <token>`" }
        ])
      )
    }))
})

/** An account with a custom connection role whose name (free text in Fivetran) makes grant ids of over 100 characters. */
const longRoleName = "Finance Reporting - Read-Only Access for External Auditors"
const withLongRole = (base: AccountSnapshot): AccountSnapshot => ({
  ...base,
  roles: [...base.roles, {
    name: longRoleName,
    description: "Custom connector role.",
    is_custom: true,
    scope: ["CONNECTOR"],
    is_deprecated: false,
    replacement_role_name: null
  }]
})

layer(harness({ provisioning: true, snapshot: withLongRole(generatePreset("small")) }), { excludeTestServices: true, timeout: 60_000 })(
  "long path parameters",
  (it) => {
    it.effect("a grant id of over 100 characters is granted and revoked over HTTP", () =>
      Effect.gen(function*() {
        const { sandbox } = yield* Harness
        const before = yield* sandbox.snapshot
        const connection = before.connections[0]!.id
        const team = before.teams.find((t) =>
          !before.team_connections.some((row) => row.team_id === t.id && row.connection_id === connection)
        )!.id
        const grantId = `connection:${connection}:${longRoleName}:team:${team}`
        assert.isAbove(grantId.length, 100)
        const held = Effect.map(
          sandbox.snapshot,
          (s) => s.team_connections.filter((row) => row.team_id === team && row.connection_id === connection).map((row) => row.role)
        )

        const granted = yield* grant(`connection:${connection}:${longRoleName}`, { type: "team", id: team })
        assert.deepStrictEqual([granted.status, ids(granted.grants)], ["granted", [grantId]])
        assert.deepStrictEqual(yield* held, [longRoleName])

        assert.deepStrictEqual(yield* call("DELETE", grantPath(grantId)), {
          status: 200,
          body: { grant_id: grantId, status: "revoked", message: `revoked ${grantId}` }
        })
        assert.deepStrictEqual(yield* held, [])
      }))

    it.effect("any parameter the request line can carry is routed; a request line over Node's head limit is 431", () =>
      Effect.gen(function*() {
        const { request } = yield* Harness
        const longSyncId = "a".repeat(200)
        const sync = yield* request("GET", `/v1/syncs/${longSyncId}`, { token: TestToken })
        assert.deepStrictEqual([sync.status, yield* Effect.orDie(sync.json)], [400, {
          error: "InvalidRequest",
          field: "id",
          message: `id: expected a sync job id such as 20261128T171500Z-3f9a, got "${"a".repeat(128)}…(200 characters)"`
        }])
        // A revoke on a team that does not exist is already revoked (ProvisionerLive.ts): the id reached its endpoint.
        const longGrantId = `team:no-such-team:member:user:${"u".repeat(10 * 1024)}`
        const long = yield* call("DELETE", grantPath(longGrantId))
        assert.deepStrictEqual(long, {
          status: 200,
          body: {
            grant_id: longGrantId,
            status: "already_revoked",
            // Cut as every message cuts what the caller gave (EchoedText.ts).
            message: `already revoked: ${longGrantId.slice(0, 128)}…(${longGrantId.length} characters) ` +
              "(team no-such-team does not exist)",
            detail: "team no-such-team does not exist"
          }
        })
        const tooLong = yield* request("DELETE", grantPath(`team:t:member:user:${"u".repeat(17 * 1024)}`), { token: TestToken })
        assert.deepStrictEqual([tooLong.status, yield* Effect.orDie(tooLong.json)], [431, {
          error: "HeaderTooLarge",
          message: "the request line and headers are over 16384 bytes together, the most this service reads",
          limit_bytes: 16384
        }])
      }))
  }
)

layer(harness({ provisioning: true, logLevel: "info" }), { excludeTestServices: true, timeout: 60_000 })("the audit line", (it) => {
  it.effect("each provisioning request leaves one info line naming the action by ids, under its request id", () =>
    Effect.gen(function*() {
      const { logs, request, sandbox } = yield* Harness
      const before = yield* sandbox.snapshot
      const team = before.teams[0]!.id
      const user = before.users.find((u) => !before.team_users.some((row) => row.team_id === team && row.user_id === u.id))!
      const entitlement = `team:${team}:member`
      const send = (method: "POST" | "DELETE", path: string, requestId: string, body?: unknown) =>
        request(method, path, { token: TestToken, body, headers: { "x-request-id": requestId } }).pipe(
          Effect.map((response) => response.status)
        )
      assert.strictEqual(
        yield* send("POST", "/v1/grants", "audit-grant", { entitlement_id: entitlement, principal: { type: "user", id: user.id } }),
        201
      )
      assert.strictEqual(yield* send("DELETE", grantPath(`${entitlement}:user:${user.id}`), "audit-revoke"), 200)
      // An invitation for a user who exists with another role: refused (409), and named by the user found.
      const holder = before.users.find((u) => u.email !== null && u.role !== null && u.role !== "Account Analyst")!
      const invitation = { email: holder.email, given_name: "Ada", family_name: "Lovelace", role: "Account Analyst" }
      assert.strictEqual(yield* send("POST", "/v1/accounts", "audit-invite", invitation), 409)
      const audit = (yield* logs).filter((line) => line["msg"] === "provisioning action")
      assert.deepStrictEqual(audit, [
        {
          level: "info",
          msg: "provisioning action",
          request_id: "audit-grant",
          caller: TestCaller,
          action: "grant",
          entitlement_id: entitlement,
          principal_type: "user",
          principal_id: user.id,
          outcome: "granted"
        },
        {
          level: "info",
          msg: "provisioning action",
          request_id: "audit-revoke",
          caller: TestCaller,
          action: "revoke",
          grant_id: `${entitlement}:user:${user.id}`,
          entitlement_id: entitlement,
          principal_type: "user",
          principal_id: user.id,
          outcome: "revoked"
        },
        {
          level: "info",
          msg: "provisioning action",
          request_id: "audit-invite",
          caller: TestCaller,
          action: "create_account",
          role: "Account Analyst",
          principal_type: "user",
          principal_id: holder.id,
          outcome: "conflict"
        }
      ])
      assert.notInclude(JSON.stringify(yield* logs), user.email)
    }))
})

layer(harness({ provisioning: true, badSecret: true, logLevel: "info" }), { excludeTestServices: true, timeout: 60_000 })(
  "a Fivetran key rejected (401)",
  (it) => {
    it.effect("a grant and a revoke are 502 KeyRejected naming the settings, counted key_rejected, and nothing changes", () =>
      Effect.gen(function*() {
        const { client, logs, sandbox } = yield* Harness
        const before = yield* sandbox.snapshot
        const team = before.teams[0]!.id
        const user = before.users.find((u) => !before.team_users.some((row) => row.team_id === team && row.user_id === u.id))!.id
        const held = before.user_groups[0]!
        const heldGrant = `group:${held.group_id}:${held.role}:user:${held.user_id}`
        // Nothing was written: the failure says so, and that a repeat is safe.
        const rejected =
          "GET /v1/roles: Fivetran rejected the API key or secret (401 Unauthorized); check the api-key and api-secret settings; " +
          "nothing was changed in Fivetran (no write reached it, or Fivetran turned it away); sending the same request again is safe"
        const granted = yield* call("POST", "/v1/grants", { entitlement_id: `team:${team}:member`, principal: { type: "user", id: user } })
        const revoked = yield* call("DELETE", grantPath(heldGrant))
        assert.deepStrictEqual([granted, revoked], [
          { status: 502, body: { error: "KeyRejected", message: `cannot grant team:${team}:member to user:${user}: ${rejected}` } },
          { status: 502, body: { error: "KeyRejected", message: `cannot revoke ${heldGrant}: ${rejected}` } }
        ])
        // The typed client decodes it as its own class, not as Upstream.
        const typed = yield* Effect.flip(client.provisioning.revoke({ path: { grant_id: heldGrant } }))
        assert.instanceOf(typed, KeyRejected)
        assert.deepStrictEqual(
          (yield* logs).filter((line) => line["msg"] === "provisioning action").map((line) => [line["action"], line["outcome"]]),
          [["grant", "key_rejected"], ["revoke", "key_rejected"], ["revoke", "key_rejected"]]
        )
        assert.deepStrictEqual(yield* sandbox.snapshot, before)
      }))
  }
)
