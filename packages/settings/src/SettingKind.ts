import { echoed, quotedEchoed } from "@baton-fivetran/fivetran-client/echoed-text"
import { parseWaitDuration } from "@baton-fivetran/fivetran-client/WaitDuration"
import { Config, ConfigError, Either, Option, Redacted, Schema } from "effect"

/**
 * What a setting accepts, and how one raw value of it is read: the same Config for a flag's text,
 * a variable and a `.baton.yaml` value, so a value is checked the same way wherever it comes from.
 * An empty value never reaches a kind: the resolution (Resolve.ts) takes an empty variable as unset
 * and refuses an empty flag or file value.
 */
export interface SettingKind<A> {
  /** Help's description of the accepted values, e.g. "a whole number from 1 to 64". */
  readonly accepts: string
  /** The placeholder in usage lines, e.g. `--concurrency n`. */
  readonly pseudoName: string
  /** A switch (`--provisioning`), a value (`--port 8080`) or a repeatable value (`--token a --token b`). */
  readonly flag: "switch" | "value" | "repeated"
  readonly config: (key: string) => Config.Config<A>
  /** Never printed, logged or echoed in an error; kept Redacted. */
  readonly secret: boolean
  /** The field type of the connector's configuration manifest (ConfigurationSchema.ts). */
  readonly field: FieldType
}

export type FieldType =
  | { readonly _tag: "String" }
  | { readonly _tag: "Int"; readonly minimum: number; readonly maximum: number }
  | { readonly _tag: "Bool" }
  | { readonly _tag: "StringList" }

const invalid = (message: string) => Either.left(ConfigError.InvalidData([], message))

/**
 * Plain decimal digits, nothing else: Config.integer takes JavaScript's Number(), which read "" and
 * " " as 0, "0x10" as 16 and "1e1" or "8.0" as whole numbers.
 */
const wholeNumber = (minimum: number, maximum: number) =>
  Schema.String.pipe(
    Schema.pattern(/^[0-9]+$/),
    Schema.compose(Schema.NumberFromString),
    Schema.between(minimum, maximum)
  )

export const integer = (minimum: number, maximum: number, pseudoName = "n"): SettingKind<number> => {
  const decode = Schema.decodeEither(wholeNumber(minimum, maximum))
  return {
    accepts: `a whole number from ${minimum} to ${maximum}`,
    pseudoName,
    flag: "value",
    secret: false,
    field: { _tag: "Int", minimum, maximum },
    config: (key) =>
      Config.string(key).pipe(
        Config.mapOrFail((text) =>
          Either.mapLeft(
            decode(text),
            () => ConfigError.InvalidData([], `expected a whole number from ${minimum} to ${maximum}, got ${quotedEchoed(text)}`)
          )
        )
      )
  }
}

/**
 * Milliseconds, written as people do: `90s`, `10m`, `1h30m` (fivetran-client's WaitDuration). A
 * number without a unit is refused, as Go's durations refuse it: WaitDuration reads `10` as 10
 * seconds, where someone who meant minutes or hours got a wait far shorter, and no error.
 */
export const duration: SettingKind<number> = {
  accepts: "a duration with a unit, such as 90s, 10m, 6h or 1h30m",
  pseudoName: "duration",
  flag: "value",
  secret: false,
  field: { _tag: "String" },
  config: (key) => Config.string(key).pipe(Config.mapOrFail(readDuration))
}

function readDuration(text: string) {
  return /^\d+$/.test(text.trim())
    ? invalid(`expected a duration with a unit, such as 90s, 10m, 1h or 1h30m, got ${quotedEchoed(text)}`)
    : Option.match(parseWaitDuration(text), {
      onNone: () => invalid(`expected a duration such as 1h, 10m, 90s or 1h30m, got ${quotedEchoed(text)}`),
      onSome: (millis) => Either.right(millis)
    })
}

/**
 * A duration of at least `minimum` (e.g. `1m`, in the same notation): a schedule's `5ms`, meant as
 * `5m`, ran a sync after every sync and spent the account's rate-limit budget.
 */
