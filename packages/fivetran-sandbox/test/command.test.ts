import { FileSystem, HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeContext, NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Console, Deferred, Effect, Fiber, Layer } from "effect"
import { writeSnapshot } from "../src/generator/SnapshotFile.js"
import { errorMessage } from "@baton-fivetran/settings"
import { runSandboxCommand } from "../src/SandboxCommand.js"
import { fixture } from "./fixture.js"

/** The command as the bin runs it, on these arguments. */
const serveSandbox = (argv: ReadonlyArray<string>) => runSandboxCommand(["node", "fivetran-sandbox", ...argv])

/** Runs the command in a fiber, capturing what it prints, until it announces its base URL. */
const start = (argv: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const announced = yield* Deferred.make<string>()
    const lines: Array<string> = []
    const console = yield* Console.consoleWith((c) => Effect.succeed(c))
    const capture: Console.Console = {
      ...console,
      // The banner is one write of its lines.
      log: (...args) =>
        Effect.gen(function*() {
          const printed = args.join(" ").split("\n")
          lines.push(...printed)
          const url = /listening on (\S+)/.exec(printed[0] ?? "")?.[1]
          if (url !== undefined) yield* Deferred.succeed(announced, url)
        })
    }
    const fiber = yield* Effect.forkScoped(Effect.withConsole(serveSandbox(argv), capture))
    const baseUrl = yield* Deferred.await(announced)
    return { baseUrl, lines, fiber }
  })

const accountInfo = (baseUrl: string, key: string, secret: string) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const response = yield* client.execute(
      HttpClientRequest.get(`${baseUrl}/v1/account/info`).pipe(HttpClientRequest.basicAuth(key, secret))
    )
    return [response.status, yield* response.json] as const
  })

const TestLive = Layer.mergeAll(NodeContext.layer, NodeHttpClient.layerUndici)

