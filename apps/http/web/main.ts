import {
  type AccountRoles,
  ApiError,
  Client,
  type DiffEntry,
  type ExportWaiting,
  pause,
  ExportTries,
  type PrincipalMatch,
  type ResourceDetails,
  type ReviewRow,
  type SyncJob
} from "./Client.js"
import { byId, cell, type Child, el, isolated, link, table } from "./Dom.js"
import { compareIds, compareNames, pagedTable, sortRows } from "./RowTables.js"
import { endedHow, endedText, progressText, syncLabel, unfinishedJob } from "./SyncJobText.js"

/**
 * The access explorer: sign in with the service's bearer token (kept in sessionStorage, so it
 * lasts as long as the tab), search users and teams, see what they hold and through which team,
 * open an entitlement's holders, compare two syncs, download the review sheet. The view open is in
 * the address (`#principal=user:…`, `#entitlement=…`; never the token): back and forward move
 * between views, and a link to one opens it after signing in.
 */

const TokenKey = "baton-fivetran.token"
/** Rows a view reads at most (the browser holds them to sort them); the CSV export has them all. */
const ReadLimit = 100_000

const message = byId<HTMLParagraphElement>("message")
const messageBar = byId<HTMLDivElement>("message-bar")
const dismissMessage = byId<HTMLButtonElement>("dismiss-message")
const loginView = byId<HTMLElement>("login")
const appView = byId<HTMLElement>("app")
const details = byId<HTMLElement>("details")
const tokenInput = byId<HTMLInputElement>("token")

// Saying something, the message line stays at the window's top (explorer.css): the place the
// keyboard moves to is scrolled clear of it, not under it.
new ResizeObserver(() => {
  document.documentElement.style.scrollPaddingTop = `${messageBar.offsetHeight}px`
}).observe(messageBar)

let client: Client | undefined

/**
 * Says `text` in the message line, an alert region that is always in the page (empty, it takes no
 * room): a region shown only with its text is not announced by every screen reader.
 */
const show = (text: string, kind: "error" | "info" = "error") => {
  message.textContent = text
  message.className = kind
  dismissMessage.hidden = text === ""
}

// Where the keyboard was before it came to Dismiss: it goes back there, not to the page's top.
let beforeDismiss: Element | null = null
dismissMessage.addEventListener("focus", (event) => {
  beforeDismiss = event.relatedTarget instanceof Element ? event.relatedTarget : null
})
dismissMessage.addEventListener("click", () => {
  show("")
  const back = beforeDismiss instanceof HTMLElement && beforeDismiss.isConnected && beforeDismiss.checkVisibility()
    ? beforeDismiss
    : undefined
  const next = back ?? (loginView.hidden ? byId("query") : tokenInput)
  next.focus()
})

/** Says what the screen reader should announce in a status region (visually hidden, or a visible line). */
const announce = (id: string, text: string) => {
  byId(id).textContent = text
}

/** Marks the token field as refused by the service (the message, its description, says why), or as fine again. */
const markToken = (refused: boolean) => {
  if (refused) tokenInput.setAttribute("aria-invalid", "true")
  else tokenInput.removeAttribute("aria-invalid")
}

const refusedToken = (error: unknown) => error instanceof ApiError && error.status === 401

/** The finished syncs the service keeps and whether one is running, as the syncs' list last said (loadSyncs). */
const syncsSeen = { kept: 0, running: false }

/** Said when no finished sync can be read: where to start one, in the page's words. */
const noSyncText = `No finished sync can be explored, so there is nothing to show. Start one with "Start a sync".`
const syncRunningText = "No finished sync can be explored yet: one is running, and the page says here when it has finished."

/** What the user should read for a failure: the service's own message, or what to do about it. */
const explain = (error: unknown): string => {
  if (error instanceof ApiError) {
    if (error.status === 401) return "The service did not accept this token. Enter the token the service was started with."
    // The service's words ("start one with POST /v1/syncs") are for an API client; a search or a
    // download before any sync is told where the page starts one.
    if (error.code === "NotFound" && syncsSeen.kept === 0) return syncsSeen.running ? syncRunningText : noSyncText
    // Only an export is refused for being one too many, and the page has waited it out ExportTries times.
    if (error.code === "TooManyExports") return `${error.message} (the page tried ${ExportTries} times)`
    // The service's words name its flags and the HTTP call, for an API client; a reviewer is told what the token can do.
    if (error.code === "ReadOnlyToken") {
      return "This token is read-only: it can search, open views and download sheets, but not start or cancel a sync. " +
        "Sign in with a token of the service's --token to do that."
    }
    return error.message
  }
  return `The service could not be reached (${error instanceof Error ? error.message : String(error)}).`
}

/**
 * Each panel shows the answer to its latest request: `turn()` starts one and gives its signal, and
 * aborts the one before, whose requests, reading and 429 waits end there (a view left for another
 * must not hold an export slot, nor say its late answer or refusal over the view now open).
 */
const latestOnly = () => {
  let latest = new AbortController()
  return () => {
    latest.abort()
    latest = new AbortController()
    return latest.signal
  }
}
const detailsTurn = latestOnly()
const diffTurn = latestOnly()
const searchTurn = latestOnly()
/** What is not a panel's (downloads, the syncs' list, starting a sync) lasts as long as the sign-in. */
let session = new AbortController()
const endSession = () => {
  session.abort()
  session = new AbortController()
}

/** What the last token saw goes with it: the next one, or the next person at this screen, starts clean. */
const clearResults = () => {
  detailsTurn()
  diffTurn()
  searchTurn()
  endSession()
  releaseDownloads()
  showProgress(undefined)
  byId<HTMLInputElement>("query").value = ""
  for (const id of ["results", "details", "diff-output"]) byId(id).replaceChildren()
  for (const id of ["results-status", "details-status", "diff-status"]) announce(id, "")
  byId("diff-output").removeAttribute("tabindex")
}