export const durationAtLeast = (minimum: string): SettingKind<number> => {
  const floor = Option.getOrThrow(parseWaitDuration(minimum))
  return {
    ...duration,
    accepts: `a duration of at least ${minimum}, with a unit, such as 10m, 6h or 1h30m`,
    config: (key) =>
      Config.string(key).pipe(
        Config.mapOrFail((text) =>
          Either.flatMap(
            readDuration(text),
            (millis) =>
              millis >= floor ? Either.right(millis) : invalid(`expected a duration of at least ${minimum}, got ${quotedEchoed(text)}`)
          )
        )
      )
  }
}

/**
 * A duration from `minimum` to `maximum` (in the same notation, e.g. `1s` and `10m`). Anything else
 * (`0s`, `-1s`, `abc`, a bare `10`) is refused with the range and the unit it takes: a timeout of 0
 * or of days is no timeout anyone meant.
 */
export const durationBetween = (minimum: string, maximum: string, examples: string): SettingKind<number> => {
  const floor = Option.getOrThrow(parseWaitDuration(minimum))
  const ceiling = Option.getOrThrow(parseWaitDuration(maximum))
  const accepts = `a duration from ${minimum} to ${maximum}, with a unit, such as ${examples}`
  return {
    ...duration,
    accepts,
    config: (key) =>
      Config.string(key).pipe(
        Config.mapOrFail((text) =>
          Option.match(Option.filter(parseWaitDuration(text), (millis) => millis >= floor && millis <= ceiling), {
            onNone: () => invalid(`expected ${accepts}, got ${quotedEchoed(text)}`),
            onSome: (millis) => Either.right(millis)
          })
        )
      )
  }
}

/**
 * One of a few words, exactly. Config.literal's refusal ("Expected one of (debug, info, warn, error)
 * but received ...") read unlike every other setting's.
 */
export const choice = <const C extends ReadonlyArray<string>>(choices: C): SettingKind<C[number]> => {
  const accepts = `one of ${choices.join(", ")}`
  const isChoice = (text: string): text is C[number] => choices.includes(text)
  return {
    accepts,
    pseudoName: choices.join("|"),
    flag: "value",
    secret: false,
    field: { _tag: "String" },
    config: (key) =>
      Config.string(key).pipe(
        Config.mapOrFail((text) => isChoice(text) ? Either.right(text) : invalid(`expected ${accepts}, got ${quotedEchoed(text)}`))
      )
  }
}

export const path = (what: "file" | "directory"): SettingKind<string> => ({
  accepts: `the path of a ${what}`,
  pseudoName: "path",
  flag: "value",
  secret: false,
  field: { _tag: "String" },
  config: (key) => Config.string(key)
})

export const text = (accepts: string, pseudoName: string): SettingKind<string> => ({
  accepts,
  pseudoName,
  flag: "value",
  secret: false,
  field: { _tag: "String" },
  config: (key) => Config.string(key)
})

/**
 * Exactly the spellings of Go's strconv.ParseBool, which baton's CLIs (cobra, viper) read booleans
 * with: Effect's Config.boolean refused `TRUE` and `t` and took `yes`, `on` and `y`, which baton
 * does not.
 */
const TrueWords = ["1", "t", "T", "TRUE", "true", "True"] as const
const FalseWords = ["0", "f", "F", "FALSE", "false", "False"] as const

export const BooleanWords: ReadonlyArray<string> = [...TrueWords, ...FalseWords]

const BooleanText = Schema.transform(Schema.Literal(...TrueWords, ...FalseWords), Schema.Boolean, {
  strict: true,
  decode: (word) => (TrueWords as ReadonlyArray<string>).includes(word),
  encode: (on) => on ? "true" : "false"
})

const decodeBoolean = Schema.decodeUnknownEither(BooleanText)

export const boolean: SettingKind<boolean> = {
  accepts: `no value as a flag (on when given), or true or false (${BooleanWords.join(", ")})`,
  pseudoName: "",
  flag: "switch",
  secret: false,
  field: { _tag: "Bool" },
  config: (key) =>
    Config.string(key).pipe(
      Config.mapOrFail((text) =>
        Either.mapLeft(
          decodeBoolean(text),
          () => ConfigError.InvalidData([], `expected true or false (${BooleanWords.join(", ")}), got ${quotedEchoed(text)}`)
        )
      )
    )
}

