import { Config, Effect, Option } from "effect"
import { constants } from "node:fs"
import { open } from "node:fs/promises"
import { quotedEchoed } from "./EchoedText.js"
import { errorCodeOf } from "./ErrorCode.js"
import { fileKindOf } from "./FileKind.js"

/**
 * NODE_EXTRA_CA_CERTS, as the hint of a certificate refused for its issuer tells it. Node reads the
 * file once, as the process starts, and goes on without it when it cannot use it: one missing or
 * unreadable is told in a plain-text warning on stderr (`Warning: Ignoring extra certs from ...`),
 * a directory, an empty file or one with no PEM certificate not at all. "Give its CA certificate in
 * NODE_EXTRA_CA_CERTS" then sent the user to set a variable that was set; the file is looked at
 * instead (at the first failed exchange, once), and the hint says what is wrong with it.
 *
 * It is read only when it is a regular file of at most LargestBundle bytes, and never past that:
 * read whole, a named pipe waited for a writer (the hint, and the failed request, never came) and
 * /dev/zero filled memory. (settings' BoundedFile cannot serve here: settings depends on this package.)
 */
export type ExtraCaCerts =
  | { readonly _tag: "Unset" }
  /** The file holds a PEM certificate: Node read it, and none of it signed the refused certificate. */
  | { readonly _tag: "Read"; readonly path: string }
  | { readonly _tag: "Unusable"; readonly path: string; readonly reason: string }
  /** Not a regular file, or larger than any CA bundle: not read, so what Node made of it is unknown. */
  | { readonly _tag: "NotRead"; readonly path: string; readonly reason: string }

const pemCertificate = "-----BEGIN CERTIFICATE-----"

/** Far above any CA bundle (Mozilla's, every public CA, is about 220 KB). */
const LargestBundle = 8 * 1024 * 1024

/** Bytes asked of one read. */
const chunkSize = 64 * 1024

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

/**
 * The file at `path` looked at: opened without waiting for a pipe's writer (O_NONBLOCK), read only
 * when a regular file within LargestBundle, and then at most one byte past it (a file still growing).
 */
const lookAt = async (path: string): Promise<ExtraCaCerts> => {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK)
  try {
    const info = await handle.stat()
    // Node cannot read a directory as a file: as a failed read says it (EISDIR, where open refuses one).
    if (info.isDirectory()) return { _tag: "Unusable", path, reason: unreadable("EISDIR") }
    if (!info.isFile()) return { _tag: "NotRead", path, reason: `it is ${fileKindOf(info)}, not a regular file` }
    const tooLarge: ExtraCaCerts = {
      _tag: "NotRead",
      path,
      reason: `it is larger than any CA bundle (over ${LargestBundle} bytes)`
    }
    if (info.size > LargestBundle) return tooLarge
    const chunks: Array<Buffer> = []
    let total = 0
    while (total <= LargestBundle) {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(Math.min(chunkSize, LargestBundle + 1 - total)))
      if (bytesRead === 0) break
      chunks.push(buffer.subarray(0, bytesRead))
      total += bytesRead
    }
    if (total > LargestBundle) return tooLarge
    return Buffer.concat(chunks).toString("latin1").includes(pemCertificate)
      ? { _tag: "Read", path }
      : { _tag: "Unusable", path, reason: `it holds no PEM certificate (no "${pemCertificate}" line)` }
  } finally {
    await handle.close()
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
        : Effect.tryPromise(() => lookAt(path)).pipe(
          Effect.catchAll((error) =>
            Effect.succeed<ExtraCaCerts>({ _tag: "Unusable", path, reason: unreadable(errorCodeOf(error.error) ?? "unknown error") })
          )
        )
  }))
)

/** The remedy for a file Node could not use, or that is not read here. */
const makeItUsable = "make it a PEM file of the CA certificate that this process can read, and start again (Node reads it only at start)"

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
        makeItUsable
    case "NotRead":
      return `; NODE_EXTRA_CA_CERTS is set to ${quotedEchoed(extraCa.path)}, which is not read here: ${extraCa.reason}; ` +
        makeItUsable
  }
}
