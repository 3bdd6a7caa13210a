import { errorCodeOf } from "@baton-fivetran/fivetran-client/error-code"
import * as FileSystem from "@effect/platform/FileSystem"
import { createHash } from "node:crypto"
import { Data, Effect } from "effect"
import { readTextWithin } from "./BoundedFile.js"
import { fileKindName } from "./FileKind.js"

/**
 * A file a setting names that the HTTP service re-reads while it runs (a token file, a Fivetran
 * credential file), read whole, following a symbolic link as a mounted Secret's `..data` swap
 * needs. Its content's SHA-256 is what a later read is compared with; a refusal carries its own
 * `seen` (the content's SHA-256, or the failure's text), so that the same refusal is reported once.
 */

/** A file that cannot serve, and why (naming the setting and the path, never the content). */
export class FileRefused extends Data.TaggedError("FileRefused")<{
  readonly seen: string
  readonly reason: string
}> {
  override get message() {
    return this.reason
  }
}

/** A file's text, and its SHA-256. */
export interface ReadFile {
  readonly seen: string
  readonly text: string
}

/** How refusals name what the file should be: `a file of tokens`, and its limit's purpose: `a token file`. */
export interface FilePurpose {
  readonly holding: string
  readonly limitFor: string
}

/** `name` is the setting and the path, as refusals name the file: `--token-file "/etc/baton/tokens"`. */
export const readReloadedFile = (
  path: string,
  name: string,
  limit: number,
  purpose: FilePurpose
): Effect.Effect<ReadFile, FileRefused, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const unreadable = (why: string) => {
      const reason = `${name} ${why}`
      return new FileRefused({ seen: reason, reason })
    }
    const info = yield* Effect.mapError(
      fs.stat(path),
      (error) => unreadable(`cannot be read (${errorCodeOf(error.cause) ?? error.message})`)
    )
    if (info.type !== "File") return yield* unreadable(`is ${fileKindName(info.type)}, not ${purpose.holding}`)
    const text = yield* readTextWithin(path, limit, purpose.limitFor).pipe(
      Effect.mapError((error) =>
        unreadable(error._tag === "FileTooLarge" ? error.problem : `cannot be read (${errorCodeOf(error.cause) ?? error.message})`)
      )
    )
    return { seen: createHash("sha256").update(text, "utf8").digest("hex"), text }
  })
