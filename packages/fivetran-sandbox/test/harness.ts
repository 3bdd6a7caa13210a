import { FivetranClient, FivetranClientConfig } from "@baton-fivetran/fivetran-client"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, Redacted } from "effect"
import { Sandbox, type SandboxOptions } from "../src/Sandbox.js"
import { fixture, keys } from "./fixture.js"

export interface Key {
  readonly key: string
  readonly secret: string
}

/** The real client against the sandbox, one attempt per call so each answer is seen as it is. */
export const clientLayer = (key: Key = keys.admin) =>
  Layer.unwrapEffect(
    Effect.map(Sandbox, (sandbox) =>
      FivetranClient.layer(
        FivetranClientConfig.make({
          apiKey: Redacted.make(key.key),
          apiSecret: Redacted.make(key.secret),
          baseUrl: sandbox.baseUrl,
          maxAttempts: 1
        })
      ))
  )

/** A fresh sandbox (fixture state unless given), the client as `key`, and a raw HttpClient. */
export const provideSandbox = (options: Partial<SandboxOptions> = {}, key: Key = keys.admin) =>
  Effect.provide(
    clientLayer(key).pipe(
      Layer.provideMerge(Sandbox.layer({ snapshot: fixture, ...options })),
      Layer.provideMerge(NodeHttpClient.layerUndici)
    )
  )

export const basic = (key: Key) => `Basic ${Buffer.from(`${key.key}:${key.secret}`).toString("base64")}`

export interface RawResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly text: string
  readonly json: unknown
}

/** One raw HTTP call, for what the client hides (limit=1 pages, headers, 406/415). */
export const raw = (
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
  path: string,
  options: {
    readonly key?: Key | null
    readonly body?: string
    readonly headers?: Record<string, string>
  } = {}
) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox
    const client = yield* HttpClient.HttpClient
    const key = options.key === undefined ? keys.admin : options.key
    let request = HttpClientRequest.make(method)(`${sandbox.baseUrl}${path}`).pipe(
      HttpClientRequest.setHeaders({
        ...(key === null ? {} : { authorization: basic(key) }),
        ...options.headers
      })
    )
    if (options.body !== undefined) {
      request = HttpClientRequest.bodyText(request, options.body, options.headers?.["content-type"] ?? "application/json")
    }
    const response = yield* client.execute(request)
    const text = yield* response.text
    const json = yield* Effect.orElseSucceed(Effect.try((): unknown => JSON.parse(text)), () => undefined)
    return { status: response.status, headers: response.headers, text, json } satisfies RawResponse
  }).pipe(Effect.scoped)
