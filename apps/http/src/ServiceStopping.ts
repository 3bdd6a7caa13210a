import { HttpServerResponse } from "@effect/platform"
import { Schema } from "effect"

/**
 * A request whose work the service's stop ended (a provisioning call still waiting for the rate
 * limit): answered as a request arriving during the stop is (UnservedRequests.ts), 503 with
 * `Retry-After: 1`, then the connection closes. Not one of the Api's errors: like Node's own
 * refusals, it can meet any route, and the caller's remedy is only to send it again.
 */
export class ServiceStopping extends Schema.TaggedError<ServiceStopping>()("ServiceStopping", {}) {}

export const stoppingBody = {
  error: "ServiceStopping",
  message: "the service is stopping; send the request again once it runs"
} as const

export const stoppingResponse = HttpServerResponse.unsafeJson(stoppingBody, {
  status: 503,
  headers: { "retry-after": "1", connection: "close" }
})
