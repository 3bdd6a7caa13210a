import { openC1z, syncedAt } from "@baton-fivetran/c1z"
import { generatePreset } from "@baton-fivetran/fivetran-sandbox"
import { NotFound } from "@baton-fivetran/http-api"
import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { join } from "node:path"
import { teamGrantToMake } from "./AccessChanges.js"
import { harness, Harness, runSync, TestToken } from "./Harness.js"

/** The access-review endpoints on the real service and sandbox, read back over HTTP. */

const snapshot = generatePreset("small")
const change = teamGrantToMake(snapshot)

const text = (path: string) =>
  Effect.gen(function*() {
    const { request } = yield* Harness
    const response = yield* request("GET", path, { token: TestToken })
    return { status: response.status, headers: response.headers, body: yield* Effect.orDie(response.text) }
  })

/** A kept sync's .c1z sync id and end, read back from its file, as the diff's items name them. */
const c1zSync = (jobId: string) =>
  Effect.gen(function*() {
    const { dataDir } = yield* Harness
    return yield* Effect.scoped(Effect.map(openC1z(join(dataDir, `${jobId}.c1z`)), (reader) => ({
      id: reader.syncRun.syncId,
      at: syncedAt(reader.syncRun)
    })))
  }).pipe(Effect.orDie)

const jsonLines = (body: string) => body.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as Record<string, string>)

