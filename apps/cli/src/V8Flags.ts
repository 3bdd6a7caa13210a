/**
 * The V8 flags the CLI runs under, set by its launcher (launch.ts) before the program is compiled.
 *
 * V8 lets the old generation grow to up to four times what a collection left live; a sync allocates
 * fast enough to get that factor and holds ~30 MB live, so a large sync's heap reached ~190 MB.
 * Twice the live size keeps a large sync's peak RSS at ~260 MB instead of ~360 MB, for ~9% more
 * CPU time (measured with the flag on the command line; it is read at every collection).
 */
export const V8Flags: ReadonlyArray<string> = ["--heap-growing-percent=100"]
