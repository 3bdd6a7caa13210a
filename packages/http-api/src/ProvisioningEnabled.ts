import { Provisioner } from "@baton-fivetran/connector-core"
import { HttpApiMiddleware } from "@effect/platform"
import { ProvisioningRefusalBody } from "./Errors.js"

/**
 * The provisioning endpoints' gate, after the token check and before the request is decoded: a
 * service started without `--provisioning` refuses with ProvisioningDisabled (403) whatever the
 * body holds, since a caller told to fix a body would only then learn that nothing can be
 * provisioned; otherwise it hands the handlers the Provisioner. The service provides it (apps/http
 * ProvisioningEnabled.ts). Its failure is the group's refusal union, so the document lists each once.
 */
export class ProvisioningEnabled extends HttpApiMiddleware.Tag<ProvisioningEnabled>()("baton-http/ProvisioningEnabled", {
  failure: ProvisioningRefusalBody,
  provides: Provisioner
}) {}
