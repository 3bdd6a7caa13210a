import { quotedEchoed } from "@baton-fivetran/fivetran-client/echoed-text"
import type { PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { Effect, Option, Schema } from "effect"
import { readTextWithin } from "./BoundedFile.js"
import { fileKindName, isNullDevice } from "./FileKind.js"
import { deniedReadText } from "./PermissionDenied.js"
import { isSystemError, platformErrorText } from "./PlatformErrorText.js"
import { SettingError } from "./SettingError.js"
import { readVariable } from "./Variable.js"
import { yamlKind } from "./YamlValue.js"

/**
 * baton's config file, read the same way by both apps: the file `BATON_CONFIG_PATH` names (it must
 * exist and end `.yaml` or `.yml`; empty, it is unset), else `.baton.yaml` or `.baton.yml` in the
 * working directory, else none. Keys are the settings' keys (their flag names: `api-key: ...`).
 * It is parsed (YamlText.ts) with the YAML library @effect/cli uses, but here rather than by
 * @effect/cli's ConfigFile, which failed on a file without settings (empty, only comments, or
 * `---`) with "Cannot convert undefined or null to object": viper reads such a file as no
 * settings, and so does this.
 */
export interface ConfigFileSource {
  /** How errors name the file, e.g. `.baton.yaml`. */
  readonly label: string
  /** The settings as parsed, by key; the resolution checks each value's shape and reads it. */
  readonly values: Readonly<Record<string, unknown>>
  /** Each top-level value as the file writes it (`0x10`, `2.50`, `True`), for refusals of a value YAML converted. */
  readonly written: Readonly<Record<string, string>>
}

const DefaultFileName = ".baton"

export const ConfigPathVariable = "BATON_CONFIG_PATH"

/** Settings by key, or nothing (YAML's null, what a file without settings parses to). */
const Contents = Schema.NullishOr(Schema.Record({ key: Schema.String, value: Schema.Unknown }))

/**
 * A `.baton.yaml` is a few hundred bytes; a megabyte is thousands of settings' worth. A path to a
 * log or a disk image by mistake is refused instead of read into memory (BoundedFile.ts).
 */
export const ConfigFileLimit = 1024 * 1024

const permissionDenied = isSystemError("PermissionDenied")

/**
 * A file this process may not read, as a Kubernetes Secret mounted with `defaultMode: 0400` (root's)
 * and a non-root pod have it: who runs, who owns it (PermissionDenied.ts), and what lets it read it.
 */
const deniedReason = (file: string) =>
  Effect.map(deniedReadText(file), (denied) =>
    new SettingError({
      reason: `${file} could not be read: permission denied (${denied}): make it readable to this process ` +
        "(in Kubernetes: mount the Secret with defaultMode: 0440 and set the pod's securityContext.fsGroup, or run as the file's owner)"
    }))

const unreadable = (file: string) => (error: PlatformError) =>
  permissionDenied(error)
    ? Effect.flatMap(deniedReason(file), Effect.fail)
    : Effect.fail(new SettingError({ reason: `${file} could not be read (${platformErrorText(error)})` }))

/**
 * The file, named in errors as given (`.baton.yaml`, or BATON_CONFIG_PATH's value). Only a regular
 * file is read (FileKind.ts: a named pipe hung the start waiting for a writer), or /dev/null, which
 * is no settings; anything else is refused, saying what it is.
 */
const load = (file: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const info = yield* fs.stat(file).pipe(Effect.catchAll(unreadable(file)))
    if (info.type !== "File") {
      if (yield* isNullDevice(fs, info)) return { label: file, values: {}, written: {} } satisfies ConfigFileSource
      return yield* new SettingError({
        reason: `${file} is ${
          fileKindName(info.type)
        }, not a file: the config file must be a regular file (or a link to /dev/null, for no settings)`
      })
    }
    const text = yield* readTextWithin(file, ConfigFileLimit, "a config file").pipe(
      Effect.catchAll((error) =>
        error._tag === "FileTooLarge" ? Effect.fail(new SettingError({ reason: error.message })) : unreadable(file)(error)
      )
    )
    // The YAML parser is loaded only for a file to parse: most starts have none, and loading it took ~7 ms.
    const { parseYaml } = yield* Effect.promise(() => import("./YamlText.js"))
    const { data, written } = yield* parseYaml(file, text)
    const settings = yield* Schema.decodeUnknown(Contents)(data).pipe(
      Effect.mapError(() => new SettingError({ reason: `${file} must hold settings as "key: value" lines, got ${yamlKind(data)}` }))
    )
    return { label: file, values: settings ?? {}, written } satisfies ConfigFileSource
  })

export const loadConfigFile: Effect.Effect<
  Option.Option<ConfigFileSource>,
  SettingError,
  FileSystem.FileSystem | Path.Path
> = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const configPath = yield* readVariable(ConfigPathVariable).pipe(Effect.orElseSucceed(() => Option.none<string>()))
  if (Option.isSome(configPath)) {
    const file = configPath.value
    const extension = path.extname(file)
    if (extension !== ".yaml" && extension !== ".yml") {
      return yield* new SettingError({ reason: `${ConfigPathVariable} must name a .yaml or .yml file, got ${quotedEchoed(file)}` })
    }
    // A directory on its path this process may not search is said as such, not as a missing file.
    const exists = yield* fs.exists(file).pipe(
      Effect.catchAll((error) => permissionDenied(error) ? Effect.flatMap(deniedReason(file), Effect.fail) : Effect.succeed(false))
    )
    if (!exists) {
      return yield* new SettingError({ reason: `${ConfigPathVariable} names "${file}", which does not exist` })
    }
    return Option.some(yield* load(file))
  }
  const found = yield* Effect.findFirst(
    [".yaml", ".yml"],
    (extension) => fs.exists(`${DefaultFileName}${extension}`).pipe(Effect.orElseSucceed(() => false))
  )
  return Option.isSome(found)
    ? Option.some(yield* load(`${DefaultFileName}${found.value}`))
    : Option.none()
})