const signOut = (reason: string, refused = false) => {
  // The view in the address goes with the session; a link opened before signing in stays for it.
  if (client !== undefined) history.replaceState(null, "", location.pathname)
  sessionStorage.removeItem(TokenKey)
  client = undefined
  clearResults()
  appView.hidden = true
  loginView.hidden = false
  show(reason)
  markToken(refused)
  // The button pressed is gone with the app: the keyboard's place is the field to sign in again.
  tokenInput.focus()
}

/**
 * Runs one user action in its turn (`signal`); a 401 signs out (the token was revoked or is wrong),
 * anything else is shown (after `failed`, which clears what the failure leaves wrong), unless the
 * user has left the action (another view, search or sign-in).
 */
const attempt = async (
  signal: AbortSignal,
  action: (api: Client, signal: AbortSignal) => Promise<void>,
  failed: (error: unknown) => void = () => {}
) => {
  if (client === undefined) return
  show("")
  try {
    await action(client, signal)
  } catch (error) {
    if (signal.aborted) return
    if (refusedToken(error)) return signOut(explain(error), true)
    failed(error)
    show(explain(error))
  }
}

/**
 * Opens a view in the details panel. One the service says cannot be (a user gone from the latest
 * sync, a malformed id: a 4xx) empties the panel: the view before stayed under the new address,
 * read as this one's, and its download saved the other principal's rows. The keyboard's place, if
 * it was in the panel (or nowhere), goes to the search field. A service that could not be reached,
 * failed or was busy leaves the panel and the reader's place as they were, to try again.
 */
const openingView = (action: (api: Client, signal: AbortSignal) => Promise<void>) =>
  attempt(detailsTurn(), action, (error) => {
    if (!(error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 429)) return
    const lost = document.activeElement === null || document.activeElement === document.body ||
      details.contains(document.activeElement)
    details.replaceChildren()
    announce("details-status", "")
    if (lost) byId("query").focus()
  })

/** A user's email, isolated, before what follows it; nothing when the user has none (a service account may not). */
const emailLead = (email: string): ReadonlyArray<Child> => email === "" ? [] : [isolated(email), ", "]

/** What a certifier checks about a user besides the access: email, status, last login (nothing for a team). */
const whoText = (row: ReviewRow): ReadonlyArray<Child> =>
  row.principal.startsWith("user:")
    ? [
      ...emailLead(row.email),
      `${row.account_type === "service" ? "service account, " : ""}${row.status}, ` +
      `last login ${row.last_login === "" ? "none recorded" : row.last_login}. `
    ]
    : []

/** A name from the account and its id, each isolated (Dom.ts); the id alone when there is no name. */
const named = (name: string, id: string): ReadonlyArray<Child> => name === "" ? [isolated(id)] : [isolated(name), " (", isolated(id), ")"]

/** The same as plain text, for what is read out and not shown (a table's caption). */
const namedText = (name: string, id: string) => name === "" ? id : `${name} (${id})`

/** A row's resource, named, as a link to everyone's access on it. */
const resourceLink = (row: ReviewRow) => viewLink(named(row.resource_name, row.resource), { kind: "resource", id: row.resource })

const viaCell = (row: ReviewRow): Node | string =>
  row.via === "direct"
    ? "direct"
    : el(
      "span",
      {},
      "via team ",
      viewLink(row.via_name === "" ? row.via : named(row.via_name, row.via.slice(5)), { kind: "principal", id: row.via })
    )

/** A view whose rows can be downloaded, in its turn (the view's signal). */
interface Download {
  readonly rows: View
  readonly turn: AbortSignal
}

/**
 * The details' heading; it takes the focus (so a screen reader reads what was opened, and Tab goes
 * on from there). A view with rows offers them as a CSV file: the sheet a destination's owner, or
 * the person themself, certifies.
 */
const heading = (text: ReadonlyArray<Child>, note: string | Node, download?: Download) => {
  const title = el("h2", { "data-testid": "details-title", tabindex: "-1" }, ...text)
  const children: Array<Node> = [title, el("p", { class: "note" }, note)]
  if (download !== undefined) {
    const button = el("button", { type: "button", "data-testid": "details-export" }, "Download these rows (CSV)")
    button.addEventListener("click", () => saveViewCsv(download, button))
    children.push(button)
  }
  return { title, element: el("div", { class: "heading" }, ...children) }
}

/** Shows a view's heading and table in the details panel, with the focus on its heading. */
const showDetails = (shown: ReturnType<typeof heading>, ...rest: ReadonlyArray<Node>) => {
  details.replaceChildren(shown.element, ...rest)
  shown.title.focus()
}

/**
 * The skip from the search to the view open: in one column the results are above the view, and a
 * keyboard user would otherwise Tab through every result to reach it. A button, not a link to
 * `#details`, as the address says which view is open. It is there while the details show something.
 */
const skipToView = byId<HTMLButtonElement>("skip-to-view")
skipToView.addEventListener(
  "click",
  () => details.querySelector<HTMLElement>("[data-testid=details-title], [data-testid=details-waiting]")?.focus()
)
new MutationObserver(() => {
  skipToView.hidden = details.childElementCount === 0
}).observe(details, { childList: true })

/** What a view or a download says while the service refuses one more export (429) and the page waits to try again. */
const waitingText = (wait: Parameters<ExportWaiting>[0]) =>
  `Waiting for the service: it is already sending as many exports as it runs at once. Trying again in ${wait.seconds} s ` +
  `(try ${wait.nextTry} of ${ExportTries})…`

/** The sync the open view's rows were read from: a followed sync's end offers the view again only if it is another. */
let viewSync: string | undefined

