import { FileSystem } from "@effect/platform"
import { Effect } from "effect"

/** A fresh folder under the system's temporary folder, removed with everything in it when the scope closes. */
export const tempDirectory = (prefix: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix })).pipe(Effect.orDie)
