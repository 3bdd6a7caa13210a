import * as ConfigFile from "@effect/cli/ConfigFile"
import { FileSystem, Path } from "@effect/platform"
import { Config, ConfigProvider, Effect, Option } from "effect"
import { UsageError } from "../UsageError.js"

/**
 * baton's config file (baton-model.md §5.1): `.baton.yaml` in the working directory, or the file
 * named by `BATON_CONFIG_PATH` (which must end `.yaml`/`.yml`). Keys are flag names
 * (`api-key: ...`). @effect/cli's ConfigFile reads it with the YAML parser it already depends on,
 * so the CLI needs no YAML library of its own.
 */
export interface ConfigFileSource {
  /** How errors name the file, e.g. `.baton.yaml`. */
  readonly label: string
  readonly provider: ConfigProvider.ConfigProvider
}

const DefaultFileName = ".baton"

export const ConfigPathVariable = "BATON_CONFIG_PATH"

const load = (label: string, fileName: string, searchPath: string) =>
  ConfigFile.makeProvider(fileName, { formats: ["yaml"], searchPaths: [searchPath] }).pipe(
    Effect.mapError((error) => new UsageError({ reason: `${label}: ${error.message}` })),
    Effect.map((provider): ConfigFileSource => ({ label, provider }))
  )

export const loadConfigFile: Effect.Effect<
  Option.Option<ConfigFileSource>,
  UsageError,
  FileSystem.FileSystem | Path.Path
> = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const configPath = yield* Config.option(Config.string(ConfigPathVariable)).pipe(
    Effect.orElseSucceed(() => Option.none<string>())
  )
  if (Option.isSome(configPath)) {
    const file = configPath.value
    const extension = path.extname(file)
    if (extension !== ".yaml" && extension !== ".yml") {
      return yield* new UsageError({ reason: `${ConfigPathVariable} must name a .yaml or .yml file, got "${file}"` })
    }
    const exists = yield* fs.exists(file).pipe(Effect.orElseSucceed(() => false))
    if (!exists) {
      return yield* new UsageError({ reason: `${ConfigPathVariable} names "${file}", which does not exist` })
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
