import type {
  AccountRoles as AccountRolesSchema,
  DiffPage as DiffPageSchema,
  PrincipalMatch as PrincipalMatchSchema,
  ResourceDetails as ResourceDetailsSchema,
  SyncJob as SyncJobSchema
} from "@baton-fivetran/http-api"

/**
 * The page's only way to the data: the service's own HTTP API, with the bearer token the user
 * entered. Wire shapes are the contract's (@baton-fivetran/http-api); an error body is
 * `{error, message, field?}` and becomes an ApiError whose text the page shows as it is.
 * Its paths are relative (`v1/...`, no leading slash): resolved against the page's own address,
 * they reach the service under whatever path prefix a reverse proxy serves it at (docs/deploy.md,
 * "Behind a reverse proxy with a path prefix").
 */

/** The contract's wire shapes, as the page receives them (types only: nothing of it is bundled). */
export type SyncJob = typeof SyncJobSchema.Encoded
export type PrincipalMatch = typeof PrincipalMatchSchema.Encoded
export type DiffPage = typeof DiffPageSchema.Encoded
export type DiffEntry = DiffPage["items"][number]
export type AccountRoles = typeof AccountRolesSchema.Encoded
export type ResourceDetails = typeof ResourceDetailsSchema.Encoded

/** One row of `GET /v1/export?format=jsonl` (a text stream in the contract, so described here). */
export interface ReviewRow {
  readonly principal: string
  readonly principal_name: string
  readonly email: string
  readonly status: string
  readonly last_login: string
  readonly account_type: string
  readonly resource: string
  readonly resource_name: string
  readonly entitlement: string
  readonly permission: string
  readonly via: string
  readonly via_name: string
}

/** A destination, connection or role found by name or id: `type:id` and its display name. */
export interface ResourceMatch {
  readonly id: string
  readonly name: string
}

/** What the page reads of a `GET /v1/resources` page. */
interface ResourcePage {
  readonly items: ReadonlyArray<
    {
      readonly id: { readonly resourceType: string; readonly resource: string }
      readonly displayName?: string
    }
  >
  readonly next_page_token?: string | null
}

/**
 * A refusal from the service: its status, its `{error, message}` body, and for a 429 the seconds
 * its `Retry-After` asks the caller to wait.
 */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly retryAfterSeconds?: number) {
    super(message)
  }
}

const errorOf = async (response: Response): Promise<ApiError> => {
  const body = await response.json().catch(() => undefined) as { error?: unknown; message?: unknown } | undefined
  const code = typeof body?.error === "string" ? body.error : `HTTP ${response.status}`
  const message = typeof body?.message === "string" ? body.message : response.statusText
  const retryAfter = Number.parseInt(response.headers.get("retry-after") ?? "", 10)
  return new ApiError(response.status, code, message, Number.isNaN(retryAfter) ? undefined : retryAfter)
}

/**
 * Tries an export gets while the service streams as many as it runs at once (429 TooManyExports,
 * `--max-concurrent-exports`): a slot frees as soon as any export ends, so a view waits a few
 * Retry-After's rather than failing; past them, the refusal is shown.
 */
export const ExportTries = 4
/** Bounds on a Retry-After the page waits (seconds): a missing or huge one must neither spin nor freeze a view. */
const ShortestWait = 1
const LongestWait = 30

/** Said while a refused export waits: how long until the next try, and which try it is of ExportTries. */
export type ExportWaiting = (wait: { readonly seconds: number; readonly nextTry: number }) => void

/** Waits `seconds`, or until `signal` is aborted (then rejects with its reason, as an aborted fetch does). */
export const pause = (seconds: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const abandoned = () => {
      clearTimeout(timer)
      reject(signal.reason)
    }
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", abandoned)
      resolve()
    }, seconds * 1000)
    if (signal.aborted) abandoned()
    else signal.addEventListener("abort", abandoned, { once: true })
  })

/** The file name an export's answer gives (`access-review-<sync id>.<format>`). */
const exportName = (response: Response) => /filename="([^"]+)"/.exec(response.headers.get("content-disposition") ?? "")?.[1]

/** The sync an export was read from, as its file name says. */
const exportedSync = (response: Response) => /^access-review-(.+)\.\w+$/.exec(exportName(response) ?? "")?.[1]

/**
 * Every request takes the AbortSignal of what asked for it (a view, a search, a download): once the
 * user has left it, its request, its reading and its waits for a 429 end rather than run on.
 */
export class Client {
  constructor(private readonly token: string) {}

