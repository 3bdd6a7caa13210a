import { ConnectorCapabilitiesJson } from "@baton-fivetran/connector-core"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { Authentication } from "./Authentication.js"
import { NotReadyBody } from "./Errors.js"

export const Ready = Schema.Struct({
  status: Schema.Literal("ready"),
  account_id: Schema.String,
  account_name: Schema.String
})

export class ServiceGroup extends HttpApiGroup.make("service")
  .add(
    HttpApiEndpoint.get("readyz", "/readyz")
      .addSuccess(Ready)
      .addError(NotReadyBody)
      .annotate(OpenApi.Description, "Fivetran answers GET /v1/account/info with the configured key.")
  )
  .add(
    HttpApiEndpoint.get("capabilities", "/v1/capabilities")
      .addSuccess(ConnectorCapabilitiesJson)
      .annotate(OpenApi.Description, "Resource types and what the connector can sync and provision for each.")
  )
  .middleware(Authentication)
  .annotate(OpenApi.Title, "Service")
{}
