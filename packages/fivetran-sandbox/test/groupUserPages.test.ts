import { PageEnvelope, User } from "@baton-fivetran/fivetran-client"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Context, Duration, Effect, Layer, Schema, Stream, TestClock } from "effect"
import { connect } from "node:net"
import type { AccountSnapshot, FaultOptions } from "../src/index.js"
import { generate, presets, Sandbox } from "../src/index.js"
import { byCreation } from "../src/state/CreationOrder.js"

/**
 * Every page of `GET /v1/groups/{id}/users` (and of `GET /v1/users`) compared byte for byte with
 * bodies built the plain way from the state's snapshot: the users sorted by creation, each group's
 * members with their group role plus every account-role holder with role null, encoded through the
 * client's page schema and `JSON.stringify`. The sandbox builds these pages from cached byte runs;
 * this is what keeps them equal to the definition, across the writes that change them.
 */

/** ~2,500 users in 8 groups: ~450 members of many roles per group among ~2,250 account-role holders. */
const options = { ...presets.medium, seed: 9071, users: 2_500, groups: 8, teams: 4, connections: 16 }

const encodePage = Schema.encodeSync(PageEnvelope(User))
const cursorOf = (skip: number) => Buffer.from(JSON.stringify({ skip })).toString("base64url")

/** The body of each page of `rows` at `limit`, as the API defines it. */
const referencePages = (rows: ReadonlyArray<User>, limit: number): Array<string> => {
  const pages: Array<string> = []
  for (let skip = 0;; skip += limit) {
    const end = skip + limit
    const items = rows.slice(skip, end)
    // The last page has no next_cursor.
    const data = end < rows.length ? { items, next_cursor: cursorOf(end) } : { items }
    pages.push(JSON.stringify(encodePage({ code: "Success", data })))
    if (data.next_cursor === undefined) return pages
  }
}

/** A group's rows by the definition: oldest user first, members with their role, holders with null. */
const referenceGroupRows = (snapshot: AccountSnapshot, groupId: string, includeAccountRoles: boolean) => {
  const members = new Map(snapshot.user_groups.filter((m) => m.group_id === groupId).map((m) => [m.user_id, m.role]))
  return byCreation(snapshot.users).flatMap((user): Array<User> => {
    const role = members.get(user.id)
    if (role !== undefined) return [{ ...user, role }]
    return includeAccountRoles && user.role !== null ? [{ ...user, role: null }] : []
  })
}

interface Answer {
  readonly status: number
  readonly body: string
}

const layer = NodeHttpClient.layerUndici

