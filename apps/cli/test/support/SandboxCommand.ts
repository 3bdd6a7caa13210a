import { Command, type CommandExecutor } from "@effect/platform"
import { Chunk, Effect, Fiber, Queue, type Scope, Stream } from "effect"
import { cliCommand } from "./CliProcess.js"

/**
 * A started `baton-fivetran sandbox` process (stopped with the scope): its banner's lines, up to
 * "Stop with Ctrl-C.", its URL, the flags that point the CLI at it with its system key, that
 * key as a Basic authorization header for requests of a test's own, and its stderr, unread.
 */
export const startSandboxCommand = (flags: ReadonlyArray<string>): Effect.Effect<
  {
    readonly banner: ReadonlyArray<string>
    readonly url: string
    readonly connection: ReadonlyArray<string>
    readonly authorization: string
    readonly stderr: Stream.Stream<Uint8Array, unknown>
  },
  unknown,
  CommandExecutor.CommandExecutor | Scope.Scope
> =>
  Effect.gen(function*() {
    const server = yield* Command.start(cliCommand(["sandbox", ...flags]))
    yield* Effect.addFinalizer(() => Effect.orDie(server.kill("SIGINT")))
    const banner = yield* server.stdout.pipe(
      Stream.decodeText(),
      Stream.splitLines,
      Stream.takeUntil((line) => line === "Stop with Ctrl-C."),
      Stream.runCollect,
      Effect.map((chunk) => Array.from(chunk))
    )
    const url = banner[0]!.match(/listening on (http:\/\/\S+)/)![1]!
    const [, key, secret] = banner.find((line) => line.startsWith("  system key "))!.match(/--api-key (\S+) --api-secret (\S+)/)!
    return {
      banner,
      url,
      connection: ["--base-url", url, "--api-key", key!, "--api-secret", secret!],
      authorization: `Basic ${btoa(`${key}:${secret}`)}`,
      stderr: server.stderr
    }
  })

/**
 * A started `baton-fivetran sandbox` process whose every line is read: its banner, up to "Stop with
 * Ctrl-C.", and `stop`, which sends it `signal` and gives its exit code, the stdout lines after the
 * banner and its whole stderr.
 */
export const stoppableSandboxCommand = (flags: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const server = yield* Command.start(cliCommand(["sandbox", ...flags]))
    const lines = yield* Queue.unbounded<string>()
    const stdout = yield* server.stdout.pipe(
      Stream.decodeText(),
      Stream.splitLines,
      Stream.runForEach((line) => Queue.offer(lines, line)),
      Effect.fork
    )
    const stderr = yield* Effect.fork(server.stderr.pipe(Stream.decodeText(), Stream.mkString))
    const banner: Array<string> = []
    while (banner.at(-1) !== "Stop with Ctrl-C.") banner.push(yield* Queue.take(lines))
    const stop = (signal: "SIGINT" | "SIGTERM") =>
      Effect.gen(function*() {
        yield* server.kill(signal)
        const exitCode: number = yield* server.exitCode
        yield* Fiber.join(stdout)
        return { exitCode, afterBanner: Chunk.toReadonlyArray(yield* Queue.takeAll(lines)), stderr: yield* Fiber.join(stderr) }
      })
    return { banner: banner as ReadonlyArray<string>, stop }
  })
