import { FivetranClient, type FivetranError } from "@baton-fivetran/fivetran-client"
import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { Effect, Ref } from "effect"

/** Another admin's change, made the first time `request` (`METHOD /path`) reaches the sandbox. */
export interface Interjection {
  readonly request: string
  readonly change: Effect.Effect<unknown, FivetranError, FivetranClient>
}

export const at = (request: string, change: Interjection["change"]): Interjection => ({ request, change })

/**
 * Races the provisioner on purpose: each change is made through the sandbox's API, by the same
 * client, while the request it waits for is held (the sandbox's request hook), so that request
 * meets the account as the change left it. The changes fire once each, in the order given; the
 * change's own requests pass by.
 */
export const meanwhile = (...interjections: ReadonlyArray<Interjection>) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox
    const client = yield* FivetranClient
    const pending = yield* Ref.make(interjections)
    yield* sandbox.setRequestHook(({ method, path }) =>
      Effect.flatMap(
        Ref.modify(
          pending,
          (left) => left[0]?.request === `${method} ${path}` ? [left[0], left.slice(1)] as const : [undefined, left] as const
        ),
        (next) => next === undefined ? Effect.void : Effect.orDie(Effect.provideService(next.change, FivetranClient, client))
      )
    )
  })

/** The writes the sandbox answered since the log was cleared, as `METHOD /path status`, in the order answered. */
export const answeredWrites = Effect.flatMap(
  Sandbox,
  (sandbox) =>
    Effect.map(
      sandbox.requestLog,
      (log) => log.filter((entry) => entry.method !== "GET").map((entry) => `${entry.method} ${entry.path} ${entry.status}`)
    )
)