/** A sandbox serving `snapshot` for the test's scope, with raw calls as its system key. */
const serve = (snapshot: AccountSnapshot, groupUsersIncludeAccountRoles: boolean, faults: FaultOptions = {}) =>
  Effect.gen(function*() {
    const context = yield* Layer.build(Sandbox.layer({ snapshot, port: 0, groupUsersIncludeAccountRoles, faults }))
    const sandbox = Context.get(context, Sandbox)
    const client = yield* HttpClient.HttpClient
    const credential = snapshot.credentials.find((c) => c._tag === "SystemKey")!
    const authorization = `Basic ${Buffer.from(`${credential.key}:${credential.secret}`).toString("base64")}`
    const call = (
      method: "GET" | "POST" | "PATCH" | "DELETE",
      path: string,
      body?: unknown,
      encoding: BufferEncoding = "utf8"
    ) => {
      let request = HttpClientRequest.make(method)(`${sandbox.baseUrl}${path}`).pipe(
        HttpClientRequest.setHeaders({ authorization })
      )
      if (body !== undefined) request = HttpClientRequest.bodyText(request, JSON.stringify(body), "application/json")
      return client.execute(request).pipe(
        Effect.flatMap((response) =>
          Effect.map(response.arrayBuffer, (bytes): Answer => ({
            status: response.status,
            body: Buffer.from(bytes).toString(encoding)
          }))
        ),
        Effect.scoped
      )
    }
    /** Fails unless the write answers 2xx. */
    const write = (method: "POST" | "PATCH" | "DELETE", path: string, body?: unknown) =>
      Effect.map(call(method, path, body), (answer) => {
        assert.isTrue(answer.status >= 200 && answer.status < 300, `${method} ${path}: ${answer.status} ${answer.body}`)
        return JSON.parse(answer.body) as { readonly data?: { readonly id: string } }
      })
    /** Every page of `path` at `limit`, following next_cursor, checked against `expected`. */
    const comparePages = (path: string, limit: number, expected: ReadonlyArray<string>) =>
      Effect.gen(function*() {
        for (let i = 0, cursor: string | null = null;; i++) {
          const answer: Answer = yield* call("GET", `${path}?limit=${limit}${cursor === null ? "" : `&cursor=${cursor}`}`)
          assert.strictEqual(answer.status, 200, path)
          assert.strictEqual(answer.body, expected[i], `${path} limit ${limit} page ${i}`)
          cursor = (JSON.parse(answer.body) as { data: { next_cursor?: string } }).data.next_cursor ?? null
          if (cursor === null) return assert.strictEqual(i + 1, expected.length, `${path} limit ${limit}: pages`)
        }
      })
    /** Every group's pages at a few limits, and pages past the end, against the current state. */
    const checkGroups = (groupIds: ReadonlyArray<string>, limits: ReadonlyArray<number> = [1000, 333, 100]) =>
      Effect.gen(function*() {
        const state = yield* sandbox.snapshot
        for (const groupId of groupIds) {
          const rows = referenceGroupRows(state, groupId, groupUsersIncludeAccountRoles)
          for (const limit of limits) yield* comparePages(`/v1/groups/${groupId}/users`, limit, referencePages(rows, limit))
          const past = yield* call("GET", `/v1/groups/${groupId}/users?limit=7&cursor=${cursorOf(rows.length + 3)}`)
          assert.strictEqual(past.body, referencePages([], 7)[0])
          const last = yield* call("GET", `/v1/groups/${groupId}/users?limit=5&cursor=${cursorOf(rows.length - 2)}`)
          assert.strictEqual(last.body, referencePages(rows.slice(-2), 5)[0])
        }
        return state
      })
    /** `GET /v1/users`: insertion order, each user with its account role. */
    const checkUsers = Effect.gen(function*() {
      const state = yield* sandbox.snapshot
      for (const limit of [1000, 99]) yield* comparePages("/v1/users", limit, referencePages(state.users, limit))
    })
    return { call, write, checkGroups, checkUsers, sandbox }
  })

const accountRole = (snapshot: AccountSnapshot) => snapshot.roles.find((r) => r.scope.includes("ACCOUNT") && !r.is_deprecated)!.name
const destinationRoles = (snapshot: AccountSnapshot) =>
  snapshot.roles.filter((r) => r.scope.includes("DESTINATION") && !r.is_deprecated).map((r) => r.name)

