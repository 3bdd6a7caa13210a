import { FivetranClient } from "@baton-fivetran/fivetran-client"
import { Context, Effect, Layer } from "effect"
import { ResourceTypeRegistry } from "../registry/ResourceTypeRegistry.js"
import { DefaultTeamScanConcurrency } from "./InheritedAccess.js"
import { disabledProvisioner, makeProvisioner } from "./ProvisionerLive.js"
import type { ProvisionerShape } from "./ProvisionerShape.js"
import { registerProvisioningSeries } from "./ProvisioningMetrics.js"

export * from "./OutcomeText.js"
export * from "./ProvisionerShape.js"
export * from "./ProvisioningError.js"
export { sayingWhetherChanged, type SentWrites, withSentWrites } from "./SentWrites.js"

export interface ProvisionerOptions {
  /** baton enables provisioning only when asked (-p/--provisioning); off, every operation is refused. */
  readonly enabled: boolean
  /**
   * Whether syncs run with connections (`--sync-connections`): group resources then carry
   * ChildResourceType{connection}, and returned grants embed them exactly as such a sync would.
   */
  readonly syncConnections?: boolean
  /**
   * How many teams a revoke's scan for the teams still giving the access asks about at once (the
   * apps pass `--concurrency`); default 4.
   */
  readonly concurrency?: number
}

export class Provisioner extends Context.Tag("connector-core/Provisioner")<Provisioner, ProvisionerShape>() {
  /**
   * docs/architecture.md §3 over the Fivetran client, for the types of the registry in use;
   * disabled, it refuses everything without a request.
   */
  static readonly layer = (options: ProvisionerOptions): Layer.Layer<Provisioner, never, FivetranClient> =>
    options.enabled
      ? Layer.effect(
        Provisioner,
        Effect.gen(function*() {
          const client = yield* FivetranClient
          const registry = yield* ResourceTypeRegistry
          yield* registerProvisioningSeries
          return makeProvisioner(client, registry, {
            syncConnections: options.syncConnections ?? false,
            teamScanConcurrency: options.concurrency ?? DefaultTeamScanConcurrency
          })
        })
      )
      : Layer.succeed(Provisioner, disabledProvisioner)
}
