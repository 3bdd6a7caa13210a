/**
 * A host as a URL writes it: an IPv6 address in brackets (`[::1]`), anything else as it is. Only an
 * IPv6 address has a colon (a port is not part of `host`). What the sandbox and the HTTP service
 * print as the URL they listen on.
 */
export const urlHost = (host: string): string => host.includes(":") ? `[${host}]` : host