/**
 * A view's rows, its export's 429s waited out: while it waits, the details panel says so (a
 * visible line, announced), and once it has its rows or fails the line goes. `signal`: the view's
 * turn, so that a view no longer open stops and says nothing. A view opened from a link in the one
 * before takes that link away with it: the keyboard's place is the line while it waits (not the
 * page's top), and, if the view fails, the search.
 */
const viewRows = async (api: Client, filter: Parameters<Client["rows"]>[0], signal: AbortSignal) => {
  try {
    const read = await api.rows(filter, ReadLimit, (wait) => {
      if (signal.aborted) return
      const focused = details.contains(document.activeElement)
      const notice = el("p", { class: "note", "data-testid": "details-waiting", tabindex: "-1" }, waitingText(wait))
      details.replaceChildren(notice)
      if (focused) notice.focus()
      announce("details-status", waitingText(wait))
    }, signal)
    if (!signal.aborted) viewSync = read.syncId
    return read
  } catch (error) {
    if (!signal.aborted && document.activeElement?.matches("[data-testid=details-waiting]") === true) byId("query").focus()
    throw error
  } finally {
    if (!signal.aborted) {
      details.querySelector("[data-testid=details-waiting]")?.remove()
      announce("details-status", "")
    }
  }
}

/**
 * What the details panel shows, as the address says it: `#principal=<type:id>`, `#entitlement=<id>`
 * or `#resource=<type:id>` (who holds what on a destination, a connection, a role or a team).
 */
const ViewKinds = ["principal", "entitlement", "resource"] as const
interface View {
  readonly kind: (typeof ViewKinds)[number]
  readonly id: string
}

const hashOf = (view: View) => `#${view.kind}=${encodeURIComponent(view.id).replaceAll("%3A", ":")}`

const viewOf = (hash: string): View | undefined => {
  const found = /^#(\w+)=(.+)$/.exec(hash)
  const kind = ViewKinds.find((known) => known === found?.[1])
  if (found === null || kind === undefined) return undefined
  try {
    return { kind, id: decodeURIComponent(found[2]!) }
  } catch {
    return undefined // not percent-encoding: a hand-edited address, shown as no view
  }
}

const showView = (view: View | undefined): Promise<void> => {
  if (view === undefined) {
    detailsTurn()
    details.replaceChildren()
    return Promise.resolve()
  }
  switch (view.kind) {
    case "principal":
      return openPrincipal(view.id)
    case "entitlement":
      return openEntitlement(view.id)
    case "resource":
      return openResource(view.id)
  }
}

/**
 * A link to a view: followed, it is a new entry in the history (the hashchange shows it); the one
 * already open is shown again. Text given alone is the account's (an id, a name), and isolated.
 */
const viewLink = (text: string | ReadonlyArray<Child>, view: View, attributes: Readonly<Record<string, string>> = {}) =>
  link(typeof text === "string" ? [isolated(text)] : text, hashOf(view), () => void showView(view), attributes)

/**
 * A team's access is what its members hold through it: its view links to who they are (the team as a
 * resource), which a reviewer certifies, and which no search result or row of its own reached.
 */
const membersNote = (principal: string): ReadonlyArray<Node> =>
  principal.startsWith("team:")
    ? [
      el(
        "p",
        { class: "note", "data-testid": "team-members" },
        "Its members hold this access through it: ",
        viewLink("who is in this team", { kind: "resource", id: principal }),
        "."
      )
    ]
    : []

const openPrincipal = (principal: string) =>
  openingView(async (api, signal) => {
    const { more, rows } = await viewRows(api, { principal }, signal)
    // The rows name the principal; one holding nothing (just invited) is found by the search, by its id:
    // its name, and a user's email and status, which a certifier checks of it as of any holder.
    const found = rows.length > 0
      ? undefined
      : (await api.search(principal.slice(principal.indexOf(":") + 1), 100, signal)).items.find((match) => match.id === principal)
    const name = rows[0]?.principal_name ?? found?.name
    if (signal.aborted) return
    const title = named(name ?? "", principal)
    if (rows.length === 0) {
      const who = found === undefined || found.type !== "user"
        ? []
        : [...emailLead(found.email), `${found.status}. `]
      return showDetails(heading(title, el("span", {}, ...who, "Holds nothing in the latest sync.")), ...membersNote(principal))
    }
    const count = el("span", { "data-testid": "rows-count" })
    showDetails(
      heading(title, el("span", {}, ...whoText(rows[0]!), count), { rows: { kind: "principal", id: principal }, turn: signal }),
      ...membersNote(principal),
      ...pagedTable(
        "access-table",
        `Access of ${namedText(name ?? "", principal)}`,
        ["Entitlement", "Resource", "Permission", "How"],
        sortRows(rows, (row) => row.resource_name, (row) => [row.resource, row.entitlement, row.via]),
        (row) => [
          viewLink(row.entitlement, { kind: "entitlement", id: row.entitlement }),
          resourceLink(row),
          row.permission,
          viaCell(row)
        ],
        { more, count }
      )
    )
  })

/**
 * An email that may wrap after its `@`: kept whole, the widest cell of a holders' table, it pushed
 * the How column (direct or via a team) out of a 1280-pixel window.
 */
const breakableEmail = (email: string): Node | string => {
  const at = email.indexOf("@")
  return at < 0 ? email : el("span", {}, email.slice(0, at + 1), el("wbr", {}), email.slice(at + 1))
}

/**
 * Who a row's holder is, as a certifier checks them: the principal (a link to its access), name,
 * email, status, last login, and a person or a service account (which has no login to check).
 */
