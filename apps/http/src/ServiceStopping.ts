import { ServiceStopping as StoppingError, ServiceStoppingBody } from "@baton-fivetran/http-api"
import { HttpServerResponse } from "@effect/platform"
import { Schema } from "effect"

/**
 * A request whose work the service's stop ended (a provisioning call still waiting for the rate
 * limit): answered as a request arriving during the stop is (UnservedRequests.ts), 503 with
 * `Retry-After: 1`, then the connection closes. It is the Api's ServiceStopping, which every
 * endpoint declares (@baton-fivetran/http-api Errors.ts): a class of the service's own with the same
 * tag, and a body written by hand beside the Api's schema, were two definitions of one code. Raised
 * as a defect, not a handler's failure, so that the answer carries those headers (RequestFailures.ts).
 */
export class ServiceStopping extends StoppingError {
  constructor() {
    super({ message: "the service is stopping; send the request again once it runs" })
  }
}

/** The wire body, as the Api encodes it: `{"error": "ServiceStopping", "message": ...}`. */
export const stoppingBody = Schema.encodeSync(ServiceStoppingBody)(new ServiceStopping())

export const stoppingResponse = HttpServerResponse.unsafeJson(stoppingBody, {
  status: 503,
  headers: { "retry-after": "1", connection: "close" }
})
