import { BlockList, isIP } from "node:net"

/**
 * The address a sandbox listens on (`--host`), and what a client uses to reach it: an IP address
 * of this machine (written in a URL by the client's urlHost: IPv6 in brackets).
 */

/** An IP address, IPv6 without brackets: a listen on a name would bind whichever address it resolves to first. */
export const isListenAddress = (host: string): boolean => isIP(host) !== 0

const wildcardIPv4 = new BlockList()
wildcardIPv4.addAddress("0.0.0.0", "ipv4")
const wildcardIPv6 = new BlockList()
wildcardIPv6.addAddress("::", "ipv6")

/**
 * The loopback address by which a client on this machine reaches a listener bound to every address
 * (0.0.0.0, or `::` in any of its forms): `http://0.0.0.0:8080` is no address to send a request to.
 * None for another address, which is reached as it is.
 */
export const wildcardLoopback = (host: string): string | undefined =>
  isIP(host) === 4 && wildcardIPv4.check(host, "ipv4")
    ? "127.0.0.1"
    : isIP(host) === 6 && wildcardIPv6.check(host, "ipv6")
    ? "::1"
    : undefined