describe("GET /v1/groups/{id}/users pages equal their definition byte for byte", () => {
  it.scoped("with account-role holders: generated state, then after invitations, deletions and role changes", () =>
    Effect.gen(function*() {
      const snapshot = generate(options)
      const sandbox = yield* serve(snapshot, true)
      const groupIds = snapshot.groups.map((g) => g.id)
      // The group with the most members; its members hold several roles, some also an account role.
      const counts = groupIds.map((id) => snapshot.user_groups.filter((m) => m.group_id === id).length)
      const group = groupIds[counts.indexOf(Math.max(...counts))]!
      const members = snapshot.user_groups.filter((m) => m.group_id === group)
      assert.isAbove(new Set(members.map((m) => m.role)).size, 2)
      const byId = new Map(snapshot.users.map((u) => [u.id, u]))
      assert.isTrue(members.some((m) => byId.get(m.user_id)!.role === null))
      assert.isTrue(members.some((m) => byId.get(m.user_id)!.role !== null))

      yield* sandbox.checkGroups(groupIds)
      yield* sandbox.checkUsers

      // Invitations placed among the users by created_at: one with an account role (a new holder),
      // one without (listed nowhere until it joins a group), at the same instant as an existing user.
      const middle = byCreation(snapshot.users)[1_200]!
      yield* TestClock.setTime(Date.parse(middle.created_at))
      const holder = (yield* sandbox.write("POST", "/v1/users", {
        email: "pages.holder@example.test",
        given_name: "Page",
        family_name: "Holder",
        role: accountRole(snapshot)
      })).data!.id
      yield* sandbox.write("POST", "/v1/users", {
        email: "pages.plain@example.test",
        given_name: "Page",
        family_name: "Plain"
      })
      yield* sandbox.checkGroups([group, groupIds[1]!], [1000, 100])
      // The role-less invitee joins the group, the holder another with a different role.
      const [roleA, roleB] = destinationRoles(snapshot)
      yield* sandbox.write("POST", `/v1/groups/${group}/users`, { email: "pages.plain@example.test", role: roleA })
      yield* sandbox.write("POST", `/v1/users/${holder}/groups`, { id: groupIds[1]!, role: roleB })
      yield* sandbox.checkGroups([group, groupIds[1]!], [1000, 100])

      // A member who holds an account role is deleted; another member's group role changes; a
      // third loses its account role (stays a member); a non-member holder loses it (disappears).
      const holderMembers = members.filter((m) => byId.get(m.user_id)!.role !== null)
      const isAdmin = (m: { user_id: string }) => byId.get(m.user_id)!.role === "Account Administrator"
      const [gone, changed, demoted] = holderMembers.filter((m) => !isAdmin(m))
      yield* sandbox.write("DELETE", `/v1/users/${gone!.user_id}`)
      yield* sandbox.write("PATCH", `/v1/users/${changed!.user_id}/groups/${group}`, {
        role: destinationRoles(snapshot).find((r) => r !== changed!.role)!
      })
      yield* sandbox.write("DELETE", `/v1/users/${demoted!.user_id}/role`)
      const memberIds = new Set(members.map((m) => m.user_id))
      const outsider = snapshot.users.find((u) => u.role !== null && u.role !== "Account Administrator" && !memberIds.has(u.id))!
      yield* sandbox.write("DELETE", `/v1/users/${outsider.id}/role`)
      yield* sandbox.checkGroups([group], [1000, 100])

      // A role-less non-member gains an account role (appears in every group); a member's name
      // changes (its row is encoded anew); a member leaves the group; a new group lists holders only.
      const roleless = snapshot.users.find((u) => u.role === null && !memberIds.has(u.id))!
      yield* sandbox.write("PATCH", `/v1/users/${roleless.id}`, { role: accountRole(snapshot) })
      yield* sandbox.write("PATCH", `/v1/users/${changed!.user_id}`, { given_name: "Renamed" })
      yield* sandbox.write("DELETE", `/v1/groups/${group}/users/${members.at(-1)!.user_id}`)
      const created = (yield* sandbox.write("POST", "/v1/groups", { name: "pages_new" })).data!.id
      yield* sandbox.checkGroups([group, groupIds[1]!, created], [1000, 100])
      yield* sandbox.checkUsers
    }).pipe(Effect.provide(layer)), 120_000)

  it.scoped("with direct members only (groupUsersIncludeAccountRoles false)", () =>
    Effect.gen(function*() {
      const snapshot = generate(options)
      const sandbox = yield* serve(snapshot, false)
      yield* sandbox.checkGroups(snapshot.groups.map((g) => g.id), [1000, 100, 7])
    }).pipe(Effect.provide(layer)), 120_000)

  it.live("concurrent pages, held back, some sent slowly or cut: page memory is reused only once sent", () =>
    Effect.gen(function*() {
      const snapshot = generate(options)
      const { call, sandbox } = yield* serve(snapshot, true, {
        seed: 5,
        latency: { minMillis: 0, maxMillis: 6 },
        slowBody: { share: 0.2, chunkBytes: 40_000, chunkDelayMillis: 2 },
        truncatedShare: 0.1
      })
      const state = yield* sandbox.snapshot
      const expected = new Map<string, string>()
      for (const group of snapshot.groups) {
        const rows = referenceGroupRows(state, group.id, true)
        for (const limit of [1000, 333]) {
          referencePages(rows, limit).forEach((page, i) => {
            const cursor = i === 0 ? "" : `&cursor=${cursorOf(i * limit)}`
            expected.set(`/v1/groups/${group.id}/users?limit=${limit}${cursor}`, Buffer.from(page).toString("latin1"))
          })
        }
      }
      const paths = [...expected.keys(), ...expected.keys()]
      yield* Stream.fromIterable(paths).pipe(
        Stream.mapEffect((path) => Effect.map(call("GET", path, undefined, "latin1"), (answer) => [path, answer] as const), {
          concurrency: 16,
          unordered: true
        }),
        Stream.runForEach(([path, answer]) =>
          Effect.sync(() => {
            assert.strictEqual(answer.status, 200, path)
            const whole = expected.get(path)!
            // A cut answer is the first half of the page's bytes.
            const want = answer.body.length < whole.length ? whole.slice(0, Math.floor(whole.length / 2)) : whole
            assert.isTrue(answer.body === want, `${path}: ${answer.body.length} bytes differ`)
          })
        )
      )
      const faults = new Set((yield* sandbox.requestLog).map((entry) => entry.fault))
      assert.isTrue(faults.has("slow-body") && faults.has("truncated"), [...faults].join())
    }).pipe(Effect.provide(layer), Effect.scoped), 120_000)

  it.live("pages queued unread behind others keep their bytes while later pages are built", () =>
    Effect.gen(function*() {
      // All the pages asked for at once on one connection whose reader waits: the kernel takes a few
      // MB, Node keeps the later answers queued, their bytes in the page memory. Were that memory
      // reused before an answer was sent, the pages built meanwhile would overwrite queued ones.
      const snapshot = generate(options)
      const { sandbox } = yield* serve(snapshot, true)
      const state = yield* sandbox.snapshot
      const credential = snapshot.credentials.find((c) => c._tag === "SystemKey")!
      const authorization = `Basic ${Buffer.from(`${credential.key}:${credential.secret}`).toString("base64")}`
      const pages = snapshot.groups.flatMap((group) =>
        referencePages(referenceGroupRows(state, group.id, true), 1000).map((body, i) => ({
          path: `/v1/groups/${group.id}/users?limit=1000${i === 0 ? "" : `&cursor=${cursorOf(i * 1000)}`}`,
          body: Buffer.from(body)
        }))
      )
      const wanted = [...pages, ...pages]
      assert.isAbove(wanted.reduce((sum, page) => sum + page.body.length, 0), 10_000_000)
      const { hostname, port } = new URL(sandbox.baseUrl)
      const socket = connect(Number(port), hostname)
      yield* Effect.addFinalizer(() => Effect.sync(() => socket.destroy()))
      socket.write(
        wanted.map(({ path }) => `GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: ${authorization}\r\n\r\n`).join("")
      )
      while ((yield* sandbox.requestLog).length < wanted.length) yield* Effect.sleep(Duration.millis(20))
      yield* Effect.sleep(Duration.millis(200))
      const bodies = yield* Effect.async<ReadonlyArray<Buffer>>((resume) => {
        const found: Array<Buffer> = []
        let pending = Buffer.alloc(0)
        socket.on("data", (chunk: Buffer) => {
          pending = Buffer.concat([pending, chunk])
          for (;;) {
            const headEnd = pending.indexOf("\r\n\r\n")
            if (headEnd < 0) return
            const length = Number(/content-length: (\d+)/i.exec(pending.subarray(0, headEnd).toString("latin1"))?.[1])
            if (pending.length < headEnd + 4 + length) return
            found.push(pending.subarray(headEnd + 4, headEnd + 4 + length))
            pending = pending.subarray(headEnd + 4 + length)
            if (found.length === wanted.length) return resume(Effect.succeed(found))
          }
        })
      })
      bodies.forEach((body, i) => assert.isTrue(body.equals(wanted[i]!.body), `answer ${i}, ${wanted[i]!.path}, differs`))
    }).pipe(Effect.provide(layer), Effect.scoped), 120_000)
})
