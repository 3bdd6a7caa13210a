import { NodeContext } from "@effect/platform-node"
import { ConfigProvider, type Console, Effect, Ref, Schedule } from "effect"
import { run } from "../src/Cli.js"

/**
 * The whole service as `baton-fivetran-http` starts it (settings, start-up checks, layers), run
 * in this process until the scope closes, with only the given environment variables; its URL.
 */
export const startService = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  Effect.gen(function*() {
    const lines = yield* Ref.make<ReadonlyArray<string>>([])
    const console = new Proxy(yield* Effect.console, {
      get: (target, key) =>
        key === "log"
          ? (...logged: ReadonlyArray<unknown>) => Ref.update(lines, (all) => [...all, logged.join(" ")])
          : Reflect.get(target, key)
    }) as Console.Console
    yield* run(["node", "baton-fivetran-http", ...args]).pipe(
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))),
      Effect.provide(NodeContext.layer),
      Effect.withConsole(console),
      Effect.forkScoped
    )
    const printed = yield* Ref.get(lines).pipe(
      Effect.filterOrFail((all) => all.some((l) => l.startsWith("provisioning"))),
      Effect.retry(Schedule.spaced("50 millis")),
      Effect.timeoutFail({ duration: "30 seconds", onTimeout: () => new Error("the service did not start") }),
      Effect.orDie
    )
    return /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(printed.join("\n"))![1]!
  })

/** The token the tests start the service with (BATON_HTTP_TOKENS), and send. */
export const ServiceToken = "in-process-test-token"

/** A request with `ServiceToken`; the status and the JSON body. */
export const getJson = (url: string, init: RequestInit = {}) =>
  Effect.promise(async () => {
    const response = await fetch(url, { ...init, headers: { authorization: `Bearer ${ServiceToken}`, ...init.headers } })
    return { status: response.status, body: await response.json() as unknown }
  })

/** Polls `url` until `done` holds for its body. */
export const pollUntil = <A>(url: string, done: (body: A) => boolean) =>
  Effect.map(getJson(url), (answer) => answer.body as A).pipe(
    Effect.filterOrFail(done),
    Effect.retry(Schedule.spaced("100 millis")),
    Effect.timeoutFail({ duration: "60 seconds", onTimeout: () => new Error(`${url} never got there`) }),
    Effect.orDie
  )