/**
 * Why `text` is no base URL a client can send to, as a refusal says it; none when it is one. A value
 * without `://` (`api.fivetran.com`, `localhost:8080`) is named as lacking its scheme: "expected an
 * http(s) URL" alone did not say what was wrong with it. A user or password in it, or a query, is
 * refused unquoted (either may hold a credential) and said: the client sent neither, so a gateway
 * wanting them met requests without them.
 */
/**
 * A URL's text as a refusal may quote it: what comes before an `@` (after the scheme) and a query or
 * fragment may hold a password or a key, and are shown as `…`. For a URL refused before the parse
 * that finds its user, password and query: `ftp://user:pass@host` was quoted whole.
 */
const shownUrl = (text: string) => {
  const schemeEnd = text.indexOf("://")
  const start = schemeEnd === -1 ? 0 : schemeEnd + 3
  const at = text.lastIndexOf("@")
  const afterUser = at >= start ? text.slice(at + 1) : text.slice(start)
  const cut = afterUser.search(/[?#]/)
  /** The host and path, without what may be secret. */
  const address = cut === -1 ? afterUser : afterUser.slice(0, cut)
  const shown = `${text.slice(0, start)}${at >= start ? "…@" : ""}${address}${cut === -1 ? "" : `${afterUser[cut]}…`}`
  return { shown, address, hidden: shown !== text }
}

const baseUrlProblem = (text: string, example: string): Option.Option<string> => {
  const expected = `expected an http(s) URL such as ${example}`
  const { address, hidden, shown } = shownUrl(text)
  const notShown = hidden ? " (a user, password or query in it not shown)" : ""
  if (!text.includes("://")) {
    return Option.some(`${expected}, got ${quotedEchoed(shown)} (no scheme: write https://${echoed(address)})${notShown}`)
  }
  if (!URL.canParse(text) || !/^https?:$/.test(new URL(text).protocol)) {
    return Option.some(`${expected}, got ${quotedEchoed(shown)}${notShown}`)
  }
  const url = new URL(text)
  if (url.username !== "" || url.password !== "") {
    return Option.some(`${expected}, without a user or password in it (not shown): the API key and secret are their own settings`)
  }
  if (url.search !== "" || url.hash !== "") {
    return Option.some(`${expected}, without a query or fragment (not shown): requests go to paths under it`)
  }
  return Option.none()
}

/**
 * The base URL of an API whose every path starts with `versionPath` (`/v1`), which the client adds:
 * kept without trailing slashes, and without `versionPath` at its end, as the API's own documents
 * write the URL (`https://api.fivetran.com/v1`): taken whole, it sent `GET /v1/v1/roles`, a 404.
 */
export const baseUrl = (example: string, versionPath: string): SettingKind<string> => ({
  accepts: `an http(s) URL such as ${example}`,
  pseudoName: "url",
  flag: "value",
  secret: false,
  field: { _tag: "String" },
  config: (key) =>
    Config.string(key).pipe(
      Config.mapOrFail((text) =>
        Option.match(baseUrlProblem(text, example), {
          onNone: () => Either.right(withoutVersion(text.replace(/\/+$/, ""), versionPath).replace(/\/+$/, "")),
          onSome: invalid
        })
      )
    )
})

const withoutVersion = (url: string, versionPath: string): string => url.endsWith(versionPath) ? url.slice(0, -versionPath.length) : url

/**
 * Text that is never printed: kept Redacted from the moment it is read. Printable ASCII only, as
 * Fivetran's keys and secrets are: a character beyond Latin-1 (a pasted `Ω`, a smart quote) failed
 * the first request with "Invalid character" (HTTP Basic's base64 takes bytes), exit 1, naming
 * neither the setting nor the fix. The refusal names no character: it would give part of the secret away.
 */
export const secret = (pseudoName: string): SettingKind<Redacted.Redacted<string>> => ({
  accepts: "secret text (never printed)",
  pseudoName,
  flag: "value",
  secret: true,
  field: { _tag: "String" },
  config: (key) =>
    Config.redacted(Config.string(key)).pipe(
      Config.validate({
        // A file's last line end: a Kubernetes secret made from a file `echo` wrote, or a YAML `|`
        // block. Told apart from other control characters, since the fix is where it was written.
        message: "expected secret text (never printed) without a line break at its end: it has one (a file's last " +
          "newline: a Kubernetes secret made from a file written by echo, or a YAML | block; write it with printf, " +
          "or use |-)",
        validation: (text) => !/^[\x20-\x7e]+[\r\n]+$/.test(Redacted.value(text))
      }),
      Config.validate({
        message: "expected secret text (never printed) of printable ASCII characters, as Fivetran's keys and secrets " +
          "are; it holds another character (a control character, or one pasted from a document?)",
        validation: (text) => /^[\x20-\x7e]*$/.test(Redacted.value(text))
      }),
      Config.validate({
        // Fivetran's keys and secrets hold no spaces; one at an edge came with the copy, and Fivetran
        // answered a bare 401 that named neither the setting nor the space.
        message: "expected secret text (never printed) without a space at its start or end (copied with the space " +
          "around it?): Fivetran's keys and secrets have none",
        validation: (text) => !/^ | $/.test(Redacted.value(text))
      })
    )
})

/**
 * Whether an API key is in fact the key and its secret together: `key:secret`, or its base64 as an
 * `Authorization: Basic` header carries it (with or without `Basic `). HTTP Basic ends the user at its
 * first `:` (RFC 7617), so no such key ever authenticates; Fivetran answered a 401 that said nothing of it.
 */
const joinsKeyAndSecret = (key: string): boolean => {
  if (key.includes(":")) return true
  const encoded = key.replace(/^basic\s+/i, "")
  if (!/^[A-Za-z0-9+/]{4,}={0,2}$/.test(encoded) || encoded.length % 4 !== 0) return false
  // Words of 8 or more on each side, as keys and secrets are: a real key's random bytes, decoded,
  // all but never make that (a 16-character key cannot: its 12 bytes hold no 17 characters).
  return /^[\w-]{8,}:[\w-]{8,}$/.test(Buffer.from(encoded, "base64").toString("latin1"))
}

/** An API key: secret text, which must be the key alone (`joinsKeyAndSecret`). */
export const apiKey: SettingKind<Redacted.Redacted<string>> = {
  ...secret("key"),
  config: (key) =>
    secret("key").config(key).pipe(
      Config.validate({
        message: "expected the API key alone (never printed), got the key and its secret together (key:secret, or " +
          "its base64 from an Authorization: Basic header): give the key to api-key and the secret to api-secret",
        validation: (text) => !joinsKeyAndSecret(Redacted.value(text))
      })
    )
}

/** The least a secret list takes, and how to make a value that long, for its refusal. */
export interface SecretMinimum {
  readonly length: number
  /** E.g. "make one with `openssl rand -base64 24`". */
  readonly howToMake: string
}

/**
 * Several secrets: a repeated flag, a comma-separated variable, or a YAML list (or comma-separated
 * string); blanks are dropped, and none at all counts as missing. With a minimum, a shorter one is
 * refused by its place in the list, never its value.
 */
export const secretList = (
  pseudoName: string,
  minimum?: SecretMinimum
): SettingKind<ReadonlyArray<Redacted.Redacted<string>>> => ({
  accepts: `secret text${
    minimum === undefined ? "" : ` of at least ${minimum.length} characters`
  } (never printed); repeat the flag, or separate with commas`,
  pseudoName,
  flag: "repeated",
  secret: true,
  field: { _tag: "StringList" },
  config: (key) =>
    Config.array(Config.string(), key).pipe(
      Config.mapOrFail((values) => {
        const list = values.flatMap((value) => value.split(",")).map((value) => value.trim()).filter((v) => v !== "")
        if (list.length === 0) return Either.left(ConfigError.MissingData([], "empty"))
        const short = minimum === undefined ? -1 : list.findIndex((value) => Array.from(value).length < minimum.length)
        if (minimum !== undefined && short !== -1) {
          const which = list.length === 1 ? `the ${pseudoName}` : `${pseudoName} ${short + 1} of ${list.length}`
          return invalid(`${which} is shorter than ${minimum.length} characters; ${minimum.howToMake}`)
        }
        return Either.right(list.map((value) => Redacted.make(value)))
      })
    )
})
