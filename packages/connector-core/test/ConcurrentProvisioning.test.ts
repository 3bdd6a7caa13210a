import { FivetranClient } from "@baton-fivetran/fivetran-client"
import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { assert, describe, it } from "@effect/vitest"
import { Array as Arr, Context, Deferred, Effect, Either, Fiber, Layer } from "effect"
import { Provisioner, type ProvisioningError, UnknownPrincipal } from "../src/index.js"
import { allArrived, heldForRival, overtaken, sortedWrites } from "./support/HeldRequests.js"
import { answeredWrites } from "./support/Meanwhile.js"
import { clearLog, clientFor, provisioningLayer, systemKey } from "./support/ProvisioningFixture.js"

/**
 * Two actions at once, for real: several provisioners (as separate CLI processes would be, each
 * with its own client) or one (as the HTTP service's concurrent requests share) against one
 * sandbox. The sandbox's request hook holds the writes until every caller has sent its own, so
 * every caller reads before any writes, every run. The account is support/ProvisioningFixture.ts's.
 */

/** `count` provisioners over the running sandbox, each with a client of its own, as separate processes. */
const processes = (count: number) =>
  Effect.forEach(
    Arr.range(1, count),
    () =>
      Effect.map(
        Layer.build(Provisioner.layer({ enabled: true }).pipe(Layer.provide(clientFor(systemKey)))),
        (context) => Context.get(context, Provisioner)
      )
  )

/** Runs every action at once on a cleared log: their results in order, and the writes the sandbox answered. */
const atOnce = <A, E>(actions: ReadonlyArray<Effect.Effect<A, E>>) =>
  Effect.gen(function*() {
    yield* clearLog
    const results = yield* Effect.all(actions.map(Effect.either), { concurrency: "unbounded" })
    const sandbox = yield* Sandbox
    yield* sandbox.setRequestHook(undefined)
    return { results, writes: yield* sortedWrites }
  })

const tags = <A extends { readonly _tag: string }, E extends { readonly _tag: string }>(
  results: ReadonlyArray<Either.Either<A, E>>
) => results.map((result) => Either.merge(result)._tag).sort()

const fivetran = <A, E>(change: (client: FivetranClient["Type"]) => Effect.Effect<A, E>) =>
  Effect.orDie(Effect.flatMap(FivetranClient, change))

const user = (id: string) => ({ type: "user", id })

