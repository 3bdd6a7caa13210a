import { Effect } from "effect"
import { Agent, request } from "node:http"

/** What a bare walk of an account's lists took. */
export interface BareWalk {
  readonly requests: number
  readonly wallSeconds: number
}

const PageLimit = 1000

/** One GET through `agent`, its body read whole; a status other than 200 rejects. */
export const bareGet = (agent: Agent, url: string, authorization: string) =>
  new Promise<Buffer>((resolve, reject) => {
    request(url, { agent, headers: { authorization, accept: "application/json" } }, (response) => {
      const chunks: Array<Buffer> = []
      response.on("data", (chunk: Buffer) => chunks.push(chunk))
      response.on("end", () =>
        response.statusCode === 200
          ? resolve(Buffer.concat(chunks))
          : reject(new Error(`${url} answered ${response.statusCode}`)))
    }).on("error", reject).end()
  })

/** The last page's `next_cursor` (null or absent) ends a list; read from the body's end, where the sandbox writes it. */
const cursorAtEnd = (body: Buffer): string | undefined =>
  body.subarray(Math.max(0, body.length - 512)).toString("latin1").match(/"next_cursor":\s*"([^"\\]*)"/)?.[1]

/**
 * Requests every list a sync with connections requests (docs/architecture.md §5), at `concurrency`
 * requests in flight, and does nothing with a page but read it whole and find its cursor (and,
 * on the few pages of the account's own lists, the ids to walk next). Its wall time is what the
 * sandbox, loopback HTTP and the machine alone make of the sync's requests: a floor no client of
 * this sandbox on this machine goes below, unlike the latency bound, which counts the latency only.
 */
export const bareWalk = (url: string, authorization: string, concurrency: number): Effect.Effect<BareWalk> =>
  Effect.promise(async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
    const get = (path: string) => bareGet(agent, `${url}${path}`, authorization)
    let requests = 0
    /** Every page of a list, one after another; `onPage` sees each page's body. */
    const walk = async (path: string, onPage: (body: Buffer) => void = () => undefined) => {
      let cursor: string | undefined
      do {
        const body = await get(`${path}?limit=${PageLimit}${cursor === undefined ? "" : `&cursor=${encodeURIComponent(cursor)}`}`)
        requests++
        onPage(body)
        cursor = cursorAtEnd(body)
      } while (cursor !== undefined)
    }
    const idsOf = (body: Buffer): ReadonlyArray<string> =>
      (JSON.parse(body.toString("utf8")) as { data: { items: Array<{ id: string }> } }).data.items.map((item) => item.id)

    // A queue of walks in the order a sync makes them; `concurrency` workers take them in turn.
    const queue: Array<() => Promise<void>> = []
    const listWith = (path: string, perId: (id: string) => ReadonlyArray<string>) => () =>
      walk(path, (body) => {
        for (const id of idsOf(body)) for (const sub of perId(id)) queue.push(() => walk(sub))
      })
    queue.push(
      () => walk("/v1/roles"),
      () => walk("/v1/connections"),
      listWith("/v1/teams", (id) => [`/v1/teams/${id}/users`, `/v1/teams/${id}/groups`, `/v1/teams/${id}/connections`]),
      listWith("/v1/users", (id) => [`/v1/users/${id}/connections`]),
      listWith("/v1/groups", (id) => [`/v1/groups/${id}/users`])
    )
    let taken = 0
    let active = 0
    const started = performance.now()
    await new Promise<void>((resolve, reject) => {
      const next = () => {
        while (active < concurrency && taken < queue.length) {
          const task = queue[taken++]!
          active++
          task().then(() => {
            active--
            if (active === 0 && taken === queue.length) resolve()
            else next()
          }, reject)
        }
      }
      next()
    })
    const wallSeconds = (performance.now() - started) / 1000
    agent.destroy()
    return { requests, wallSeconds }
  })
