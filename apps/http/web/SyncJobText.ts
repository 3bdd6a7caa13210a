import type { SyncJob } from "./Client.js"

/** What the explorer says of a sync job: its label among the syncs, how it ended, where a running one is. */

export const syncLabel = (job: SyncJob) => `${job.id} (${job.finished_at ?? job.created_at})`

/** How a job can end; any other status (queued, running, waiting_for_rate_limit) is a job not yet ended. */
const endedStatuses: ReadonlyArray<SyncJob["status"]> = ["succeeded", "failed", "cancelled"]

/** A sync job not yet ended: one waiting out Fivetran's rate limit too, which was said to have failed. */
export const unfinishedJob = (job: SyncJob) => !endedStatuses.includes(job.status)

/** How a job that did not succeed ended, as the status and message lines say it. */
export const endedHow = (job: SyncJob) =>
  `${job.status === "cancelled" ? "was cancelled" : "failed"}${job.error === null ? "" : `: ${job.error}`}`

/** What the message line says of a job the page followed once it has ended. */
export const endedText = (job: SyncJob) => {
  if (job.status === "succeeded") {
    const resources = Object.values(job.summary?.resources ?? {}).reduce((sum, count) => sum + count, 0)
    const grants = (job.summary?.grants.direct ?? 0) + (job.summary?.grants.derived ?? 0)
    return `Sync ${job.id} finished: ${resources.toLocaleString("en-US")} resources, ${
      grants.toLocaleString("en-US")
    } grants. Searches and views opened from now on read it.`
  }
  return `Sync ${job.id} ${endedHow(job)}`
}

/** Where a running sync is, as its job says: the phase, the requests so far and left, a wait in progress. */
export const progressText = (job: SyncJob) => {
  const progress = job.progress
  if (progress === null) return `Sync ${job.id} is ${job.status}.`
  // Absent from a job an older build stored: as null.
  const [requestsLeft, waiting] = [progress.requestsLeft ?? null, progress.waiting ?? null]
  const left = requestsLeft === null ? "" : `, ~${requestsLeft.toLocaleString("en-US")} left`
  const wait = waiting === null
    ? ""
    : `; waiting until ${waiting.until.slice(11, 19)} UTC ${
      waiting.kind === "retry" ? "to try again" : "for the rate limit"
    }: ${waiting.reason}`
  const requests = `${progress.requests.toLocaleString("en-US")} ${progress.requests === 1 ? "request" : "requests"}`
  return `Sync ${job.id}: syncing ${progress.phase}; ${requests} so far${left}${wait}.`
}
