import { assert, layer } from "@effect/vitest"
import type { SyncJob } from "@baton-fivetran/http-api"
import { Effect } from "effect"
import { harness, Harness, TestToken } from "./Harness.js"

/** Prometheus text as `name{k="v",...}` (labels sorted) → value, plus each family's TYPE. */
const parseExposition = (text: string) => {
  const samples = new Map<string, number>()
  const types = new Map<string, string>()
  for (const line of text.split("\n")) {
    if (line === "") continue
    const type = /^# TYPE (\S+) (\S+)$/.exec(line)
    if (type !== null) types.set(type[1]!, type[2]!)
    if (line.startsWith("#")) continue
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (sample === null) throw new Error(`not a Prometheus sample line: ${line}`)
    const labels = sample[2] === undefined ? [] : sample[2].split(/,(?=[a-zA-Z_]+=")/).sort()
    samples.set(`${sample[1]}{${labels.join(",")}}`, Number(sample[3]))
  }
  return { samples, types }
}

const key = (name: string, labels: Record<string, string> = {}) =>
  `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).sort().join(",")}}`

/** The route template of a sandbox request path, derived independently of the client: ids sit at odd positions after /v1. */
const fivetranRoute = (path: string) =>
  path === "/v1/account/info"
    ? path
    : `/v1/${path.split("/").slice(2).map((segment, i) => (i % 2 === 1 ? "{id}" : segment)).join("/")}`

const familyOf = (samples: ReadonlyMap<string, number>, name: string) =>
  new Map([...samples].filter(([sample]) => sample.startsWith(`${name}{`)))

layer(harness({ provisioning: true }), { excludeTestServices: true, timeout: 180_000 })("GET /metrics", (it) => {
  it.effect("after a sync and three grant calls: exact names, labels and counts for the small preset", () =>
    Effect.gen(function*() {
      const { client, request, sandbox } = yield* Harness
      const { id } = yield* Effect.orDie(client.syncs.start())
      let polls = 0
      const poll: Effect.Effect<SyncJob> = Effect.gen(function*() {
        polls++
        const job = yield* Effect.orDie(client.syncs.get({ path: { id } }))
        return job.status === "running" || job.status === "queued"
          ? yield* Effect.zipRight(Effect.sleep("50 millis"), poll)
          : job
      })
      assert.strictEqual((yield* poll).status, "succeeded")
      assert.strictEqual((yield* sandbox.requestLog).length, 14)

      const snapshot = yield* sandbox.snapshot
      const team = snapshot.teams[0]!.id
      const user = snapshot.users.find((u) => !snapshot.team_users.some((row) => row.team_id === team && row.user_id === u.id))!.id
      const member = snapshot.team_users.find((row) => row.team_id === team)!.user_id
      const grant = { entitlement_id: `team:${team}:member`, principal: { type: "user", id: user } }
      const repeat = { entitlement_id: `team:${team}:member`, principal: { type: "user", id: member } }
      const unknown = { entitlement_id: "team:no_such_team:member", principal: { type: "user", id: user } }
      // The write comes last: its POST, made alone after the reads, is the request whose remaining
      // budget the gauge then shows (the reads are made together, so any of them may answer last).
      const statuses = [
        (yield* request("POST", "/v1/grants", { token: TestToken, body: repeat })).status,
        (yield* request("POST", "/v1/grants", { token: TestToken, body: unknown })).status,
        (yield* request("POST", "/v1/grants", { token: TestToken, body: grant })).status
      ]
      assert.deepStrictEqual(statuses, [200, 404, 201])
      // 14 for the sync; each grant reads the roles, the team, the user and the membership together
      // (4), then writes (1): 4 (already a member), 4 and 3 (no such team: is the id a user's, a
      // group's or a connection's? OtherKindOfId.ts) and 5.
      const fivetranCalls = yield* sandbox.requestLog
      assert.strictEqual(fivetranCalls.length, 30)

      const scraped = yield* request("GET", "/metrics", { token: TestToken })
      assert.strictEqual(scraped.status, 200)
      assert.strictEqual(scraped.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8")
      const { samples, types } = parseExposition(yield* Effect.orDie(scraped.text))

      assert.deepStrictEqual(
        [
          "baton_provisioning_actions_total",
          "baton_sync_duration_seconds",
          "baton_sync_resources_total",
          "baton_sync_rows_total",
          "fivetran_rate_limit_remaining",
          "fivetran_requests_total",
          "http_server_request_duration_seconds",
          "http_server_requests_total"
        ].map((name) => [name, types.get(name)]),
        [
          ["baton_provisioning_actions_total", "counter"],
          ["baton_sync_duration_seconds", "histogram"],
          ["baton_sync_resources_total", "counter"],
          ["baton_sync_rows_total", "counter"],
          ["fivetran_rate_limit_remaining", "gauge"],
          ["fivetran_requests_total", "counter"],
          ["http_server_request_duration_seconds", "histogram"],
          ["http_server_requests_total", "counter"]
        ]
      )

      // The build: the harness runs the packages' dist/, which no bundle build stamped with a commit.
      assert.strictEqual(types.get("baton_build_info"), "gauge")
      assert.deepStrictEqual(
        familyOf(samples, "baton_build_info"),
        new Map([[key("baton_build_info", { commit: "unknown", version: "0.1.0" }), 1]])
      )

      // The sync: one, succeeded (the other outcomes at 0), and the small preset's rows.
      assert.deepStrictEqual(
        ["succeeded", "failed", "interrupted"].map((outcome) => samples.get(key("baton_sync_duration_seconds_count", { outcome }))),
        [1, 0, 0]
      )
      assert.strictEqual(samples.get(key("baton_sync_duration_seconds_bucket", { outcome: "succeeded", le: "+Inf" })), 1)
      assert.deepStrictEqual(
        familyOf(samples, "baton_sync_resources_total"),
        new Map([
          [key("baton_sync_resources_total", { resource_type: "group" }), 4],
          [key("baton_sync_resources_total", { resource_type: "role" }), 6],
          [key("baton_sync_resources_total", { resource_type: "team" }), 3],
          [key("baton_sync_resources_total", { resource_type: "user" }), 25]
        ])
      )
      assert.deepStrictEqual(
        familyOf(samples, "baton_sync_rows_total"),
        new Map([
          [key("baton_sync_rows_total", { type: "entitlement" }), 51],
          [key("baton_sync_rows_total", { type: "grant" }), 122],
          [key("baton_sync_rows_total", { type: "resource" }), 38],
          [key("baton_sync_rows_total", { type: "resource_type" }), 4]
        ])
      )

      // Provisioning: one outcome each; the refusals alerts read are there at 0 from the start.
      const alerted = ["create_account", "delete_resource", "grant", "revoke"].flatMap((action) =>
        ["missing_permission", "rate_limited", "key_rejected", "upstream"].map((outcome) =>
          [key("baton_provisioning_actions_total", { action, outcome }), 0] as const
        )
      )
      assert.deepStrictEqual(
        familyOf(samples, "baton_provisioning_actions_total"),
        new Map([
          [key("baton_provisioning_actions_total", { action: "grant", outcome: "already_exists" }), 1],
          [key("baton_provisioning_actions_total", { action: "grant", outcome: "granted" }), 1],
          [key("baton_provisioning_actions_total", { action: "grant", outcome: "unknown_entitlement" }), 1],
          ...alerted
        ])
      )

      // Fivetran: every request the sandbox saw, by route template and status, and nothing else.
      const expected = new Map<string, number>()
      for (const call of fivetranCalls) {
        const sample = key("fivetran_requests_total", {
          method: call.method,
          route: fivetranRoute(call.path),
          status: String(call.status)
        })
        expected.set(sample, (expected.get(sample) ?? 0) + 1)
      }
      assert.deepStrictEqual(familyOf(samples, "fivetran_requests_total"), expected)
      assert.strictEqual(samples.get(key("fivetran_requests_total", { method: "GET", route: "/v1/users", status: "200" })), 1)
      assert.strictEqual(samples.get(key("fivetran_rate_limit_remaining")), 20_000 - 30)
      assert.isFalse(types.has("fivetran_retries_total"))

      // The service's own requests (this scrape is counted once it has been answered).
      assert.deepStrictEqual(
        familyOf(samples, "http_server_requests_total"),
        new Map([
          [key("http_server_requests_total", { method: "GET", route: "/v1/syncs/:id", status: "200" }), polls],
          [key("http_server_requests_total", { method: "POST", route: "/v1/grants", status: "200" }), 1],
          [key("http_server_requests_total", { method: "POST", route: "/v1/grants", status: "201" }), 1],
          [key("http_server_requests_total", { method: "POST", route: "/v1/grants", status: "404" }), 1],
          [key("http_server_requests_total", { method: "POST", route: "/v1/syncs", status: "202" }), 1]
        ])
      )
      assert.strictEqual(
        samples.get(key("http_server_request_duration_seconds_count", { method: "POST", route: "/v1/grants" })),
        3
      )
    }))

  it.effect("a token is required; unknown paths are one `unmatched` route; X-Request-Id is echoed or made", () =>
    Effect.gen(function*() {
      const { request } = yield* Harness
      const refused = yield* request("GET", "/metrics")
      assert.strictEqual(refused.status, 401)
      assert.match(refused.headers["x-request-id"] ?? "", /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
      const given = yield* request("GET", "/healthz", { headers: { "x-request-id": "lb-7f3a.42" } })
      assert.strictEqual(given.headers["x-request-id"], "lb-7f3a.42")
      const hostile = yield* request("GET", "/healthz", { headers: { "x-request-id": "a b\"<script>" } })
      assert.notStrictEqual(hostile.headers["x-request-id"], "a b\"<script>")
      yield* request("GET", "/no/such/path/123", { token: TestToken })
      yield* request("GET", "/v1/other/456", { token: TestToken })
      // Served whatever the case of its path, as the router matches it: counted as its route.
      const shouted = yield* request("GET", "/V1/SYNCS", { token: TestToken })
      assert.strictEqual(shouted.status, 200)

      const { samples } = parseExposition(yield* Effect.orDie((yield* request("GET", "/metrics", { token: TestToken })).text))
      assert.strictEqual(samples.get(key("http_server_requests_total", { method: "GET", route: "/metrics", status: "401" })), 1)
      assert.strictEqual(samples.get(key("http_server_requests_total", { method: "GET", route: "/healthz", status: "200" })), 2)
      assert.strictEqual(samples.get(key("http_server_requests_total", { method: "GET", route: "unmatched", status: "404" })), 2)
      assert.strictEqual(samples.get(key("http_server_requests_total", { method: "GET", route: "/v1/syncs", status: "200" })), 1)
    }))
})

layer(harness({ publicMetrics: true }), { excludeTestServices: true, timeout: 180_000 })("--public-metrics", (it) => {
  it.effect("/metrics answers without a token; the Api still needs one", () =>
    Effect.gen(function*() {
      const { request } = yield* Harness
      const open = yield* request("GET", "/metrics")
      assert.strictEqual(open.status, 200)
      assert.include(yield* Effect.orDie(open.text), "# TYPE http_server_requests_total counter")
      assert.strictEqual((yield* request("GET", "/v1/syncs")).status, 401)
    }))
})
