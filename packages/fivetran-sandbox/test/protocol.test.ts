import { FivetranClient, type FivetranError, PageEnvelope, User } from "@baton-fivetran/fivetran-client"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Schema, Stream, TestClock } from "effect"
import { addSystemKey } from "../src/generator/Credentials.js"
import { generate } from "../src/generator/Generate.js"
import { presets } from "../src/generator/Presets.js"
import { Sandbox } from "../src/Sandbox.js"
import type { AccountSnapshot } from "../src/state/AccountSnapshot.js"
import { fixture, keys } from "./fixture.js"
import { provideSandbox, raw } from "./harness.js"

const collect = <A, E, R>(stream: Stream.Stream<A, E, R>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

/** A generated account's own user key (its first user is the administrator). */
const ownKey = (snapshot: AccountSnapshot) => snapshot.credentials.find((c) => c._tag === "UserKey")!

interface PageBody {
  readonly data: { readonly items: ReadonlyArray<{ readonly id: string }>; readonly next_cursor?: string }
}

describe("pagination", () => {
  it.effect("limit=1 walks every user one page at a time; the last page has no next_cursor", () =>
    Effect.gen(function*() {
      const ids: Array<string> = []
      const cursors: Array<string | undefined> = []
      let path = "/v1/users?limit=1"
      let last: string | undefined
      for (;;) {
        const response = yield* raw("GET", path)
        const page = response.json as PageBody
        ids.push(...page.data.items.map((u) => u.id))
        cursors.push(page.data.next_cursor)
        if (page.data.next_cursor === undefined) {
          last = response.text
          break
        }
        path = `/v1/users?limit=1&cursor=${page.data.next_cursor}`
      }
      assert.deepStrictEqual(ids, ["quiet_harbor", "bright_otter", "calm_willow", "dapper_heron"])
      // Unpadded base64url of {"skip":n}, as in Fivetran's examples; on the last page the field is
      // missing, as Fivetran's Pagination page shows it (docs/fivetran-api.md §1.6), not null.
      assert.deepStrictEqual(cursors, ["eyJza2lwIjoxfQ", "eyJza2lwIjoyfQ", "eyJza2lwIjozfQ", undefined])
      assert.isFalse(last!.includes("next_cursor"))
      assert.isTrue(last!.endsWith("}]}}"))
      const empty = yield* raw("GET", "/v1/teams/noble_quill/users?limit=1&cursor=eyJza2lwIjo5fQ")
      assert.deepStrictEqual(empty.json, { code: "Success", data: { items: [] } })
    }).pipe(provideSandbox()))

  const hundredFifty = generate({ ...presets.small, users: 150, seed: 3 })

  it.effect("the default limit is 100", () =>
    Effect.gen(function*() {
      const page = (yield* raw("GET", "/v1/users", { key: ownKey(hundredFifty) })).json as PageBody
      assert.strictEqual(page.data.items.length, 100)
      assert.strictEqual(page.data.next_cursor, "eyJza2lwIjoxMDB9")
    }).pipe(provideSandbox({ snapshot: hundredFifty }, ownKey(hundredFifty))))

  const big = generate({ ...presets.small, users: 1500, seed: 7 })

  it.effect("the client's limit=1000 crosses a page boundary without loss or repeats", () =>
    Effect.gen(function*() {
      const client = yield* FivetranClient
      const sandbox = yield* Sandbox
      yield* sandbox.clearRequestLog
      const users = yield* collect(client.listUsers)
      assert.deepStrictEqual(users.map((u) => u.id), big.users.map((u) => u.id))
      const log = yield* sandbox.requestLog
      assert.deepStrictEqual(log.map((e) => [e.method, e.path, e.query, e.status]), [
        ["GET", "/v1/users", "limit=1000", 200],
        ["GET", "/v1/users", "limit=1000&cursor=eyJza2lwIjoxMDAwfQ", 200]
      ])
    }).pipe(provideSandbox({ snapshot: big }, ownKey(big))))

  it.effect("a bad limit or cursor is a 400 InvalidInput", () =>
    Effect.gen(function*() {
      for (const query of ["limit=0", "limit=1001", "limit=ten", "limit=1.5", "cursor=%21%21", "cursor=eyJub3BlIjoxfQ"]) {
        const response = yield* raw("GET", `/v1/users?${query}`)
        assert.deepStrictEqual([query, response.status, (response.json as { code: string }).code], [
          query,
          400,
          "InvalidInput"
        ])
      }
      const bad = yield* raw("GET", "/v1/users?limit=1001")
      assert.strictEqual(
        (bad.json as { message: string }).message,
        "Invalid parameter 'limit': '1001' must be an integer from 1 to 1000"
      )
    }).pipe(provideSandbox()))

  it.effect("limit is read as an int32 parser reads it: 1e1, 0x10, 5.0 and ' 5' are 400, +2 and 02 are 2", () =>
    Effect.gen(function*() {
      const answers: Array<[string, number, number | undefined]> = []
      for (const limit of ["1e1", "0x10", "5.0", "%205", "5%20", "%2B2", "02"]) {
        const response = yield* raw("GET", `/v1/users?limit=${limit}`)
        answers.push([limit, response.status, (response.json as Partial<PageBody>).data?.items.length])
      }
      assert.deepStrictEqual(answers, [
        ["1e1", 400, undefined],
        ["0x10", 400, undefined],
        ["5.0", 400, undefined],
        ["%205", 400, undefined],
        ["5%20", 400, undefined],
        ["%2B2", 200, 2],
        ["02", 200, 2]
      ])
      const refused = yield* raw("GET", "/v1/users?limit=1e1")
      assert.deepStrictEqual(refused.json, {
        code: "InvalidInput",
        message: "Invalid parameter 'limit': '1e1' must be an integer from 1 to 1000"
      })
    }).pipe(provideSandbox()))
})

describe("authentication and permissions", () => {
  it.effect("a bad secret or no Authorization is 401 Unauthorized", () =>
    Effect.gen(function*() {
      const client = yield* FivetranClient
      const error = yield* Effect.flip(client.accountInfo)
      assert.deepStrictEqual([error._tag, "code" in error ? error.code : ""], ["Unauthorized", "Unauthorized"])
      const anonymous = yield* raw("GET", "/v1/users", { key: null })
      assert.deepStrictEqual([anonymous.status, (anonymous.json as { code: string }).code], [401, "Unauthorized"])
      const wrong = yield* raw("GET", "/v1/users", { key: { key: keys.admin.key, secret: "nope" } })
      assert.deepStrictEqual([wrong.status, wrong.json], [401, {
        code: "Unauthorized",
        message: "Invalid authorization credentials"
      }])
    }).pipe(provideSandbox({}, { key: keys.admin.key, secret: "wrong" })))

  it.effect("a system key without TEAM gets 403 on /v1/teams; the client's Forbidden names TEAM:READ", () =>
    Effect.gen(function*() {
      const client = yield* FivetranClient
      const error = yield* Effect.flip(collect(client.listTeams))
      assert.strictEqual(error._tag, "Forbidden")
      assert.deepStrictEqual(error._tag === "Forbidden" ? error.permission : undefined, {
        resource_type: "TEAM",
        access_level: "READ"
      })
      const body = yield* raw("GET", "/v1/teams", { key: keys.systemNoTeam })
      assert.deepStrictEqual([body.status, body.json], [403, {
        code: "Forbidden",
        message: "System key 'system_two' requires TEAM:READ for GET /v1/teams"
      }])
      assert.strictEqual((yield* collect(client.listUsers)).length, 4)
    }).pipe(provideSandbox({}, keys.systemNoTeam)))

  it.effect("a permission is decided by the endpoint matched, however its path is spelt: /V1/TEAMS, /v1//teams, %74eams", () =>
    Effect.gen(function*() {
      const answers: Array<readonly [string, string, number, unknown]> = []
      for (
        const [method, path] of [
          ["GET", "/V1/TEAMS"],
          ["GET", "/v1/Teams"],
          ["GET", "/v1//teams"],
          ["GET", "/v1/%74eams"],
          ["GET", "/v1/teams;x"],
          ["DELETE", "/V1/TEAMS/misty_fjord"],
          ["DELETE", "/v1/%74eams/misty_fjord"]
        ] as const
      ) {
        const answer = yield* raw(method, path, { key: keys.systemNoTeam })
        answers.push([method, path, answer.status, answer.json])
      }
      const refused = (method: string, path: string) =>
        [method, path, 403, {
          code: "Forbidden",
          message: `System key 'system_two' requires TEAM:${method === "GET" ? "READ" : "MANAGE"} for ${method} ${path}`
        }] as const
      // Before, each was answered as the key's owner could not: 200 with the teams, and the team deleted.
      assert.deepStrictEqual(answers, [
        refused("GET", "/V1/TEAMS"),
        refused("GET", "/v1/Teams"),
        refused("GET", "/v1//teams"),
        refused("GET", "/v1/%74eams"),
        refused("GET", "/v1/teams;x"),
        refused("DELETE", "/V1/TEAMS/misty_fjord"),
        refused("DELETE", "/v1/%74eams/misty_fjord")
      ])
      assert.strictEqual((yield* raw("GET", "/v1/teams/misty_fjord")).status, 200)
    }).pipe(provideSandbox()))

  const readOnlyUsers = addSystemKey(fixture, [{ resource_type: "USER", access_level: "READ" }])

  it.effect("READ does not satisfy MANAGE", () =>
    Effect.gen(function*() {
      const key = readOnlyUsers.credential
      assert.strictEqual((yield* raw("GET", "/v1/users", { key })).status, 200)
      const invite = yield* raw("POST", "/v1/users", {
        key,
        body: JSON.stringify({ email: "x@acme.test", given_name: "X", family_name: "Y" })
      })
      assert.deepStrictEqual([invite.status, (invite.json as { message: string }).message], [
        403,
        `System key '${readOnlyUsers.credential.system_key_id}' requires USER:MANAGE for POST /v1/users`
      ])
    }).pipe(provideSandbox({ snapshot: readOnlyUsers.snapshot })))

  it.effect("user keys: a reviewer may only read; a user without account role only sees account info", () =>
    Effect.gen(function*() {
      assert.strictEqual((yield* raw("GET", "/v1/teams", { key: keys.reviewer })).status, 200)
      const write = yield* raw("POST", "/v1/teams", {
        key: keys.reviewer,
        body: JSON.stringify({ name: "T", role: "Account Reviewer" })
      })
      assert.deepStrictEqual([write.status, write.json], [403, {
        code: "Forbidden",
        message: "User 'bright_otter' with role 'Account Reviewer' may only read; POST /v1/teams requires Account Administrator"
      }])
      assert.strictEqual((yield* raw("GET", "/v1/account/info", { key: keys.noRole })).status, 200)
      assert.strictEqual((yield* raw("GET", "/v1/users", { key: keys.noRole })).status, 403)
    }).pipe(provideSandbox()))
})

describe("content negotiation and routing", () => {
  it.effect("Accept must allow JSON (406), bodies must be JSON (415, 400)", () =>
    Effect.gen(function*() {
      const html = yield* raw("GET", "/v1/users", { headers: { accept: "text/html" } })
      assert.deepStrictEqual([html.status, (html.json as { code: string }).code], [406, "NotAcceptable"])
      const accepted: Array<readonly [string, number]> = []
      for (
        const accept of [
          "application/json",
          "application/json;version=2",
          "Application/JSON; Version=2",
          "*/*",
          "text/html, application/*;q=0.5",
          // A version Fivetran does not list, and JSON refused by q=0: both were answered 200.
          "application/json;version=3",
          "application/json;q=0",
          "application/json;q=0.0, text/html"
        ]
      ) {
        accepted.push([accept, (yield* raw("GET", "/v1/users", { headers: { accept } })).status])
      }
      assert.deepStrictEqual(accepted, [
        ["application/json", 200],
        ["application/json;version=2", 200],
        ["Application/JSON; Version=2", 200],
        ["*/*", 200],
        ["text/html, application/*;q=0.5", 200],
        ["application/json;version=3", 406],
        ["application/json;q=0", 406],
        ["application/json;q=0.0, text/html", 406]
      ])
      // Checked for an endpoint only: a path none takes is 404, a method it does not take 405, whatever the headers.
      const unrouted = [
        yield* raw("POST", "/v1/nothing", { body: "{}", headers: { "content-type": "text/plain" } }),
        yield* raw("POST", "/v1/roles", { body: "{}", headers: { "content-type": "text/plain" } })
      ]
      assert.deepStrictEqual(unrouted.map((answer) => [answer.status, (answer.json as { code: string }).code]), [
        [404, "NotFound"],
        [405, "MethodNotAllowed"]
      ])
      const text = yield* raw("POST", "/v1/groups", { body: "{\"name\":\"G\"}", headers: { "content-type": "text/plain" } })
      assert.deepStrictEqual([text.status, (text.json as { code: string }).code], [415, "UnsupportedMediaType"])
      const broken = yield* raw("POST", "/v1/groups", { body: "{\"name\":" })
      assert.deepStrictEqual([broken.status, broken.json], [400, {
        code: "InvalidInput",
        message: "The request body is not valid JSON"
      }])
      const wrongType = yield* raw("PATCH", "/v1/groups/amber_falcon", { body: "{\"name\":7}" })
      assert.deepStrictEqual([wrongType.status, wrongType.json], [400, {
        code: "InvalidInput",
        message: "Invalid field 'name': must be a string, not 7"
      }])
    }).pipe(provideSandbox()))

  it.effect("a body over 1 MiB is 413 PayloadTooLarge, unread; the sandbox answers on", () =>
    Effect.gen(function*() {
      const invite = (phone: string) =>
        raw("POST", "/v1/users", { body: JSON.stringify({ email: "big@acme.test", given_name: "B", family_name: "B", phone }) })
      const tooLarge = yield* invite("1".repeat(1024 * 1024))
      assert.deepStrictEqual([tooLarge.status, tooLarge.json], [413, {
        code: "PayloadTooLarge",
        message: "The request body is over 1048576 bytes, the most this sandbox reads"
      }])
      // Nothing was made of it; a body under the limit is taken as before.
      assert.strictEqual((yield* raw("GET", "/v1/users")).text.includes("big@acme.test"), false)
      assert.strictEqual((yield* invite("1".repeat(1000))).status, 201)
    }).pipe(provideSandbox()))

  it.effect("a body that does not fit says, field by field, what each must be and what was sent", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly ["POST" | "PATCH", string, unknown, string]> = [
        ["PATCH", "/v1/teams/noble_quill/users/calm_willow", { role: null }, "Invalid field 'role': must be a string, not null"],
        // An optional field: left out is fine, null is not (Effect's own text also listed "Expected undefined").
        ["PATCH", "/v1/users/calm_willow", { role: null }, "Invalid field 'role': must be a string, not null"],
        ["PATCH", "/v1/users/calm_willow", { phone: 5 }, "Invalid field 'phone': must be a string or null, not 5"],
        [
          "POST",
          "/v1/users",
          { email: "x@acme.test", given_name: "X", family_name: "Y", user_type: "ROBOT" },
          `Invalid field 'user_type': must be "REGULAR_USER" or "SERVICE_ACCOUNT", not "ROBOT"`
        ],
        [
          "POST",
          "/v1/connections",
          { service: "", group_id: "amber_falcon" },
          `Invalid field 'service': must be a non empty string, not ""`
        ],
        ["POST", "/v1/teams", { name: 7 }, "Invalid field 'name': must be a string, not 7; Invalid field 'role': is missing"],
        [
          "POST",
          "/v1/teams/noble_quill/groups",
          { id: ["amber_falcon"], role: {} },
          "Invalid field 'id': must be a string, not an array; Invalid field 'role': must be a string, not an object"
        ],
        ["POST", "/v1/groups", [], "Invalid body: must be an object, not an array"],
        ["PATCH", "/v1/teams/noble_quill", null, "Invalid body: must be an object, not null"]
      ]
      const answers = []
      for (const [method, path, body] of cases) answers.push(yield* raw(method, path, { body: JSON.stringify(body) }))
      assert.deepStrictEqual(
        answers.map((answer) => [answer.status, answer.json]),
        cases.map(([, , , message]) => [400, { code: "InvalidInput", message }])
      )
    }).pipe(provideSandbox()))

  it.effect("unknown paths are 404, known paths with another method 405", () =>
    Effect.gen(function*() {
      const unknown = yield* raw("GET", "/v1/destinations")
      assert.deepStrictEqual([unknown.status, unknown.json], [404, {
        code: "NotFound",
        message: "No endpoint GET /v1/destinations"
      }])
      const method = yield* raw("DELETE", "/v1/users")
      assert.deepStrictEqual([method.status, method.json], [405, {
        code: "MethodNotAllowed",
        message: "DELETE is not allowed on /v1/users; allowed: GET, POST"
      }])
    }).pipe(provideSandbox()))

  it.effect("user lists (served from pre-encoded users) are the schema-encoded envelope; writes show at once", () =>
    Effect.gen(function*() {
      const encodePage = Schema.encodeSync(PageEnvelope(User))
      const expected = (items: ReadonlyArray<User>, next_cursor: string | undefined) =>
        JSON.stringify(encodePage({ code: "Success", data: next_cursor === undefined ? { items } : { items, next_cursor } }))
      const client = yield* FivetranClient
      const users = yield* collect(client.listUsers)
      const all = yield* raw("GET", "/v1/users?limit=1000")
      assert.strictEqual(all.text, expected(users, undefined))
      const groupUsers = yield* collect(client.listGroupUsers("amber_falcon"))
      // Both kinds of row: members (their group role spliced in) and account-role holders (role null, copied whole).
      assert.deepStrictEqual([groupUsers.some((u) => u.role === null), groupUsers.some((u) => u.role !== null)], [true, true])
      const group = yield* raw("GET", "/v1/groups/amber_falcon/users")
      assert.strictEqual(group.text, expected(groupUsers, undefined))
      // Pages of two, cut from the group's list encoded once: each is the same bytes as its slice encoded.
      const pages: Array<string> = []
      for (let skip = 0; skip < groupUsers.length; skip += 2) {
        const cursor = skip === 0 ? "" : `&cursor=${Buffer.from(JSON.stringify({ skip })).toString("base64url")}`
        pages.push((yield* raw("GET", `/v1/groups/amber_falcon/users?limit=2${cursor}`)).text)
      }
      assert.deepStrictEqual(
        pages,
        pages.map((_, i) =>
          expected(
            groupUsers.slice(i * 2, i * 2 + 2),
            i * 2 + 2 < groupUsers.length ? Buffer.from(JSON.stringify({ skip: i * 2 + 2 })).toString("base64url") : undefined
          )
        )
      )
      assert.isAtLeast(pages.length, 2)

      yield* client.updateUser("calm_willow", { given_name: "Carlota", phone: "+34 600 000 000" })
      const after = (yield* raw("GET", "/v1/groups/amber_falcon/users")).json as {
        readonly data: {
          readonly items: ReadonlyArray<{ readonly id: string; readonly given_name: string; readonly phone: string | null }>
        }
      }
      const willow = after.data.items.find((u) => u.id === "calm_willow")
      assert.deepStrictEqual([willow?.given_name, willow?.phone], ["Carlota", "+34 600 000 000"])
      const page = yield* raw("GET", "/v1/users?limit=1")
      assert.strictEqual(page.text, expected(users.slice(0, 1), (page.json as PageBody).data.next_cursor))
    }).pipe(provideSandbox()))

  it.effect("the same state gives byte-identical answers and the same created ids", () =>
    Effect.gen(function*() {
      const once = Effect.gen(function*() {
        const list = yield* raw("GET", "/v1/groups/amber_falcon/users")
        const team = yield* raw("POST", "/v1/teams", { body: JSON.stringify({ name: "T", role: "Account Reviewer" }) })
        return [list.text, team.text]
      })
      const first = yield* once.pipe(provideSandbox())
      const second = yield* once.pipe(provideSandbox())
      assert.deepStrictEqual(first, second)
    }))
})