describe("the same action from several processes at once", () => {
  it.live("a grant: one adds the membership, the others find it added (already exists)", () =>
    Effect.scoped(Effect.gen(function*() {
      const each = yield* processes(4)
      yield* allArrived(["POST /v1/users/ben/groups"], 4)
      const run = yield* atOnce(each.map((p) => p.grant("group:g_main:Edit Destination", user("ben"))))
      assert.deepStrictEqual(tags(run.results), ["AlreadyExists", "AlreadyExists", "AlreadyExists", "Granted"])
      assert.deepStrictEqual(run.writes, [
        "POST /v1/users/ben/groups 201",
        "POST /v1/users/ben/groups 409",
        "POST /v1/users/ben/groups 409",
        "POST /v1/users/ben/groups 409"
      ])
      const membership = yield* fivetran((c) => c.userGroups.get("ben", "g_main"))
      assert.strictEqual(membership.role, "Edit Destination")
    })).pipe(Effect.provide(provisioningLayer())))

  it.live("a team membership: one adds it, the others find it added", () =>
    Effect.scoped(Effect.gen(function*() {
      const each = yield* processes(3)
      yield* allArrived(["POST /v1/teams/t_ops/users"], 3)
      const run = yield* atOnce(each.map((p) => p.grant("team:t_ops:member", user("dee"))))
      assert.deepStrictEqual(tags(run.results), ["AlreadyExists", "AlreadyExists", "Granted"])
      assert.deepStrictEqual(run.writes, [
        "POST /v1/teams/t_ops/users 201",
        "POST /v1/teams/t_ops/users 409",
        "POST /v1/teams/t_ops/users 409"
      ])
      assert.strictEqual((yield* fivetran((c) => c.getTeamUser("t_ops", "dee"))).role, "Team Member")
    })).pipe(Effect.provide(provisioningLayer())))

  it.live("a revoke: one removes the membership, the others find it gone (already revoked)", () =>
    Effect.scoped(Effect.gen(function*() {
      const each = yield* processes(4)
      yield* allArrived(["DELETE /v1/users/ana/groups/g_main"], 4)
      const run = yield* atOnce(each.map((p) => p.revoke("group:g_main:View Destination:user:ana")))
      assert.deepStrictEqual(tags(run.results), ["AlreadyRevoked", "AlreadyRevoked", "AlreadyRevoked", "Revoked"])
      assert.deepStrictEqual(run.writes, [
        "DELETE /v1/users/ana/groups/g_main 200",
        "DELETE /v1/users/ana/groups/g_main 404",
        "DELETE /v1/users/ana/groups/g_main 404",
        "DELETE /v1/users/ana/groups/g_main 404"
      ])
      const gone = yield* Effect.either(Effect.flatMap(FivetranClient, (c) => c.userGroups.get("ana", "g_main")))
      assert.deepStrictEqual(Either.isLeft(gone) && gone.left._tag, "NotFound")
    })).pipe(Effect.provide(provisioningLayer())))

  it.live("an invitation (the email cased differently): one invites, the others find that user", () =>
    Effect.scoped(Effect.gen(function*() {
      const each = yield* processes(3)
      yield* allArrived(["POST /v1/users"], 3)
      const emails = ["zoe@example.com", "Zoe@example.com", "ZOE@example.com"]
      const run = yield* atOnce(
        each.map((p, i) => p.createAccount({ email: emails[i]!, given_name: "Zoe", family_name: "Quinn" }))
      )
      assert.deepStrictEqual(tags(run.results), ["AlreadyExists", "AlreadyExists", "Created"])
      const ids = run.results.map((result) => Either.getOrThrow(result).resource.id.resource)
      assert.deepStrictEqual(new Set(ids).size, 1)
      assert.deepStrictEqual(run.writes, ["POST /v1/users 201", "POST /v1/users 409", "POST /v1/users 409"])
    })).pipe(Effect.provide(provisioningLayer())))

  it.live("invitations of one email with different roles: the one that lands is created, the other is a Conflict naming it", () =>
    Effect.scoped(Effect.gen(function*() {
      const [first, second] = yield* processes(2)
      yield* allArrived(["POST /v1/users"], 2)
      const run = yield* atOnce([
        first!.createAccount({ email: "yan@example.com", given_name: "Yan", family_name: "Li", role: "Account Analyst" }),
        second!.createAccount({ email: "yan@example.com", given_name: "Yan", family_name: "Li", role: "Account Reviewer" })
      ])
      assert.deepStrictEqual(tags(run.results), ["Conflict", "Created"])
      const created = Either.getOrThrow(run.results.find(Either.isRight)!)
      const yan = yield* fivetran((c) => c.getUser(created.resource.id.resource))
      const refusal = run.results.find(Either.isLeft)!.left
      assert.strictEqual(
        refusal.message,
        `cannot create an account for yan@example.com: it already exists (user:${yan.id}) with the role ${yan.role}, not ${
          yan.role === "Account Analyst" ? "Account Reviewer" : "Account Analyst"
        }; grant role:${yan.role === "Account Analyst" ? "Account Reviewer" : "Account Analyst"}:assigned to change it`
      )
    })).pipe(Effect.provide(provisioningLayer())))

  it.live("a deletion: one deletes the user, the others find it gone", () =>
    Effect.scoped(Effect.gen(function*() {
      const each = yield* processes(3)
      yield* allArrived(["DELETE /v1/users/dee"], 3)
      const run = yield* atOnce(each.map((p) => p.deleteResource("user", "dee")))
      assert.deepStrictEqual(tags(run.results), ["Deleted", "DoesNotExist", "DoesNotExist"])
      assert.deepStrictEqual(run.writes, ["DELETE /v1/users/dee 200", "DELETE /v1/users/dee 404", "DELETE /v1/users/dee 404"])
    })).pipe(Effect.provide(provisioningLayer())))
})

