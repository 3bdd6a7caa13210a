import * as ConfigFile from "@effect/cli/ConfigFile"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { ConfigProvider, Effect, Option } from "effect"
import { SettingError } from "./SettingError.js"
import { readVariable } from "./Variable.js"

/**
 * baton's config file, read the same way by both apps: the file `BATON_CONFIG_PATH` names (it must
 * exist and end `.yaml` or `.yml`; empty, it is unset), else `.baton.yaml` or `.baton.yml` in the
 * working directory, else none. Keys are the settings' keys (their flag names: `api-key: ...`).
 * @effect/cli's ConfigFile reads it with the YAML parser @effect/cli already depends on, so no YAML
 * library of our own.
 */
export interface ConfigFileSource {
  /** How errors name the file, e.g. `.baton.yaml`. */
  readonly label: string
  readonly provider: ConfigProvider.ConfigProvider
}

const DefaultFileName = ".baton"

export const ConfigPathVariable = "BATON_CONFIG_PATH"

const unparsed = /^Could not parse .*? file \(.*?\): (YAMLParseError: )?/s

/**
 * @effect/cli says "Could not parse undefined file (PATH): YAMLParseError: WHAT at line L, column C:"
 * followed by the lines around it: the file is already named, so only what and where are kept.
 * Other failures (a file it cannot read) keep their message.
 */
const problem = (label: string, message: string) =>
  unparsed.test(message)
    ? `${label} is not valid YAML: ${message.replace(unparsed, "").split("\n")[0]!.replace(/:$/, "")}`
    : `${label}: ${message}`

const load = (label: string, fileName: string, searchPath: string) =>
  ConfigFile.makeProvider(fileName, { formats: ["yaml"], searchPaths: [searchPath] }).pipe(
    Effect.mapError((error) => new SettingError({ reason: problem(label, error.message) })),
    Effect.map((provider): ConfigFileSource => ({ label, provider }))
  )

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
      return yield* new SettingError({ reason: `${ConfigPathVariable} must name a .yaml or .yml file, got "${file}"` })
    }
    const exists = yield* fs.exists(file).pipe(Effect.orElseSucceed(() => false))
    if (!exists) {
      return yield* new SettingError({ reason: `${ConfigPathVariable} names "${file}", which does not exist` })
    }
    return Option.some(yield* load(file, path.basename(file, extension), path.dirname(file)))
  }
  const found = yield* Effect.findFirst(
    [".yaml", ".yml"],
    (extension) => fs.exists(`${DefaultFileName}${extension}`).pipe(Effect.orElseSucceed(() => false))
  )
  return Option.isSome(found)
    ? Option.some(yield* load(`${DefaultFileName}${found.value}`, DefaultFileName, "."))
    : Option.none()
})
