/**
 * How long the service keeps an idle keep-alive connection for the client's next request
 * (`--keep-alive-timeout`). Node's 5 s is shorter than the idle timeout of every common proxy in
 * front (AWS ALB 60 s, nginx upstream keepalive 60 s, GCP 600 s): the service closed a connection as
 * the proxy sent the next request on it, and the proxy answered its client 502. A request that reaches
 * the service just as it closes the connection, before it has read it, is reset (ECONNRESET), which a
 * loaded client's pool, whose own idle close is late, met too. The backend must outlast the proxy.
 *
 * Node 20 advertises `Keep-Alive: timeout=<whole seconds>` and closes the connection 1 s after it. Its
 * head and request limits (ClientErrors.ts requestArrival) count from a request's first byte, not
 * from the idle wait before it, so a long keep-alive does not shorten them.
 */
export const DefaultKeepAliveMillis = 65_000

/** The Node server options that set it. */
export const idleConnections = (keepAliveMillis: number) => ({ keepAliveTimeout: keepAliveMillis })
