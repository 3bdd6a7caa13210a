import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber, Redacted, Stream, TestClock } from "effect"
import { FivetranClientConfig, type FivetranError, makeFivetranClient } from "../src/index.js"
import * as Examples from "./fixtures/ApiExamples.js"
import { captureLogs } from "./support/CapturedLogs.js"
import { json, startServer, text } from "./support/ScriptedServer.js"
import { awaitRequests, clientFor, closedPort, TestApiKey, TestApiSecret } from "./support/TestClient.js"

const basic = Buffer.from(`${TestApiKey}:${TestApiSecret}`).toString("base64")
/** The whole forms, and their first halves: a clipped message must not keep part of a secret either. */
const secretForms = [TestApiKey, TestApiSecret, basic, `${TestApiKey}:${TestApiSecret}`].flatMap((form) => [
  form,
  form.slice(0, Math.ceil(form.length / 2))
])

/**
 * A hostile server: every error body echoes the credentials it received (the Authorization
 * header, the key, the secret) in the places a client might copy into an error.
 */
const echo = (authorization: string) => `${authorization} ${TestApiKey} ${TestApiSecret}`

describe("secrets never leak", () => {
  it.scoped("no error class carries the key, the secret or the Basic form, nor does any log line", () =>
    Effect.gen(function*() {
      const server = yield* startServer((request) => {
        const auth = request.headers["authorization"] ?? ""
        const body = { code: `E_${TestApiSecret}`, message: echo(auth) }
        const status = /\/e(\d{3})(\/|$)/.exec(request.path)?.[1]
        if (status === "429") return json(429, body, { "Retry-After": TestApiSecret })
        if (status !== undefined) return json(Number(status), body)
        switch (request.path) {
          case "/v1/teams/long":
            // The secret straddles the point where long messages are cut.
            return json(409, { code: "Conflict", message: `${"x".repeat(286)}${TestApiSecret}` })
          case "/v1/users/wrong-type":
            return json(200, { code: "Success", data: { ...Examples.User_2_2.data, active: echo(auth) } })
          case "/v1/users/not-json":
            return text(200, `{"code":"${auth}`)
          default:
            return Effect.never
        }
      })
      const logs = yield* captureLogs
      const client = yield* clientFor(server.baseUrl, { maxAttempts: 1, requestTimeoutSeconds: 5 })

      const failures: Array<Effect.Effect<unknown, FivetranError>> = [
        client.getTeam("e403"),
        client.getTeam("e404"),
        client.getTeam("e409"),
        client.getTeam("long"),
        client.getTeam("e400"),
        client.getTeam("e429"),
        client.getTeam("e500"),
        client.getUser("wrong-type"),
        client.getUser("not-json"),
        Stream.runDrain(client.listTeamUsers("e404"))
      ]
      const unauthorized = yield* clientFor(`${server.baseUrl}/v1/e401#`, { maxAttempts: 1 })
      const refused = yield* clientFor(`http://127.0.0.1:${yield* closedPort}`, { maxAttempts: 1 })

      const exits = yield* logs.provide(Effect.gen(function*() {
        const exits: Array<Exit.Exit<unknown, FivetranError>> = []
        for (const failure of failures) exits.push(yield* Effect.exit(failure))
        exits.push(yield* Effect.exit(unauthorized.accountInfo))
        exits.push(yield* Effect.exit(refused.accountInfo))
        const timedOut = yield* Effect.fork(Effect.exit(client.getTeam("never")))
        yield* awaitRequests(server.requests, failures.length + 2)
        yield* TestClock.adjust("5 seconds")
        exits.push(yield* Fiber.join(timedOut))
        return exits
      }))

      const errors = exits.map((exit) => {
        assert.isTrue(Exit.isFailure(exit))
        return Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : undefined
      }).map((option) => option?._tag === "Some" ? option.value : undefined)
      assert.deepStrictEqual(errors.map((e) => e?._tag), [
        "Forbidden",
        "NotFound",
        "Conflict",
        "Conflict",
        "BadRequest",
        "RateLimited",
        "ServerError",
        "InvalidResponse",
        "InvalidResponse",
        "NotFound",
        "Unauthorized",
        "Transport",
        "Transport"
      ])
      // The server did echo the credentials: the client masked them.
      assert.include(errors[1]!.message, "<redacted>")

      const renderings = exits.flatMap((exit, i) => {
        const error = errors[i]!
        return [
          error.message,
          String(error),
          JSON.stringify(error),
          Cause.pretty(Cause.fail(error)),
          Exit.isFailure(exit) ? Cause.pretty(exit.cause) : ""
        ]
      })
      const lines = yield* logs.lines
      // One request line per call (Effect may add its own Debug lines, e.g. a stream fiber's failure).
      assert.strictEqual(lines.filter((line) => line.message === "Fivetran request").length, exits.length)
      const printedLogs = lines.flatMap((line) => line.printed)
      for (const rendered of [...renderings, ...printedLogs]) {
        for (const form of secretForms) assert.notInclude(rendered, form)
      }
    }))

  it.scoped("a secret the upstream echoes percent-encoded is masked too, in either hex case and as a form", () =>
    Effect.gen(function*() {
      const key = "ftk_Pc4Ux7Rz"
      const secret = "Zq9\"secret\\value/x"
      const spaced = "Zq9 secret+value"
      const lower = (encoded: string) => encoded.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase())
      const form = (value: string) => new URLSearchParams({ v: value }).toString().slice(2)
      const echoed: Record<string, string> = {
        "/v1/teams/upper": encodeURIComponent(secret),
        "/v1/teams/lower": lower(encodeURIComponent(secret)),
        "/v1/teams/form": form(spaced),
        "/v1/teams/form-lower": lower(form(spaced)),
        "/v1/teams/pair": encodeURIComponent(`${key}:${secret}`),
        "/v1/teams/basic": encodeURIComponent(btoa(`${key}:${secret}`)),
        "/v1/teams/mixed": "Zq9%22secret%5cvalue/x"
      }
      const server = yield* startServer((request) =>
        json(400, { code: "InvalidInput", message: `invalid credentials ${echoed[request.path] ?? ""}` })
      )
      const clientWith = (apiSecret: string) =>
        makeFivetranClient(FivetranClientConfig.make({
          apiKey: Redacted.make(key),
          apiSecret: Redacted.make(apiSecret),
          baseUrl: server.baseUrl,
          maxAttempts: 1
        }))
      const client = yield* clientWith(secret)
      const spacedClient = yield* clientWith(spaced)

      const messages: Array<string> = []
      for (const [path, team] of Object.keys(echoed).map((path) => [path, path.slice("/v1/teams/".length)] as const)) {
        const exit = yield* Effect.exit((path.includes("form") ? spacedClient : client).getTeam(team))
        const error = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : undefined
        messages.push(error?._tag === "Some" ? error.value.message : "succeeded")
      }

      assert.deepStrictEqual(
        messages,
        Object.keys(echoed).map((path) => `GET ${path}: Fivetran refused the request (400 InvalidInput): invalid credentials <redacted>`)
      )
      // Also checked form by form, should the expected text above ever be loosened.
      for (const message of messages) {
        for (const value of [secret, spaced]) {
          for (const leaked of [value, encodeURIComponent(value), lower(encodeURIComponent(value)), form(value)]) {
            assert.notInclude(message, leaked)
          }
        }
      }
    }))

  it.scoped("a credential the upstream echoes base64-encoded is masked: unpadded, URL-safe, or the secret alone at any offset", () =>
    Effect.gen(function*() {
      const key = "ftk_Pc4Ux7Rz"
      const secret = "Zq9secretValue+x7"
      const base64 = (value: string) => Buffer.from(value).toString("base64")
      const urlSafe = (value: string) => value.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")
      // Each echo, and what is left of it: at most an edge character that also encodes a neighbour's bits.
      const echoed: Record<string, readonly [string, string]> = {
        "/v1/teams/padded": [base64(`${key}:${secret}`), "<redacted>"],
        "/v1/teams/unpadded": [base64(`${key}:${secret}`).replace(/=+$/, ""), "<redacted>"],
        "/v1/teams/url-safe": [urlSafe(base64(`${key}:${secret}`)), "<redacted>"],
        "/v1/teams/secret": [base64(secret), "<redacted>"],
        "/v1/teams/offset-1": [base64(`k${secret}`), "a1<redacted>"],
        "/v1/teams/offset-2": [base64(`ke${secret}`), "a2V<redacted>w=="],
        "/v1/teams/token": [
          `Bearer ${base64(`{"user":"${key}","secret":"${secret}"}`)}`,
          "Bearer eyJ1c2VyIjoi<redacted>Iiwic2VjcmV0Ijoi<redacted>ifQ=="
        ]
      }
      const server = yield* startServer((request) =>
        json(400, { code: "InvalidInput", message: `echo ${echoed[request.path]?.[0] ?? ""}` })
      )
      const client = yield* makeFivetranClient(FivetranClientConfig.make({
        apiKey: Redacted.make(key),
        apiSecret: Redacted.make(secret),
        baseUrl: server.baseUrl,
        maxAttempts: 1
      }))

      const messages: Array<string> = []
      for (const path of Object.keys(echoed)) {
        const exit = yield* Effect.exit(client.getTeam(path.slice("/v1/teams/".length)))
        const error = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : undefined
        messages.push(error?._tag === "Some" ? error.value.message : "succeeded")
      }

      assert.deepStrictEqual(
        messages,
        Object.entries(echoed).map(([path, [, left]]) => `GET ${path}: Fivetran refused the request (400 InvalidInput): echo ${left}`)
      )
    }))

  it.scoped("a secret with quotes or backslashes, quoted JSON-escaped by a schema failure, is masked too", () =>
    Effect.gen(function*() {
      const secret = "Zq9\"secret\\value/x"
      const server = yield* startServer(() => json(200, { code: "Success", data: { ...Examples.User_2_2.data, active: secret } }))
      const client = yield* makeFivetranClient(FivetranClientConfig.make({
        apiKey: Redacted.make("ftk_Pc4Ux7Rz"),
        apiSecret: Redacted.make(secret),
        baseUrl: server.baseUrl,
        maxAttempts: 1
      }))
      const exit = yield* Effect.exit(client.getUser("u"))
      const error = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : undefined
      assert.strictEqual(
        error?._tag === "Some" ? error.value.message : "succeeded",
        "GET /v1/users/u: unexpected response body at data.active: Expected boolean, actual \"<redacted>\""
      )
    }))
})
