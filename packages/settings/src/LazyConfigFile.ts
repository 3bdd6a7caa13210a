import { Effect } from "effect"

/**
 * `.baton.yaml` as ConfigFile.ts reads it, that module imported on first use: its YAML parser then
 * stays out of the start-up of `--version` and `--help`.
 */
export const loadConfigFile = Effect.flatMap(
  Effect.promise(() => import("./ConfigFile.js")),
  (source) => source.loadConfigFile
)
