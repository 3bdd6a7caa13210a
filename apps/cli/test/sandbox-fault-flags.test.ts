import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { runCli } from "./support/CliProcess.js"
import { startSandboxCommand } from "./support/SandboxCommand.js"

/**
 * `baton-fivetran sandbox` takes every fault of the sandbox layer (the flags fivetran-sandbox
 * takes): a POST whose change is made and its answer lost or answered with a 5xx, faults striking
 * only some methods, the 5xx statuses drawn from, the slow bodies' pieces.
 */

/** One request's status and JSON body, or "no answer" when the connection closed without one. */
const request = (url: string, authorization: string, method: "GET" | "POST", path: string, body?: unknown) =>
  Effect.promise(() =>
    fetch(`${url}${path}`, {
      method,
      headers: { authorization, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    }).then(
      async (response) => ({ status: response.status, body: await response.json() as { data?: { items?: Array<{ email: string }> } } }),
      (error: TypeError) => ({ status: "no answer", cause: String((error.cause as { code?: string } | undefined)?.code) })
    )
  )

const invitation = { email: "rehearsal@example.com", given_name: "Rita", family_name: "Hearsal" }

/** The emails GET /v1/users lists (the small preset has 25 users, one page). */
const emails = (url: string, authorization: string) =>
  Effect.map(request(url, authorization, "GET", "/v1/users"), (answer) => {
    assert.strictEqual(answer.status, 200)
    return ("body" in answer ? answer.body.data?.items ?? [] : []).map((user) => user.email)
  })

describe("sandbox command's fault flags", () => {
  it.scopedLive("--lost-answers 1 --fault-methods POST: GETs are answered; the first POST's user is made and its answer lost", () =>
    Effect.gen(function*() {
      const { authorization, banner, url } = yield* startSandboxCommand(["--lost-answers", "1", "--fault-methods", "POST"])
      assert.deepStrictEqual(banner.slice(2, 4), [
        "  faults:",
        "    lost answers: the first POST request acted on, then closed without an answer"
      ])
      assert.strictEqual((yield* emails(url, authorization)).length, 25)
      assert.deepStrictEqual(yield* request(url, authorization, "POST", "/v1/users", invitation), {
        status: "no answer",
        cause: "UND_ERR_SOCKET"
      })
      const after = yield* emails(url, authorization)
      assert.deepStrictEqual([after.length, after.filter((email) => email === invitation.email).length], [26, 1])
      // Only the first: the repeat is answered, and finds the user made.
      assert.strictEqual((yield* request(url, authorization, "POST", "/v1/users", invitation)).status, 409)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("--fail-after-acting 1:502: the first POST's user is made, then answered 502", () =>
    Effect.gen(function*() {
      const { authorization, banner, url } = yield* startSandboxCommand(["--fail-after-acting", "1:502", "--fault-methods", "POST,PATCH"])
      assert.deepStrictEqual(banner.slice(2, 4), [
        "  faults:",
        "    fail after acting: the first POST or PATCH request acted on, then answered 502"
      ])
      assert.strictEqual((yield* request(url, authorization, "POST", "/v1/users", invitation)).status, 502)
      assert.strictEqual((yield* emails(url, authorization)).filter((email) => email === invitation.email).length, 1)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("--server-errors 1 --server-error-statuses 503 --fault-methods GET: every GET 503, a POST answered", () =>
    Effect.gen(function*() {
      const { authorization, banner, url } = yield* startSandboxCommand([
        "--server-errors",
        "1",
        "--server-error-statuses",
        "503",
        "--fault-methods",
        "GET"
      ])
      assert.deepStrictEqual(banner.slice(2, 4), ["  faults:", "    server errors: 100% of GET requests answered 503, not acted on"])
      const gets = yield* Effect.forEach([1, 2, 3, 4], () => request(url, authorization, "GET", "/v1/users"))
      assert.deepStrictEqual(gets.map((answer) => answer.status), [503, 503, 503, 503])
      assert.strictEqual((yield* request(url, authorization, "POST", "/v1/users", invitation)).status, 201)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("--slow-bodies 1 --slow-body-pieces 16:0: the pieces' size in the banner, the bodies whole", () =>
    Effect.gen(function*() {
      const { authorization, banner, url } = yield* startSandboxCommand(["--slow-bodies", "1", "--slow-body-pieces", "16:0"])
      assert.deepStrictEqual(banner.slice(2, 4), [
        "  faults:",
        "    slow bodies: 100% of requests answered in 16-byte pieces, 0 ms apart"
      ])
      assert.strictEqual((yield* emails(url, authorization)).length, 25)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.live("refuses a bad value naming the flag, what it takes and what it got; a flag that needs another names it (exit 2)", () =>
    Effect.gen(function*() {
      const runs = yield* Effect.all([
        runCli(["sandbox", "--lost-answers", "some"]),
        runCli(["sandbox", "--fail-after-acting", "1:404"]),
        runCli(["sandbox", "--fault-methods", "GET,PUT"]),
        runCli(["sandbox", "--server-errors", "0.5", "--server-error-statuses", "500,504"]),
        runCli(["sandbox", "--server-error-statuses", "503"]),
        runCli(["sandbox", "--slow-bodies", "1", "--slow-body-pieces", "0:10"]),
        runCli(["sandbox", "--slow-body-pieces", "64:10"])
      ], { concurrency: 2 })
      assert.deepStrictEqual(runs.map((result) => [result.exitCode, result.stdout, result.stderr]), [
        [2, "", "error: --lost-answers: expected a request count, got \"some\"\n"],
        [2, "", "error: --fail-after-acting: expected a request count, optionally :500, :502 or :503, got \"1:404\"\n"],
        [
          2,
          "",
          "error: --fault-methods: expected a comma-separated list of GET, POST, PATCH and DELETE, e.g. POST,PATCH, got \"GET,PUT\"\n"
        ],
        [2, "", "error: --server-error-statuses: expected a comma-separated list of 500, 502 and 503, e.g. 502,503, got \"500,504\"\n"],
        [2, "", "error: --server-error-statuses picks the statuses of --server-errors: give --server-errors SHARE too\n"],
        [
          2,
          "",
          "error: --slow-body-pieces: expected bytes from 1 to 1048576, ':' and milliseconds from 0 to 600000, e.g. 64:10, got \"0:10\"\n"
        ],
        [2, "", "error: --slow-body-pieces shapes the bodies --slow-bodies slows: give --slow-bodies SHARE too\n"]
      ])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("the banner names each fault on a line: which, how often or how many, of which methods, with which status", () =>
    Effect.gen(function*() {
      const { banner, url } = yield* startSandboxCommand([
        "--latency",
        "20",
        "--malformed",
        "0.05",
        "--truncated",
        "0.5",
        "--rate-limit-burst",
        "2",
        "--fail-after-acting",
        "3:500",
        "--fault-methods",
        "DELETE",
        "--rate-window-seconds",
        "60"
      ])
      assert.deepStrictEqual(banner, [
        `Fivetran sandbox ("small" preset, seed 20240302) listening on ${url}`,
        "  25 users, 4 groups, 3 teams, 8 connections, 24 roles",
        "  faults:",
        "    latency: 20 ms before every answer, whatever the method",
        "    malformed: 5% of DELETE requests answered with invalid JSON",
        "    truncated: 50% of DELETE requests answered with the body cut in half",
        "    rate-limit burst: the first 2 DELETE requests answered 429 with Retry-After: 1",
        "    fail after acting: the first 3 DELETE requests acted on, then answered 500",
        "  rate limit: 20000 requests per 60 s rolling window",
        "  user key of violet_reef: --api-key sandbox_key_9cc9b8b04715113f --api-secret b013843dabb9b99e1915c6a3d1ff9d4c",
        "  system key witty_oak: --api-key sandbox_key_abe97c03b41c7dff --api-secret dc9c8d1f76cd5f7436bd38f3bcac6642",
        `Try: baton-fivetran --base-url ${url} --api-key <key> --api-secret <secret>`,
        "Stop with Ctrl-C."
      ])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.live("refuses an item of a list flag given twice, naming it (exit 2)", () =>
    Effect.gen(function*() {
      const runs = yield* Effect.all([
        runCli(["sandbox", "--fault-methods", "POST,PATCH,POST"]),
        runCli(["sandbox", "--server-errors", "0.5", "--server-error-statuses", "502,502"])
      ], { concurrency: 2 })
      assert.deepStrictEqual(runs.map((result) => [result.exitCode, result.stdout, result.stderr]), [
        [2, "", "error: --fault-methods: POST is listed twice in \"POST,PATCH,POST\"; list each once\n"],
        [2, "", "error: --server-error-statuses: 502 is listed twice in \"502,502\"; list each once\n"]
      ])
    }).pipe(Effect.provide(NodeContext.layer)))
})
