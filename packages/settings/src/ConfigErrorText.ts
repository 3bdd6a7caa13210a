import type { ConfigError } from "effect"

/**
 * A `ConfigError` as the apps' other refusals read, `VARIABLE: what is wrong` (several joined by
 * "; "), not its `toString`: `(Invalid data at HTTPS_PROXY: "expected ...")`, whose quotes went
 * around a message that quotes values itself.
 */
export const configErrorText = (error: ConfigError.ConfigError): string => {
  switch (error._op) {
    case "And":
    case "Or":
      return `${configErrorText(error.left)}; ${configErrorText(error.right)}`
    default:
      return error.path.length === 0 ? error.message : `${error.path.join(".")}: ${error.message}`
  }
}
