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
  /**
   * Teams whose first list, users whose connection list and groups whose member list has started
   * being read. Rows go out in list order once every entity before them has its lists (a page of
   * users at a time), so counting rows alone left the estimate standing still, and above the truth,
   * while those lists were read, and while the next phase's list was read. An entity whose lists
   * have started counts as done: they may have made their last request.
   */
  readonly listsStarted: Readonly<Record<ListedKind, number>>
  readonly syncConnections: boolean
  /** Requests made by the groups phase, once it has started. */
  readonly groupsPhase: { readonly requests: number } | undefined
}

/**
 * A lower bound on the requests a sync still needs, from what its lists have shown so far: each
 * listed team still to be processed costs its member and group lists (and connections), each user
 * its connection list when connections are synced, each group its user list at the pages per group
 * seen so far (at least one); each unfinished list at least one more page. Entities not listed yet
 * cannot be counted, so the estimate can grow as the lists advance.
 */
export const requestsLeft = (cost: CostSoFar): number => {
  const done = (kind: ListedKind) => Math.max(cost.tally.resources[kind] ?? 0, cost.listsStarted[kind])
  const pending = (kind: ListedKind) => Math.max(0, cost.listed.count[kind] - done(kind))
  const morePages = (kind: ListedKind) => cost.listed.finished[kind] ? 0 : 1
  const perConnection = cost.syncConnections ? 1 : 0
  // The groups being read have made some of their requests: dividing by them too keeps this low.
  const groupsStarted = cost.listsStarted.group
  const perGroup = cost.groupsPhase === undefined || groupsStarted === 0
    ? 1
    : Math.max(1, cost.groupsPhase.requests / groupsStarted)
  return pending("team") * (2 + perConnection) +
    pending("user") * perConnection +
    Math.ceil(pending("group") * perGroup) +
    morePages("team") + morePages("user") + morePages("group")
}

/**
 * The requests left as shown, from the estimate `left` after `requests`: what the highest total
 * estimated so far (requests made plus left) leaves. The groups phase's requests per group are
 * learnt from the groups started so far, which have not all made theirs: the estimate fell as a
 * batch of groups started and rose with each of their pages, 45, 32, 39, 33, 28, 30... requests
 * left on a sync of 20 multi-page groups. Each total is a lower bound of the sync's, so the highest
 * is too, and what is left of it only falls but when a list shows more than any estimate had.
 */
export const shownRequestsLeft = (highestTotal: number, requests: number, left: number) => {
  const total = Math.max(highestTotal, requests + left)
  return { total, left: total - requests }
}
