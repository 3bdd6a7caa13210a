import { Provisioner, ProvisioningDisabled } from "@baton-fivetran/connector-core"
import { ProvisioningEnabled } from "@baton-fivetran/http-api"
import { Effect, Layer, Option } from "effect"

/**
 * The provisioning endpoints' gate (http-api's ProvisioningEnabled): without `--provisioning`
 * every request to them is refused after the token check, before its body is decoded (and the
 * body checks leave it unread: Http.ts), so the answer says how to enable provisioning whatever
 * the body holds. With it, the handlers get the Provisioner.
 */
export const ProvisioningEnabledLive = (enabled: boolean) =>
  Layer.effect(
    ProvisioningEnabled,
    Effect.gen(function*() {
      if (!enabled) {
        return Effect.fail(
          new ProvisioningDisabled({
            message: "provisioning is disabled; start the service with --provisioning (or BATON_PROVISIONING=true) to enable it"
          })
        )
      }
      const provisioner = yield* Effect.serviceOption(Provisioner)
      if (Option.isNone(provisioner)) {
        return yield* Effect.dieMessage("provisioning is enabled but no Provisioner layer was provided")
      }
      return Effect.succeed(provisioner.value)
    })
  )
