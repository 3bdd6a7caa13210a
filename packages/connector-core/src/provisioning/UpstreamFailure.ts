import type { FivetranError } from "@baton-fivetran/fivetran-client"
import { Conflict, MissingPermission, NotFound, Upstream } from "./ProvisioningError.js"

/**
 * A client failure during `action` (e.g. "grant group:G:View Destination to user:U"): a 403 names
 * the key permission to add, a 409 is Fivetran's refusal in the account's current state, anything
 * else carries the client's message (which holds no secrets).
 */
export const upstreamFailure = (action: string) => (error: FivetranError): MissingPermission | NotFound | Conflict | Upstream => {
  const message = `cannot ${action}: ${error.message}`
  switch (error._tag) {
    case "Forbidden":
      return new MissingPermission({ message })
    case "NotFound":
      return new NotFound({ message })
    case "Conflict":
      return new Conflict({ message })
    default:
      return new Upstream({ message })
  }
}
