import { type C1zError, errorCode } from "@baton-fivetran/c1z"

/**
 * Whether a failed read of a sync's `.c1z` says the file is gone or what it holds cannot be read
 * back, which nothing but another sync mends. Its other failures are the operator's to fix and leave
 * the file good: a working copy that could not be made (a full or unwritable --temp-dir) or was
 * damaged under its reader, a file the service may not read (EACCES), a failing disk.
 */
export const isDamagedSyncFile = (error: C1zError) =>
  error._tag !== "WorkingCopyFailed" && error._tag !== "WorkingCopyDamaged" &&
  (error._tag !== "Io" || errorCode(error.cause) === "ENOENT" || errorCode(error.cause) === "EISDIR")
