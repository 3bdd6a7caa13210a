import { echoed, type FivetranError, type NotFound } from "@baton-fivetran/fivetran-client"
import { Effect, Option, Ref } from "effect"
import type { SyncWarning } from "./SyncWarning.js"

/**
 * One list of an item the sync has just listed (a user's connections, a team's users, groups or
 * connections, a destination's users) answered Fivetran's 404: the item was deleted while the sync
 * read the account. The item is left out of the file, as the next sync will see it, with a warning
 * naming it; one deletion during a sync (an offboarding during a large account's hour-long sync)
 * used to fail the whole sync.
 */
export type ListedItem = "user" | "team" | "group"

/**
 * The items left out as deleted meanwhile, as `type:id` (their resource's ref): rows that other
 * lists, read before the item went, wrote naming it are taken out by the sink, and its report of
 * them says why (SyncRun.ts's leftOutWarnings) rather than that the sync did not list them.
 */
export type GoneItems = Ref.Ref<ReadonlySet<string>>

/** Fivetran's own 404 (an HTML page's says the base URL is wrong, not that the item went). */
const isGone = (error: FivetranError): error is NotFound => error._tag === "NotFound" && error.htmlPage !== true

const goneWarning = (item: ListedItem, id: string, error: NotFound): SyncWarning => ({
  kind: "unlisted_resource",
  message: `${item} ${echoed(id)} was deleted while the sync read the account (${error.endpoint} answered 404 ${echoed(error.code)}); ` +
    "it is left out of the sync file, as the next sync will see it"
})

/** The item's list, or None once `warn` has been told the item is gone (and `gone` holds it). */
export const unlessGone = <A, R>(
  warn: (warning: SyncWarning) => Effect.Effect<void>,
  gone: GoneItems,
  item: ListedItem,
  id: string,
  list: Effect.Effect<A, FivetranError, R>
): Effect.Effect<Option.Option<A>, FivetranError, R> =>
  list.pipe(
    Effect.map(Option.some),
    Effect.catchIf(isGone, (error) =>
      Ref.update(gone, (items) => new Set(items).add(`${item}:${id}`)).pipe(
        Effect.zipRight(warn(goneWarning(item, id, error))),
        Effect.as(Option.none())
      ))
  )