const holderCells = (row: ReviewRow) => [
  viewLink(row.principal, { kind: "principal", id: row.principal }),
  row.principal_name,
  breakableEmail(row.email),
  row.status,
  // The day is what a review asks ("not in 90 days"); the sheet has the whole time. A user's empty
  // cell read as a value missing from the page; it is Fivetran's none (a team has no logins).
  row.last_login === "" && row.principal.startsWith("user:")
    ? "none recorded"
    : el("span", { class: "day" }, row.last_login.slice(0, 10)),
  row.account_type
]

const holderHeaders = ["Principal", "Name", "Email", "Status", "Last login (UTC)", "Account type"]

const openEntitlement = (entitlement: string) =>
  openingView(async (api, signal) => {
    const { more, rows } = await viewRows(api, { entitlement }, signal)
    if (signal.aborted) return
    // Nobody's: said, with no table of none under it (a header row of nothing read as rows still to come).
    if (rows.length === 0) return showDetails(heading(["Holders of ", isolated(entitlement)], "Nobody holds it."))
    const count = el("span", { "data-testid": "rows-count" })
    showDetails(
      heading(["Holders of ", isolated(entitlement)], count, { rows: { kind: "entitlement", id: entitlement }, turn: signal }),
      ...pagedTable(
        "holders-table",
        `Holders of ${entitlement}`,
        [...holderHeaders, "How"],
        sortRows(rows, (row) => row.principal_name, (row) => [row.principal, row.via]),
        (row) => [...holderCells(row), viaCell(row)],
        { more, count, ofHolders: true }
      )
    )
  })

/**
 * After a destination's or connection's rows: the account roles that reach it by their permissions
 * (Fivetran's roles cascade from the account down) and have no rows on its sheet, each a link to
 * its holders, so that the rows are not read as everyone who can touch it.
 */
const accountRolesNote = (resource: string, roles: AccountRoles["items"]) => {
  const what = resource.startsWith("group:") ? "destination" : "connection"
  return el(
    "div",
    { "data-testid": "account-roles" },
    el(
      "p",
      { class: "note", id: "account-roles-title" },
      `Account roles also reach this ${what}, as far as each role's permissions go (Fivetran's roles cascade from the ` +
        "account to every destination and connection); their holders are not among these rows:"
    ),
    el(
      "ul",
      { "aria-labelledby": "account-roles-title" },
      ...roles.map((role) =>
        el(
          "li",
          {},
          viewLink(role.name, { kind: "resource", id: role.id }, { "data-role": role.id }),
          ` ${role.holders} ${role.holders === 1 ? "holder" : "holders"}`
        )
      )
    )
  )
}

/** A connection's destination, with the holders of its roles (users and teams, each once), as the service counts them. */
type DestinationHolders = NonNullable<ResourceDetails["destination"]>

/**
 * What a connection's view says of its destination: its holders, or why they could not be had
 * (the connection's own rows and notes stand without them); nothing when it has none or nobody holds its roles.
 */
type DestinationPart =
  | { readonly _tag: "Holders"; readonly destination: DestinationHolders }
  | { readonly _tag: "Failed"; readonly error: unknown }
  | { readonly _tag: "None" }

const cascadeText = "Its destination's roles also reach this connection, as far as each role's permissions go (Fivetran's roles " +
  "cascade from a destination to its connections)"

/**
 * After a connection's account roles: its destination's roles, which cascade to its connections as
 * far as each role's permissions go, with their holders' count and a link to them; or, when they
 * could not be had, why.
 */
const destinationNote = (part: Exclude<DestinationPart, { readonly _tag: "None" }>) =>
  el(
    "div",
    { "data-testid": "destination-roles" },
    ...(part._tag === "Failed"
      ? [
        el(
          "p",
          { class: "note", "data-testid": "destination-failed" },
          `${cascadeText}; which destination, and how many hold its roles, could not be read: ${explain(part.error)}`
        )
      ]
      : [
        el("p", { class: "note", id: "destination-roles-title" }, `${cascadeText}; their holders are not among these rows:`),
        el(
          "ul",
          { "aria-labelledby": "destination-roles-title" },
          el(
            "li",
            {},
            viewLink(
              named(part.destination.name, part.destination.id),
              { kind: "resource", id: part.destination.id },
              { "data-resource": part.destination.id }
            ),
            ` ${part.destination.holders} ${part.destination.holders === 1 ? "holder" : "holders"}`
          )
        )
      ])
  )

/**
 * A connection's destination and its holders, counted by the service (one small request, no
 * sheet read); a failure is kept for the note rather than failing the view.
 */
const destinationHolders = (api: Client, connection: string, signal: AbortSignal): Promise<DestinationPart> =>
  api.resourceDetails(connection, signal).then(
    ({ destination }): DestinationPart =>
      destination === null || destination.holders === 0 ? { _tag: "None" } : { _tag: "Holders", destination },
    (error: unknown): DestinationPart => ({ _tag: "Failed", error })
  )

/** Everyone who holds anything on one resource, entitlement by entitlement: the sheet its owner certifies. */
const openResource = (resource: string) =>
  openingView(async (api, signal) => {
    const reached = resource.startsWith("group:") || resource.startsWith("connection:")
    const [{ more, rows }, roles, destination] = await Promise.all([
      viewRows(api, { resource }, signal),
      reached ? api.accountRoles(signal) : undefined,
      resource.startsWith("connection:") ? destinationHolders(api, resource, signal) : { _tag: "None" } as const
    ])
    if (signal.aborted) return
    const name = rows[0]?.resource_name ?? ""
    const title = ["Access on ", ...named(name, resource)]
    const count = el("span", { "data-testid": "rows-count" })
    showDetails(
      rows.length === 0
        ? heading(title, "Nobody holds any of its entitlements.")
        : heading(title, count, { rows: { kind: "resource", id: resource }, turn: signal }),
      // By holder: a person's permissions on it side by side, as the owner certifies each person.
      ...pagedTable(
        "resource-table",
        `Access on ${namedText(name, resource)}`,
        ["Permission", ...holderHeaders, "How"],
        sortRows(rows, (row) => row.principal_name, (row) => [row.principal, row.entitlement, row.via]),
        (row) => [viewLink(row.permission, { kind: "entitlement", id: row.entitlement }), ...holderCells(row), viaCell(row)],
        { more, count, ofHolders: true }
      ),
      ...(roles === undefined || roles.items.length === 0 ? [] : [accountRolesNote(resource, roles.items)]),
      ...(destination._tag === "None" ? [] : [destinationNote(destination)])
    )
  })