layer(harness({ provisioning: true, snapshot }), { excludeTestServices: true, timeout: 120_000 })("access review over HTTP", (it) => {
  it.effect("before any sync, export and search answer 404 saying what to do", () =>
    Effect.gen(function*() {
      const { client } = yield* Harness
      const noSync = new NotFound({
        message: "no sync has finished yet; start one with POST /v1/syncs and wait for it to succeed"
      })
      assert.deepStrictEqual(yield* Effect.flip(client.review.export({ urlParams: {} })), noSync)
      assert.deepStrictEqual(yield* Effect.flip(client.review.searchPrincipals({ urlParams: { q: "a" } })), noSync)
    }))

  it.effect("the diff of two syncs around a team grant is that grant and its members' derived grants, page by page", () =>
    Effect.gen(function*() {
      const { client } = yield* Harness
      const before = yield* runSync
      const granted = yield* client.provisioning.grant({
        payload: { entitlement_id: change.entitlementId, principal: { type: "team", id: change.team.id } }
      })
      assert.strictEqual(granted.status, "granted")
      const after = yield* runSync
      assert.strictEqual(after.status, "succeeded")

      const whole = yield* client.review.diff({ path: { id: after.id }, urlParams: { base: before.id } })
      assert.strictEqual(whole.sync_id, after.id)
      assert.strictEqual(whole.base_sync_id, before.id)
      assert.isNull(whole.next_page_token)
      assert.isFalse(whole.reversed)
      // The pair given the other way round is marked: every change reads backwards.
      const backwards = yield* client.review.diff({ path: { id: before.id }, urlParams: { base: after.id } })
      assert.deepStrictEqual([backwards.reversed, backwards.items.length], [true, whole.items.length])
      // Each item names the two syncs it compares, by their files' sync ids and ends (as the CLI's diff rows).
      const [old, now] = [yield* c1zSync(before.id), yield* c1zSync(after.id)]
      assert.notStrictEqual(old.id, now.id)
      assert.deepStrictEqual(
        whole.items,
        change.added.map((grant) => ({
          change: "added" as const,
          kind: "grant" as const,
          id: grant.id,
          name: grant.name,
          entitlement: change.entitlementId,
          principal: grant.id.slice(change.entitlementId.length + 1),
          principal_status: grant.principalStatus,
          paths: grant.paths,
          old_sync_id: old.id,
          old_synced_at: old.at,
          new_sync_id: now.id,
          new_synced_at: now.at
        }))
      )

      const paged: Array<string> = []
      let token: string | undefined
      do {
        const page = yield* client.review.diff({
          path: { id: after.id },
          urlParams: { base: before.id, page_size: 1, ...(token === undefined ? {} : { page_token: token }) }
        })
        assert.isAtMost(page.items.length, 1)
        paged.push(...page.items.map((item) => item.id))
        token = page.next_page_token ?? undefined
      } while (token !== undefined)
      assert.deepStrictEqual(paged, whole.items.map((item) => item.id))

      const reverse = yield* client.review.diff({ path: { id: before.id }, urlParams: { base: after.id } })
      assert.deepStrictEqual(reverse.items.map((item) => `${item.change} ${item.id}`), change.added.map((g) => `removed ${g.id}`))
      const same = yield* client.review.diff({ path: { id: after.id }, urlParams: { base: after.id } })
      assert.deepStrictEqual(same.items, [])

      const foreign = yield* text(`/v1/syncs/${before.id}/diff?base=${after.id}&page_token=${token ?? "bm90LWEtdG9rZW4"}`)
      assert.strictEqual(foreign.status, 400)
      assert.strictEqual(JSON.parse(foreign.body).field, "page_token")
      const unknown = yield* text(`/v1/syncs/${after.id}/diff?base=20990101T000000Z-0000`)
      assert.strictEqual(unknown.status, 404)
      assert.strictEqual(JSON.parse(unknown.body).message, "no sync job 20990101T000000Z-0000")
    }))

  it.effect("a diff token the service did not issue (a moved position, a listing's token) or of another pair of syncs is a 400 saying what to do", () =>
    Effect.gen(function*() {
      const { client } = yield* Harness
      const [after, before] = (yield* client.syncs.list()).items.map((job) => job.id).sort().reverse()
      const first = yield* client.review.diff({ path: { id: after! }, urlParams: { base: before!, page_size: 1 } })
      const [payload, signature] = first.next_page_token!.split(".") as [string, string]
      const position = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>
      const moved = `${Buffer.from(JSON.stringify({ ...position, i: "" })).toString("base64url")}.${signature}`
      const listing = (yield* client.queries.resources({ urlParams: { page_size: 1 } })).next_page_token!
      for (const token of [moved, listing]) {
        const answer = yield* text(`/v1/syncs/${after}/diff?base=${before}&page_size=1&page_token=${token}`)
        assert.deepStrictEqual([answer.status, JSON.parse(answer.body)], [400, {
          error: "InvalidRequest",
          field: "page_token",
          message: "page_token is not a token this service issued; list again without page_token"
        }], token)
      }
      // The service's own token, sent for another pair of syncs (the same two, swapped).
      const swapped = yield* text(`/v1/syncs/${before}/diff?base=${after}&page_size=1&page_token=${first.next_page_token!}`)
      assert.deepStrictEqual([swapped.status, JSON.parse(swapped.body)], [400, {
        error: "InvalidRequest",
        field: "page_token",
        message: "page_token is not a token this service issued for this pair of syncs; " +
          "repeat the base of the page it came from, or list again without page_token"
      }])
      const second = yield* client.review.diff({ path: { id: after! }, urlParams: { base: before!, page_token: first.next_page_token! } })
      const whole = yield* client.review.diff({ path: { id: after! }, urlParams: { base: before! } })
      assert.deepStrictEqual(second.items, whole.items.slice(1))
    }).pipe(Effect.orDie))

  it.effect("the export streams the same rows as CSV and as JSON lines, and filters to a principal or an entitlement", () =>
    Effect.gen(function*() {
      const csv = yield* text("/v1/export?format=csv")
      assert.strictEqual(csv.status, 200)
      assert.strictEqual(csv.headers["content-type"], "text/csv; charset=utf-8")
      assert.match(csv.headers["content-disposition"] ?? "", /^attachment; filename="access-review-[\w-]+\.csv"$/)
      const lines = yield* text("/v1/export?format=jsonl")
      assert.strictEqual(lines.headers["content-type"], "application/x-ndjson; charset=utf-8")
      const rows = jsonLines(lines.body)
      const records = csv.body.split("\r\n").filter((line) => line !== "")
      assert.strictEqual(
        records[0],
        "principal,principal_name,email,status,last_login,account_type,resource,resource_name,entitlement,permission,via,via_name,sync_id,synced_at"
      )
      assert.strictEqual(records.length - 1, rows.length)
      // One row per grant and path: the team's grant of the change, and each member's inherited one.
      const changed = rows.filter((row) => row.entitlement === change.entitlementId)
      const viaTeam = changed.filter((row) => row.principal === `team:${change.team.id}` || row.via === `team:${change.team.id}`)
      assert.deepStrictEqual(
        viaTeam.map((row) => `${row.principal} ${row.via} ${row.via_name}`).sort(),
        change.added.map((g) =>
          g.id.endsWith(`:team:${change.team.id}`)
            ? `team:${change.team.id} direct `
            : `${g.id.slice(change.entitlementId.length + 1)} team:${change.team.id} ${change.team.name}`
        ).sort()
      )

      const holders = jsonLines((yield* text(`/v1/export?format=jsonl&entitlement=${encodeURIComponent(change.entitlementId)}`)).body)
      // Holders come by principal id (teams before users); the whole sheet has users first.
      const sorted = (list: ReadonlyArray<Record<string, string>>) => list.map((row) => JSON.stringify(row)).sort()
      assert.deepStrictEqual(sorted(holders), sorted(changed))
      assert.deepStrictEqual(holders.map((row) => row.principal), [...holders.map((row) => row.principal)].sort())
      const member = viaTeam.find((row) => row.principal.startsWith("user:"))!.principal
      const own = jsonLines((yield* text(`/v1/export?format=jsonl&principal=${encodeURIComponent(member)}`)).body)
      assert.deepStrictEqual(own, rows.filter((row) => row.principal === member))

      const bad = yield* text("/v1/export?format=xlsx")
      assert.strictEqual(bad.status, 400)
      assert.strictEqual(JSON.parse(bad.body).field, "format")

      // Roles, groups and connections hold nothing: their sheet was empty, read as "nobody holds it".
      const role = yield* text(`/v1/export?format=jsonl&principal=${encodeURIComponent("role:Account Administrator")}`)
      assert.deepStrictEqual([role.status, JSON.parse(role.body)], [400, {
        error: "InvalidRequest",
        field: "principal",
        message: "principal: expected user:<id> or team:<id> (only users and teams hold access; for the holders of a " +
          "role, group, team or connection give resource=<type:id> on the export, or entitlement=<entitlement id>, " +
          "listed by GET /v1/entitlements?resource=<type:id>), got \"role:Account Administrator\""
      }])

      // A principal or entitlement not in the sync (a typo) is a 404, not a sheet that says it holds nothing.
      for (
        const [query, what] of [["principal=user:no_such_user", "user no_such_user"], [
          "entitlement=team:nope:member",
          "entitlement team:nope:member"
        ]]
      ) {
        const absent = yield* text(`/v1/export?format=jsonl&${query}`)
        assert.strictEqual(absent.status, 404, query)
        assert.deepStrictEqual(Object.keys(JSON.parse(absent.body)), ["error", "message"], query)
        assert.include(JSON.parse(absent.body).message, `${what} is not in the latest sync`, query)
      }
    }))

  it.effect("the export of one resource is the holders of each of its entitlements: a destination owner's sheet", () =>
    Effect.gen(function*() {
      const group = change.entitlementId.slice(0, change.entitlementId.lastIndexOf(":"))
      const whole = jsonLines((yield* text("/v1/export?format=jsonl")).body)
      const sheet = yield* text(`/v1/export?format=jsonl&resource=${encodeURIComponent(group)}`)
      assert.strictEqual(sheet.status, 200)
      const rows = jsonLines(sheet.body)
      const syncId = /access-review-([\w-]+)\.jsonl/.exec(sheet.headers["content-disposition"] ?? "")?.[1]
      const ofGroup = whole.filter((row) => row.resource === group)
      assert.isAbove(ofGroup.length, change.added.length)
      // The same rows as the whole sheet's for that group, by entitlement, then principal.
      const sorted = (list: ReadonlyArray<Record<string, string>>) => list.map((row) => JSON.stringify(row)).sort()
      assert.deepStrictEqual(sorted(rows), sorted(ofGroup))
      const order = rows.map((row) => `${row.entitlement}\u0000${row.principal}`)
      assert.deepStrictEqual(order, [...order].sort())

      const csv = yield* text(`/v1/export?resource=${encodeURIComponent(group)}`)
      assert.strictEqual(csv.status, 200)
      assert.strictEqual(csv.body.split("\r\n").filter((line) => line !== "").length, rows.length + 1)

      const refusal = (query: string) => Effect.map(text(`/v1/export?${query}`), (answer) => [answer.status, JSON.parse(answer.body)])
      // A user has no entitlements: an empty sheet would read as "nobody has access to it".
      assert.deepStrictEqual(yield* refusal(`resource=${encodeURIComponent(`user:${change.team.id}`)}`), [400, {
        error: "InvalidRequest",
        field: "resource",
        message: "resource: a user has no entitlements; its access is principal=user:<id> " +
          "(resource takes a group, connection, role or team)"
      }])
      assert.deepStrictEqual(yield* refusal("resource=group:no_such_group"), [404, {
        error: "NotFound",
        message: `group no_such_group is not in the latest sync (${syncId})`
      }])
      assert.deepStrictEqual(yield* refusal("resource=groups"), [400, {
        error: "InvalidRequest",
        field: "resource",
        message: "resource: expected <resource type>:<resource id> with a type of user, role, group, team, connection, e.g. user:abc123"
      }])
      assert.deepStrictEqual(
        yield* refusal(`resource=${encodeURIComponent(group)}&entitlement=${encodeURIComponent(change.entitlementId)}`),
        [
          400,
          {
            error: "InvalidRequest",
            field: "resource",
            message: "give one of principal, entitlement and resource, not entitlement and resource"
          }
        ]
      )
    }))

  it.effect("search finds users and teams by name, email or id, any case", () =>
    Effect.gen(function*() {
      const { client } = yield* Harness
      const user = snapshot.users[0]!
      const byEmail = yield* client.review.searchPrincipals({ urlParams: { q: user.email.toUpperCase() } })
      assert.deepStrictEqual(byEmail.items.map((item) => item.id), [`user:${user.id}`])
      const byTeamName = yield* client.review.searchPrincipals({ urlParams: { q: change.team.name } })
      assert.include(byTeamName.items.map((item) => item.id), `team:${change.team.id}`)
      const limited = yield* client.review.searchPrincipals({ urlParams: { limit: 3 } })
      assert.strictEqual(limited.items.length, 3)
      assert.deepStrictEqual(limited.items.map((item) => item.type), ["user", "user", "user"])
    }))

  it.effect("the explorer page and its assets are served without a token, under a strict content security policy", () =>
    Effect.gen(function*() {
      const { request } = yield* Harness
      for (const [path, type] of [["/", "text/html"], ["/explorer.js", "text/javascript"], ["/explorer.css", "text/css"]] as const) {
        const response = yield* request("GET", path)
        assert.strictEqual(response.status, 200, path)
        assert.strictEqual(response.headers["content-type"], `${type}; charset=utf-8`)
        assert.include(response.headers["content-security-policy"], "default-src 'none'; script-src 'self'")
      }
      const page = yield* Effect.orDie((yield* request("GET", "/")).text)
      assert.include(page, "<script type=\"module\" src=\"explorer.js\"></script>")
      assert.strictEqual((yield* request("GET", "/index.html")).status, 401)
      assert.strictEqual((yield* request("GET", "/v1/export")).status, 401)
      // Asked by browsers for a page that names no icon (Swagger UI's /docs): no icon, not a 401.
      const icon = yield* request("GET", "/favicon.ico")
      assert.deepStrictEqual(
        [icon.status, icon.headers["cache-control"], icon.headers["content-length"], yield* Effect.orDie(icon.text)],
        [204, "public, max-age=86400", undefined, ""]
      )
    }))

  it.effect("the OpenAPI document describes the diff and the export", () =>
    Effect.gen(function*() {
      const document = JSON.parse((yield* text("/openapi.json")).body) as { paths: Record<string, unknown> }
      assert.includeMembers(Object.keys(document.paths), ["/v1/syncs/{id}/diff", "/v1/export", "/v1/principals"])
    }))
})
