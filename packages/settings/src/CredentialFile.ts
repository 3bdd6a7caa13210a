import { quotedEchoed } from "@baton-fivetran/fivetran-client/echoed-text"
import type * as FileSystem from "@effect/platform/FileSystem"
import { ConfigProvider, Effect, Option, type Redacted } from "effect"
import { ApiKey, ApiKeyFile, ApiSecret, ApiSecretFile } from "./BatonSettings.js"
import { configErrorText } from "./ConfigErrorText.js"
import { FileRefused, readReloadedFile } from "./ReloadedFile.js"
import { find, required, type SettingSources, type Sourced } from "./Resolve.js"
import type { Setting } from "./Setting.js"
import { SettingError } from "./SettingError.js"

/**
 * The Fivetran API key or secret from a file (`--api-key-file`, `--api-secret-file`), as a mounted
 * Kubernetes Secret gives it: the value alone, surrounding whitespace (a final newline) trimmed,
 * then checked as its value's setting checks it. A refusal names the setting and the path, never
 * the content. The CLI reads the files once a run; the HTTP service re-reads them while it runs,
 * comparing each content's SHA-256 with the last read's.
 */

/** The most a credential file may hold: a key or secret is tens of characters; a log named by mistake is not read whole. */
export const CredentialFileLimit = 4 * 1024

/** A credential and the settings it comes from: its value's (whose checks the file's content passes) and its file's. */
export interface Credential {
  readonly what: "API key" | "API secret"
  readonly value: Setting<Redacted.Redacted<string>>
  readonly file: Setting<string>
}

export const ApiKeyCredential: Credential = { what: "API key", value: ApiKey, file: ApiKeyFile }
export const ApiSecretCredential: Credential = { what: "API secret", value: ApiSecret, file: ApiSecretFile }

/** A credential a command cannot do without (the CLI's against Fivetran): missing, the refusal names its file's setting too. */
export const requiredCredential = (
  credential: Credential,
  value: Option.Option<Redacted.Redacted<string>>
): Effect.Effect<Redacted.Redacted<string>, SettingError> =>
  required(credential.value, value, `; or name a file holding it with --${credential.file.flag}`)

/** A credential file as the apps read it. */
export interface CredentialFile {
  readonly credential: Credential
  readonly path: string
  /** The setting and the path, as refusals and log lines name the file: `--api-secret-file "/etc/baton/api-secret"`. */
  readonly name: string
}

/** A credential file's value, and its content's SHA-256 (what a later read is compared with). */
export interface CredentialFileContent {
  readonly seen: string
  readonly value: Redacted.Redacted<string>
}

export const credentialFile = (credential: Credential, setting: Sourced<string>): CredentialFile => ({
  credential,
  path: setting.value,
  name: `${setting.source} ${quotedEchoed(setting.value)}`
})

const valueOf = (file: CredentialFile, seen: string, text: string) => {
  const refused = (reason: string) => Effect.fail(new FileRefused({ seen, reason: `${file.name} ${reason}` }))
  const value = text.trim()
  const what = file.credential.what
  if (value === "") return refused(`is empty: write the ${what} in it`)
  // Trimmed, a line break left has a line with text on each side of it.
  if (/[\r\n]/.test(value)) return refused(`holds more than one line: write the ${what} alone, on one line`)
  return file.credential.value.kind.config(file.credential.value.key).pipe(
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map([[file.credential.value.key, value]]))),
    Effect.mapError((error) => new FileRefused({ seen, reason: `${file.name}: ${configErrorText(error)}` })),
    Effect.map((checked): CredentialFileContent => ({ seen, value: checked }))
  )
}

/** The file's credential (ReloadedFile.ts). */
export const readCredentialFile = (
  file: CredentialFile
): Effect.Effect<CredentialFileContent, FileRefused, FileSystem.FileSystem> =>
  Effect.flatMap(
    readReloadedFile(file.path, file.name, CredentialFileLimit, {
      holding: `a file holding the ${file.credential.what}`,
      limitFor: `a file of the ${file.credential.what}`
    }),
    ({ seen, text }) => valueOf(file, seen, text)
  )

/** A credential as given, and the file it was read from, if it was (with its content's SHA-256 then). */
export interface GivenCredential {
  readonly value: Redacted.Redacted<string>
  readonly file: Option.Option<{ readonly file: CredentialFile; readonly started: string }>
}

/**
 * The credential from its value's setting or its file's, never both: which one would be used could
 * only be guessed (and the service re-reads the file, not the value). The file is read here, before
 * anything starts: a missing or invalid one refuses the start, as a bad value does.
 */
export const findCredential = (
  credential: Credential,
  sources: SettingSources
): Effect.Effect<Option.Option<GivenCredential>, SettingError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const given = yield* find(credential.value, sources)
    const named = yield* find(credential.file, sources)
    if (Option.isNone(named)) return Option.map(given, ({ value }) => ({ value, file: Option.none() }))
    if (Option.isSome(given)) {
      return yield* new SettingError({
        reason: `both ${given.value.source} and ${named.value.source} are given; give the ${credential.what} one way: its ` +
          `value, or the file holding it (which the HTTP service re-reads, so that it rotates without a restart)`
      })
    }
    const file = credentialFile(credential, named.value)
    const content = yield* Effect.mapError(readCredentialFile(file), (refused) => new SettingError({ reason: refused.reason }))
    return Option.some({ value: content.value, file: Option.some({ file, started: content.seen }) })
  })
