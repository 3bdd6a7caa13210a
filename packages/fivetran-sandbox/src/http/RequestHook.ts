import type { Effect } from "effect"

/** A request as a hook sees it: what the request log will call it. */
export interface HookedRequest {
  readonly method: string
  /** The path without the query, e.g. `/v1/users/quiet_harbor/groups/amber_falcon`. */
  readonly path: string
}

/**
 * Runs before the sandbox handles a request (once it is past the rate limit and the injected
 * faults), and holds that request until it ends. A test changes the account there, through the
 * API as another admin would, between two requests of the code under test: the race between a
 * read and the write it decided becomes deterministic. Requests the hook makes meet the hook too.
 */
export type RequestHook = (request: HookedRequest) => Effect.Effect<void>
