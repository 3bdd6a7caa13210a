import { Schema } from "effect"

/** The c1.connector.v2.Capability values this connector can claim. */
export const Capability = Schema.Literal(
  "CAPABILITY_PROVISION",
  "CAPABILITY_SYNC",
  "CAPABILITY_ACCOUNT_PROVISIONING",
  "CAPABILITY_RESOURCE_DELETE"
)
export type Capability = typeof Capability.Type

/** Enum numbers of c1.connector.v2.Capability, for ordering. */
export const capabilityNumber: Record<Capability, number> = {
  CAPABILITY_PROVISION: 1,
  CAPABILITY_SYNC: 2,
  CAPABILITY_ACCOUNT_PROVISIONING: 5,
  CAPABILITY_RESOURCE_DELETE: 8
}
