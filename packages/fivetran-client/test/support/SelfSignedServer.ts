import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { createServer } from "node:https"
import { fileURLToPath } from "node:url"
import { listenOnLoopback } from "./LoopbackServer.js"

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url))

/**
 * The certificate of `startSelfSignedServer` (test/fixtures, valid until 2126): CA:TRUE, for
 * 127.0.0.1, so it is also the CA to trust it by (NODE_EXTRA_CA_CERTS), as a proxy's private CA is.
 */
export const selfSignedCertFile = fixture("self-signed.cert.pem")

/**
 * An HTTPS server on 127.0.0.1 with a self-signed certificate, as a proxy that inspects TLS presents
 * one signed by its own CA; answers `{}` to every request, and counts the connections made to it.
 */
export const startSelfSignedServer = Effect.gen(function*() {
  let connections = 0
  const node = createServer(
    { key: readFileSync(fixture("self-signed.key.pem")), cert: readFileSync(selfSignedCertFile) },
    (_request, response) => {
      response.writeHead(200, { "content-type": "application/json" })
      response.end("{}")
    }
  )
  node.on("connection", () => connections++)
  const port = yield* listenOnLoopback(node)
  return { baseUrl: `https://127.0.0.1:${port}`, connections: Effect.sync(() => connections) } as const
})
