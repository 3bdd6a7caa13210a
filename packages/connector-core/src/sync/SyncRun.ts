import {
  budgetWaitFor,
  echoed,
  type FivetranClientShape,
  monotonicMillis,
  type RequestTally,
  type RequestWait,
  withRequestTally
} from "@baton-fivetran/fivetran-client"
import { withConsoleText } from "@baton-fivetran/fivetran-client/console-text"
import { Chunk, Clock, DateTime, Effect, Fiber, Option, Ref, Stream } from "effect"
import type { SyncRow } from "../model/Baton.js"
import { derivedGrant } from "../model/Grants.js"
import { resourceRefOf } from "../model/Ids.js"
import { type LeftOutRows, SyncSink } from "../model/SyncSink.js"
import { type ResourceTypeModule, type SyncPhaseName, syncedResourceTypes } from "../registry/ResourceTypeModule.js"
import { makePhaseContext, type PhaseContext } from "./PhaseContext.js"
import { type OverlappedPhase, overlapPhases } from "./PhaseOverlap.js"
import { makeRequestSlots } from "./RequestSlots.js"
import { loadCatalog } from "./SyncCatalog.js"
import { type ListedKind, nothingListed, requestsLeft, shownRequestsLeft } from "./SyncCost.js"
import { SyncFailed } from "./SyncFailure.js"
import { withoutRepeats } from "./RepeatedItems.js"
import { DefaultProgressEveryMillis, type SyncOptions, type SyncWait } from "./SyncOptions.js"
import { countSyncWarning } from "./SyncMetrics.js"
import { row } from "./SyncRows.js"
import type { SyncSummary } from "./SyncSummary.js"
import { addRows, emptyTally, tallyResources, withoutRows } from "./SyncTally.js"
import { type RaisedWarning, summaryText, type SyncWarning, warningDetail } from "./SyncWarning.js"
import { TeamExpansion } from "./TeamExpansion.js"

const isoOf = (millis: number) => DateTime.formatIso(DateTime.unsafeMake(millis))

const syncWait = (wait: RequestWait): SyncWait => ({
  kind: wait.kind,
  endpoint: wait.endpoint,
  reason: wait.reason,
  until: isoOf(wait.until)
})

type Registry = ReadonlyArray<ResourceTypeModule>

/**
 * The rows of the registered types in one phase, in registry order. Only the last type's last
 * request ends the phase's requests: the types before it have made theirs by the time it starts.
 */
const phaseRows = (registry: Registry, phase: SyncPhaseName, context: PhaseContext): Stream.Stream<SyncRow, SyncFailed> => {
  const modules = registry.filter((module) => module.sync.phase === phase)
  return Stream.concatAll(
    Chunk.fromIterable(
      modules.map((module, index) => module.sync.rows(index === modules.length - 1 ? context : { ...context, fetchesDone: Effect.void }))
    )
  )
}

/**
 * Grants reached only through teams, of the entitlements teams hold whose direct grants are all out.
 * Built as they are pulled, a thousand at a time: a large account has tens of thousands.
 */
const derivedRows = (context: PhaseContext): Stream.Stream<SyncRow> =>
  Stream.suspend(() => Stream.fromIteratorSucceed(derivedGrantRows(context.expansion), 1000))

/** Ids named in a warning about rows left out; the rest are counted. */
const namedIds = 3

/** The first ids, echoed, and how many more. */
const someOf = (ids: ReadonlyArray<string>) => {
  const distinct = Array.from(new Set(ids))
  const more = distinct.length > namedIds ? ` and ${distinct.length - namedIds} more` : ""
  return `${distinct.slice(0, namedIds).map(echoed).join(", ")}${more}`
}

/** `1 grant names`, `4 grants name`. */
const counted = (n: number, what: string) => n === 1 ? `1 ${what} names` : `${n} ${what}s name`

/** Why rows were left out, as a warning about them says it: which their parent or principal is, and how the sentence ends. */
interface LeftOutReason {
  readonly which: string
  readonly resourcesEnd: string
  readonly grantsEnd: string
}