const matchLink = (match: PrincipalMatch) =>
  el(
    "li",
    {},
    viewLink([isolated(match.name), ...(match.email === "" ? [] : [" <", isolated(match.email), ">"])], {
      kind: "principal",
      id: match.id
    }, {
      "data-principal": match.id
    }),
    el("span", { class: "note" }, " ", isolated(match.id), match.status === "" ? "" : `, ${match.status}`)
  )

/** Matches shown at once; one more is asked for, to tell whether there are more. */
const SearchLimit = 50

/** Matches by name, then id; users before teams (the service's order, which says which were cut). */
const byPrincipalName = (a: PrincipalMatch, b: PrincipalMatch) =>
  Number(a.type === "team") - Number(b.type === "team") || compareNames(a.name, b.name) || compareIds([a.id], [b.id])

/** A search's results; an earlier search still waiting for its answer is abandoned (typing on, a slow service). */
const search = (query: string) =>
  attempt(searchTurn(), async (api, signal) => {
    // A blank search lists users and teams (the service's principal search); no resource is "found" by nothing.
    const [found, matched] = await Promise.all([
      api.search(query, SearchLimit + 1, signal),
      query.trim() === "" ? [] : api.findResources(query, SearchLimit + 1, signal)
    ])
    if (signal.aborted) return
    const shown = found.items.slice(0, SearchLimit).sort(byPrincipalName)
    const resources = [...matched].sort((a, b) => compareNames(a.name, b.name) || compareIds([a.id], [b.id]))
    // The focus stays in the field (to search again); the count is announced.
    announce(
      "results-status",
      (shown.length === 0
        ? `No user or team matches "${query}".`
        : found.items.length > SearchLimit
        ? `More than ${SearchLimit} matches for "${query}"; the first ${SearchLimit} are shown.`
        : `${shown.length} ${shown.length === 1 ? "match" : "matches"} for "${query}".`) +
        (resources.length === 0 ? "" : ` ${resourceCount(resources.length)}.`)
    )
    byId("results").replaceChildren(
      ...(shown.length === 0
        ? [el("p", { class: "note" }, `No user or team matches "${query}".`)]
        : [el("ul", { "data-testid": "results" }, ...shown.map(matchLink))]),
      // The service lists users before teams: cut silently, the teams were the ones missing.
      ...(found.items.length > SearchLimit
        ? [
          el(
            "p",
            { class: "note", "data-testid": "results-more" },
            `More than ${SearchLimit} match; showing the first ${SearchLimit} (users before teams): narrow the search.`
          )
        ]
        : []),
      // Who holds what on a destination starts here too: its name is what a reviewer knows.
      ...(resources.length === 0
        ? []
        : [
          el("p", { class: "note", id: "resource-results-title" }, `${resourceCount(resources.length)}:`),
          el(
            "ul",
            { "data-testid": "resource-results", "aria-labelledby": "resource-results-title" },
            ...resources.slice(0, SearchLimit).map((match) =>
              el(
                "li",
                {},
                viewLink(named(match.name, match.id), { kind: "resource", id: match.id }, {
                  "data-resource": match.id
                })
              )
            )
          )
        ])
    )
  })

/** How many destinations, connections and roles a search found (past the page's limit: "more than"). */
const resourceCount = (count: number) =>
  count > SearchLimit
    ? `More than ${SearchLimit} destinations, connections or roles match; the first ${SearchLimit} are shown`
    : `${count} ${count === 1 ? "destination, connection or role matches" : "destinations, connections or roles match"}`

/**
 * What ends a download: the sign-in's end, and `waitingFor`'s (a view's turn) until the service
 * begins to send the file (`sent`): a view's download waiting for the service is the view's, and
 * its wait or late refusal, said once the reviewer has opened another view, would read as that
 * view's; a file on its way is the sign-in's, as any download the browser has begun.
 */
const downloadSignal = (waitingFor?: AbortSignal) => {
  const download = new AbortController()
  const end = () => download.abort()
  session.signal.addEventListener("abort", end, { once: true })
  // A view already left (its download pressed as the next one opens) ends it at once.
  if (waitingFor?.aborted === true) end()
  else waitingFor?.addEventListener("abort", end, { once: true })
  return { signal: download.signal, sent: () => waitingFor?.removeEventListener("abort", end) }
}

/**
 * The downloads in progress, by their button: a sheet takes seconds to make and read (a large
 * account's whole sheet tens of seconds), and a second press would start a second export of it.
 */
const downloading = new Map<HTMLElement, Promise<void>>()

/**
 * Runs `download` unless the button's is still in progress. Meanwhile the button is marked
 * unavailable with `aria-disabled`, not `disabled`, so that it keeps the keyboard's place.
 */
const oneAtATime = (button: HTMLElement, download: () => Promise<void>) => {
  if (downloading.has(button)) return
  button.setAttribute("aria-disabled", "true")
  const done: Promise<void> = download().finally(() => {
    // A sign-out may have let the button go already, and a later press started another.
    if (downloading.get(button) !== done) return
    downloading.delete(button)
    button.removeAttribute("aria-disabled")
  })
  downloading.set(button, done)
}

