import { errorCodeOf } from "@baton-fivetran/fivetran-client"
import { quoted } from "@baton-fivetran/http-api"
import { fileKindName, readTextWithin, type Sourced } from "@baton-fivetran/settings"
import { FileSystem } from "@effect/platform"
import { createHash } from "node:crypto"
import { Data, Effect, Redacted } from "effect"
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

/** A token file that cannot serve, and why (naming the file and a line, never a token). */
export class TokenFileRefused extends Data.TaggedError("TokenFileRefused")<{
  /** The content refused (its SHA-256), or the failure to read it: the same refusal is reported once. */
  readonly seen: string
  readonly reason: string
}> {
  override get message() {
    return this.reason
  }
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
      new TokenFileRefused({
        seen,
        reason: `${file.name} holds no token: write one a line (blank lines and lines starting with # are ignored)`
      })
    )
  }
  for (const { number, token } of lines) {
    const problem = tokenProblem(token)
    if (problem !== undefined) {
      return Effect.fail(new TokenFileRefused({ seen, reason: `${file.name}: the token on line ${number} ${problem}` }))
    }
  }
  return Effect.succeed<TokenFileContent>({ seen, tokens: lines.map(({ token }) => Redacted.make(token)) })
}

/** The file's tokens; following a symbolic link, as a mounted Secret's `..data` swap needs. */
export const readTokenFile = (file: WatchedTokenFile) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const unreadable = (why: string) => {
      const reason = `${file.name} ${why}`
      return new TokenFileRefused({ seen: reason, reason })
    }
    const info = yield* Effect.mapError(
      fs.stat(file.path),
      (error) => unreadable(`cannot be read (${errorCodeOf(error.cause) ?? error.message})`)
    )
    if (info.type !== "File") return yield* unreadable(`is ${fileKindName(info.type)}, not a file of tokens`)
    const text = yield* readTextWithin(file.path, TokenFileLimit, "a token file").pipe(
      Effect.mapError((error) =>
        unreadable(error._tag === "FileTooLarge" ? error.problem : `cannot be read (${errorCodeOf(error.cause) ?? error.message})`)
      )
    )
    return yield* tokensOf(file, createHash("sha256").update(text, "utf8").digest("hex"), text)
  })
