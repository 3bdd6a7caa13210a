import { type FaultOptions, generate, generatePreset, presets, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { assert, describe, it } from "@effect/vitest"
import { FivetranClient, Forbidden, type RoleScope } from "@baton-fivetran/fivetran-client"
import { Chunk, Effect, HashMap, Layer, Logger, Metric, Option, Stream } from "effect"
import { createHash } from "node:crypto"
import { type SyncOptions, SyncEngine, type SyncProgress, type SyncRow, SyncWarningKinds, syncWarnings } from "../src/index.js"
import { clientLayer, collectingSink, READ_ALL, readAllBut, withSystemKey } from "./support/Harness.js"

const preset = generatePreset("small")

/** Runs one sync against a fresh sandbox holding `snapshot`, authenticating with `credential`. */
const syncWith = (
  snapshot: typeof preset,
  credential: { readonly key: string; readonly secret: string },
  options: Partial<SyncOptions> = {},
  faults: FaultOptions = {},
  maxAttempts = 3,
  clientAround: Layer.Layer<FivetranClient, never, FivetranClient> = Layer.effect(FivetranClient, FivetranClient)
) =>
  Effect.gen(function*() {
    const sink = yield* collectingSink
    const engine = yield* SyncEngine
    const sandbox = yield* Sandbox
    const summary = yield* engine.run({ syncConnections: false, concurrency: 8, ...options }).pipe(Effect.provide(sink.layer))
    return { summary, rows: yield* sink.rows, log: yield* sandbox.requestLog }
  }).pipe(
    Effect.provide(
      SyncEngine.layer.pipe(
        Layer.provide(clientAround),
        Layer.provideMerge(clientLayer(credential, maxAttempts)),
        Layer.provideMerge(Sandbox.layer({ snapshot, port: 0, faults }))
      )
    )
  )

const failWith = (
  snapshot: typeof preset,
  credential: { readonly key: string; readonly secret: string },
  options: Partial<SyncOptions> = {}
) =>
  Effect.gen(function*() {
    const sink = yield* collectingSink
    const engine = yield* SyncEngine
    return yield* Effect.flip(engine.run({ syncConnections: false, concurrency: 8, ...options }).pipe(Effect.provide(sink.layer)))
  }).pipe(
    Effect.provide(
      SyncEngine.layer.pipe(Layer.provideMerge(clientLayer(credential)), Layer.provideMerge(Sandbox.layer({ snapshot, port: 0 })))
    )
  )

const systemKey = (permissions = READ_ALL) => withSystemKey(preset, permissions)

/**
 * The SHA-256 of `JSON.stringify(rows)`, hashed a row at a time: the same digest without building
 * the whole text of the pinned account's 152,121 rows, whose encoding and collection cost ~5 s of
 * that test's ~24 s of CPU (run alone, alternating, 2026-12-06).
 */
const jsonDigest = (rows: ReadonlyArray<unknown>) => {
  const hash = createHash("sha256").update("[")
  rows.forEach((row, index) => hash.update(index === 0 ? JSON.stringify(row) : `,${JSON.stringify(row)}`))
  return hash.update("]").digest("hex")
}

const warningCounts = Effect.forEach(
  SyncWarningKinds,
  (kind) => Effect.map(Metric.value(Metric.tagged(syncWarnings, "kind", kind)), (state) => [kind, state.count] as const)
)

/**
 * Runs `effect` keeping the sync warnings it logged (`sync warning` lines: their `warning_message`
 * and `warning_kind`, at warn)
 * and what it added to `baton_sync_warnings_total`, by kind (the kinds it left alone omitted).
 */
const observingWarnings = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const logged: Array<readonly [string, string, string]> = []
    const logger = Logger.make(({ annotations, logLevel }) => {
      const kind = HashMap.get(annotations, "warning_kind")
      const text = HashMap.get(annotations, "warning_message")
      if (Option.isSome(kind) && Option.isSome(text)) logged.push([logLevel.label, String(text.value), String(kind.value)])
    })
    const before = yield* warningCounts
    const result = yield* effect.pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
    const counted = (yield* warningCounts)
      .map(([kind, count], index) => [kind, count - before[index]![1]] as const)
      .filter(([, added]) => added !== 0)
    return { result, logged, counted: Object.fromEntries(counted) }
  })

/** A sync with a system key, keeping every progress report it makes. */
const syncSeeingProgress = (options: Partial<SyncOptions>) =>
  Effect.gen(function*() {
    const { credential, snapshot } = systemKey()
    const seen: Array<SyncProgress> = []
    const { summary } = yield* syncWith(snapshot, credential, { ...options, onProgress: (p) => Effect.sync(() => void seen.push(p)) })
    return { seen, snapshot, summary }
  })

const ids = (rows: ReadonlyArray<SyncRow>, tag: SyncRow["_tag"]) =>
  rows.filter((r) => r._tag === tag).map((r) =>
    r._tag === "ResourceRow" ? `${r.value.id.resourceType}:${r.value.id.resource}` : r._tag === "ResourceTypeRow" ? r.value.id : r.value.id
  )

/** The summary's warning for grants of a role GET /v1/roles does not list, raised `times` times. */
const unknownRoleWarning = (owners: string, role: string, scope: string, times: number) =>
  `${owners} have role "${role}", which GET /v1/roles does not list with scope ${scope}; ` +
  `those grants are written under an entitlement marked as unlisted (${times === 1 ? "1 grant" : `${times} grants`})`

const unlistedDescription = (scope: string) =>
  `Not listed by GET /v1/roles with scope ${scope}: a legacy or since-removed role, held in Fivetran; ` +
  "it cannot be granted through provisioning"