/** Lets the buttons go whose downloads ended with the session (their promises settle later). */
const releaseDownloads = () => {
  for (const button of downloading.keys()) button.removeAttribute("aria-disabled")
  downloading.clear()
}

const preparing = (what: string) => `Preparing ${what} (CSV): the download starts when it is ready.`

/** A whole sheet as a file: the review sheet's rows of a filter (none: all), or the users sheet. */
type SheetFetch = (
  api: Client,
  waiting: ExportWaiting,
  signal: AbortSignal,
  sent: () => void
) => Promise<{ readonly blob: Blob; readonly name: string }>

/**
 * Downloads a whole CSV sheet (`what`, for the message line); the message line says it is being
 * prepared, and its waits (it has no panel of its own), until the file comes.
 */
const saveSheet = (button: HTMLElement, what: string, fetchSheet: SheetFetch) =>
  oneAtATime(button, () => {
    const download = downloadSignal()
    return attempt(download.signal, async (api, signal) => {
      show(preparing(what), "info")
      await saveFile(
        fetchSheet(api, (wait) => show(waitingText(wait), "info"), download.signal, () => {
          download.sent()
          show(preparing(what), "info")
        }),
        download.signal
      )
      if (!signal.aborted) show("")
    })
  })

/**
 * Downloads a view's rows as CSV; the view says, under its download button (and its status region
 * announces), that the file is being prepared and its waits, until the file comes, the view is
 * left or the download fails.
 */
const saveViewCsv = (view: Download, button: HTMLElement) =>
  oneAtATime(button, () => {
    const download = downloadSignal(view.turn)
    const notice = el("p", { class: "note", "data-testid": "details-export-waiting" })
    const say = (text: string) => {
      notice.textContent = text
      button.after(notice)
      announce("details-status", text)
    }
    return attempt(download.signal, (api) => {
      say(preparing("these rows"))
      return saveFile(
        api.exportCsv({ [view.rows.kind]: view.rows.id }, (wait) => say(waitingText(wait)), download.signal, () => {
          download.sent()
          say(preparing("these rows"))
        }),
        download.signal
      ).finally(() => {
        // Gone with its view, or left beside a view already left: its own status is said no more.
        notice.remove()
        if (!view.turn.aborted) announce("details-status", "")
      })
    })
  })

/** Saves a fetched sheet as a file the browser keeps, unless its download was abandoned meanwhile. */
const saveFile = async (fetched: ReturnType<SheetFetch>, signal: AbortSignal) => {
  const { blob, name } = await fetched
  if (signal.aborted) return
  const url = URL.createObjectURL(blob)
  el("a", { href: url, download: name }).click()
  // The browser reads the blob after this task; release it once the download has surely begun.
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}

// ------------------------------------------------------------------------------------------
// Syncs and their diff.

/**
 * A grant's paths: "direct", or "via team <name> (<id>)" with the team a link to its access, as the
 * access views name it. The diff's entries name no team: `teams` are the latest sync's names, by id
 * (a team it no longer has shows its id alone, as "via team:<id>" did for every team before).
 */
const pathsCell = (paths: DiffEntry["paths"], teams: ReadonlyMap<string, string>) =>
  el(
    "span",
    {},
    ...(paths ?? []).flatMap((path, index) => [
      ...(index === 0 ? [] : [", "]),
      ...(path.via === "direct"
        ? ["direct"]
        : [
          "via team ",
          viewLink(named(teams.get(path.team ?? "") ?? "", path.team ?? ""), { kind: "principal", id: `team:${path.team ?? ""}` })
        ])
    ])
  )

const statusText = (status: string) => `status ${status === "" ? "none" : status}`

/**
 * A user's status, email and account type as the diff gives them: each when it changed, or of an
 * added or removed user (none: an empty part). The email is the account's text, isolated.
 */
const userParts = (
  status: string | undefined,
  email: string | undefined,
  accountType: string | undefined
): ReadonlyArray<ReadonlyArray<Child>> => [
  status === undefined ? [] : [statusText(status)],
  email === undefined ? [] : ["email ", email === "" ? "none" : isolated(email)],
  accountType === undefined || accountType === "" ? [] : [`${accountType} account`]
]

const joined = (parts: ReadonlyArray<ReadonlyArray<Child>>) =>
  el("span", {}, ...parts.filter((part) => part.length > 0).flatMap((part, index) => index === 0 ? part : [", ", ...part]))

/**
 * A grant's paths, then its user's status when the user cannot use it (suspended, or the invitation
 * still pending) in the sync the entry comes from: the row means something else for the review.
 */
const grantText = (entry: DiffEntry, teams: ReadonlyMap<string, string>) => {
  const paths = pathsCell(entry.paths, teams)
  const status = entry.principal_status
  return status === "disabled" || status === "invited" ? el("span", {}, paths, `, user ${status}`) : paths
}

/** What a changed resource is now and was before (its status, email, account type, name); a grant's paths. */
const nowText = (entry: DiffEntry, teams: ReadonlyMap<string, string>) =>
  entry.kind === "resource" ? joined(userParts(entry.status, entry.email, entry.account_type)) : grantText(entry, teams)

const beforeText = (entry: DiffEntry, teams: ReadonlyMap<string, string>) =>
  entry.kind === "resource"
    ? joined([
      ...userParts(entry.previous_status, entry.previous_email, entry.previous_account_type),
      entry.previous_name === undefined ? [] : ["named ", isolated(entry.previous_name)]
    ])
    : pathsCell(entry.previous_paths, teams)

