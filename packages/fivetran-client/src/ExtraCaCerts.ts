import { Config, Effect, Option } from "effect"
import { readFile } from "node:fs/promises"
import { quotedEchoed } from "./EchoedText.js"
import { errorCodeOf } from "./ErrorCode.js"

/**
 * NODE_EXTRA_CA_CERTS, as the hint of a certificate refused for its issuer tells it. Node reads the
 * file once, as the process starts, and goes on without it when it cannot use it: one missing or
 * unreadable is told in a plain-text warning on stderr (`Warning: Ignoring extra certs from ...`),
 * a directory, an empty file or one with no PEM certificate not at all. "Give its CA certificate in
 * NODE_EXTRA_CA_CERTS" then sent the user to set a variable that was set; the file is looked at
 * instead (at the first failed exchange, once), and the hint says what is wrong with it.
 */
export type ExtraCaCerts =
  | { readonly _tag: "Unset" }
  /** The file holds a PEM certificate: Node read it, and none of it signed the refused certificate. */
  | { readonly _tag: "Read"; readonly path: string }
  | { readonly _tag: "Unusable"; readonly path: string; readonly reason: string }

const pemCertificate = "-----BEGIN CERTIFICATE-----"

/** The file's failure to read, as its error code says it; the code alone for another. */
const unreadable = (code: string): string => {
  switch (code) {
    case "ENOENT":
      return "no such file"
    case "EACCES":
    case "EPERM":
      return `permission denied: this process (uid ${process.getuid?.() ?? "unknown"}) cannot read it`
    case "EISDIR":
      return "it is a directory, not a file"
    default:
      return `it cannot be read (${code})`
  }
}

/** What NODE_EXTRA_CA_CERTS names, and whether Node could have used it; an empty value is unset, as Node reads it. */
export const readExtraCaCerts: Effect.Effect<ExtraCaCerts> = Config.option(Config.string("NODE_EXTRA_CA_CERTS")).pipe(
  Effect.orElseSucceed(Option.none<string>),
  Effect.flatMap(Option.match({
    onNone: () => Effect.succeed<ExtraCaCerts>({ _tag: "Unset" }),
    onSome: (path) =>
      path === ""
        ? Effect.succeed<ExtraCaCerts>({ _tag: "Unset" })
        : Effect.tryPromise(() => readFile(path, "latin1")).pipe(
          Effect.map((text): ExtraCaCerts =>
            text.includes(pemCertificate)
              ? { _tag: "Read", path }
              : { _tag: "Unusable", path, reason: `it holds no PEM certificate (no "${pemCertificate}" line)` }
          ),
          Effect.catchAll((error) =>
            Effect.succeed<ExtraCaCerts>({ _tag: "Unusable", path, reason: unreadable(errorCodeOf(error.error) ?? "unknown error") })
          )
        )
  }))
)

/** What a certificate refused for its issuer adds to its message: where the CA goes, or what is wrong with the file given. */
export const untrustedIssuerHint = (extraCa: ExtraCaCerts): string => {
  switch (extraCa._tag) {
    case "Unset":
      return "; behind a proxy that inspects TLS, give its CA certificate in NODE_EXTRA_CA_CERTS"
    case "Read":
      return `; NODE_EXTRA_CA_CERTS (${quotedEchoed(extraCa.path)}) holds a certificate, but not that of the CA ` +
        "that signed this one: behind a proxy that inspects TLS, give the proxy's CA certificate there"
    case "Unusable":
      return `; NODE_EXTRA_CA_CERTS is set to ${quotedEchoed(extraCa.path)}, but Node could not use it: ${extraCa.reason}; ` +
        "make it a PEM file of the CA certificate that this process can read, and start again (Node reads it only at start)"
  }
}
