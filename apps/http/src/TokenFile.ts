import { quoted } from "@baton-fivetran/http-api"
import { FileRefused, readReloadedFile, type Sourced } from "@baton-fivetran/settings"
import { Effect, Redacted } from "effect"
import { tokenProblem } from "./Settings.js"

/**
 * A file of bearer tokens (`--token-file`, `--read-token-file`): one a line, surrounding spaces
 * trimmed; blank lines and lines starting with `#` are ignored, so an operator can note who holds
 * which (a note is never taken for a token: "# rotated in May by ops" is long enough to pass as
 * one). Each token passes --token's rules, refused with its words, by the line it is on, never its value.
 */

/** The most a token file may hold: thousands of tokens; a path pointed at a log by mistake is refused, not read whole. */
export const TokenFileLimit = 64 * 1024

/** A token file as the service watches it: which list it fills, and how messages name it. */
export interface WatchedTokenFile {
  readonly list: "token" | "read-token"
  readonly path: string
  /** The setting and the path, as refusals and log lines name the file: `--token-file "/etc/baton/tokens"`. */
  readonly name: string
}

/** A token file's tokens, and its content's SHA-256 (what a later read is compared with). */
export interface TokenFileContent {
  readonly seen: string
  readonly tokens: ReadonlyArray<Redacted.Redacted<string>>
}

export const watchedTokenFile = (list: WatchedTokenFile["list"], setting: Sourced<string>): WatchedTokenFile => ({
  list,
  path: setting.value,
  name: `${setting.source} ${quoted(setting.value)}`
})

const tokensOf = (file: WatchedTokenFile, seen: string, text: string) => {
  const lines = text.split("\n").map((line, index) => ({ number: index + 1, token: line.trim() }))
    .filter(({ token }) => token !== "" && !token.startsWith("#"))
  if (lines.length === 0) {
    return Effect.fail(
      new FileRefused({
        seen,
        reason: `${file.name} holds no token: write one a line (blank lines and lines starting with # are ignored)`
      })
    )
  }
  for (const { number, token } of lines) {
    const problem = tokenProblem(token)
    if (problem !== undefined) {
      return Effect.fail(new FileRefused({ seen, reason: `${file.name}: the token on line ${number} ${problem}` }))
    }
  }
  return Effect.succeed<TokenFileContent>({ seen, tokens: lines.map(({ token }) => Redacted.make(token)) })
}

/** The file's tokens (settings' ReloadedFile.ts). */
export const readTokenFile = (file: WatchedTokenFile) =>
  Effect.flatMap(
    readReloadedFile(file.path, file.name, TokenFileLimit, { holding: "a file of tokens", limitFor: "a token file" }),
    ({ seen, text }) => tokensOf(file, seen, text)
  )
