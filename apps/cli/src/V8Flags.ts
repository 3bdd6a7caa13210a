/**
 * The two flags that bound a sync's memory. V8 reads both at every collection, so setting them
 * after start-up takes effect (the `sandbox` command sets them back: SandboxV8Flags).
 *
 * `--heap-growing-percent=100`: V8 lets the old generation grow to up to four times what a
 * collection left live; a sync allocates fast enough to get that factor and holds ~30 MB live.
 * Twice the live size keeps a large sync's heap near ~60 MB (without the flag a large sync peaked
 * at 213 MB on 2026-12-01). It cost ~9% more CPU time when added; once the young generation stayed
 * small (below), alternating runs without it saved none.
 *
 * `--semi-space-growth-factor=1`: the young generation stays at its first size instead of doubling
 * up to 16 MB. A sync reads over a gigabyte of response bodies into short-lived buffers outside the
 * heap; V8 counts those towards the old generation's limit until a collection frees them, and with
 * a 16 MB young generation few scavenges came between full collections, so a large sync ran ~60 of
 * them in its groups phase. Frequent small scavenges free the buffers first: ~25 full collections,
 * and a large sync's peak RSS fell from ~200 MB to ~170 MB (a medium one's from ~155 to ~128 MB),
 * for about the same CPU and wall time.
 */
export const MemoryV8Flags: ReadonlyArray<string> = ["--heap-growing-percent=100", "--semi-space-growth-factor=1"]

/**
 * `--liftoff-only`: undici parses HTTP with llhttp compiled to WebAssembly, which V8 first compiles
 * with its baseline compiler (Liftoff) and, once the parser has run enough, again with its optimising
 * compiler on a helper thread: a job of ~150 ms that held ~30 MB while it ran (perf and RSS traces,
 * 2026-12-01). A process waits for its helper threads' jobs as it exits, so a one-shot grant spent
 * its last ~150 ms idle; a medium sync's peak RSS was that job's. Without it, a grant fell from 0.59
 * to 0.43 s (medians of 25 alternating runs) and a medium sync's peak RSS from 129 to 121 MB (a
 * large one's stayed at 160 MB); a sync spends ~0.1 s of CPU in the parser either way. (A larger
 * `--wasm-tiering-budget` kept grants from starting the job, but a sync still started it.)
 */
const liftoffOnly = "--liftoff-only"

/**
 * The V8 flags the CLI runs under, set by its launcher (launch.ts) before the program is compiled;
 * the code cache is made under them, and V8 takes it only under the same flags.
 */
export const V8Flags: ReadonlyArray<string> = [...MemoryV8Flags, liftoffOnly]

/**
 * V8's own values of the memory flags above, which the `sandbox` command sets back as it starts.
 * The sandbox stands in for Fivetran's servers, whose CPU a real sync does not share, and its
 * memory is no goal; under the CLI's memory-tuned flags it spent ~30% more CPU serving a large
 * account's group-user pages (alternating runs, 2026-12-01), CPU that the benchmarks' sync then
 * lacked on the same two cores.
 */
export const SandboxV8Flags: ReadonlyArray<string> = ["--heap-growing-percent=0", "--semi-space-growth-factor=2"]
