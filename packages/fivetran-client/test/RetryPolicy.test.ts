import { assert, describe, it } from "@effect/vitest"
import {
  BadRequest,
  Conflict,
  type FivetranError,
  Forbidden,
  type HttpMethod,
  InvalidResponse,
  NotFound,
  RateLimited,
  ServerError,
  shouldRetry,
  Transport,
  Unauthorized,
  withAttempts
} from "../src/index.js"

const endpoint = "POST /v1/teams"
const errors: Record<string, FivetranError> = {
  Unauthorized: new Unauthorized({ endpoint, code: "x" }),
  Forbidden: new Forbidden({ endpoint, code: "x", permission: undefined }),
  NotFound: new NotFound({ endpoint, code: "NotFound", detail: "" }),
  Conflict: new Conflict({ endpoint, code: "x", detail: "" }),
  BadRequest: new BadRequest({ endpoint, status: 400, code: "x", detail: "" }),
  InvalidResponse: new InvalidResponse({ endpoint, field: "", detail: "" }),
  InvalidResponseCutShort: new InvalidResponse({ endpoint, field: "", detail: "", cutShort: true }),
  RateLimited: new RateLimited({ endpoint, retryAfterSeconds: 1 }),
  ServerError500: new ServerError({ endpoint, status: 500 }),
  ServerError503: new ServerError({ endpoint, status: 503 }),
  ServerError503WaitTooLong: new ServerError({ endpoint, status: 503, retryAfterSeconds: 7_200, maxWaitMillis: 3_600_000 }),
  TransportAfterConnect: new Transport({ endpoint, reason: "reset", connectFailed: false }),
  TransportAfter200: new Transport({ endpoint, reason: "reset", connectFailed: false, answeredStatus: 200 }),
  TransportAfter503: new Transport({ endpoint, reason: "reset", connectFailed: false, answeredStatus: 503 }),
  TransportRefused: new Transport({ endpoint, reason: "refused", connectFailed: true }),
  TransportCertificateRefused: new Transport({ endpoint, reason: "certificate", connectFailed: true, certificateRefused: true }),
  TransportUnknownHost: new Transport({ endpoint, reason: "ENOTFOUND", connectFailed: true, unknownHost: true })
}

const retried = (method: HttpMethod) => Object.keys(errors).filter((name) => shouldRetry(method, errors[name]!))

describe("shouldRetry", () => {
  it("GET retries 429, 5xx, transport failures and a 2xx answer cut off", () => {
    assert.deepStrictEqual(retried("GET"), [
      "InvalidResponseCutShort",
      "RateLimited",
      "ServerError500",
      "ServerError503",
      "TransportAfterConnect",
      "TransportAfter200",
      "TransportAfter503",
      "TransportRefused"
    ])
  })

  it("PATCH and DELETE retry 429, 5xx and transport failures, not a 2xx answer cut off (body or connection): the write was made", () => {
    const expected = ["RateLimited", "ServerError500", "ServerError503", "TransportAfterConnect", "TransportAfter503", "TransportRefused"]
    assert.deepStrictEqual(retried("PATCH"), expected)
    assert.deepStrictEqual(retried("DELETE"), expected)
  })

  it("POST retries only what Fivetran cannot have acted on", () => {
    assert.deepStrictEqual(retried("POST"), ["RateLimited", "ServerError503", "TransportRefused"])
  })
})

describe("withAttempts", () => {
  it("keeps every field of the failure it counts (a 2xx answer's status too), adding the attempts", () => {
    const kept = [
      new InvalidResponse({ endpoint, field: "", detail: "cut", cutShort: true, answeredStatus: 200 }),
      new Transport({ endpoint, reason: "reset", connectFailed: false, answeredStatus: 200 }),
      new ServerError({ endpoint, status: 503, retryAfterSeconds: 2 })
    ].map((error) => withAttempts(error, 3))
    assert.deepStrictEqual(kept.map((error): Record<string, unknown> => ({ ...error })), [
      { _tag: "InvalidResponse", endpoint, field: "", detail: "cut", cutShort: true, answeredStatus: 200, attempts: 3 },
      { _tag: "Transport", endpoint, reason: "reset", connectFailed: false, answeredStatus: 200, attempts: 3 },
      {
        _tag: "ServerError",
        endpoint,
        status: 503,
        retryAfterSeconds: 2,
        retryAfterDate: undefined,
        retryAfterFrom: undefined,
        retryAfterUnreadable: undefined,
        maxWaitMillis: undefined,
        maxWaitSetting: undefined,
        attempts: 3
      }
    ])
  })
})