const accountChanged: LeftOutReason = {
  which: "which the sync did not list (the account changed while it was read)",
  resourcesEnd: ": baton's resource listings fail on a parent they cannot find",
  grantsEnd: ": baton's grant listings fail on a grant whose principal is not among its resources"
}

/**
 * Users the member lists of a team or destination named and `GET /v1/users` did not: deleted
 * before the user list reached them, or invited after it. Grants reach users through no other list.
 */
const unlistedUsers: LeftOutReason = {
  ...accountChanged,
  which: "which GET /v1/users did not list though a team's or destination's members did (the account changed while it was read)"
}

/** The ids named are items the sync left out as deleted meanwhile (GoneMeanwhile.ts), each with its own warning. */
const deletedMeanwhile = (ids: ReadonlyArray<string>): LeftOutReason => {
  const one = new Set(ids).size === 1
  const it = one ? "it" : "them"
  return {
    which: one
      ? "which was deleted while the sync read the account (see its own warning)"
      : "which were deleted while the sync read the account (see their own warnings)",
    resourcesEnd: `, as the next sync will see ${it}`,
    grantsEnd: ` with ${it}, as the next sync will see ${it}: lists read before ${one ? "it" : "they"} went named ${it}`
  }
}

type LeftOutResource = LeftOutRows["resources"][number]
type LeftOutGrant = LeftOutRows["grants"][number]

const parentOf = (resource: LeftOutResource) => resource.parentResourceId === undefined ? "" : resourceRefOf(resource.parentResourceId)
const principalOf = (grant: LeftOutGrant) => resourceRefOf(grant.principal.id)

const orphanedResources = (resources: ReadonlyArray<LeftOutResource>, why: LeftOutReason): ReadonlyArray<SyncWarning> =>
  resources.length === 0 ? [] : [{
    kind: "unlisted_resource",
    message: `${counted(resources.length, "resource")} as parent ${someOf(resources.map(parentOf))}, ${why.which}; ` +
      `left out of the sync file with their entitlements and grants (${someOf(resources.map((r) => resourceRefOf(r.id)))})` +
      why.resourcesEnd
  }]

const principallessGrants = (grants: ReadonlyArray<LeftOutGrant>, why: LeftOutReason): ReadonlyArray<SyncWarning> =>
  grants.length === 0 ? [] : [{
    kind: "unlisted_resource",
    message: `${counted(grants.length, "grant")} ${
      someOf(grants.map(principalOf))
    }, ${why.which}; left out of the sync file${why.grantsEnd}`
  }]

/**
 * The warnings for rows the sink left out (SinkReport): resources whose parent it lacked (their
 * entitlements and grants went with them), and grants whose principal it lacked. Rows naming an
 * item left out as deleted meanwhile (`gone`: lists read before it went named it) say so: "which
 * the sync did not list", beside the item's own warning, read as the sync's fault.
 */
const leftOutWarnings = ({ entitlements, grants, resources }: LeftOutRows, gone: ReadonlySet<string>): ReadonlyArray<SyncWarning> => {
  const withResources = new Set(entitlements.map((entitlement) => entitlement.id))
  const unlisted = grants.filter((grant) => !withResources.has(grant.entitlement.id))
  const goneParent = resources.filter((r) => gone.has(parentOf(r)))
  const goneNamed = unlisted.filter((g) => gone.has(principalOf(g)))
  const unnamed = unlisted.filter((g) => !gone.has(principalOf(g)))
  const isUser = (grant: LeftOutGrant) => grant.principal.id.resourceType === "user"
  return [
    ...orphanedResources(goneParent, deletedMeanwhile(goneParent.map(parentOf))),
    ...orphanedResources(resources.filter((r) => !gone.has(parentOf(r))), accountChanged),
    ...principallessGrants(goneNamed, deletedMeanwhile(goneNamed.map(principalOf))),
    ...principallessGrants(unnamed.filter(isUser), unlistedUsers),
    ...principallessGrants(unnamed.filter((g) => !isUser(g)), accountChanged)
  ]
}

