import { Option } from "effect"
import type { ServedSandbox } from "./SandboxServe.js"
import type { Credential } from "./state/AccountSnapshot.js"
import { faultLines, rateLimitText, type Traffic } from "./TrafficFlags.js"

/** `fivetran-sandbox`'s banner: its base URL, the traffic it shapes, the account and every credential it accepts. */

const describe = (credential: Credential) =>
  credential._tag === "UserKey"
    ? `user key    ${credential.key}:${credential.secret}  (acts as user ${credential.user_id})`
    : `system key  ${credential.key}:${credential.secret}  (${credential.system_key_id}; ${
      credential.permissions.map((p) => `${p.resource_type}:${p.access_level}`).join(", ")
    })`

export const sandboxBanner = (traffic: Traffic) => ({ baseUrl, snapshot }: ServedSandbox): ReadonlyArray<string> => {
  const faults = faultLines(traffic.faults)
  return [
    `Fivetran sandbox listening on ${baseUrl}`,
    ...(faults.length === 0 ? [] : ["Faults:", ...faults.map((line) => `  ${line}`)]),
    ...Option.toArray(rateLimitText(traffic.rateLimit)).map((text) => `Rate limit: ${text}`),
    `Account ${snapshot.account.account_name} (${snapshot.account.account_id}): ${snapshot.users.length} users, ` +
    `${snapshot.groups.length} groups, ${snapshot.teams.length} teams, ${snapshot.connections.length} connections`,
    "Accepted credentials (HTTP Basic key:secret; sandbox-only, not real Fivetran keys):",
    ...snapshot.credentials.map((credential) => `  ${describe(credential)}`)
  ]
}