const rateLimited = (error: FivetranError) => [error._tag, error._tag === "RateLimited" ? error.retryAfterSeconds : undefined]

describe("rate limits", () => {
  it.effect("every answer carries X-Rate-Limit headers; a spent budget is 429 with Retry-After", () =>
    Effect.gen(function*() {
      const client = yield* FivetranClient
      const remaining: Array<[string | undefined, string | undefined]> = []
      for (let i = 0; i < 3; i++) {
        const response = yield* raw("GET", "/v1/roles?limit=1")
        remaining.push([response.headers["x-rate-limit"], response.headers["x-rate-limit-remaining"]])
      }
      assert.deepStrictEqual(remaining, [["3", "2"], ["3", "1"], ["3", "0"]])
      const refused = yield* raw("GET", "/v1/roles")
      assert.deepStrictEqual(
        [refused.status, refused.headers["retry-after"], refused.headers["x-rate-limit-remaining"], refused.json],
        [429, "3600", "0", { code: "TooManyRequests", message: "Rate limit of 3 requests per hour exceeded" }]
      )
      const error = yield* Effect.flip(client.accountInfo)
      assert.deepStrictEqual(rateLimited(error), ["RateLimited", 3600])
      yield* TestClock.adjust("30 minutes")
      assert.strictEqual((yield* raw("GET", "/v1/roles")).headers["retry-after"], "1800")
      yield* TestClock.adjust("30 minutes")
      assert.deepStrictEqual(yield* client.accountInfo, {
        account_id: "lunar_meadow",
        account_name: "Acme Data",
        user_id: "quiet_harbor",
        system_key_id: null
      })
    }).pipe(provideSandbox({ rateLimit: { hourly: 3 } })))

  it.effect("bad credentials are 401 whatever the account's budget, spend none of it and are told nothing of it", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const wrong = { key: keys.admin.key, secret: "nope" }
      const answers: Array<[number, string | undefined, string | undefined]> = []
      const call = (key: { key: string; secret: string } | null) =>
        Effect.map(raw("GET", "/v1/roles?limit=1", { key }), (response) => {
          answers.push([response.status, response.headers["x-rate-limit"], response.headers["x-rate-limit-remaining"]])
          return response
        })
      yield* call(wrong)
      yield* call(null)
      yield* call(keys.admin)
      yield* call(wrong)
      yield* call(keys.admin)
      const refusedWrong = yield* call(wrong)
      yield* call(keys.admin)
      assert.deepStrictEqual(answers, [
        [401, undefined, undefined],
        [401, undefined, undefined],
        [200, "2", "1"],
        [401, undefined, undefined],
        [200, "2", "0"],
        [401, undefined, undefined],
        [429, "2", "0"]
      ])
      assert.deepStrictEqual(refusedWrong.json, { code: "Unauthorized", message: "Invalid authorization credentials" })
      assert.deepStrictEqual((yield* sandbox.requestLog).map((entry) => [entry.status, entry.rateLimitRemaining]), [
        [401, null],
        [401, null],
        [200, 1],
        [401, null],
        [200, 0],
        [401, null],
        [429, 0]
      ])
    }).pipe(provideSandbox({ rateLimit: { hourly: 2 } })))

  it.effect("--rate-window-seconds shortens the window; answers announce it in X-Rate-Limit-Window-Seconds", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const first = yield* raw("GET", "/v1/roles?limit=1")
      assert.deepStrictEqual(
        [first.headers["x-rate-limit"], first.headers["x-rate-limit-remaining"], first.headers["x-rate-limit-window-seconds"]],
        ["2", "1", "10"]
      )
      yield* TestClock.adjust("4 seconds")
      yield* raw("GET", "/v1/roles?limit=1")
      const refused = yield* raw("GET", "/v1/roles")
      assert.deepStrictEqual(
        [refused.status, refused.headers["retry-after"], refused.json],
        [429, "6", { code: "TooManyRequests", message: "Rate limit of 2 requests per 10 seconds exceeded" }]
      )
      yield* TestClock.adjust("6 seconds")
      assert.strictEqual((yield* raw("GET", "/v1/roles?limit=1")).headers["x-rate-limit-remaining"], "0")
      assert.deepStrictEqual((yield* sandbox.requestLog).map((entry) => [entry.status, entry.rateLimitRemaining]), [
        [200, 1],
        [200, 0],
        [429, 0],
        [200, 0]
      ])
    }).pipe(provideSandbox({ rateLimit: { hourly: 2, windowSeconds: 10 } })))

  it.effect("invitations have their own hourly budget", () =>
    Effect.gen(function*() {
      const client = yield* FivetranClient
      yield* client.inviteUser({ email: "a@acme.test", given_name: "A", family_name: "A" })
      const error = yield* Effect.flip(client.inviteUser({ email: "b@acme.test", given_name: "B", family_name: "B" }))
      assert.deepStrictEqual(rateLimited(error), ["RateLimited", 3600])
      assert.strictEqual((yield* collect(client.listUsers)).length, 5)
      yield* TestClock.adjust("1 hour")
      yield* client.inviteUser({ email: "b@acme.test", given_name: "B", family_name: "B" })
    }).pipe(provideSandbox({ rateLimit: { invitesHourly: 1 } })))

  it.effect("a refused invitation (400, 409) creates no user and spends none of the invitation budget", () =>
    Effect.gen(function*() {
      const post = (body: unknown) => Effect.map(raw("POST", "/v1/users", { body: JSON.stringify(body) }), (r) => [r.status, r.json])
      assert.deepStrictEqual(yield* post({ given_name: "N", family_name: "E" }), [
        400,
        { code: "InvalidInput", message: "Invalid field 'email': is missing" }
      ])
      assert.deepStrictEqual(
        yield* post({ email: "x@acme.test", given_name: "X", family_name: "X", role: "View Destination" }),
        [400, {
          code: "InvalidInput",
          message:
            "Invalid field 'role': 'View Destination' is not a role of scope ACCOUNT; valid ACCOUNT roles: Account Administrator, Account Billing, Account Analyst, Account Reviewer, Destination Creator, Billing Auditor"
        }]
      )
      assert.deepStrictEqual(yield* post({ email: "Ben.Ito@acme.test", given_name: "B", family_name: "I" }), [
        409,
        { code: "Conflict", message: "A user with email 'Ben.Ito@acme.test' already exists in the account" }
      ])
      const created = yield* raw("POST", "/v1/users", {
        body: JSON.stringify({ email: "a@acme.test", given_name: "A", family_name: "A" })
      })
      assert.deepStrictEqual(
        [created.status, (created.json as { code: string; data: { email: string } }).data.email],
        [201, "a@acme.test"]
      )
      const refused = yield* post({ email: "b@acme.test", given_name: "B", family_name: "B" })
      assert.deepStrictEqual(refused, [429, {
        code: "TooManyRequests",
        message: "User creation is limited to 1 per hour"
      }])
    }).pipe(provideSandbox({ rateLimit: { invitesHourly: 1 } })))
})
