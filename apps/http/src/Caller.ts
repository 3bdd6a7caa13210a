/**
 * Who made a request, as its log lines and span name it: `token:<fingerprint>` for a token of
 * `--token`, `read-token:<fingerprint>` for one of `--read-token`. The fingerprint is the first 12
 * hex digits of the token's SHA-256, which an operator computes from the token alone
 * (`printf %s "$TOKEN" | sha256sum | cut -c1-12`): the same after a restart or a reordered list, and
 * never the token. 48 bits tell a handful of tokens apart; a preimage of them is as far from reach as
 * the token itself, for a random token (the README's `openssl rand -base64 24`), while a
 * dictionary word would be guessed from them offline.
 */

export interface Caller {
  /** The flag whose list holds the token. */
  readonly kind: "token" | "read-token"
  readonly fingerprint: string
}

const FingerprintDigits = 12

/** The caller whose token's SHA-256 is `digest`. */
export const callerOfDigest = (kind: Caller["kind"], digest: Buffer): Caller => ({
  kind,
  fingerprint: digest.toString("hex").slice(0, FingerprintDigits)
})

/** The caller as a log annotation's and a span attribute's value. */
export const callerName = (caller: Caller): string => `${caller.kind}:${caller.fingerprint}`