const diffRow = (entry: DiffEntry, teams: ReadonlyMap<string, string>) => [
  el("span", { class: entry.change }, entry.change),
  entry.kind,
  entry.id,
  entry.name ?? "",
  nowText(entry, teams),
  beforeText(entry, teams)
]

const showDiff = (target: string, base: string, note = "") =>
  attempt(diffTurn(), async (api, signal) => {
    const output = byId("diff-output")
    // Two large syncs take seconds to compare: the panel says it is at work rather than staying
    // blank (or showing the last comparison, which read as this one's answer).
    const comparing = `Comparing sync ${base} with sync ${target}…`
    output.removeAttribute("tabindex")
    output.replaceChildren(el("p", { class: "note", "data-testid": "diff-loading" }, comparing))
    announce("diff-status", comparing)
    // The teams' names are asked beside the first page; without them (a failed read) the ids stand alone.
    const [first, teams] = await Promise.all([
      api.diff(target, base, signal).catch((error: unknown) => {
        if (!signal.aborted) {
          output.replaceChildren()
          announce("diff-status", "")
        }
        throw error
      }),
      api.teamNames(signal).catch((): ReadonlyMap<string, string> => new Map())
    ])
    if (signal.aborted) return
    const rows = el("tbody", {})
    const more = el("button", { type: "button", "data-testid": "diff-more" }, "Load more")
    const append = (page: typeof first, focused = false) => {
      const added = page.items.map((entry) => el("tr", {}, ...diffRow(entry, teams).map(cell)))
      rows.append(...added)
      const last = page.next_page_token === null
      // The button goes with the last page; a keyboard user's place moves to the rows it brought, not the page's top.
      if (last && focused && added[0] !== undefined) {
        added[0].tabIndex = -1
        added[0].focus()
      }
      more.hidden = last
      // One page at a time: a second click while the page loads would ask for the same page again.
      more.onclick = () => {
        // Asked before disabling it: a disabled button loses the focus.
        const focused = document.activeElement === more
        more.disabled = true
        void attempt(signal, async (next) => append(await next.diff(target, base, signal, page.next_page_token ?? undefined), focused))
          .finally(() => {
            more.disabled = false
            // A page before the last keeps the button: the keyboard's place goes back to it.
            if (focused && !more.hidden) more.focus()
          })
      }
    }
    // Which syncs: kept as evidence that nothing changed between them.
    const noDifferences = `No differences from sync ${base} to sync ${target}.`
    const grid = table("diff-table", `Changes from sync ${base} to sync ${target}`, ["Change", "Kind", "Id", "Name", "How", "Before"], [])
    grid.tBodies[0]!.replaceWith(rows)
    append(first)
    if (note !== "") show(note, "info")
    output.replaceChildren(
      first.items.length === 0 ? el("p", { class: "note", "data-testid": "diff-empty" }, noDifferences) : grid,
      more
    )
    // A table wider than the window (a phone, 200% zoom) scrolls in the panel: focusable, the arrow keys scroll it.
    if (first.items.length === 0) output.removeAttribute("tabindex")
    else output.tabIndex = 0
    announce(
      "diff-status",
      first.items.length === 0
        ? noDifferences
        : `${first.items.length} ${first.items.length === 1 ? "change" : "changes"}${
          first.next_page_token === null ? "" : ", more to load"
        }, from sync ${base} to sync ${target}.`
    )
  })

/** How often the page asks after a sync job it follows. */
const SyncPollSeconds = 2

/** The sync job the page follows, and the session it follows it for: one at a time. */
let followed: { readonly id: string; readonly session: AbortSignal } | undefined

/** Shows a running job's progress under the bar; none hides it. */
const showProgress = (job: SyncJob | undefined) => {
  const line = byId("sync-progress")
  line.textContent = job === undefined ? "" : progressText(job)
  line.hidden = job === undefined
}

/**
 * Says how a followed sync ended. A view open below read from the sync before (not one opened between
 * the end and this poll): once a newer one succeeded, the message links to it, so the reviewer does
 * not certify what has since changed. It is shown again only when asked: re-read unasked, it would
 * change under the reader and take the focus.
 */
const showEnded = (job: SyncJob) => {
  show(endedText(job), job.status === "failed" ? "error" : "info")
  const view = viewOf(location.hash)
  if (job.status !== "succeeded" || view === undefined || details.childElementCount === 0 || viewSync === job.id) return
  const reread = viewLink("show it from this sync", view, { "data-testid": "reread-view" })
  // Shown again in place (the link's own listener, first, prevented the navigation): the note is then past.
  reread.addEventListener("click", (event) => {
    if (event.defaultPrevented) show(endedText(job), "info")
  })
  message.append(" The view open below was read from the sync before: ", reread, ".")
}

/**
 * Asks after sync job `id` (started from this page, or found running) every SyncPollSeconds until it
 * ends, then reloads the syncs (the status line, the diff's choices) and says how it ended in the
 * message line, a failure as an error: nobody has to press "Reload syncs" and guess when, and the
 * data the page reads has changed. Ends with the session.
 */
const followSync = async (api: Client, id: string) => {
  if (followed?.id === id && !followed.session.aborted) return
  const mine = { id, session: session.signal }
  followed = mine
  try {
    for (;;) {
      await pause(SyncPollSeconds, mine.session)
      const job = await api.sync(id, mine.session)
      if (unfinishedJob(job)) {
        if (followed === mine) showProgress(job)
        continue
      }
      if (followed === mine) showProgress(undefined)
      await loadSyncs(api, mine.session)
      showEnded(job)
      return
    }
  } catch (error) {
    if (mine.session.aborted) return
    if (followed === mine) showProgress(undefined)
    if (refusedToken(error)) signOut(explain(error), true)
    else show(explain(error))
  } finally {
    if (followed === mine) followed = undefined
  }
}

