import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { NotReadyBody } from "./Errors.js"

export const Ready = Schema.Struct({
  status: Schema.Literal("ready"),
  account_id: Schema.String,
  account_name: Schema.String
})

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
      .annotate(
        OpenApi.Description,
        "Fivetran answers GET /v1/account/info with the configured key (one check answers for 20 s; during a rate-limit or reserve wait, the last successful one). No authentication."
      )
  )
  .annotate(OpenApi.Title, "Health")
{}
