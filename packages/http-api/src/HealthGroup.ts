import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { Authentication } from "./Authentication.js"
import { NotReadyBody } from "./Errors.js"

/**
 * `/readyz` with a token of the service: the account the configured key reaches, from the service's
 * own check; both null when readiness rests on another successful answer from Fivetran (`message`
 * says so): the check was held back by a rate-limit wait before it ever succeeded.
 */
export const ReadyDetails = Schema.Struct({
  status: Schema.Literal("ready"),
  account_id: Schema.NullOr(Schema.String),
  account_name: Schema.NullOr(Schema.String),
  message: Schema.optional(Schema.String)
}).annotations({ identifier: "ReadyDetails" })

/** `/readyz` without a token (a kubelet's probe): ready, and nothing about the account or Fivetran. */
export const ReadySummary = Schema.Struct({ status: Schema.Literal("ready") }).annotations({ identifier: "ReadySummary" })

export const Ready = Schema.Union(ReadyDetails, ReadySummary)

/**
 * `/readyz`'s security: none, or the Api's bearer token, which its details need. Documented as
 * needing none, a client generated from the document never sent its token there, and never saw them.
 */
const tokenOptional = [{}, ...Object.keys(Authentication.security).map((scheme) => ({ [scheme]: [] }))]

/** The probes: no token, as a kubelet's probe cannot send one. */
export class HealthGroup extends HttpApiGroup.make("health")
  .add(
    HttpApiEndpoint.get("healthz", "/healthz")
      .addSuccess(Schema.Struct({ status: Schema.Literal("ok") }))
      .annotate(OpenApi.Description, "The process is up. No authentication, like /readyz.")
  )
  .add(
    HttpApiEndpoint.get("readyz", "/readyz")
      .addSuccess(Ready)
      .addError(NotReadyBody)
      .annotate(OpenApi.Transform, (operation) => ({ ...operation, security: tokenOptional }))
      .annotate(
        OpenApi.Description,
        "Ready when Fivetran accepts the configured key: the service's check, GET /v1/account/info, succeeds (one " +
          "check answers for 20 s). While the service waits out Fivetran's rate limit or its reserve (a sync pacing " +
          "itself), the check is not sent: the last successful check answers, or, before any succeeded, any successful " +
          "answer Fivetran gave the service's own requests (a sync's, a provisioning call's), with account_id and " +
          "account_name null and a message saying so. When Fivetran fails on its side (5xx, no answer, a broken " +
          "answer) after the key has worked, ready too, with a message naming the failure. 503 NotReady when Fivetran " +
          "refuses the key, or when it fails or rate-limits before any answer has shown the key to work. No " +
          "authentication needed: without a valid token of the service the answer is only `{\"status\":\"ready\"}` " +
          "(ReadySummary), or 503 with a generic reason (the key refused, Fivetran failing, the rate limit); the " +
          "account, the message and Fivetran's own error need a token (any of --token or --read-token)."
      )
  )
  .annotate(OpenApi.Title, "Health")
{}