const teamName = (id: string) => preset.teams.find((t) => t.id === id)!.name
const groupName = (snapshot: typeof preset, id: string) => snapshot.groups.find((g) => g.id === id)!.name
const connectionName = (snapshot: typeof preset, id: string) => {
  const connection = snapshot.connections.find((c) => c.id === id)!
  return `${connection.service} ${connection.schema}`
}

/** The role's entitlement slug: an account role's is `assigned`, on the role's own resource. */
const isRoleEntitlement = (entitlement: { readonly id: string; readonly slug: string }, role: string) =>
  entitlement.slug === role || entitlement.id === `role:${role}:assigned`

/** The grants of the role (on any container), in the order the sync wrote them. */
const roleGrants = (rows: ReadonlyArray<SyncRow>, role: string) =>
  rows.flatMap((r) => r._tag === "GrantRow" && isRoleEntitlement(r.value.entitlement, role) ? [r.value] : [])

const roleGrantIds = (rows: ReadonlyArray<SyncRow>, role: string) => roleGrants(rows, role).map((g) => g.id)

/** Each grant of the role as its id and its sources (none on a grant held only directly or by a team). */
const roleGrantSources = (rows: ReadonlyArray<SyncRow>, role: string): ReadonlyArray<readonly [string, unknown]> =>
  roleGrants(rows, role).map((g) => [g.id, g.sources])

/**
 * The role's entitlements are exactly `expected` (id, display name, exclusion group, and the
 * description when not the unlisted one: an account role's `assigned` says what it holds), each
 * written once, before the first grant of it, and every grant of it carries that entitlement.
 */
const assertUnlistedEntitlements = (
  rows: ReadonlyArray<SyncRow>,
  role: string,
  expected: ReadonlyArray<readonly [id: string, displayName: string, exclusionGroupId: string, description?: string]>,
  scope: string
) => {
  const entitlements = rows.flatMap((r, index) =>
    r._tag === "EntitlementRow" && isRoleEntitlement(r.value, role) ? [{ index, e: r.value }] : []
  )
  assert.deepStrictEqual(
    entitlements.map(({ e }) => [e.id, e.displayName, e.description, e.purpose, e.slug, e.annotations.map((a) => a.exclusionGroupId)]),
    expected.map(([id, displayName, exclusionGroupId, description]) => [
      id,
      displayName,
      description ?? unlistedDescription(scope),
      scope === "ACCOUNT" ? "ASSIGNMENT" : "PERMISSION",
      scope === "ACCOUNT" ? "assigned" : role,
      [exclusionGroupId]
    ])
  )
  for (const { e, index } of entitlements) {
    const firstGrant = rows.findIndex((r) => r._tag === "GrantRow" && r.value.entitlement.id === e.id)
    assert.isAbove(firstGrant, index, e.id)
  }
  for (const grant of roleGrants(rows, role)) {
    assert.deepStrictEqual(grant.entitlement, entitlements.find(({ e }) => e.id === grant.entitlement.id)?.e, grant.id)
  }
  if (scope === "ACCOUNT") {
    assert.strictEqual(entitlements[0]!.e.resource.description, unlistedDescription(scope))
  }
}

/**
 * The rows of a sync with the role listed and with it unlisted are the same, in the same order, but
 * for the role's entitlements (and account role resource): a listed role's are written with each
 * container, an unlisted one's where a membership names it. Grants compare by what they say
 * but the entitlement's text.
 */
const assertSameOtherwise = (listed: ReadonlyArray<SyncRow>, unlisted: ReadonlyArray<SyncRow>, role: string) => {
  const shape = (rows: ReadonlyArray<SyncRow>) =>
    rows.flatMap((r): ReadonlyArray<unknown> => {
      switch (r._tag) {
        case "ResourceRow":
          return r.value.id.resourceType === "role" && r.value.id.resource === role ? [] : [r]
        case "EntitlementRow":
          return isRoleEntitlement(r.value, role) ? [] : [r]
        case "GrantRow": {
          const { entitlement, ...grant } = r.value
          return [{ ...grant, entitlement: entitlement.id }]
        }
        default:
          return [r]
      }
    })
  assert.deepStrictEqual(shape(unlisted), shape(listed))
}

/**
 * Syncs `snapshot` as it is (the role listed) and without `role` in its roles (the memberships
 * naming it kept): both with the one system key.
 */
const listedAndUnlisted = (snapshot: typeof preset, role: string, scope: RoleScope, options: Partial<SyncOptions> = {}) =>
  Effect.gen(function*() {
    const { credential, snapshot: keyed } = withSystemKey(snapshot, READ_ALL)
    const listedRole = keyed.roles.filter((r) => r.name === role)
    assert.deepStrictEqual(listedRole.map((r) => r.scope), [[scope]])
    const listed = yield* syncWith(keyed, credential, options)
    assert.deepStrictEqual(listed.summary.warnings, [])
    const { counted, result } = yield* observingWarnings(
      syncWith({ ...keyed, roles: keyed.roles.filter((r) => r.name !== role) }, credential, options)
    )
    return { listed, unlisted: { ...result, counted } }
  })

/** The requests the design implies: one per page (all lists here fit one page) of each collection and container list. */
const expectedRequests = (snapshot: typeof preset, connections: boolean): ReadonlyArray<string> => [
  "GET /v1/roles",
  ...(connections ? ["GET /v1/connections"] : []),
  "GET /v1/teams",
  ...snapshot.teams.flatMap((t) => [
    `GET /v1/teams/${t.id}/users`,
    `GET /v1/teams/${t.id}/groups`,
    ...(connections ? [`GET /v1/teams/${t.id}/connections`] : [])
  ]),
  "GET /v1/users",
  ...(connections ? snapshot.users.map((u) => `GET /v1/users/${u.id}/connections`) : []),
  "GET /v1/groups",
  ...snapshot.groups.map((g) => `GET /v1/groups/${g.id}/users`)
]

