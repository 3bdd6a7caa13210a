import type { IncomingMessage } from "node:http"

/**
 * How many fields named `name` (lower-case) the request's head has. Node's `headers` keeps only
 * the first of a repeated Host or Authorization, so a second one is seen only here.
 */
export const headerFieldCount = (incoming: IncomingMessage, name: string): number =>
  incoming.rawHeaders.filter((item, index) => index % 2 === 0 && item.toLowerCase() === name).length
