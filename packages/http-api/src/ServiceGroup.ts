import { ConnectorCapabilitiesJson } from "@baton-fivetran/connector-core"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Authentication } from "./Authentication.js"

export class ServiceGroup extends HttpApiGroup.make("service")
  .add(
    HttpApiEndpoint.get("capabilities", "/v1/capabilities")
      .addSuccess(ConnectorCapabilitiesJson)
      .annotate(OpenApi.Description, "Resource types and what the connector can sync and provision for each.")
  )
  .middleware(Authentication)
  .annotate(OpenApi.Title, "Service")
{}
