import type { SyncTally } from "./SyncTally.js"

/** The entity lists whose items each cost further requests. */
export type ListedKind = "team" | "user" | "group"

/**
 * What the sync's lists have shown so far: how many teams, users and groups were listed (a page
 * at a time) and whether each list has finished.
 */
export interface Listed {
  readonly count: Readonly<Record<ListedKind, number>>
  readonly finished: Readonly<Record<ListedKind, boolean>>
}

export const nothingListed: Listed = {
  count: { team: 0, user: 0, group: 0 },
  finished: { team: false, user: false, group: false }
}

export interface CostSoFar {
  readonly listed: Listed
  /** Rows emitted so far: a listed entity whose resource row is out has had its requests. */
  readonly tally: SyncTally
  readonly syncConnections: boolean
  /** Requests made by the groups phase, and the groups it emitted, once it has started. */
  readonly groupsPhase: { readonly requests: number; readonly groups: number } | undefined
}

/**
 * A lower bound on the requests a sync still needs, from what its lists have shown so far: each
 * listed team still to be processed costs its member and group lists (and connections), each user
 * its connection list when connections are synced, each group its user list at the pages per group
 * seen so far (at least one); each unfinished list at least one more page. Entities not listed yet
 * cannot be counted, so the estimate can grow as the lists advance.
 */
export const requestsLeft = (cost: CostSoFar): number => {
  const pending = (kind: ListedKind) => Math.max(0, cost.listed.count[kind] - (cost.tally.resources[kind] ?? 0))
  const morePages = (kind: ListedKind) => cost.listed.finished[kind] ? 0 : 1
  const perConnection = cost.syncConnections ? 1 : 0
  const perGroup = cost.groupsPhase === undefined || cost.groupsPhase.groups === 0
    ? 1
    : Math.max(1, cost.groupsPhase.requests / cost.groupsPhase.groups)
  return pending("team") * (2 + perConnection) +
    pending("user") * perConnection +
    Math.ceil(pending("group") * perGroup) +
    morePages("team") + morePages("user") + morePages("group")
}
