import type { PlatformError } from "@effect/platform/Error"

/**
 * A file system error as a person reads it (`EIO: i/o error, read`; the description Node gave),
 * not its class and the call that failed.
 */
export const platformErrorText = (error: PlatformError): string =>
  error._tag === "SystemError" ? error.description ?? error.reason : error.message