describe("fivetran-sandbox command", () => {
  it.scopedLive("serves a preset on loopback and accepts the given key as the administrator", () =>
    Effect.gen(function*() {
      const { baseUrl, lines } = yield* start(["--port", "0", "--preset", "small", "--api-key", "k1", "--api-secret", "s1"])
      assert.match(baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/)
      const [status, body] = yield* accountInfo(baseUrl, "k1", "s1")
      assert.strictEqual(status, 200)
      const info = (body as { data: { user_id: string } }).data
      assert.include(lines.join("\n"), `user key    k1:s1  (acts as user ${info.user_id})`)
      assert.strictEqual((yield* accountInfo(baseUrl, "k1", "wrong"))[0], 401)
    }).pipe(Effect.provide(TestLive)))

  it.scopedLive("--hourly-limit and --rate-window-seconds set the budget and its window", () =>
    Effect.gen(function*() {
      const { baseUrl, lines } = yield* start([
        "--port=0",
        "--api-key=k1",
        "--api-secret=s1",
        "--hourly-limit=50",
        "--rate-window-seconds=30"
      ])
      assert.strictEqual(lines[1], "Rate limit: 50 requests per 30 s rolling window")
      const client = yield* HttpClient.HttpClient
      const response = yield* client.execute(
        HttpClientRequest.get(`${baseUrl}/v1/account/info`).pipe(HttpClientRequest.basicAuth("k1", "s1"))
      )
      assert.deepStrictEqual(
        [response.headers["x-rate-limit"], response.headers["x-rate-limit-remaining"], response.headers["x-rate-limit-window-seconds"]],
        ["50", "49", "30"]
      )
    }).pipe(Effect.provide(TestLive)))

  it.scopedLive("takes the fault flags baton-fivetran sandbox takes: on POSTs only, a lost answer, then a 502 after acting", () =>
    Effect.gen(function*() {
      const { baseUrl, lines } = yield* start([
        "--port=0",
        "--api-key=k1",
        "--api-secret=s1",
        "--lost-answers=1",
        "--fail-after-acting=1:502",
        "--fault-methods=POST"
      ])
      assert.deepStrictEqual(lines.slice(1, 4), [
        "Faults:",
        "  lost answers: the first POST request acted on, then closed without an answer",
        "  fail after acting: the first POST request acted on, then answered 502"
      ])
      const client = yield* HttpClient.HttpClient
      const invite = (email: string) =>
        client.execute(
          HttpClientRequest.post(`${baseUrl}/v1/users`).pipe(
            HttpClientRequest.basicAuth("k1", "s1"),
            HttpClientRequest.bodyUnsafeJson({ email, given_name: "Rita", family_name: "Hearsal" })
          )
        )
      assert.strictEqual((yield* accountInfo(baseUrl, "k1", "s1"))[0], 200)
      const lost = yield* Effect.flip(invite("lost@example.com"))
      assert.strictEqual(lost._tag, "RequestError")
      assert.strictEqual((yield* invite("failed@example.com")).status, 502)
      assert.strictEqual((yield* invite("answered@example.com")).status, 201)
      const users = yield* client.execute(HttpClientRequest.get(`${baseUrl}/v1/users`).pipe(HttpClientRequest.basicAuth("k1", "s1")))
      const emails = ((yield* users.json) as { data: { items: ReadonlyArray<{ email: string }> } }).data.items.map((user) => user.email)
      assert.deepStrictEqual(
        ["lost@example.com", "failed@example.com", "answered@example.com"].map((email) => emails.includes(email)),
        [true, true, true]
      )
    }).pipe(Effect.provide(TestLive)))

  it.scopedLive("serves a state file", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      yield* writeSnapshot(`${dir}/account.json`, fixture)
      const { baseUrl, lines } = yield* start(["--port=0", "--state", `${dir}/account.json`])
      const [status, body] = yield* accountInfo(baseUrl, "key_system", "secret_system")
      assert.deepStrictEqual([status, body], [200, {
        code: "Success",
        message: "Account information retrieved successfully",
        data: { account_id: "lunar_meadow", account_name: "Acme Data", user_id: null, system_key_id: "system_one" }
      }])
      assert.strictEqual(lines[1], "Account Acme Data (lunar_meadow): 4 users, 2 groups, 2 teams, 2 connections")
    }).pipe(Effect.provide(TestLive)))

  it.scopedLive("bad flags fail with a usage error that says what is wrong", () =>
    Effect.gen(function*() {
      const messages = yield* Effect.forEach(
        [
          ["--preset", "tiny"],
          ["--port", "70000"],
          ["--api-key", "k"],
          ["--preset", "small", "--state", "x.json"],
          ["--colour", "red"],
          ["--port"],
          ["--rate-window-seconds", "0"],
          ["--fault-methods", "PUT"],
          ["--slow-body-pieces", "64:10"]
        ],
        (argv) => Effect.map(Effect.flip(serveSandbox(argv)), errorMessage)
      )
      assert.deepStrictEqual(messages, [
        "--preset: expected one of small, medium, large, got \"tiny\"",
        "--port: expected a whole number from 0 to 65535, got \"70000\"",
        "--api-key and --api-secret go together",
        "Give either --preset or --state, not both",
        "unknown flag '--colour' (see fivetran-sandbox --help)",
        "--port needs a value",
        "--rate-window-seconds: expected whole seconds from 1 to 86400, got \"0\"",
        "--fault-methods: expected a comma-separated list of GET, POST, PATCH and DELETE, e.g. POST,PATCH, got \"PUT\"",
        "--slow-body-pieces shapes the bodies --slow-bodies slows: give --slow-bodies SHARE too"
      ])
      const missing = yield* Effect.flip(serveSandbox(["--state", "/nonexistent/account.json"]))
      assert.deepStrictEqual([missing._tag, errorMessage(missing)], [
        "UsageError",
        "Snapshot file /nonexistent/account.json: no such file; a snapshot is written by writeSnapshot of " +
        "@baton-fivetran/fivetran-sandbox (e.g. of generatePreset(\"small\")); or serve a generated account with --preset instead"
      ])
    }).pipe(Effect.provide(TestLive)))

  it.scopedLive("interrupting the command stops the server", () =>
    Effect.gen(function*() {
      const { baseUrl, fiber } = yield* start(["--port", "0"])
      yield* Fiber.interrupt(fiber)
      const refused = yield* Effect.either(accountInfo(baseUrl, "k", "s"))
      assert.strictEqual(refused._tag, "Left")
    }).pipe(Effect.provide(TestLive)))
})
