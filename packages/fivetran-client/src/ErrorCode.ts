/** The `code` of a Node error (`ENOENT`, `EACCES`, `EADDRINUSE`), if it has one. */
export const errorCodeOf = (cause: unknown): string | undefined =>
  typeof cause === "object" && cause !== null && "code" in cause && typeof cause.code === "string" ? cause.code : undefined