  private async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(path, {
      ...init,
      headers: { ...init.headers, authorization: `Bearer ${this.token}`, accept: "application/json" }
    })
    if (!response.ok) throw await errorOf(response)
    return response
  }

  private async json<A>(path: string, init?: RequestInit): Promise<A> {
    return (await this.fetch(path, init)).json() as Promise<A>
  }

  syncs(signal: AbortSignal): Promise<{ readonly items: ReadonlyArray<SyncJob> }> {
    return this.json("v1/syncs", { signal })
  }

  startSync(signal: AbortSignal): Promise<SyncJob> {
    return this.json("v1/syncs", { method: "POST", signal })
  }

  sync(id: string, signal: AbortSignal): Promise<SyncJob> {
    return this.json(`v1/syncs/${encodeURIComponent(id)}`, { signal })
  }

  cancelSync(id: string, signal: AbortSignal): Promise<SyncJob> {
    return this.json(`v1/syncs/${encodeURIComponent(id)}/cancel`, { method: "POST", signal })
  }

  search(
    query: string,
    limit: number,
    signal: AbortSignal
  ): Promise<{ readonly sync_id: string; readonly items: ReadonlyArray<PrincipalMatch> }> {
    return this.json(`v1/principals?${new URLSearchParams({ q: query, limit: String(limit) })}`, { signal })
  }

  /**
   * Destinations, connections and roles whose name or `type:id` contains `query` (any case): the
   * resources whose holders the page shows. The service searches (`q`); at most `limit` of each type.
   */
  async findResources(query: string, limit: number, signal: AbortSignal): Promise<ReadonlyArray<ResourceMatch>> {
    const pages = await Promise.all(
      ["group", "connection", "role"].map((type) =>
        this.json<ResourcePage>(`v1/resources?${new URLSearchParams({ q: query, type, page_size: String(limit) })}`, {
          signal
        })
      )
    )
    return pages.flatMap((page) =>
      page.items.map((item) => ({ id: `${item.id.resourceType}:${item.id.resource}`, name: item.displayName ?? "" }))
    )
  }

  /** The latest sync's teams' names by id, every page of `GET /v1/resources?type=team` (teams are few). */
  async teamNames(signal: AbortSignal): Promise<ReadonlyMap<string, string>> {
    const names = new Map<string, string>()
    let token: string | null | undefined
    do {
      const query = new URLSearchParams({ type: "team", page_size: "1000", ...(token ? { page_token: token } : {}) })
      const page: ResourcePage = await this.json<ResourcePage>(`v1/resources?${query}`, { signal })
      for (const item of page.items) names.set(item.id.resource, item.displayName ?? "")
      token = page.next_page_token
    } while (token)
    return names
  }

  /** `GET` of an export, waiting out the service's 429s (up to ExportTries tries; `waiting` says each wait). */
  private async exportResponse(path: string, waiting: ExportWaiting, signal: AbortSignal): Promise<Response> {
    for (let tried = 1;; tried++) {
      try {
        return await this.fetch(path, { signal })
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 429) || tried === ExportTries) throw error
        const seconds = Math.min(Math.max(error.retryAfterSeconds ?? ShortestWait, ShortestWait), LongestWait)
        waiting({ seconds, nextTry: tried + 1 })
        await pause(seconds, signal)
      }
    }
  }

  /**
   * Review rows (JSON lines) of one principal, entitlement or resource, read as they arrive, at
   * most `limit`; while the service refuses a further export (429), `waiting` says so.
   */
  async rows(
    filter: { readonly principal: string } | { readonly entitlement: string } | { readonly resource: string },
    limit: number,
    waiting: ExportWaiting,
    signal: AbortSignal
  ) {
    const response = await this.exportResponse(
      `v1/export?${new URLSearchParams({ format: "jsonl", ...filter })}`,
      waiting,
      signal
    )
    const rows: Array<ReviewRow> = []
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
    let pending = ""
    let more = false
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      const lines = (pending + value).split("\n")
      pending = lines.pop() ?? ""
      for (const line of lines) {
        if (line === "") continue
        if (rows.length === limit) more = true
        else rows.push(JSON.parse(line) as ReviewRow)
      }
      if (more) {
        await reader.cancel()
        break
      }
    }
    return { rows, more, syncId: exportedSync(response) }
  }

  /**
   * One resource of the latest sync (`type:id`) with its holders' count, and a connection's
   * destination with its holders' count: the service counts them, so no sheet is read for them.
   */
  resourceDetails(resource: string, signal: AbortSignal): Promise<ResourceDetails> {
    const colon = resource.indexOf(":")
    const [type, id] = [resource.slice(0, colon), resource.slice(colon + 1)].map(encodeURIComponent)
    return this.json(`v1/resources/${type}/${id}`, { signal })
  }

  /** The account roles held in the latest sync, with their holders' count: they reach every destination and connection. */
  accountRoles(signal: AbortSignal): Promise<AccountRoles> {
    return this.json("v1/account-roles", { signal })
  }

  diff(target: string, base: string, signal: AbortSignal, pageToken?: string): Promise<DiffPage> {
    const params = new URLSearchParams({ base, page_size: "100", ...(pageToken === undefined ? {} : { page_token: pageToken }) })
    return this.json(`v1/syncs/${encodeURIComponent(target)}/diff?${params}`, { signal })
  }

  /**
   * The CSV sheet, whole or of one principal, entitlement or resource, as a file the browser saves:
   * named as the service names it, with the filter's id after the sync's (one file per destination
   * owner must not overwrite the last). `sent` is called once the service has begun to send it.
   */
  async exportCsv(
    filter: Readonly<Record<string, string>>,
    waiting: ExportWaiting,
    signal: AbortSignal,
    sent: () => void
  ): Promise<{ readonly blob: Blob; readonly name: string }> {
    const response = await this.exportResponse(`v1/export?${new URLSearchParams({ format: "csv", ...filter })}`, waiting, signal)
    sent()
    const name = exportName(response) ?? "access-review.csv"
    const scope = Object.values(filter).map((id) => `-${id.replaceAll(/[^\w.-]+/g, "_")}`).join("")
    return { blob: await response.blob(), name: name.replace(/\.csv$/, `${scope}.csv`) }
  }

  /** The users sheet (every user once, access or not) as a file the browser saves, named as the service names it. */
  async usersCsv(waiting: ExportWaiting, signal: AbortSignal, sent: () => void): Promise<{ readonly blob: Blob; readonly name: string }> {
    const response = await this.exportResponse("v1/export/users?format=csv", waiting, signal)
    sent()
    return { blob: await response.blob(), name: exportName(response) ?? "users.csv" }
  }
}
