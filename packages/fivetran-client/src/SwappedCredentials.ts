/**
 * Whether an API key and secret look given in each other's place. Fivetran's key is 16 letters and
 * digits and its secret 32 (its docs' example: key `d9c4511349dd4b86`, secret
 * `1f6f2d161365888a1943160ccdb8d968`); the embedded sandbox's key is `sandbox_key_` and 16 hex
 * digits. A key of the secret's shape given with a secret of a key's is a pair swapped (a first
 * run's paste into the wrong variable): Fivetran's 401 says only that it refused them, and "check
 * the key and secret" left a user comparing two values that each looked right. Only the shapes are
 * read, and only this yes or no leaves here: never either value.
 */

const keyShape = /^(?:[A-Za-z0-9]{16}|sandbox_key_[0-9a-f]{16})$/

const secretShape = /^[A-Za-z0-9]{32}$/

export const looksSwapped = (apiKey: string, apiSecret: string): boolean => secretShape.test(apiKey) && keyShape.test(apiSecret)

const swappedHint = "the key given has a secret's shape and the secret a key's: they look swapped"

/**
 * What a 401's message puts before "check the key and secret": the hint and its separator when the
 * key and secret look swapped, else nothing. One place for the client's error and the sync's.
 */
export const swappedHintPrefix = (swapped: boolean | undefined): string => swapped === true ? `${swappedHint}; ` : ""
