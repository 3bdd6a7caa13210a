import { Effect } from "effect"
import { withConsoleText } from "./ConsoleText.js"
import { isLoopback } from "./EgressProxy.js"

/**
 * An http: base URL of another machine sends the API key and secret (HTTP Basic: base64, not
 * encrypted) across the network with every request; Fivetran's own http: address answers with a
 * redirect, after they went out. Warned as the client is made, not refused: a gateway inside the
 * network (a service mesh's egress, which adds TLS) may be reached so on purpose. Loopback (the
 * sandbox) is not warned of: its traffic never leaves the machine.
 */
export const warnOfPlainHttp = (baseUrl: string): Effect.Effect<void> => {
  if (!URL.canParse(baseUrl)) return Effect.void
  const url = new URL(baseUrl)
  return url.protocol !== "http:" || isLoopback(url.hostname)
    ? Effect.void
    : Effect.logWarning("the base URL is plain http: to another machine: every request carries the API key and secret unencrypted").pipe(
      Effect.annotateLogs({ base_url: url.origin }),
      withConsoleText(
        `the base URL ${url.origin} is plain http: to another machine: every request carries the API key and secret ` +
          "unencrypted; use https:// (Fivetran's API is https://api.fivetran.com) unless it is a gateway inside your network",
        ["base_url"]
      )
    )
}
