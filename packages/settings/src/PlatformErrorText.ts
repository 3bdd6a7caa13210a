import type { PlatformError, SystemErrorReason } from "@effect/platform/Error"

/**
 * A file system error as a person reads it (`EIO: i/o error, read`; the description Node gave),
 * not its class and the call that failed.
 */
export const platformErrorText = (error: PlatformError): string =>
  error._tag === "SystemError" ? error.description ?? error.reason : error.message

/** Whether a file system call failed for this reason (`NotFound`, `PermissionDenied`, ...): for `Effect.catchIf`. */
export const isSystemError = (reason: SystemErrorReason) => (error: PlatformError): boolean =>
  error._tag === "SystemError" && error.reason === reason
