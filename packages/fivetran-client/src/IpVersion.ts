import { isIPv4, isIPv6 } from "node:net"

/**
 * 4 or 6 for an IP address (without brackets), 0 for anything else: what `net.isIP` answers, but
 * only a text with ":" is given to `isIPv6`, which compiles a large pattern on its first call (~7 ms
 * of a start: the client's proxy choice for api.fivetran.com, the HTTP service's Host policy). No
 * IPv6 address lacks a colon, and no IPv4 address or name has one.
 */
export const ipVersion = (text: string): 0 | 4 | 6 => text.includes(":") ? (isIPv6(text) ? 6 : 0) : isIPv4(text) ? 4 : 0