describe("conflicting actions at once", () => {
  it.live("a grant to a user another process deletes meanwhile: UnknownPrincipal, and the user stays gone", () =>
    Effect.scoped(Effect.gen(function*() {
      const [granting, deleting] = yield* processes(2)
      const deletionEnded = yield* Deferred.make<void>()
      // The grant has read the user and its memberships; its POST waits for the deletion to end.
      yield* overtaken("POST /v1/users/ben/groups", "DELETE /v1/users/ben", deletionEnded)
      const run = yield* atOnce<{ readonly _tag: string }, ProvisioningError>([
        granting!.grant("group:g_side:View Destination", user("ben")),
        Effect.ensuring(deleting!.deleteResource("user", "ben"), Deferred.succeed(deletionEnded, undefined))
      ])
      const [granted, deleted] = run.results
      assert.deepStrictEqual(Either.flip(granted!), Either.right(new UnknownPrincipal({ message: "user ben does not exist" })))
      assert.deepStrictEqual(deleted, Either.right({ _tag: "Deleted" }))
      assert.deepStrictEqual(run.writes, ["DELETE /v1/users/ben 200", "POST /v1/users/ben/groups 404"])
      const gone = yield* Effect.either(Effect.flatMap(FivetranClient, (c) => c.getUser("ben")))
      assert.strictEqual(Either.isLeft(gone) && gone.left._tag, "NotFound")
    })).pipe(Effect.provide(provisioningLayer())))

  it.live("in one process, a revoke and a grant of the same membership take turns: the grant is not undone", () =>
    Effect.gen(function*() {
      const provisioner = yield* Provisioner
      const sandbox = yield* Sandbox
      // The revoke's DELETE waits for the grant's PATCH, or until the grant has had its chance:
      // without turns the grant read Team Member and changed it to Team Manager meanwhile, and the
      // DELETE then removed the manager's membership.
      const deleteArrived = yield* heldForRival("DELETE /v1/teams/t_eng/users/cy", "PATCH /v1/teams/t_eng/users/cy")
      yield* clearLog
      const revoking = yield* Effect.fork(provisioner.revoke("team:t_eng:Team Member:user:cy"))
      yield* deleteArrived
      const granting = yield* Effect.fork(provisioner.grant("team:t_eng:Team Manager", user("cy")))
      const revoked = yield* Fiber.join(revoking)
      const granted = yield* Fiber.join(granting)
      yield* sandbox.setRequestHook(undefined)
      assert.deepStrictEqual(revoked, { _tag: "Revoked", stillHeldThrough: [], alsoRevoked: ["team:t_eng:member:user:cy"] })
      assert.deepStrictEqual([granted._tag, granted._tag === "Granted" ? granted.replacedRole : "none"], ["Granted", undefined])
      assert.deepStrictEqual(yield* answeredWrites, ["DELETE /v1/teams/t_eng/users/cy 200", "POST /v1/teams/t_eng/users 201"])
      assert.strictEqual((yield* fivetran((c) => c.getTeamUser("t_eng", "cy"))).role, "Team Manager")
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("grants of two roles in one group from two processes: the later changes the role, naming the one it replaced", () =>
    Effect.scoped(Effect.gen(function*() {
      const [viewing, editing] = yield* processes(2)
      yield* allArrived(["POST /v1/users/ben/groups"], 2)
      const run = yield* atOnce([
        viewing!.grant("group:g_main:View Destination", user("ben")),
        editing!.grant("group:g_main:Edit Destination", user("ben"))
      ])
      const replaced = run.results.map((result) => {
        const outcome = Either.getOrThrow(result)
        return outcome._tag === "Granted" ? outcome.replacedRole : outcome._tag
      })
      // Fivetran takes one POST first; the other caller finds that role and changes it.
      const held = (yield* fivetran((c) => c.userGroups.get("ben", "g_main"))).role
      assert.deepStrictEqual(
        replaced,
        held === "Edit Destination" ? [undefined, "View Destination"] : ["Edit Destination", undefined]
      )
      assert.deepStrictEqual(run.writes, [
        "PATCH /v1/users/ben/groups/g_main 200",
        "POST /v1/users/ben/groups 201",
        "POST /v1/users/ben/groups 409"
      ])
    })).pipe(Effect.provide(provisioningLayer())))

  it.live("in one process, grants of two account roles take turns: the later names the role it replaced", () =>
    Effect.gen(function*() {
      const provisioner = yield* Provisioner
      const run = yield* atOnce([
        provisioner.grant("role:Account Analyst:assigned", user("ben")),
        provisioner.grant("role:Account Reviewer:assigned", user("ben"))
      ])
      const replaced = run.results.map((result) => {
        const outcome = Either.getOrThrow(result)
        return outcome._tag === "Granted" ? outcome.replacedRole : outcome._tag
      })
      const held = (yield* fivetran((c) => c.getUser("ben"))).role
      assert.deepStrictEqual(
        replaced,
        held === "Account Reviewer" ? [undefined, "Account Analyst"] : ["Account Reviewer", undefined]
      )
      assert.deepStrictEqual(run.writes, ["PATCH /v1/users/ben 200", "PATCH /v1/users/ben 200"])
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("in one process, grants of different slots do not wait for one another", () =>
    Effect.gen(function*() {
      const provisioner = yield* Provisioner
      yield* allArrived(["POST /v1/users/ben/groups", "POST /v1/users/dee/groups"], 2)
      const run = yield* atOnce([
        provisioner.grant("group:g_main:View Destination", user("ben")),
        provisioner.grant("group:g_main:View Destination", user("dee"))
      ])
      assert.deepStrictEqual(tags(run.results), ["Granted", "Granted"])
      assert.deepStrictEqual(run.writes, ["POST /v1/users/ben/groups 201", "POST /v1/users/dee/groups 201"])
    }).pipe(Effect.provide(provisioningLayer())))
})
