import { Effect } from "effect"
import { fileKindOf } from "@baton-fivetran/fivetran-client/file-kind"
import { constants } from "node:fs"
import { type FileHandle, open } from "node:fs/promises"
import { Io, NotAC1z } from "./C1zError.js"

/**
 * Opens a .c1z to read it, refusing anything but a regular file on the descriptor it opened: a
 * check of the path before the open left a window in which a named pipe swapped in made the open
 * wait for a writer for ever (in libuv's thread pool, where Ctrl-C cannot end it). O_NONBLOCK makes
 * the open of a pipe or a device return at once; on a regular file it changes nothing.
 */
export const openReadableFile = (path: string): Effect.Effect<FileHandle, NotAC1z | Io> =>
  Effect.gen(function*() {
    const handle = yield* Effect.tryPromise({
      try: () => open(path, constants.O_RDONLY | constants.O_NONBLOCK),
      catch: (cause) => new Io({ path, operation: "open the .c1z", cause })
    })
    const info = yield* Effect.tryPromise({
      try: () => handle.stat(),
      catch: (cause) => new Io({ path, operation: "open the .c1z", cause })
    }).pipe(Effect.tapError(() => Effect.promise(() => handle.close().catch(() => undefined))))
    if (info.isFile()) return handle
    yield* Effect.promise(() => handle.close().catch(() => undefined))
    return yield* new NotAC1z({ path, payload: "not a regular file", kind: fileKindOf(info) })
  })
