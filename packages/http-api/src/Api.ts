import { Version } from "@baton-fivetran/fivetran-client/version"
import { HttpApi, OpenApi } from "@effect/platform"
import { flow } from "effect"
import { withoutPlatformDecodeError } from "./ErrorBody.js"
import { withErrorResponseDescriptions } from "./ErrorDescriptions.js"
import {
  ChunkExtensionsTooLargeBody,
  HeaderTooLargeBody,
  InternalErrorBody,
  InvalidRequestBody,
  MisdirectedRequestBody,
  NotFoundBody,
  PayloadTooLargeBody,
  RequestTimeoutBody,
  ServiceStoppingBody,
  UnsupportedMediaTypeBody
} from "./Errors.js"
import { HealthGroup } from "./HealthGroup.js"
import { ProvisioningGroup } from "./ProvisioningGroup.js"
import { QueriesGroup } from "./QueriesGroup.js"
import { withResponseHeaders } from "./ResponseHeaders.js"
import { ReviewGroup } from "./ReviewGroup.js"
import { withoutEffectSchemaIds } from "./SchemaIds.js"
import { ServiceGroup } from "./ServiceGroup.js"
import { SyncsGroup } from "./SyncsGroup.js"

/**
 * The HTTP contract of the service: every group, and the errors any endpoint may answer with. The
 * server implements it (apps/http Http.ts), a workspace app derives a typed client from it with
 * `HttpApiClient.make(BatonApi, { baseUrl })`, and the OpenAPI document is generated from it.
 */
export class BatonApi extends HttpApi.make("baton-fivetran")
  .add(HealthGroup)
  .add(ServiceGroup)
  .add(SyncsGroup)
  .add(QueriesGroup)
  .add(ProvisioningGroup)
  .add(ReviewGroup)
  .addError(InvalidRequestBody)
  .addError(PayloadTooLargeBody)
  .addError(UnsupportedMediaTypeBody)
  .addError(NotFoundBody)
  .addError(MisdirectedRequestBody)
  .addError(InternalErrorBody)
  .addError(HeaderTooLargeBody)
  .addError(ChunkExtensionsTooLargeBody)
  .addError(RequestTimeoutBody)
  .addError(ServiceStoppingBody)
  .annotate(OpenApi.Title, "baton-fivetran")
  .annotate(OpenApi.Version, Version)
  .annotate(
    OpenApi.Transform,
    flow(withoutPlatformDecodeError, withoutEffectSchemaIds, withErrorResponseDescriptions, withResponseHeaders)
  )
  .annotate(
    OpenApi.Description,
    "Fivetran identity governance in the ConductorOne baton model: sync jobs producing .c1z files, queries over the latest sync, and provisioning."
  )
{}
