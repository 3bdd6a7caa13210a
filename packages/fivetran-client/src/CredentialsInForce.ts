import { Effect, Redacted } from "effect"
import type { FivetranCredentials } from "./FivetranClientConfig.js"
import type { Scrub } from "./ResponseErrors.js"
import { base64Forms, secretPattern } from "./SecretPattern.js"
import { looksSwapped } from "./SwappedCredentials.js"

/**
 * The key and secret each request is sent with, read from the config's source as the request is
 * built, and the pairs sent before them. A service that rotates its key swaps the pair while
 * requests are in flight: an error text answering one sent before the swap may echo the previous
 * secret, so masking covers every pair remembered, not only the one in force.
 */

/** A pair as a request is sent with it; `swapped` is all that is kept of its shapes (SwappedCredentials.ts). */
export interface SentCredentials {
  readonly authorization: string
  readonly swapped: boolean
}

interface KnownPair {
  readonly credentials: FivetranCredentials
  readonly sent: SentCredentials
}

/**
 * How many pairs are masked: the one in force and those before it. A request sent before a swap
 * ends within its attempts' timeouts, long before this many more rotations.
 */
const MaskedPairs = 8

const authorizationOf = (credentials: FivetranCredentials) =>
  `Basic ${btoa(`${Redacted.value(credentials.apiKey)}:${Redacted.value(credentials.apiSecret)}`)}`

/** `others`: further credentials to mask (a proxy's user and password). */
export const makeCredentialsInForce = (source: Effect.Effect<FivetranCredentials>, others: ReadonlyArray<string>) =>
  Effect.sync(() => {
    // Newest first. Fivetran answers 2xx only to a key it accepts (401 otherwise), whatever the body holds.
    let known: ReadonlyArray<KnownPair> = []
    let accepted: string | undefined

    /** The pair in force, remembered for masking when it is new (a source gives the same objects until a swap). */
    const current: Effect.Effect<SentCredentials> = Effect.map(source, (credentials) => {
      const latest = known[0]
      if (latest?.credentials === credentials) return latest.sent
      const authorization = authorizationOf(credentials)
      const sent = known.find((pair) => pair.sent.authorization === authorization)?.sent ?? {
        authorization,
        swapped: looksSwapped(Redacted.value(credentials.apiKey), Redacted.value(credentials.apiSecret))
      }
      known = [{ credentials, sent }, ...known.filter((pair) => pair.sent !== sent)].slice(0, MaskedPairs)
      return sent
    })

    // Text from outside (error bodies, socket messages) could echo a credential back, as it is,
    // percent-encoded or base64-encoded, and a schema failure quotes a value JSON-escaped; it is
    // masked before it can reach an error. The secret forms are derived here, at the point of use.
    // Only a text with "%" or "+" can hold a form percent-encoded: any other is masked by plain
    // replacement, without building and running a pattern per form (~6 ms for an error answer).
    const scrub: Scrub = (text) => {
      const plain = [
        ...known.flatMap(({ credentials }) => {
          const [key, secret] = [Redacted.value(credentials.apiKey), Redacted.value(credentials.apiSecret)]
          return [`${key}:${secret}`, key, secret]
        }),
        ...others
      ]
      const forms = [...plain, ...plain.flatMap(base64Forms)]
        .flatMap((form) => [form, JSON.stringify(form).slice(1, -1)])
        .filter((form) => form.length >= 4)
      const encoded = /[%+]/.test(text)
      return forms.reduce(
        (acc, form) => encoded ? acc.replace(secretPattern(form), "<redacted>") : acc.replaceAll(form, "<redacted>"),
        text
      )
    }

    return {
      current,
      scrub,
      /** A 2xx answered a request sent with `sent`. */
      accept: (sent: SentCredentials) => {
        accepted = sent.authorization
      },
      /** Whether a 2xx has answered a request sent with the pair in force. */
      keyAccepted: Effect.map(current, (sent) => sent.authorization === accepted)
    } as const
  })