const loadSyncs = (api: Client, signal: AbortSignal) =>
  api.syncs(signal).then(({ items }) => {
    const kept = items.filter((job) => job.status === "succeeded" && job.file_bytes !== null)
    const status = byId("sync-status")
    const running = items.find(unfinishedJob)
    syncsSeen.kept = kept.length
    syncsSeen.running = running !== undefined
    if (running !== undefined) void followSync(api, running.id)
    // The newest job's failure says the data shown is older than the reviewer may think. Without a
    // readable sync the page does not say none finished: one that did may be unreadable (damaged) since.
    const newest = items.find((job) => !unfinishedJob(job))
    const unfinished = newest === undefined || newest.status === "succeeded"
      ? ""
      : ` The newest sync, ${newest.id}, ${endedHow(newest)}`
    // The running sync's cancel: gone with it, the keyboard's place going to "Start a sync".
    const cancel = byId<HTMLButtonElement>("cancel-sync")
    if (running === undefined && document.activeElement === cancel) byId("start-sync").focus()
    cancel.hidden = running === undefined
    cancel.dataset["job"] = running?.id ?? ""
    const runningText = running === undefined
      ? ""
      : ` Sync ${running.id} is ${running.status}; the page reloads the syncs when it has finished.`
    status.textContent = kept[0] === undefined
      ? `No finished sync can be explored yet.${runningText || ` Start one with "Start a sync".`}${unfinished}`
      : `Latest sync: ${syncLabel(kept[0])}.${runningText}${unfinished}`
    for (const [id, preferred] of [["diff-base", kept[1] ?? kept[0]], ["diff-target", kept[0]]] as const) {
      const select = byId<HTMLSelectElement>(id)
      select.replaceChildren(...kept.map((job) => el("option", { value: job.id }, syncLabel(job))))
      if (preferred !== undefined) select.value = preferred.id
    }
    byId<HTMLButtonElement>("diff-run").disabled = kept.length === 0
    return { kept: kept.length, running: running !== undefined }
  })

// ------------------------------------------------------------------------------------------
// Wiring.

const enter = async (token: string) => {
  const candidate = new Client(token)
  try {
    const { kept, running } = await loadSyncs(candidate, session.signal)
    client = candidate
    sessionStorage.setItem(TokenKey, token)
    loginView.hidden = true
    appView.hidden = false
    markToken(false)
    show(
      kept > 0
        ? ""
        : running
        ? syncRunningText
        : noSyncText,
      "info"
    )
    // The sign-in form is gone: the keyboard's place is the search (a view in the address takes it once shown).
    byId("query").focus()
    if (kept > 0) void showView(viewOf(location.hash))
  } catch (error) {
    signOut(explain(error), refusedToken(error))
  }
}

byId<HTMLFormElement>("login-form").addEventListener("submit", (event) => {
  event.preventDefault()
  void enter(tokenInput.value.trim())
  tokenInput.value = ""
})

byId<HTMLFormElement>("search-form").addEventListener("submit", (event) => {
  event.preventDefault()
  void search(byId<HTMLInputElement>("query").value)
})

byId("diff-run").addEventListener("click", () => {
  const older = byId<HTMLSelectElement>("diff-base")
  const newer = byId<HTMLSelectElement>("diff-target")
  // Both lists hold the syncs newest first (as the service lists them; two ids of the same second
  // do not sort by time). Reversed, every row would read as its opposite.
  if (older.value === newer.value) {
    // "No differences." read as evidence that nothing changed, though nothing was compared.
    diffTurn()
    byId("diff-output").replaceChildren()
    const same = `Older and Newer are the same sync, ${older.value}: choose two different syncs to compare.`
    show(same, "info")
    announce("diff-status", same)
  } else if (older.selectedIndex < newer.selectedIndex) {
    void showDiff(older.value, newer.value, "Older was the newer sync: compared the other way round.")
  } else {
    void showDiff(newer.value, older.value)
  }
})

byId("start-sync").addEventListener("click", () =>
  void attempt(session.signal, async (api, signal) => {
    const job = await api.startSync(signal)
    show(`Sync ${job.id} started; the page says here when it has finished.`, "info")
    void followSync(api, job.id)
    await loadSyncs(api, signal)
  }))

byId("cancel-sync").addEventListener("click", (event) => {
  const id = (event.currentTarget as HTMLElement).dataset["job"] ?? ""
  if (id === "") return
  void attempt(session.signal, async (api, signal) => {
    await api.cancelSync(id, signal)
    // The job ends as its requests do: the page says so once it has (followSync).
    show(`Cancelling sync ${id}…`, "info")
  })
})

byId("reload").addEventListener("click", () => void attempt(session.signal, async (api, signal) => void (await loadSyncs(api, signal))))

const exportButton = byId("export")
exportButton.addEventListener(
  "click",
  () => saveSheet(exportButton, "the review sheet", (api, waiting, signal, sent) => api.exportCsv({}, waiting, signal, sent))
)

const usersButton = byId("export-users")
usersButton.addEventListener(
  "click",
  () => saveSheet(usersButton, "the users sheet", (api, waiting, signal, sent) => api.usersCsv(waiting, signal, sent))
)

byId("sign-out").addEventListener("click", () => signOut(""))

// Back and forward (and a link pasted into the address) show their view; signed out, it waits for the sign-in.
window.addEventListener("hashchange", () => {
  if (client === undefined) return
  const view = viewOf(location.hash)
  // A hand-edited address that names no view empties the panel: said, or an earlier error stayed over it.
  if (view === undefined && location.hash.length > 1) {
    show("The address names no view this page knows (#principal=, #entitlement= or #resource=, then an id): search for one instead.")
  }
  void showView(view)
})

const saved = sessionStorage.getItem(TokenKey)
if (saved !== null) void enter(saved)