function* derivedGrantRows(expansion: TeamExpansion): IterableIterator<SyncRow> {
  for (const { entitlement, reaches } of expansion.takeKnown()) {
    for (const { teamIds, userId } of reaches) yield row.grant(derivedGrant(entitlement, userId, teamIds))
  }
}

/**
 * One sync (docs/architecture.md §5): loads the role catalog (and connections), streams the phases
 * of the registered types into the sink as rows are produced, counts what passes, reports progress
 * per phase, per request and per wait (with the estimated requests left and what the rate-limit
 * budget adds to them), and sums up with the budget's figures and its own requests, retries and
 * waits: counted in a tally of its own, so that what the process asks of Fivetran meanwhile
 * (readiness checks, provisioning, another sync) is not in its progress or summary.
 */
export const runSync = (
  client: FivetranClientShape,
  registry: Registry,
  options: SyncOptions
): Effect.Effect<SyncSummary, SyncFailed, SyncSink> =>
  withRequestTally((ownRequests) =>
    Effect.map(
      client.lowestRemainingDuring(sync(client, ownRequests, registry, options)),
      ([summary, lowest]): SyncSummary => ({ ...summary, rateLimitLowestRemaining: Option.getOrNull(lowest) })
    )
  )

const sync = (
  client: FivetranClientShape,
  ownRequests: RequestTally,
  registry: Registry,
  options: SyncOptions
): Effect.Effect<SyncSummary, SyncFailed, SyncSink> =>
  Effect.gen(function*() {
    const sink = yield* SyncSink
    // Durations by the monotonic clock: the wall clock stepped back an hour during a sync (NTP, a VM
    // resumed) made its duration -3600.0s.
    const startedAt = yield* Clock.currentTimeNanos
    const warnings = yield* Ref.make<ReadonlyArray<RaisedWarning>>([])
    const tally = yield* Ref.make(emptyTally)
    const phase = yield* Ref.make("roles")
    const reported = yield* Ref.make({ phase: "", requests: -1, waitUntil: "" })
    const connectionListsAllowed = yield* Ref.make(true)
    const gone = yield* Ref.make<ReadonlySet<string>>(new Set())
    const waiting = yield* Ref.make(Option.none<RequestWait>())
    const listed = yield* Ref.make(nothingListed)
    const groupsPhaseFrom = yield* Ref.make(Option.none<number>())
    const listsStarted = yield* Ref.make({ team: 0, user: 0, group: 0 })

    /**
     * A warning goes in the summary once (with the times it arose), and is logged and counted as it
     * first arises: a sync with warnings succeeds (exit 0, job `succeeded`), and the summary alone
     * was read by no alert. Logged as `sync warning` with its kind and text as fields: the text
     * quotes the account's names, so no alert matched it as `msg`.
     */
    const warn = (warning: SyncWarning) =>
      Ref.modify(warnings, (all): [boolean, ReadonlyArray<RaisedWarning>] => {
        const at = all.findIndex((raised) => raised.message === warning.message)
        return at < 0
          ? [true, [...all, { ...warning, times: 1 }]]
          : [false, all.map((raised, i) => i === at ? { ...raised, times: raised.times + 1 } : raised)]
      }).pipe(
        Effect.flatMap((first) =>
          first
            ? Effect.zipRight(
              Effect.logWarning("sync warning").pipe(
                Effect.annotateLogs({ warning_kind: warning.kind, warning_message: warning.message }),
                withConsoleText(warning.message, ["warning_message"])
              ),
              countSyncWarning(warning.kind)
            )
            : Effect.void
        )
      )

    const highestTotal = yield* Ref.make(0)
    /** The requests still needed, estimated from what the lists have shown so far. */
    const estimateLeft = (requests: number) =>
      Effect.gen(function*() {
        const counts = yield* Ref.get(tally)
        const groupsFrom = yield* Ref.get(groupsPhaseFrom)
        const left = requestsLeft({
          listed: yield* Ref.get(listed),
          tally: counts,
          listsStarted: yield* Ref.get(listsStarted),
          syncConnections: options.syncConnections,
          groupsPhase: Option.getOrUndefined(
            Option.map(groupsFrom, (from) => ({ requests: requests - from }))
          )
        })
        return yield* Ref.modify(highestTotal, (highest) => {
          const shown = shownRequestsLeft(highest, requests, left)
          return [shown.left, shown.total]
        })
      })

    const clock = yield* Effect.clock
    const progressEvery = options.progressEveryMillis ?? DefaultProgressEveryMillis
    // On the monotonic clock: the wall clock set back an hour held every count back until the next phase.
    let reportedAt = Number.NEGATIVE_INFINITY

    /** Calls onProgress when the phase changed, a request completed or a wait began or ended since the last call. */
    const report = Effect.gen(function*() {
      if (options.onProgress === undefined) return
      const now = yield* Ref.get(phase)
      const { requests } = yield* ownRequests.counts
      const wait = Option.map(yield* Ref.get(waiting), syncWait)
      const waitUntil = Option.match(wait, { onNone: () => "", onSome: (w) => w.until })
      const last = yield* Ref.get(reported)
      if (now === last.phase && requests === last.requests && waitUntil === last.waitUntil) return
      yield* Ref.set(reported, { phase: now, requests, waitUntil })
      reportedAt = monotonicMillis(clock)
      const counts = yield* Ref.get(tally)
      const left = now === "done" ? 0 : yield* estimateLeft(requests)
      yield* options.onProgress({
        phase: now,
        resources: tallyResources(counts),
        entitlements: counts.entitlements,
        grants: counts.directGrants + counts.derivedGrants,
        requests,
        waiting: Option.getOrNull(wait),
        requestsLeft: left,
        budgetWaitMillis: Option.getOrNull(budgetWaitFor(yield* client.budget, left))
      })
    })

    /**
     * `report` for a request answered or rows written: at most every `progressEvery` ms. Reporting
     * after each of a large sync's 16,000 requests was ~20% of the Effect operations it ran.
     */
    const reportMoved = Effect.suspend(() => monotonicMillis(clock) - reportedAt < progressEvery ? Effect.void : report)

    /** The team, user and group lists, their repeats dropped, counted a page at a time as they arrive. */
    const counted = <A extends { readonly id: string }, E>(kind: ListedKind, list: Stream.Stream<A, E>): Stream.Stream<A, E> =>
      list.pipe(
        withoutRepeats((item) =>
          Effect.logInfo("a list gave an item again on a later page; the repeat is skipped").pipe(
            Effect.annotateLogs({ list: kind, id: echoed(item.id) }),
            withConsoleText(
              `the ${kind} list gave ${kind} ${echoed(item.id)} again on a later page (the list changed while it was read); ` +
                "the repeat is skipped",
              ["list", "id"]
            )
          )
        ),
        Stream.mapChunksEffect((chunk) =>
          Effect.as(
            Ref.update(listed, (l) => ({ ...l, count: { ...l.count, [kind]: l.count[kind] + chunk.length } })),
            chunk
          )
        ),
        Stream.concat(Stream.execute(Ref.update(listed, (l) => ({ ...l, finished: { ...l.finished, [kind]: true } }))))
      )
    /**
     * A team's first list (its members), a user's connection list or a group's member list, counted
     * as it starts being read.
     */
    const read = <A, E>(kind: ListedKind, list: Effect.Effect<A, E>) =>
      Effect.zipRight(Ref.update(listsStarted, (counts) => ({ ...counts, [kind]: counts[kind] + 1 })), list)
    const observed: FivetranClientShape = {
      ...client,
      listTeams: counted("team", client.listTeams),
      listUsers: counted("user", client.listUsers),
      listGroups: counted("group", client.listGroups),
      listTeamUsersAll: (teamId) => read("team", client.listTeamUsersAll(teamId)),
      listGroupMembersAll: (groupId) => read("group", client.listGroupMembersAll(groupId)),
      userConnections: { ...client.userConnections, listAll: (userId) => read("user", client.userConnections.listAll(userId)) }
    }

    const rows = Stream.unwrap(Effect.gen(function*() {
      const { catalog, connections } = yield* loadCatalog(client, options.syncConnections, warn).pipe(
        Effect.withSpan("sync.catalog")
      )
      const shared = makePhaseContext({
        client: observed,
        catalog,
        connections,
        slots: yield* makeRequestSlots(Math.max(1, Math.floor(options.concurrency))),
        expansion: new TeamExpansion(),
        warn,
        reportProgress: reportMoved,
        connectionListsAllowed,
        gone
      })
      const types = syncedResourceTypes(registry, { syncConnections: Option.isSome(connections) })
      /**
       * A phase: its requests and rows inside its own span (`sync.teams`, a child of the sync's); it
       * is reported once the rows before it are out, so progress names phases in order.
       */
      const overlapped = (
        name: string,
        fetches: boolean,
        rows: (context: PhaseContext) => Stream.Stream<SyncRow, SyncFailed>
      ): OverlappedPhase<SyncRow, SyncFailed> => ({
        fetches,
        rows: (gates) => rows({ ...shared, ...gates }).pipe(Stream.withSpan(`sync.${name.replace(/ /g, "_")}`)),
        reached: Ref.set(phase, name).pipe(Effect.zipRight(report))
      })
      return overlapPhases([
        overlapped("resource types", false, (context) =>
          Stream.concat(Stream.fromIterable(types.map(row.resourceType)), phaseRows(registry, "resource types", context))),
        overlapped("teams", true, (context) =>
          phaseRows(registry, "teams", context)),
        overlapped("users", true, (context) =>
          phaseRows(registry, "users", context)),
        overlapped("derived grants", false, derivedRows),
        overlapped("groups", true, (context) =>
          Stream.concat(
            Stream.execute(
              Effect.flatMap(ownRequests.counts, (counts) => Ref.set(groupsPhaseFrom, Option.some(counts.requests)))
            ),
            phaseRows(registry, "groups", context)
          ))
      ])
    }))

    const recorded = rows.pipe(
      Stream.mapChunksEffect((chunk) =>
        Ref.update(tally, (counts) => addRows(counts, chunk)).pipe(Effect.zipRight(reportMoved), Effect.as(chunk))
      )
    )

    // Waits start and end while no row moves: they are followed on their own.
    const followWaits = yield* Effect.fork(
      Stream.runForEach(
        Stream.zipWithIndex(ownRequests.waits.changes),
        // The first element is the state at the start: recorded, shown with the first progress.
        ([wait, index]) => Ref.set(waiting, wait).pipe(Effect.zipRight(index === 0 ? Effect.void : report))
      )
    )
    const { leftOut } = yield* sink.write(recorded).pipe(
      Effect.catchTag("SinkError", (error) => Effect.fail(new SyncFailed({ reason: error.message, cause: error }))),
      Effect.ensuring(Fiber.interrupt(followWaits))
    )
    yield* Effect.forEach(leftOutWarnings(leftOut, yield* Ref.get(gone)), warn, { discard: true })
    yield* Ref.update(tally, (counts) => withoutRows(counts, leftOut))
    yield* Ref.set(phase, "done").pipe(Effect.zipRight(report))

    const { rateLimitWaitMillis, requests, retries, retryBackoffMillis } = yield* ownRequests.counts
    const counts = yield* Ref.get(tally)
    const budget = yield* client.budget
    const finishedAt = yield* Clock.currentTimeNanos
    const raised = yield* Ref.get(warnings)
    return {
      resources: counts.resources,
      resourceTypes: counts.resourceTypes,
      entitlements: counts.entitlements,
      grants: { direct: counts.directGrants, derived: counts.derivedGrants },
      requests,
      retries,
      rateLimitWaitMillis,
      retryBackoffMillis,
      rateLimit: Option.getOrNull(budget.limit),
      rateLimitWindowSeconds: Option.isSome(budget.limit) ? budget.windowSeconds : null,
      rateLimitLowestRemaining: null,
      rateLimitReserve: Option.getOrNull(budget.reserve),
      repeatBudgetWaitMillis: Option.getOrNull(budgetWaitFor(budget, requests)),
      warnings: raised.map(summaryText),
      warningDetails: raised.map(warningDetail),
      durationMillis: Number((finishedAt - startedAt) / 1_000_000n)
    } satisfies SyncSummary
  })
