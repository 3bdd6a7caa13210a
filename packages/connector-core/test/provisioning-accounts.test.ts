import { FivetranClient } from "@baton-fivetran/fivetran-client"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Provisioner, userResource } from "../src/index.js"
import { account, logged, makeUser, provisioningLayer, readFirstTogether, state, writesIn } from "./support/ProvisioningFixture.js"

/** Account creation (POST /v1/users, NO_PASSWORD invitation) and user deletion, docs/architecture.md §3. */

const create = (request: Parameters<Provisioner["Type"]["createAccount"]>[0]) =>
  logged(Effect.flatMap(Provisioner, (p) => p.createAccount(request)))
const createRefused = (request: Parameters<Provisioner["Type"]["createAccount"]>[0]) =>
  logged(Effect.flip(Effect.flatMap(Provisioner, (p) => p.createAccount(request))))
const remove = (resourceType: string, id: string) => logged(Effect.flatMap(Provisioner, (p) => p.deleteResource(resourceType, id)))

const fetchUser = (id: string) => Effect.flatMap(FivetranClient, (client) => Effect.orDie(client.getUser(id)))

describe("createAccount", () => {
  it.live("without a role: looks the email up, invites, and returns the user resource a sync would emit", () =>
    Effect.gen(function*() {
      const { requests, result } = yield* create({ email: " zoe.quinn@example.com ", given_name: "Zoe", family_name: "Quinn" })
      assert.strictEqual(result._tag, "Created")
      assert.deepStrictEqual(requests, ["GET /v1/users", "POST /v1/users"])
      const created = yield* fetchUser(result.resource.id.resource)
      assert.deepStrictEqual(result.resource, userResource(created))
      assert.strictEqual(created.email, "zoe.quinn@example.com")
      assert.strictEqual(created.role, null)
      assert.isTrue(created.invited)
      assert.strictEqual(result.resource.displayName, "Zoe Quinn")
      assert.deepStrictEqual(result.resource.status, { status: "ENABLED", details: "invited" })
      assert.deepStrictEqual(yield* state.userIds, [...account.users.map((u) => u.id), created.id])

      // The same request again finds the user: AlreadyExists with the same resource, no write.
      const again = yield* create({ email: "Zoe.Quinn@example.com", given_name: "Zoe", family_name: "Quinn" })
      assert.strictEqual(again.result._tag, "AlreadyExists")
      assert.deepStrictEqual(again.result.resource, result.resource)
      assert.deepStrictEqual(again.requests, ["GET /v1/users"])
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("with a role and a phone: the role is checked against GET /v1/roles first", () =>
    Effect.gen(function*() {
      const { requests, result } = yield* create({
        email: "yan@example.com",
        given_name: "Yan",
        family_name: "Li",
        role: "Account Analyst",
        phone: "+1 555 0100"
      })
      assert.strictEqual(result._tag, "Created")
      assert.deepStrictEqual(requests, ["GET /v1/roles", "GET /v1/users", "POST /v1/users"])
      const created = yield* fetchUser(result.resource.id.resource)
      assert.strictEqual(created.role, "Account Analyst")
      assert.strictEqual(created.phone, "+1 555 0100")
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("an email already in the account: AlreadyExists with that user, nothing written", () =>
    Effect.gen(function*() {
      const { requests, result } = yield* create({ email: "ANA@example.com", given_name: "Other", family_name: "Name" })
      assert.strictEqual(result._tag, "AlreadyExists")
      assert.deepStrictEqual(result.resource, userResource(yield* fetchUser("ana")))
      assert.deepStrictEqual(writesIn(requests), [])
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("an email already in the account, asked with a role it does not hold: Conflict naming both, nothing written", () =>
    Effect.gen(function*() {
      const same = yield* create({ email: "ana@example.com", given_name: "Ana", family_name: "A", role: "Account Reviewer" })
      assert.strictEqual(same.result._tag, "AlreadyExists")
      const other = yield* createRefused({ email: "ana@example.com", given_name: "Ana", family_name: "A", role: "Account Analyst" })
      assert.deepStrictEqual([other.result._tag, other.result.message], [
        "Conflict",
        "cannot create an account for ana@example.com: it already exists (user:ana) with the role Account Reviewer, " +
        "not Account Analyst; grant role:Account Analyst:assigned to change it"
      ])
      const none = yield* createRefused({ email: "ben@example.com", given_name: "Ben", family_name: "B", role: "Account Analyst" })
      assert.strictEqual(
        none.result.message,
        "cannot create an account for ben@example.com: it already exists (user:ben) with no account role, " +
          "not Account Analyst; grant role:Account Analyst:assigned to change it"
      )
      assert.deepStrictEqual(writesIn([...same.requests, ...other.requests, ...none.requests]), [])
      assert.strictEqual((yield* fetchUser("ana")).role, "Account Reviewer")
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("the email lookup reads users page by page and stops at the page holding the match", () =>
    Effect.gen(function*() {
      // 1,505 users: two pages of GET /v1/users at the client's limit=1000.
      const early = yield* create({ email: "bulk0@example.com", given_name: "B", family_name: "Z" })
      assert.strictEqual(early.result._tag, "AlreadyExists")
      assert.deepStrictEqual(early.requests, ["GET /v1/users"])
      const late = yield* create({ email: "bulk1400@example.com", given_name: "B", family_name: "Z" })
      assert.strictEqual(late.result._tag, "AlreadyExists")
      assert.strictEqual(late.result.resource.id.resource, "bulk1400")
      assert.deepStrictEqual(late.requests, ["GET /v1/users", "GET /v1/users"])
      const fresh = yield* create({ email: "fresh@example.com", given_name: "F", family_name: "Z" })
      assert.strictEqual(fresh.result._tag, "Created")
      assert.deepStrictEqual(fresh.requests, ["GET /v1/users", "GET /v1/users", "POST /v1/users"])
    }).pipe(Effect.provide(provisioningLayer({
      snapshot: { ...account, users: [...account.users, ...Array.from({ length: 1500 }, (_, i) => makeUser(`bulk${i}`, null))] }
    }))))

  it.live("malformed input is InvalidInput naming every problem, before any request", () =>
    Effect.gen(function*() {
      const bad = yield* createRefused({ email: "not-an-email", given_name: " ", family_name: "" })
      assert.strictEqual(bad.result._tag, "InvalidInput")
      assert.include(bad.result.message, `email "not-an-email" is not an email address`)
      assert.include(bad.result.message, "given_name is empty")
      assert.include(bad.result.message, "family_name is empty")
      assert.deepStrictEqual(bad.requests, [])
      for (const email of ["a@b", "two@@example.com", "spa ce@example.com", ""]) {
        const refused = yield* createRefused({ email, given_name: "A", family_name: "B" })
        assert.strictEqual(refused.result._tag, "InvalidInput", email)
      }
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("control characters, bidirectional overrides and an over-long address are InvalidInput naming the field; a joiner is kept", () =>
    Effect.gen(function*() {
      const bad = yield* createRefused({
        email: "ctl\u0007@b.co",
        given_name: "Bad\u0000",
        family_name: "\u202eevil",
        phone: "+1\u001b[31m"
      })
      assert.deepStrictEqual([bad.result._tag, bad.result.message], [
        "InvalidInput",
        "cannot create the account: email contains a control character (U+0007); given_name contains a control character " +
        "(U+0000); family_name contains a bidirectional control character (U+202E); phone contains a control character (U+001B)"
      ])
      const long = yield* createRefused({ email: `${"a".repeat(250)}@b.co`, given_name: "A", family_name: "B" })
      assert.strictEqual(long.result.message, "cannot create the account: email is 255 characters long, more than an address can be (254)")
      const refusedEmails = []
      for (const email of ["esc\u001b[31m@b.co", "zero\u200bwidth@b.co", "x@b\u0085.co"]) {
        refusedEmails.push((yield* createRefused({ email, given_name: "A", family_name: "B" })).result.message)
      }
      assert.deepStrictEqual(refusedEmails, [
        "cannot create the account: email contains a control character (U+001B)",
        "cannot create the account: email contains an invisible formatting character (U+200B)",
        "cannot create the account: email contains a control character (U+0085)"
      ])
      assert.strictEqual((yield* state.userIds).length, account.users.length)
      const joined = yield* create({ email: "mehr@example.com", given_name: "\u0645\u0647\u200c\u0631", family_name: "Q" })
      assert.strictEqual(joined.result._tag, "Created")
      // Trimmed first, as the names are: a trailing newline is not a character of the phone number.
      const phoned = yield* create({ email: "tel@example.com", given_name: "T", family_name: "L", phone: "+1 555 0100\n" })
      assert.strictEqual(phoned.result._tag, "Created")
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("a phone that is no phone number (no digit, words) is InvalidInput, without its value; the usual forms are invited", () =>
    Effect.gen(function*() {
      const refusedPhones = []
      for (const phone of ["abc", "Lovelace", "+1 555 0100 call me", "-", "1".repeat(41)]) {
        const refused = yield* createRefused({ email: "tel@example.com", given_name: "T", family_name: "L", phone })
        assert.deepStrictEqual(refused.requests, [], phone)
        refusedPhones.push(refused.result.message)
      }
      const rule = `(digits, with + ( ) - . / # * , ; and spaces, and an extension such as "x12")`
      assert.deepStrictEqual(refusedPhones, [
        `cannot create the account: phone is not a phone number ${rule}`,
        `cannot create the account: phone is not a phone number ${rule}`,
        `cannot create the account: phone is not a phone number ${rule}`,
        `cannot create the account: phone is not a phone number ${rule}`,
        "cannot create the account: phone is 41 characters long, more than a phone number (40)"
      ])
      assert.strictEqual((yield* state.userIds).length, account.users.length)
      const phones = [
        "+1 (415) 555-0100",
        "+44 20 7946 0958",
        "555.0100 ext. 12",
        "+1 555 0100 x12",
        "030/1234567",
        "+1 415 555 0100 #12",
        "+1 415 555 0100 extension 12",
        "tel:+1-201-555-0123;ext=12"
      ]
      for (const [i, phone] of phones.entries()) {
        const created = yield* create({ email: `tel${i}@example.com`, given_name: "T", family_name: "L", phone })
        assert.strictEqual(created.result._tag, "Created", phone)
      }
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("an unknown or non-account role is UnknownRole listing the account roles; nothing created", () =>
    Effect.gen(function*() {
      const unknown = yield* createRefused({ email: "x@example.com", given_name: "X", family_name: "Y", role: "Wizard" })
      assert.strictEqual(unknown.result._tag, "UnknownRole")
      assert.include(unknown.result.message, `"Wizard" is not a role of this account`)
      assert.include(unknown.result.message, `"Account Reviewer"`)
      assert.deepStrictEqual(unknown.requests, ["GET /v1/roles"])

      const scoped = yield* createRefused({ email: "x@example.com", given_name: "X", family_name: "Y", role: "View Destination" })
      assert.strictEqual(scoped.result._tag, "UnknownRole")
      assert.include(scoped.result.message, "needs a role of scope ACCOUNT")
      assert.strictEqual((yield* state.userIds).length, account.users.length)
    }).pipe(Effect.provide(provisioningLayer())))
})

describe("deleteResource", () => {
  it.live("a user: Deleted, then DoesNotExist; the user's memberships are gone everywhere", () =>
    Effect.gen(function*() {
      const first = yield* remove("user", "ben")
      assert.strictEqual(first.result._tag, "Deleted")
      assert.deepStrictEqual(readFirstTogether(first.requests, 2), ["GET /v1/account/info", "GET /v1/users/ben", "DELETE /v1/users/ben"])
      assert.isFalse((yield* state.userIds).includes("ben"))
      assert.deepStrictEqual(yield* state.teamUsers("t_eng"), { cy: "Team Member" })

      // A 404 for the user is believed once the account answers (a wrong base URL 404s both: below)
      // and no team, group or connection has the id (asked at once; a team's id named as a user's:
      // apps/cli's team-id-as-user.test.ts).
      const again = yield* remove("user", "ben")
      assert.strictEqual(again.result._tag, "DoesNotExist")
      assert.deepStrictEqual([...again.requests.slice(0, 2)].sort(), ["GET /v1/account/info", "GET /v1/users/ben"])
      assert.deepStrictEqual([...again.requests.slice(2)].sort(), ["GET /v1/connections", "GET /v1/groups/ben", "GET /v1/teams/ben"])

      const ana = yield* remove("user", "ana")
      assert.strictEqual(ana.result._tag, "Deleted")
      assert.isFalse("ana" in (yield* state.groupUsers("g_main")))
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("a group's or connection's id named as a user's is UnknownPrincipal naming it; nothing is deleted", () =>
    Effect.gen(function*() {
      const refused = [
        yield* Effect.flip(Effect.flatMap(Provisioner, (p) => p.deleteResource("user", "g_main"))),
        yield* Effect.flip(Effect.flatMap(Provisioner, (p) => p.deleteResource("user", "c_sf")))
      ]
      // Before, each was "does not exist (nothing to delete)", exit 0, while a team's id was refused so.
      assert.deepStrictEqual(refused.map((refusal) => [refusal._tag, refusal.message]), [
        [
          "UnknownPrincipal",
          "user g_main does not exist, but group g_main does: nothing was deleted; only users can be deleted here: delete the " +
          "group in Fivetran itself, or revoke the grants on it (baton-fivetran access --resource group:g_main lists them)"
        ],
        [
          "UnknownPrincipal",
          "user c_sf does not exist, but connection c_sf does: nothing was deleted; only users can be deleted here: delete the " +
          "connection in Fivetran itself, or revoke the grants on it (baton-fivetran access --resource connection:c_sf lists them)"
        ]
      ])
      assert.deepStrictEqual(yield* state.userIds, account.users.map((user) => user.id))
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("a base URL that is not the API root fails (Upstream) instead of reporting the user absent, and deletes nothing", () =>
    Effect.gen(function*() {
      const refused = yield* logged(Effect.flip(Effect.flatMap(Provisioner, (p) => p.deleteResource("user", "ben"))))
      assert.strictEqual(refused.result._tag, "Upstream")
      assert.strictEqual(
        refused.result.message,
        "cannot delete user:ben: user ben was not found, and neither was the account (GET /v1/account/info: not found " +
          "(404 NotFound): No endpoint GET /proxy/v1/account/info): the base URL does not look like Fivetran's API root; " +
          "check --base-url"
      )
      // No DELETE went out.
      assert.deepStrictEqual(readFirstTogether(refused.requests, 2), ["GET /proxy/v1/account/info", "GET /proxy/v1/users/ben"])
    }).pipe(Effect.provide(provisioningLayer({ basePath: "/proxy" }))))

  it.live("the user whose key the connector uses is not deleted (Fivetran would delete the key with it): Conflict, no DELETE", () =>
    Effect.gen(function*() {
      const refused = yield* logged(Effect.flip(Effect.flatMap(Provisioner, (p) => p.deleteResource("user", "admin"))))
      assert.deepStrictEqual([refused.result._tag, refused.result.message], [
        "Conflict",
        "cannot delete user:admin: it is the user whose API key this connector uses, and Fivetran deletes a user's keys " +
        "with the user; delete it with another administrator's key or a system key"
      ])
      assert.deepStrictEqual(readFirstTogether(refused.requests, 2), ["GET /v1/account/info", "GET /v1/users/admin"])
      assert.isTrue((yield* state.userIds).includes("admin"))
      // Another user goes as before with the same key.
      assert.strictEqual((yield* remove("user", "dee")).result._tag, "Deleted")
    }).pipe(Effect.provide(provisioningLayer({
      snapshot: { ...account, credentials: [{ _tag: "UserKey", key: "sandbox_key_admin", secret: "admin-secret", user_id: "admin" }] },
      credential: { key: "sandbox_key_admin", secret: "admin-secret" }
    }))))

  it.live("other resource types are Unsupported, types the connector lacks InvalidId; malformed or padded ids are InvalidId; nothing is contacted", () =>
    Effect.gen(function*() {
      const refused = (resourceType: string, id: string) =>
        logged(Effect.flip(Effect.flatMap(Provisioner, (p) => p.deleteResource(resourceType, id))))
      const group = yield* refused("group", "g_main")
      assert.strictEqual(group.result._tag, "Unsupported")
      assert.include(group.result.message, "only user resources can be deleted")
      // Was Unsupported too ("cannot delete User:ben: only user resources can be deleted"), naming no type to use.
      const capitalised = yield* refused("User", "ben")
      assert.deepStrictEqual([capitalised.result._tag, capitalised.result.message], [
        "InvalidId",
        `"User" is not a resource type of this connector; the types are user, role, group, team, connection (in lower case), ` +
        "and only users can be deleted"
      ])
      // A stray space (an id copied from a padded table) is refused, not reported absent.
      const malformed = [yield* refused("user", ""), yield* refused("user", "ben "), yield* refused("user", "ben\ud800")]
      assert.deepStrictEqual(malformed.map(({ result }) => [result._tag, result.message]), [
        ["InvalidId", `invalid user id "": it is empty`],
        ["InvalidId", `invalid user id "ben ": it ends with whitespace (U+0020), which no Fivetran id has`],
        ["InvalidId", `invalid user id "ben\\ud800": it contains an unpaired UTF-16 surrogate`]
      ])
      assert.deepStrictEqual([group, capitalised, ...malformed].flatMap(({ requests }) => requests), [])
    }).pipe(Effect.provide(provisioningLayer())))
})