describe("SyncEngine against the sandbox", () => {
  it.live("makes exactly one request per page of each collection and container list", () =>
    Effect.gen(function*() {
      const { credential, snapshot } = systemKey()
      const { log, rows, summary } = yield* syncWith(snapshot, credential)
      const seen = log.map((entry) => `${entry.method} ${entry.path}`)
      assert.deepStrictEqual([...seen].sort(), [...expectedRequests(snapshot, false)].sort())
      assert.isTrue(log.every((entry) => entry.query.includes("limit=1000") && entry.status === 200))
      assert.strictEqual(summary.requests, log.length)
      assert.strictEqual(summary.retries, 0)
      assert.deepStrictEqual(summary.warnings, [])
      assert.deepStrictEqual(summary.resources, {
        user: snapshot.users.length,
        role: snapshot.roles.filter((r) => r.scope.includes("ACCOUNT")).length,
        group: snapshot.groups.length,
        team: snapshot.teams.length
      })
      assert.strictEqual(summary.resourceTypes, 4)
      assert.strictEqual(summary.entitlements, rows.filter((r) => r._tag === "EntitlementRow").length)
      assert.strictEqual(summary.grants.direct + summary.grants.derived, rows.filter((r) => r._tag === "GrantRow").length)
      assert.isAbove(summary.grants.derived, 0)
      const grantIds = ids(rows, "GrantRow")
      assert.strictEqual(new Set(grantIds).size, grantIds.length, "no grant id is emitted twice")
    }))

  it.live("follows cursors: one request per page of 1000 when lists are longer", () =>
    Effect.gen(function*() {
      const big = generate({ ...presets.small, users: 1_203, groups: 1, teams: 1, connections: 1, seed: 7 })
      const { credential, snapshot } = withSystemKey(big, READ_ALL)
      const { log, rows } = yield* syncWith(snapshot, credential)
      const pages = (n: number) => Math.max(1, Math.ceil(n / 1000))
      const count = (path: string) => log.filter((e) => e.path === path).length
      assert.strictEqual(count("/v1/users"), 2)
      const group = snapshot.groups[0]!
      // The group's members, plus every user with an account role (listed with no group role).
      const members = new Set(snapshot.user_groups.filter((m) => m.group_id === group.id).map((m) => m.user_id))
      const listed = snapshot.users.filter((u) => members.has(u.id) || u.role !== null).length
      assert.isAbove(listed, 1000)
      assert.strictEqual(count(`/v1/groups/${group.id}/users`), pages(listed))
      assert.strictEqual(log.length, expectedRequests(snapshot, false).length + 2)
      assert.strictEqual(log.filter((e) => e.query.includes("cursor=")).length, 2)
      assert.strictEqual(rows.filter((r) => r._tag === "ResourceRow" && r.value.id.resourceType === "user").length, 1_203)
    }))

  it.live("with connections: lists connections once and each user's and team's connections once", () =>
    Effect.gen(function*() {
      const { credential, snapshot } = systemKey()
      const { log, rows, summary } = yield* syncWith(snapshot, credential, { syncConnections: true })
      assert.deepStrictEqual(log.map((e) => `${e.method} ${e.path}`).sort(), [...expectedRequests(snapshot, true)].sort())
      assert.strictEqual(summary.resources["connection"], snapshot.connections.length)
      assert.deepStrictEqual(ids(rows, "ResourceTypeRow"), ["user", "role", "group", "team", "connection"])
      const direct = snapshot.user_connections.length + snapshot.team_connections.length
      const connectionGrants = rows.filter((r) => r._tag === "GrantRow" && r.value.entitlement.resource.id.resourceType === "connection")
      assert.isAtLeast(connectionGrants.length, direct)
    }))

  it.live("emits the same rows in the same order at concurrency 1 and 8", () =>
    Effect.gen(function*() {
      const { credential, snapshot } = systemKey()
      const one = yield* syncWith(snapshot, credential, { syncConnections: true, concurrency: 1 })
      const eight = yield* syncWith(snapshot, credential, { syncConnections: true, concurrency: 8 })
      assert.deepStrictEqual(one.rows, eight.rows)
      assert.strictEqual(one.summary.requests, eight.summary.requests)
    }))

  it.live("an item a later page gives again (an offset cursor shifted by a change) is dropped: the same rows and counts", () =>
    Effect.gen(function*() {
      const { credential, snapshot } = systemKey()
      // Each page followed by its last two items again, as the next page starts after an insertion.
      const shifted = <A, E>(list: Stream.Stream<A, E>) =>
        list.pipe(Stream.chunks, Stream.flatMap((page) => Stream.fromChunks(page, Chunk.takeRight(page, 2))))
      const repeating = Layer.effect(
        FivetranClient,
        Effect.map(FivetranClient, (client) => ({
          ...client,
          listUsers: shifted(client.listUsers),
          listTeams: shifted(client.listTeams),
          listGroups: shifted(client.listGroups)
        }))
      )
      const clean = yield* syncWith(snapshot, credential)
      const repeated = yield* syncWith(snapshot, credential, {}, {}, 3, repeating)
      assert.deepStrictEqual(repeated.summary.resources, { user: 25, role: 6, group: 4, team: 3 })
      assert.deepStrictEqual(
        [repeated.summary.resources, repeated.summary.entitlements, repeated.summary.grants],
        [clean.summary.resources, clean.summary.entitlements, clean.summary.grants]
      )
      assert.deepStrictEqual(repeated.rows, clean.rows)
    }))

  it.live("gives the pinned rows for an account of several pages of users and teams", () =>
    Effect.gen(function*() {
      // Three pages of users and two of teams, with connections: the digest was taken from the
      // engine before it fetched a page's per-user and per-team lists in one batch (e334db8), and
      // taken again when deprecated roles' descriptions stopped repeating their deprecation, and when
      // the sandbox's group user lists came sorted by created_at (the same rows; a group's grants reorder).
      const account = generate({ ...presets.medium, users: 2_500, teams: 1_100, groups: 9, connections: 40, seed: 11 })
      const { credential, snapshot } = withSystemKey(account, READ_ALL)
      const { rows, summary } = yield* syncWith(snapshot, credential, { syncConnections: true })
      const digest = jsonDigest(rows)
      // Requests without the retries: on a loaded machine an attempt can time out and be retried
      // (5,836 with one retry in a run at 07:07 on 2026-12-02), which changes no row.
      assert.deepStrictEqual([rows.length, summary.requests - summary.retries, digest], [
        152_121,
        5_835,
        "ba6a17bf251d905f531af710dd10a785d81b7638abc83c20e7ef9fe79edb5441"
      ])
    }))

  it.live("reports progress per phase and per request", () =>
    Effect.gen(function*() {
      const { seen, snapshot, summary } = yield* syncSeeingProgress({ progressEveryMillis: 0 })
      assert.deepStrictEqual(
        Array.from(new Set(seen.map((p) => p.phase))),
        ["resource types", "teams", "users", "derived grants", "groups", "done"]
      )
      const last = seen[seen.length - 1]!
      assert.strictEqual(last.requests, summary.requests)
      assert.strictEqual(last.grants, summary.grants.direct + summary.grants.derived)
      assert.isAtLeast(seen.length, snapshot.teams.length + snapshot.groups.length)
      // The estimate of what is left: known once lists have shown something, 0 at the end; it fits the budget.
      assert.isTrue(seen.some((p) => p.phase === "teams" && p.requestsLeft !== null && p.requestsLeft > 0))
      assert.deepStrictEqual([last.requestsLeft, last.budgetWaitMillis, last.waiting], [0, 0, null])
      assert.deepStrictEqual(
        [
          summary.rateLimit,
          summary.rateLimitWindowSeconds,
          summary.rateLimitReserve,
          summary.rateLimitLowestRemaining,
          summary.repeatBudgetWaitMillis
        ],
        [20_000, 3600, 4_000, 20_000 - summary.requests, 0]
      )
    }))

  it.live("reports progress after each user's and team's lists, though their rows pass a page at a time", () =>
    Effect.gen(function*() {
      const { seen, snapshot } = yield* syncSeeingProgress({ syncConnections: true, concurrency: 1, progressEveryMillis: 0 })
      // One report per team (its three lists) and per user (its connection list), each with a new
      // count of requests, and the teams phase's start. The users phase starts its list once the
      // last team's lists have started, so its start is reported with a new count or not, as the
      // users list and the last team's lists answer (and the first user's report may name the teams).
      const requestsSeen = new Set(seen.filter((p) => p.phase === "teams" || p.phase === "users").map((p) => p.requests)).size
      assert.include([1, 2].map((starts) => starts + snapshot.teams.length + snapshot.users.length), requestsSeen)
    }))

  it.live("the estimate of requests left is a lower bound at every report: requests made plus left never pass the total", () =>
    Effect.gen(function*() {
      const { seen, summary } = yield* syncSeeingProgress({ syncConnections: true, concurrency: 4, progressEveryMillis: 0 })
      const over = seen.filter((p) => p.requestsLeft !== null && p.requests + p.requestsLeft > summary.requests)
      assert.deepStrictEqual(over.map((p) => `${p.phase}: ${p.requests} + ${p.requestsLeft}`), [])
      // And it moves while a page's users have their lists fetched, before their rows are out.
      const usersLeft = new Set(seen.filter((p) => p.phase === "users").map((p) => p.requestsLeft))
      assert.isAbove(usersLeft.size, summary.requests / 4)
    }))

  it.live("the total the estimate implies never falls: no sawtooth while groups' member lists run to several pages", () =>
    Effect.gen(function*() {
      // 20 groups of 150-450 users: their member lists take several pages each, three at a time.
      const { credential, snapshot } = withSystemKey(
        generate({ ...presets.small, users: 3000, groups: 20, groupsPerUser: { min: 1, max: 3 }, seed: 7 }),
        READ_ALL
      )
      const seen: Array<SyncProgress> = []
      const onProgress = (p: SyncProgress) => Effect.sync(() => void seen.push(p))
      const { summary } = yield* syncWith(snapshot, credential, { concurrency: 3, progressEveryMillis: 0, onProgress })
      const totals = seen.filter((p) => p.phase !== "done").map((p) => p.requests + (p.requestsLeft ?? 0))
      // Each report's requests made plus left; one below the one before was the estimate falling
      // as a batch of groups started and rising with each of their pages.
      const falls = totals.flatMap((total, i) => i > 0 && total < totals[i - 1]! ? [`${totals[i - 1]} then ${total}`] : [])
      assert.deepStrictEqual(falls, [])
      assert.isAtMost(Math.max(...totals), summary.requests)
      assert.strictEqual(seen.at(-1)?.requestsLeft, 0)
    }))

  it.live("reports requests and rows at most every progressEveryMillis, and every phase and the end at once", () =>
    Effect.gen(function*() {
      const { seen, summary } = yield* syncSeeingProgress({ progressEveryMillis: 600_000 })
      assert.deepStrictEqual(seen.map((p) => p.phase), ["resource types", "teams", "users", "derived grants", "groups", "done"])
      assert.deepStrictEqual(seen.map((p) => p.requests).at(-1), summary.requests)
    }))

  it.live("counts the client's retries of 429s in the summary, and still makes each request once", () =>
    Effect.gen(function*() {
      const { credential, snapshot } = systemKey()
      const { log, summary } = yield* syncWith(snapshot, credential, {}, { rateLimitBurst: { requests: 2, retryAfterSeconds: 0 } })
      const expected = expectedRequests(snapshot, false)
      assert.strictEqual(summary.retries, 2)
      assert.strictEqual(summary.requests, expected.length + 2)
      assert.deepStrictEqual(log.filter((e) => e.status === 429).map((e) => `${e.method} ${e.path}`), ["GET /v1/roles", "GET /v1/roles"])
      assert.deepStrictEqual(log.filter((e) => e.status === 200).map((e) => `${e.method} ${e.path}`).sort(), [...expected].sort())
      assert.deepStrictEqual([summary.rateLimitWaitMillis, summary.retryBackoffMillis], [0, 0])
    }))

  it.live("sums the 429 waits in rateLimitWaitMillis and the backoff on 5xx apart, in retryBackoffMillis", () =>
    Effect.gen(function*() {
      const { credential, snapshot } = systemKey()
      const { log, summary } = yield* syncWith(
        snapshot,
        credential,
        {},
        { rateLimitBurst: { requests: 1, retryAfterSeconds: 1 }, serverErrorShare: 0.2, serverErrorStatuses: [503], seed: 7 },
        8
      )
      const serverErrors = log.filter((e) => e.status === 503).length
      assert.isAbove(serverErrors, 0)
      assert.deepStrictEqual(
        [summary.retries, summary.rateLimitWaitMillis],
        [log.filter((e) => e.status === 429).length + serverErrors, 1_000]
      )
      assert.isAbove(summary.retryBackoffMillis ?? 0, 0)
    }))

  it.live("a system key without CONNECTOR completes with a warning and no connection type", () =>
    Effect.gen(function*() {
      const { credential, snapshot } = systemKey(readAllBut("CONNECTOR"))
      const { counted, logged, result: { rows, summary } } = yield* observingWarnings(
        syncWith(snapshot, credential, { syncConnections: true })
      )
      const warning = "the API key lacks CONNECTOR:READ, needed to list connections; connections are not synced"
      assert.deepStrictEqual(summary.warnings, [warning])
      // Not in the summary alone: logged at warn as it arose, and counted.
      assert.deepStrictEqual(logged, [["WARN", warning, "missing_permission"]])
      assert.deepStrictEqual(counted, { missing_permission: 1 })
      assert.deepStrictEqual(ids(rows, "ResourceTypeRow"), ["user", "role", "group", "team"])
      assert.isUndefined(summary.resources["connection"])
      assert.isFalse(rows.some((r) => r._tag === "GrantRow" && r.value.entitlement.resource.id.resourceType === "connection"))
      assert.strictEqual(summary.requests, expectedRequests(snapshot, false).length + 1)
    }))

  it.live("a 403 on the per-team connection lists drops connection grants with one warning, and stops asking", () =>
    Effect.gen(function*() {
      const { credential, snapshot } = systemKey()
      // The sandbox files these lists under TEAM and USER (so a key lacking them fails earlier);
      // a refusal of the lists alone can only be staged in front of the real client.
      const refusing = Layer.effect(
        FivetranClient,
        Effect.map(FivetranClient, (real) => ({
          ...real,
          teamConnections: {
            ...real.teamConnections,
            listAll: (teamId: string) =>
              Effect.fail(
                new Forbidden({
                  endpoint: `GET /v1/teams/${teamId}/connections`,
                  code: "Forbidden",
                  permission: { resource_type: "CONNECTOR", access_level: "READ" }
                })
              )
          }
        }))
      )
      const sink = yield* collectingSink
      const { counted, logged, result } = yield* observingWarnings(
        Effect.gen(function*() {
          const summary = yield* Effect.flatMap(SyncEngine, (engine) => engine.run({ syncConnections: true, concurrency: 8 })).pipe(
            Effect.provide(sink.layer)
          )
          return { summary, log: yield* Effect.flatMap(Sandbox, (s) => s.requestLog) }
        }).pipe(
          Effect.provide(
            SyncEngine.layer.pipe(
              Layer.provide(refusing),
              Layer.provideMerge(clientLayer(credential)),
              Layer.provideMerge(Sandbox.layer({ snapshot, port: 0 }))
            )
          )
        )
      )
      const warning = "the API key lacks CONNECTOR:READ, needed to list each team's connections; connection grants are skipped"
      assert.deepStrictEqual(result.summary.warnings, [warning])
      // Every team's list was refused (concurrently): one line, one count, as one summary entry.
      assert.deepStrictEqual(logged, [["WARN", warning, "missing_permission"]])
      assert.deepStrictEqual(counted, { missing_permission: 1 })
      assert.deepStrictEqual(result.log.filter((e) => e.path.endsWith("/connections")).map((e) => e.path), ["/v1/connections"])
      const rows = yield* sink.rows
      assert.isFalse(rows.some((r) => r._tag === "GrantRow" && r.value.entitlement.resource.id.resourceType === "connection"))
      assert.strictEqual(result.summary.resources["connection"], snapshot.connections.length)
    }))

  it.live("team members holding a TEAM role GET /v1/roles does not list keep their grants, under an entitlement marked unlisted", () =>
    Effect.gen(function*() {
      const { listed, unlisted } = yield* listedAndUnlisted(systemKey().snapshot, "Team Manager", "TEAM")
      // One warning, raised once per grant it concerns: the summary says how many.
      assert.deepStrictEqual(unlisted.summary.warnings, [unknownRoleWarning("team members", "Team Manager", "TEAM", 3)])
      assert.deepStrictEqual(unlisted.counted, { unknown_role: 1 })
      assert.deepStrictEqual(roleGrantIds(unlisted.rows, "Team Manager"), [
        "team:sunny_barley:Team Manager:user:violet_reef",
        "team:bouncy_mist:Team Manager:user:violet_reef",
        "team:bouncy_mist:Team Manager:user:vivid_orchard"
      ])
      // Only the teams whose members hold it get the entitlement (scarlet_rapids has no manager).
      assertUnlistedEntitlements(unlisted.rows, "Team Manager", [
        ["team:sunny_barley:Team Manager", "Team Manager of Product Analytics", "team:sunny_barley:role"],
        ["team:bouncy_mist:Team Manager", `Team Manager of ${teamName("bouncy_mist")}`, "team:bouncy_mist:role"]
      ], "TEAM")
      assertSameOtherwise(listed.rows, unlisted.rows, "Team Manager")
    }))

  it.live("an unlisted DESTINATION role held by users and by a team: direct, team and derived grants as for a listed role", () =>
    Effect.gen(function*() {
      const base = systemKey().snapshot
      // bouncy_mist (8 members, vivid_orchard among them, who holds the role on exact_creek directly) gets it too.
      const snapshot = {
        ...base,
        team_groups: [
          ...base.team_groups,
          { team_id: "bouncy_mist", group_id: "exact_creek", role: "Warehouse Steward", created_at: "2025-06-01T00:00:00.000000Z" }
        ]
      }
      const { listed, unlisted } = yield* listedAndUnlisted(snapshot, "Warehouse Steward", "DESTINATION")
      assert.deepStrictEqual(unlisted.summary.warnings, [
        unknownRoleWarning("team group memberships", "Warehouse Steward", "DESTINATION", 1),
        unknownRoleWarning("group members", "Warehouse Steward", "DESTINATION", 2)
      ])
      assert.deepStrictEqual(unlisted.counted, { unknown_role: 2 })
      assert.deepStrictEqual(roleGrantSources(unlisted.rows, "Warehouse Steward"), [
        ["group:formal_birch:Warehouse Steward:user:placid_aurora", undefined],
        ["group:exact_creek:Warehouse Steward:user:vivid_orchard", {
          "group:exact_creek:Warehouse Steward": { isDirect: true },
          "team:bouncy_mist:member": { isDirect: false }
        }],
        ["group:exact_creek:Warehouse Steward:team:bouncy_mist", undefined],
        ...["violet_reef", "silver_wren", "bouncy_sun", "early_mist", "fancy_petal", "wise_cactus", "glad_tundra"].map((user) =>
          [`group:exact_creek:Warehouse Steward:user:${user}`, { "team:bouncy_mist:member": { isDirect: false } }] as const
        )
      ])
      assertUnlistedEntitlements(unlisted.rows, "Warehouse Steward", [
        ["group:formal_birch:Warehouse Steward", `Warehouse Steward on ${groupName(snapshot, "formal_birch")}`, "group:formal_birch:role"],
        ["group:exact_creek:Warehouse Steward", `Warehouse Steward on ${groupName(snapshot, "exact_creek")}`, "group:exact_creek:role"]
      ], "DESTINATION")
      assertSameOtherwise(listed.rows, unlisted.rows, "Warehouse Steward")
    }))

  it.live("an unlisted ACCOUNT role held by users and by a team: its role resource, written once, and every grant", () =>
    Effect.gen(function*() {
      const base = systemKey().snapshot
      // sunny_barley's members: quick_storm and glad_tundra hold the role themselves, the other three only through it.
      const snapshot = { ...base, teams: base.teams.map((t) => t.id === "sunny_barley" ? { ...t, role: "Security Auditor" } : t) }
      const { listed, unlisted } = yield* listedAndUnlisted(snapshot, "Security Auditor", "ACCOUNT")
      assert.deepStrictEqual(unlisted.summary.warnings, [
        unknownRoleWarning("teams", "Security Auditor", "ACCOUNT", 1),
        unknownRoleWarning("users", "Security Auditor", "ACCOUNT", 4)
      ])
      assert.deepStrictEqual(unlisted.counted, { unknown_role: 2 })
      const assigned = "role:Security Auditor:assigned"
      assert.deepStrictEqual(roleGrantSources(unlisted.rows, "Security Auditor"), [
        [`${assigned}:team:sunny_barley`, undefined],
        [`${assigned}:user:pure_hawk`, undefined],
        [`${assigned}:user:tidal_lagoon`, undefined],
        [`${assigned}:user:quick_storm`, { [assigned]: { isDirect: true }, "team:sunny_barley:member": { isDirect: false } }],
        [`${assigned}:user:glad_tundra`, { [assigned]: { isDirect: true }, "team:sunny_barley:member": { isDirect: false } }],
        ...["violet_reef", "sunny_ledge", "fancy_monsoon"].map((user) =>
          [`${assigned}:user:${user}`, { "team:sunny_barley:member": { isDirect: false } }] as const
        )
      ])
      const description = unlistedDescription("ACCOUNT")
      const resources = unlisted.rows.flatMap((r, index) =>
        r._tag === "ResourceRow" && r.value.id.resourceType === "role" && r.value.id.resource === "Security Auditor" ? [{ index, r }] : []
      )
      assert.deepStrictEqual(resources.map(({ r }) => r.value), [{
        id: { resourceType: "role", resource: "Security Auditor" },
        displayName: "Security Auditor",
        description,
        annotations: [{ _tag: "RoleTrait", profile: { name: "Security Auditor" } }],
        profile: { name: "Security Auditor" }
      }])
      assertUnlistedEntitlements(unlisted.rows, "Security Auditor", [
        [assigned, "Security Auditor role", "role:account", "Holds the Fivetran account role Security Auditor"]
      ], "ACCOUNT")
      assert.isBelow(resources[0]!.index, unlisted.rows.findIndex((r) => r._tag === "EntitlementRow" && r.value.id === assigned))
      assert.strictEqual(unlisted.summary.resources["role"], listed.summary.resources["role"])
      assertSameOtherwise(listed.rows, unlisted.rows, "Security Auditor")
    }))

  it.live("an unlisted CONNECTOR role held by users and by a team, connections on: each grant, each entitlement once", () =>
    Effect.gen(function*() {
      const base = systemKey().snapshot
      // sunny_barley's members: violet_reef holds the role on polite_pine itself, the other four only through the team.
      const snapshot = {
        ...base,
        team_connections: [
          ...base.team_connections,
          { team_id: "sunny_barley", connection_id: "polite_pine", role: "Connector Reviewer", created_at: "2025-06-01T00:00:00.000000Z" }
        ]
      }
      const { listed, unlisted } = yield* listedAndUnlisted(snapshot, "Connector Reviewer", "CONNECTOR", { syncConnections: true })
      assert.deepStrictEqual(unlisted.summary.warnings, [
        unknownRoleWarning("connection memberships", "Connector Reviewer", "CONNECTOR", 5)
      ])
      assert.deepStrictEqual(unlisted.counted, { unknown_role: 1 })
      const onPine = "connection:polite_pine:Connector Reviewer"
      assert.deepStrictEqual(roleGrantSources(unlisted.rows, "Connector Reviewer"), [
        [`${onPine}:team:sunny_barley`, undefined],
        [`${onPine}:user:violet_reef`, { [onPine]: { isDirect: true }, "team:sunny_barley:member": { isDirect: false } }],
        ["connection:cool_boulder:Connector Reviewer:user:formal_sierra", undefined],
        ["connection:cool_boulder:Connector Reviewer:user:sunny_ledge", undefined],
        ["connection:mossy_yarrow:Connector Reviewer:user:fair_fawn", undefined],
        ...["sunny_ledge", "fancy_monsoon", "quick_storm", "glad_tundra"].map((user) =>
          [`${onPine}:user:${user}`, { "team:sunny_barley:member": { isDirect: false } }] as const
        )
      ])
      assertUnlistedEntitlements(unlisted.rows, "Connector Reviewer", [
        [onPine, `Connector Reviewer on ${connectionName(snapshot, "polite_pine")}`, "connection:polite_pine:role"],
        [
          "connection:cool_boulder:Connector Reviewer",
          `Connector Reviewer on ${connectionName(snapshot, "cool_boulder")}`,
          "connection:cool_boulder:role"
        ],
        [
          "connection:mossy_yarrow:Connector Reviewer",
          `Connector Reviewer on ${connectionName(snapshot, "mossy_yarrow")}`,
          "connection:mossy_yarrow:role"
        ]
      ], "CONNECTOR")
      assertSameOtherwise(listed.rows, unlisted.rows, "Connector Reviewer")
    }))

  it.live("a membership with an empty role names no entitlement: its grant is skipped, counted in one warning per kind of owner", () =>
    Effect.gen(function*() {
      const base = systemKey()
      const first = <A>(items: ReadonlyArray<A>) => items.map((item, index) => index === 0 ? { ...item, role: "" } : item)
      // sunny_barley's manager violet_reef, its groups' and connections' first, and violet_reef's first connection.
      const snapshot = {
        ...base.snapshot,
        team_users: first(base.snapshot.team_users),
        team_groups: first(base.snapshot.team_groups),
        team_connections: first(base.snapshot.team_connections),
        user_connections: first(base.snapshot.user_connections)
      }
      const { counted, result: { rows, summary } } = yield* observingWarnings(
        syncWith(snapshot, base.credential, { syncConnections: true })
      )
      assert.deepStrictEqual(summary.warnings, [
        "team members have an empty role, which names no entitlement; those grants are skipped (1 grant)",
        "team group memberships have an empty role, which names no entitlement; those grants are skipped (1 grant)",
        "connection memberships have an empty role, which names no entitlement; those grants are skipped (2 grants)"
      ])
      assert.deepStrictEqual(counted, { unknown_role: 3 })
      // No id ends in an empty slug; violet_reef is still a member of the team.
      assert.deepStrictEqual(
        [...ids(rows, "EntitlementRow"), ...ids(rows, "GrantRow")].filter((id) => id.endsWith(":") || id.includes("::")),
        []
      )
      assert.deepStrictEqual(
        ids(rows, "GrantRow").filter((id) => id.startsWith("team:sunny_barley:") && id.endsWith(":user:violet_reef")),
        [
          "team:sunny_barley:member:user:violet_reef"
        ]
      )
    }))

  it.live("an unlisted TEAM role named member still leaves team:T:member the membership, with the reserved-name warning", () =>
    Effect.gen(function*() {
      const base = systemKey()
      const renamed = base.snapshot.team_users.find((m) => m.role === "Team Manager")!
      const snapshot = { ...base.snapshot, team_users: base.snapshot.team_users.map((m) => m === renamed ? { ...m, role: "member" } : m) }
      const { counted, result: { rows, summary } } = yield* observingWarnings(syncWith(snapshot, base.credential))
      assert.deepStrictEqual(counted, { reserved_role_name: 1 })
      assert.deepStrictEqual(summary.warnings, [
        "TEAM role \"member\" would have the id of each team's membership entitlement (team:<id>:member), which keeps it: " +
        "its holders show as team members only; rename the role in Fivetran to review it"
      ])
      assert.deepStrictEqual(
        ids(rows, "GrantRow").filter((id) => id.startsWith(`team:${renamed.team_id}:`) && id.endsWith(`:user:${renamed.user_id}`)),
        [`team:${renamed.team_id}:member:user:${renamed.user_id}`]
      )
      assert.strictEqual(new Set(ids(rows, "EntitlementRow")).size, ids(rows, "EntitlementRow").length)
    }))

  it.live("connection memberships naming a connection GET /v1/connections does not list are skipped, counted in one warning", () =>
    Effect.gen(function*() {
      const base = systemKey()
      const membershipsOf = (id: string) =>
        [...base.snapshot.user_connections, ...base.snapshot.team_connections].filter((m) => m.connection_id === id).length
      // The connection with the most memberships, so that the count is not 1 by chance.
      const hidden = base.snapshot.connections.reduce((most, c) => membershipsOf(c.id) > membershipsOf(most.id) ? c : most)
      const snapshot = { ...base.snapshot, connections: base.snapshot.connections.filter((c) => c.id !== hidden.id) }
      const skipped = membershipsOf(hidden.id)
      assert.isAbove(skipped, 1)
      const { result: { rows, summary } } = yield* observingWarnings(syncWith(snapshot, base.credential, { syncConnections: true }))
      assert.deepStrictEqual(summary.warnings, [
        "some connection memberships name connections GET /v1/connections does not list; those grants are skipped " +
        `(${skipped} grants)`
      ])
      assert.isFalse(ids(rows, "GrantRow").some((id) => id.startsWith(`connection:${hidden.id}:`)))
    }))

  it.live("a custom TEAM role named member leaves team:T:member the membership; its holders are members, with one warning", () =>
    Effect.gen(function*() {
      const base = systemKey()
      const managers = base.snapshot.team_users.filter((m) => m.role === "Team Manager")
      assert.isAbove(managers.length, 1)
      const renamed = managers[0]!
      const snapshot = {
        ...base.snapshot,
        roles: [
          ...base.snapshot.roles,
          {
            name: "member",
            description: "A custom team role",
            is_custom: true,
            scope: ["TEAM" as const],
            is_deprecated: false,
            replacement_role_name: null
          }
        ],
        team_users: base.snapshot.team_users.map((m) => m === renamed ? { ...m, role: "member" } : m)
      }
      const { counted, result: { rows, summary } } = yield* observingWarnings(syncWith(snapshot, base.credential))
      assert.deepStrictEqual(counted, { reserved_role_name: 1 })
      assert.deepStrictEqual(summary.warnings, [
        "TEAM role \"member\" would have the id of each team's membership entitlement (team:<id>:member), which keeps it: " +
        "its holders show as team members only; rename the role in Fivetran to review it"
      ])
      const memberEntitlements = rows.filter((r) => r._tag === "EntitlementRow" && r.value.id === `team:${renamed.team_id}:member`)
      assert.deepStrictEqual(memberEntitlements.map((r) => r._tag === "EntitlementRow" ? [r.value.purpose, r.value.displayName] : []), [
        ["ASSIGNMENT", `${snapshot.teams.find((t) => t.id === renamed.team_id)!.name} member`]
      ])
      const grantIds = ids(rows, "GrantRow").filter((id) =>
        id.startsWith(`team:${renamed.team_id}:`) && id.endsWith(`:user:${renamed.user_id}`)
      )
      assert.deepStrictEqual(grantIds, [`team:${renamed.team_id}:member:user:${renamed.user_id}`])
      assert.strictEqual(new Set(ids(rows, "EntitlementRow")).size, ids(rows, "EntitlementRow").length)
    }))

  it.live("a system key without TEAM fails naming TEAM:READ", () =>
    Effect.gen(function*() {
      const { credential, snapshot } = systemKey(readAllBut("TEAM"))
      const error = yield* failWith(snapshot, credential)
      assert.strictEqual(error._tag, "SyncFailed")
      assert.strictEqual(error.message, "the API key lacks TEAM:READ, needed to list teams (GET /v1/teams answered 403)")
    }))

  it.live("a system key without DESTINATION fails naming DESTINATION:READ", () =>
    Effect.gen(function*() {
      const { credential, snapshot } = systemKey(readAllBut("DESTINATION"))
      const error = yield* failWith(snapshot, credential)
      assert.strictEqual(error.message, "the API key lacks DESTINATION:READ, needed to list groups (GET /v1/groups answered 403)")
    }))

  it.live("a wrong secret fails with a message about the key and secret, not the secret itself", () =>
    Effect.gen(function*() {
      const { credential, snapshot } = systemKey()
      const error = yield* failWith(snapshot, { key: credential.key, secret: "wrong-secret-value" })
      assert.strictEqual(
        error.message,
        "Fivetran rejected the API key or secret (401 on GET /v1/roles); check the api-key and api-secret settings"
      )
      assert.notInclude(error.message, "wrong-secret-value")
      assert.notInclude(error.message, credential.secret)
    }))

  it.live("with connections, which are listed while the roles are, a wrong secret still fails naming the roles", () =>
    Effect.gen(function*() {
      const { credential, snapshot } = systemKey()
      for (let attempt = 0; attempt < 5; attempt++) {
        const error = yield* failWith(snapshot, { key: credential.key, secret: "wrong-secret-value" }, { syncConnections: true })
        assert.strictEqual(
          error.message,
          "Fivetran rejected the API key or secret (401 on GET /v1/roles); check the api-key and api-secret settings"
        )
      }
    }))
})
