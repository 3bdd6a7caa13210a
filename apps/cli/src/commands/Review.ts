import {
  accountRoleHolders,
  type C1zReader,
  diffReaders,
  endedAfter,
  reachedByAccountRoles,
  resourceHolders,
  reviewRows,
  type ReviewScope,
  syncedAt,
  userRows
} from "@baton-fivetran/c1z"
import {
  type AccessPath,
  accessPaths,
  ConnectionResourceType,
  accountTypeText,
  type DiffEntry,
  DiffSyncColumns,
  emailOf,
  type Entitlement,
  type Grant,
  GroupResourceType,
  lastLoginText,
  pathText,
  principalCells,
  type Resource,
  type ResourceId,
  resourceRef,
  resourceRefOf,
  ReviewColumns,
  type ReviewRow,
  statusText,
  UserColumns,
  UserResourceType,
  type UserRow
} from "@baton-fivetran/connector-core"
import { echoed } from "@baton-fivetran/fivetran-client/echoed-text"
import { shownText } from "@baton-fivetran/fivetran-client/shown-text"
import { FileSystem } from "@effect/platform"
import { Effect, Equal, LogLevel, Option, Stream } from "effect"
import { ChangesFound } from "../ChangesFound.js"
import type { OutputFormat } from "../output/OutputFormat.js"
import { type Columns, printRows } from "../output/Rows.js"
import { notice } from "../output/Notice.js"
import { UsageError } from "../UsageError.js"
import { parsePrincipalRef, parseResourceRef, shellWord } from "./ResourceRef.js"
import { checkSyncFile, openSyncFile } from "./SyncFileArgument.js"

/**
 * The review commands: `resources`, `entitlements`, `grants`, `access`, `diff` and `export`, each
 * reading `.c1z` files with the c1z package's reader and access review, printing rows on stdout.
 */

export interface ReviewOutput {
  readonly file: string
  readonly format: OutputFormat
}

const viaText = (paths: ReadonlyArray<AccessPath>) => paths.map(pathText).join(" + ")

/** A user's last login and account type beside its status: who never signed in, and who never will (a service account). */
const resourceColumns: Columns<Resource> = {
  names: ["id", "name", "email", "status", "last_login", "account_type", "parent"],
  cells: (r) => [
    resourceRef(r),
    r.displayName ?? "",
    emailOf(r),
    statusText(r),
    lastLoginText(r),
    accountTypeText(r),
    r.parentResourceId === undefined ? "" : resourceRefOf(r.parentResourceId)
  ]
}

const entitlementColumns: Columns<Entitlement> = {
  names: ["id", "resource", "name", "purpose", "grantable_to"],
  cells: (e) => [e.id, resourceRef(e.resource), e.displayName, e.purpose.toLowerCase(), e.grantableTo.map((t) => t.id).join(" ")]
}

const grantColumns: Columns<Grant> = {
  names: ["id", "entitlement", "principal", "via"],
  cells: (g) => [g.id, g.entitlement.id, resourceRef(g.principal), viaText(accessPaths(g))]
}

const reviewColumns = (names: ReadonlyArray<keyof ReviewRow>): Columns<ReviewRow> => ({
  names,
  cells: (row) => names.map((name) => row[name])
})

/**
 * `access user:X`: what it holds; `access --entitlement E`: who holds it; `access --resource R`: who
 * holds what on R. The full row in JSON and CSV.
 */
const principalView = reviewColumns(["entitlement", "resource_name", "permission", "via", "via_name"])
const holderColumns = ["principal", "principal_name", "email", "status", "last_login", "account_type", "via", "via_name"] as const
const holderView = reviewColumns(holderColumns)
const resourceHolderView = reviewColumns(["permission", ...holderColumns])
const sheet = reviewColumns(ReviewColumns)

/**
 * A grant's user who cannot use it (suspended, or its invitation still pending) in the sync the row
 * comes from, said after its paths in a table's VIA cell, as the explorer's diff says it: CSV and
 * JSON have it in principal_status, and one more column would widen a table that is already wide.
 */
const unusableByUser = (d: DiffEntry) =>
  d.principal_status === "disabled" || d.principal_status === "invited" ? `, user ${d.principal_status}` : ""

const diffColumns = (format: OutputFormat): Columns<DiffEntry> => ({
  names: ["change", "kind", "id", "name", "via", "previous_via", "status", "previous_status", "previous_name"],
  cells: (d) => [
    d.change,
    d.kind,
    d.id,
    d.name ?? "",
    viaText(d.paths ?? []) + (format === "table" ? unusableByUser(d) : ""),
    viaText(d.previous_paths ?? []),
    d.status ?? "",
    d.previous_status ?? "",
    d.previous_name ?? ""
  ]
})

/** A sync's id and end as the sheets name it (`sync_id`, `synced_at`). */
const syncCells = (reader: C1zReader): readonly [string, string] => [reader.syncRun.syncId, syncedAt(reader.syncRun)]

/**
 * A listing's CSV and JSON rows end with the sync they come from, as export's and access's do: a
 * listing saved as evidence, or rows pasted from it, still name their sync. A table's columns stay
 * as they were, for reading on the screen: it says its sync on stderr after its count (tellSync).
 */
const withSync = <A>(output: ReviewOutput, columns: Columns<A>, reader: C1zReader): Columns<A> => {
  if (output.format === "table") return columns
  const cells = syncCells(reader)
  return { names: [...columns.names, "sync_id", "synced_at"], cells: (row) => [...columns.cells(row), ...cells] }
}

/**
 * A user's email and account type, as its status is given (when changed, or of an added or removed
 * user); after the syncs' columns, which came before them: a script reading diff's CSV by column
 * position reads what it read.
 */
const identityColumns: Columns<DiffEntry> = {
  names: ["email", "previous_email", "account_type", "previous_account_type"],
  cells: (d) => [d.email ?? "", d.previous_email ?? "", d.account_type ?? "", d.previous_account_type ?? ""]
}

/**
 * A grant's entitlement and principal, as the service's diff items name them: a sheet of the diff
 * is sorted or filtered by who gained or lost what without cutting grant ids apart (a role's name
 * may hold a `:`). CSV and JSON only: a table has them in its ID column. Then the principal's
 * status in the sync the row comes from (a suspended or invited user cannot use what it gained),
 * last, so a script reading by position reads what it read.
 */
const grantSideColumns: Columns<DiffEntry> = {
  names: ["entitlement", "principal", "principal_status"],
  cells: (d) => [d.entitlement ?? "", d.principal ?? "", d.principal_status ?? ""]
}

/**
 * diff's CSV and JSON rows have both syncs (DiffSyncs: the older's, then the newer's) after the
 * entry's columns, then its identity and grant columns; a table has the identity columns at its end
 * (and a grant's principal status in its VIA cell). Its counts line names the syncs too.
 */
const withSyncs = (format: OutputFormat, base: C1zReader, target: C1zReader): Columns<DiffEntry> => {
  const entry = diffColumns(format)
  if (format === "table") {
    return { names: [...entry.names, ...identityColumns.names], cells: (e) => [...entry.cells(e), ...identityColumns.cells(e)] }
  }
  const syncs = [...syncCells(base), ...syncCells(target)]
  return {
    names: [...entry.names, ...DiffSyncColumns, ...identityColumns.names, ...grantSideColumns.names],
    cells: (e) => [...entry.cells(e), ...syncs, ...identityColumns.cells(e), ...grantSideColumns.cells(e)]
  }
}

const withReader = <A, E>(file: string, use: (reader: C1zReader) => Effect.Effect<A, E>) =>
  Effect.zipRight(checkSyncFile("--file", file), Effect.scoped(Effect.flatMap(openSyncFile(file), use)))

/**
 * Connections are in a sync file only when it was synced with --sync-connections (the file then
 * declares their resource type, whether or not the account has any).
 */
const holdsConnections = (reader: C1zReader) =>
  Effect.map(
    Stream.runHead(Stream.filter(reader.resourceTypes, (type) => type.id === ConnectionResourceType.id)),
    Option.isSome
  )

const withoutConnectionsText = (file: string) =>
  `${file} holds no connections: it was synced without --sync-connections (sync with it to review connections)`

/**
 * An id the file does not hold is a typo or a stale id, not an empty answer: exit 2, with where to
 * look; the id up to EchoedLength characters (echoed). A connection's, in a file synced without
 * connections, is neither: listing them showed none, so the message says why.
 */
const notIn = (reader: C1zReader, what: string, type: string, file: string, list: "resources" | "entitlements") =>
  Effect.flatMap(
    type === ConnectionResourceType.id ? holdsConnections(reader) : Effect.succeed(true),
    (covered) =>
      Effect.fail(
        new UsageError({
          reason: covered
            ? `${what} is not in ${file} (list them with: baton-fivetran ${list})`
            : `${what} is not in ${file}: ${withoutConnectionsText(file)}`
        })
      )
  )

const requireResource = (reader: C1zReader, file: string, id: ResourceId) =>
  Effect.flatMap(
    reader.getResource(id),
    (found) => Option.isSome(found) ? Effect.void : notIn(reader, echoed(resourceRefOf(id)), id.resourceType, file, "resources")
  )

const requireEntitlement = (reader: C1zReader, file: string, id: string) =>
  Effect.flatMap(
    reader.getEntitlement(id),
    (found) =>
      Option.isSome(found)
        ? Effect.void
        : notIn(reader, `entitlement ${echoed(id)}`, id.slice(0, id.indexOf(":")), file, "entitlements")
  )

/** A line about the output, beside it on stderr (a JSON log line with json logs). */
const told = (text: string) => notice(LogLevel.Info, text, { msg: text })

/**
 * A table's sync, after its count: a sheet's rows in JSON and CSV name it (sync_id, synced_at), a
 * table's columns do not, and a copy of the screen kept as evidence must still say which sync it shows.
 */
const tellSync = (output: ReviewOutput, reader: C1zReader) => {
  if (output.format !== "table") return Effect.void
  const [id, at] = syncCells(reader)
  const text = `from sync ${id} (synced ${at})`
  return notice(LogLevel.Info, text, { msg: text, fields: { sync_id: id, synced_at: at } })
}

/** Prints the rows, then how many there were (on stderr, so stdout stays the rows). */
const print = <A, E>(output: ReviewOutput, columns: Columns<A>, rows: Stream.Stream<A, E>, what: string) =>
  Effect.flatMap(
    printRows(output.format, columns, rows),
    (count) => output.format === "table" ? told(`${count} ${what}`) : Effect.void
  )

/** A listing's rows, then (in a table) their count and their sync, as access's and export's tables end. */
const printListing = <A, E>(output: ReviewOutput, reader: C1zReader, columns: Columns<A>, rows: Stream.Stream<A, E>, what: string) =>
  Effect.zipRight(print(output, withSync(output, columns, reader), rows, what), tellSync(output, reader))

/**
 * `resources --type connection` of a file synced without connections: "0 resources" read as an
 * account without connections. Said before the (no) rows, as a warning, in every format.
 */
const warnOfMissingConnections = (reader: C1zReader, file: string, resourceType: Option.Option<string>) =>
  Option.contains(resourceType, ConnectionResourceType.id)
    ? Effect.flatMap(holdsConnections(reader), (covered) => {
      if (covered) return Effect.void
      const text = withoutConnectionsText(file)
      return notice(LogLevel.Warning, shownText(text), { msg: text, fields: { resource_type: ConnectionResourceType.id } })
    })
    : Effect.void

export const listResources = (output: ReviewOutput, resourceType: Option.Option<string>) =>
  withReader(output.file, (reader) =>
    Effect.zipRight(
      warnOfMissingConnections(reader, output.file, resourceType),
      printListing(
        output,
        reader,
        resourceColumns,
        reader.sorted.resources(Option.match(resourceType, { onNone: () => ({}), onSome: (t) => ({ resourceType: t }) }))
          .pipe(Stream.map((row) => row.value)),
        "resources"
      )
    ))

/**
 * A resource's entitlements in id order: the ids `type:id:slug` from `type:id:` on, each checked
 * against the resource (a role named `A:B` is among role `A`'s keys), as the review sheet walks them.
 */
const entitlementsOf = (reader: C1zReader, resource: ResourceId) => {
  const ref = resourceRefOf(resource)
  return reader.sorted.entitlements({ after: `${ref}:` }).pipe(
    Stream.takeWhile((entitlement) => entitlement.key.startsWith(`${ref}:`)),
    Stream.filter((entitlement) => resourceRefOf(entitlement.value.resource.id) === ref)
  )
}

/** Entitlements by id, as `resources`, `access` and `export` list theirs: the same order in every sync of the account. */
export const listEntitlements = (output: ReviewOutput, resource: Option.Option<string>) =>
  Effect.gen(function*() {
    const only = Option.isSome(resource) ? Option.some(yield* parseResourceRef("--resource", resource.value)) : Option.none()
    // A user has no entitlements: "(none)" read as a user who holds nothing, as access --resource's refusal says.
    if (Option.isSome(only) && only.value.resourceType === UserResourceType.id) {
      const text = echoed(resourceRefOf(only.value))
      return yield* new UsageError({
        reason: "--resource takes a resource with entitlements (a group, connection, role or team); " +
          `${text} is a user, whose grants are listed by: baton-fivetran grants --principal ${text}`
      })
    }
    yield* withReader(output.file, (reader) =>
      Effect.gen(function*() {
        if (Option.isSome(only)) yield* requireResource(reader, output.file, only.value)
        const listed = Option.match(only, { onNone: () => reader.sorted.entitlements(), onSome: (id) => entitlementsOf(reader, id) })
        yield* printListing(output, reader, entitlementColumns, listed.pipe(Stream.map((row) => row.value)), "entitlements")
      }))
  })

/**
 * Grants in a stable order: all of them by grant id; one principal's by entitlement id (as `access
 * user:<id>` lists them); one entitlement's by principal (as `access --entitlement` does).
 */
const sortedGrants = (reader: C1zReader, entitlement: Option.Option<string>, principal: Option.Option<ResourceId>) => {
  if (Option.isSome(entitlement)) {
    const holders = reader.sorted.holdersOf(entitlement.value)
    return Option.match(principal, {
      onNone: () => holders,
      onSome: (id) => Stream.filter(holders, (grant) => resourceRefOf(grant.value.principal.id) === resourceRefOf(id))
    })
  }
  return Option.match(principal, { onNone: () => reader.sorted.grants(), onSome: (id) => reader.sorted.grantsOf(id) })
}

export const listGrants = (output: ReviewOutput, entitlement: Option.Option<string>, principal: Option.Option<string>) =>
  Effect.gen(function*() {
    const holder = Option.isSome(principal)
      ? Option.some(
        yield* parsePrincipalRef("--principal", principal.value, "--principal user:<id> or team:<id>", "grants --entitlement")
      )
      : Option.none()
    yield* withReader(output.file, (reader) =>
      Effect.gen(function*() {
        if (Option.isSome(entitlement)) yield* requireEntitlement(reader, output.file, entitlement.value)
        if (Option.isSome(holder)) yield* requireResource(reader, output.file, holder.value)
        const listed = sortedGrants(reader, entitlement, holder).pipe(Stream.map((row) => row.value))
        yield* printListing(output, reader, grantColumns, listed, "grants")
      }))
  })

const wholeRows = (output: ReviewOutput, view: Columns<ReviewRow>) => output.format === "table" ? view : sheet

/** What `access` is asked about: exactly one of them. */
export interface AccessQuery {
  readonly principal: Option.Option<string>
  readonly entitlement: Option.Option<string>
  readonly resource: Option.Option<string>
}

const accessScope = (query: AccessQuery): Effect.Effect<ReviewScope, UsageError> => {
  if ([query.principal, query.entitlement, query.resource].filter(Option.isSome).length !== 1) {
    return Effect.fail(
      new UsageError({
        reason: "access takes one of: a principal (access user:<id> or team:<id>), --entitlement <id> or --resource <type:id>"
      })
    )
  }
  if (Option.isSome(query.principal)) {
    return Effect.map(
      parsePrincipalRef("access", query.principal.value, "access user:<id> or team:<id>", "access --entitlement", "access --resource"),
      (principal): ReviewScope => ({ _tag: "Principal", principal })
    )
  }
  if (Option.isSome(query.resource)) {
    const text = query.resource.value
    return Effect.flatMap(parseResourceRef("--resource", text), (resource) =>
      // A user has no entitlements: its "holders" would print (none), as if it had no access.
      resource.resourceType === UserResourceType.id
        ? Effect.fail(
          new UsageError({
            reason: "--resource takes a resource with entitlements (a group, connection, role or team); " +
              `${echoed(text)} is a user, whose access is listed by: baton-fivetran access ${echoed(text)}`
          })
        )
        : Effect.succeed<ReviewScope>({ _tag: "Resource", resource }))
  }
  return Effect.succeed({ _tag: "Entitlement", entitlementId: Option.getOrThrow(query.entitlement) })
}

/** The holders table's columns: an entitlement's holders, or a resource's (which one, too); a principal's are principalView. */
const accessView = (scope: ReviewScope) => scope._tag === "Resource" ? resourceHolderView : holderView

export const showAccess = (output: ReviewOutput, query: AccessQuery) =>
  Effect.gen(function*() {
    const scope = yield* accessScope(query)
    yield* withReader(output.file, (reader) =>
      Effect.gen(function*() {
        switch (scope._tag) {
          case "Principal":
            yield* requireResource(reader, output.file, scope.principal)
            break
          case "Resource":
            yield* requireResource(reader, output.file, scope.resource)
            break
          case "Entitlement":
            yield* requireEntitlement(reader, output.file, scope.entitlementId)
            break
        }
        if (scope._tag === "Principal") {
          yield* printAccessOf(output, scope.principal, reader, reviewRows(reader, scope))
        } else {
          yield* printHolders(output, accessView(scope), reviewRows(reader, scope))
        }
        yield* tellSync(output, reader)
        if (scope._tag === "Resource" && reachedByAccountRoles(scope.resource)) yield* pointToAccountRoles(reader, scope.resource)
        if (scope._tag === "Resource" && scope.resource.resourceType === ConnectionResourceType.id) {
          yield* pointToDestination(reader, scope.resource)
        }
      }))
  })

/** `3 holders`, `1 holder`: the notes' count of a role's or a destination's holders. */
const holdersText = (count: number) => `${count} ${count === 1 ? "holder" : "holders"}`

const counted = (count: number, what: string) => `${count} ${what}${count === 1 ? "" : "s"}`

/**
 * Whose access a table shows, with what a certifier checks of a user (the explorer's principal view
 * says the same): its email, a service account said so, its status and its last login. The table's
 * columns are the entitlements: a suspended user's access read as anyone's. Shown as a table's
 * cells are (shownText): a name ending in U+202E printed the id and email after it reversed, and
 * one holding ESC sequences cleared the screen or retitled the terminal.
 */
const principalText = (principal: Resource) => {
  const name = principal.displayName ?? ""
  const who = name === "" ? resourceRef(principal) : `${name} (${resourceRef(principal)})`
  if (principal.id.resourceType !== UserResourceType.id) return who
  const lastLogin = lastLoginText(principal)
  const facts = [
    emailOf(principal),
    accountTypeText(principal) === "service" ? "service account" : "",
    statusText(principal),
    `last login ${lastLogin === "" ? "none recorded" : lastLogin}`
  ]
  return `${who}: ${facts.filter((fact) => fact !== "").join(", ")}`
}

/**
 * `access user:<id>`'s rows, then (in a table) how many paths and whose they are, as the holder
 * views' count names its holders; in JSON logs with the sheet's principal columns as fields.
 */
const printAccessOf = <E>(output: ReviewOutput, id: ResourceId, reader: C1zReader, rows: Stream.Stream<ReviewRow, E>) =>
  Effect.gen(function*() {
    const count = yield* printRows(output.format, wholeRows(output, principalView), rows)
    if (output.format !== "table") return
    const principal = Option.getOrElse(yield* reader.getResource(id), (): Resource => ({ id, annotations: [] }))
    const text = `${counted(count, "access path")} of ${shownText(principalText(principal))}`
    yield* notice(LogLevel.Info, text, {
      msg: text,
      fields: principalCells(principal)
    })
  })

/**
 * An entitlement's, a resource's or the whole sheet's rows, then (in a table) how many paths and
 * how many holders: a holder with several paths has several rows, so the paths' count alone did not
 * match the holders' count the account roles' notes give ("581 holders" above "708 access paths").
 * Holders are gathered for a table only: a CSV or JSON export of a whole account kept every
 * principal's id to no use.
 */
const printHolders = <E>(output: ReviewOutput, view: Columns<ReviewRow>, rows: Stream.Stream<ReviewRow, E>) =>
  Effect.gen(function*() {
    if (output.format !== "table") return yield* Effect.asVoid(printRows(output.format, wholeRows(output, view), rows))
    const holders = { user: new Set<string>(), team: new Set<string>() }
    const count = yield* printRows(
      output.format,
      wholeRows(output, view),
      Stream.tap(
        rows,
        (row) => Effect.sync(() => void (row.principal.startsWith("team:") ? holders.team : holders.user).add(row.principal))
      )
    )
    const [users, teams] = [holders.user.size, holders.team.size]
    yield* told(`${counted(count, "access path")} of ${holdersText(users + teams)} (${counted(users, "user")}, ${counted(teams, "team")})`)
  })

/**
 * After a destination's or connection's rows: the account roles that reach it without a grant on
 * it (AccountRoles.ts), each with its holders' count and the command that lists them, so that a
 * reviewer does not read the sheet as everyone who can touch it. On stderr with the count: stdout
 * stays the rows in every format, and whoever makes a CSV for the owner still reads it. A custom
 * role's name is the account's text, shown as a table's cells are (a line break in one forged a
 * role's line).
 */
const pointToAccountRoles = (reader: C1zReader, resource: ResourceId) =>
  Effect.gen(function*() {
    const roles = yield* accountRoleHolders(reader)
    if (roles.length === 0) return
    const names = roles.map((role) => shownText(role.name))
    const nameWidth = Math.max(...names.map((name) => name.length))
    const countWidth = Math.max(...roles.map((role) => holdersText(role.holders).length))
    const what = resource.resourceType === GroupResourceType.id ? "destination" : "connection"
    const text = [
      `Account roles also reach this ${what}, as far as each role's permissions go (Fivetran's roles cascade from the ` +
      "account to every destination and connection); their holders are not among these rows:",
      ...roles.map((role, i) =>
        `  ${names[i]!.padEnd(nameWidth)}  ${holdersText(role.holders).padEnd(countWidth)}  ` +
        `baton-fivetran access --resource ${shellWord(role.id)}`
      )
    ].join("\n")
    yield* notice(LogLevel.Info, text, {
      msg: `account roles also reach this ${what}; their holders are not among its rows`,
      fields: { resource: resourceRefOf(resource), account_roles: roles }
    })
  })

/**
 * After a connection's rows (and the account roles): its destination's roles, which cascade to its
 * connections as far as each role's permissions go, with their holders' count and the command that
 * lists them. On stderr, as the account roles' note.
 */
const pointToDestination = (reader: C1zReader, connection: ResourceId) =>
  Effect.gen(function*() {
    const destination = Option.filter(
      Option.flatMap(yield* reader.getResource(connection), (found) => Option.fromNullable(found.parentResourceId)),
      (parent) => parent.resourceType === GroupResourceType.id
    )
    if (Option.isNone(destination)) return
    const holders = yield* resourceHolders(reader, destination.value)
    if (holders === 0) return
    const id = resourceRefOf(destination.value)
    const displayName = Option.getOrElse(
      Option.flatMap(yield* reader.getResource(destination.value), (group) => Option.fromNullable(group.displayName)),
      () => ""
    )
    const text = "Its destination's roles also reach this connection, as far as each role's permissions go (Fivetran's " +
      "roles cascade from a destination to its connections); their holders are not among these rows:\n" +
      `  ${displayName === "" ? id : `${shownText(displayName)} (${id})`}  ${holdersText(holders)}  ` +
      `baton-fivetran access --resource ${shellWord(id)}`
    yield* notice(LogLevel.Info, text, {
      msg: "its destination's roles also reach this connection; their holders are not among its rows",
      fields: { resource: resourceRefOf(connection), destination: { id, name: displayName, holders } }
    })
  })

const countText = (counts: Record<DiffEntry["change"], number>) =>
  `${counts.added} added, ${counts.removed} removed, ${counts.changed} changed`

/** The resource types of which a sync file holds at least one resource. */
const typesHeld = (reader: C1zReader) =>
  reader.resourceTypes.pipe(
    Stream.filterEffect((type) => Effect.map(Stream.runHead(reader.resources({ resourceType: type.id, limit: 1 })), Option.isSome)),
    Stream.map((type) => type.id),
    Stream.runCollect,
    Effect.map((ids) => new Set(ids))
  )

/**
 * A kind of resource one sync holds and the other has none of (a sync with --sync-connections and
 * one without): the diff lists all of it as added or removed, which reads as mass provisioning or
 * mass revocation. Said before the rows, as a warning, so that a reviewer checks the syncs' scope.
 */
const warnOfScope = (base: C1zReader, target: C1zReader, oldFile: string, newFile: string) =>
  Effect.gen(function*() {
    const [before, after] = yield* Effect.all([typesHeld(base), typesHeld(target)])
    const only = (held: Set<string>, other: Set<string>) => Array.from(held).filter((type) => !other.has(type))
    for (
      const [types, holder, lacking, change] of [
        [only(before, after), oldFile, newFile, "removed"],
        [only(after, before), newFile, oldFile, "added"]
      ] as const
    ) {
      for (const type of types) {
        const hint = type === "connection" ? " (one synced with --sync-connections, the other without?)" : ""
        const text = `${lacking} holds no ${type} resources and ${holder} does${hint}: every ${type} and its access ` +
          `shows as ${change}; compare syncs of the same scope`
        yield* notice(LogLevel.Warning, shownText(text), { msg: text, fields: { resource_type: type } })
      }
    }
  })

/**
 * OLD.c1z synced after NEW.c1z (the files given the other way round): every row reads as its
 * opposite, a grant made since as removed. Said before the rows, as the scope warning is.
 */
const warnOfOrder = (base: C1zReader, target: C1zReader, oldFile: string, newFile: string) => {
  if (!endedAfter(base.syncRun, target.syncRun)) return Effect.void
  const [older, newer] = [syncedAt(base.syncRun), syncedAt(target.syncRun)]
  const text = `${oldFile} (synced ${older}) is newer than ${newFile} (synced ${newer}): ` +
    "every change reads backwards (added as removed); give the older file first"
  return notice(LogLevel.Warning, shownText(text), { msg: text, fields: { old_ended_at: older, new_ended_at: newer } })
}

/**
 * The same file on both sides (the same path, a link, or ./x.c1z beside x.c1z) has no differences
 * to find, and the empty diff read as "nothing changed since the last sync" when a script had
 * named the one file twice. Said on stderr; the diff itself is the empty one it always was.
 */
const warnOfSameFile = (oldFile: string, newFile: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const [before, after] = yield* Effect.all([fs.stat(oldFile), fs.stat(newFile)])
    const same = before.dev === after.dev && Option.isSome(before.ino) && Equal.equals(before.ino, after.ino)
    if (!same) return
    const text = oldFile === newFile
      ? `OLD.c1z and NEW.c1z are the same file (${oldFile}): there is nothing to compare; give two syncs`
      : `OLD.c1z ${oldFile} and NEW.c1z ${newFile} are the same file: there is nothing to compare; give two syncs`
    yield* notice(LogLevel.Warning, shownText(text), { msg: text, fields: { old_file: oldFile, new_file: newFile } })
  }).pipe(Effect.catchTags({ SystemError: () => Effect.void, BadArgument: () => Effect.void }))

export const diffFiles = (output: Omit<ReviewOutput, "file">, oldFile: string, newFile: string, failOnChange: boolean) =>
  Effect.scoped(Effect.gen(function*() {
    yield* checkSyncFile("OLD.c1z", oldFile)
    yield* checkSyncFile("NEW.c1z", newFile)
    yield* warnOfSameFile(oldFile, newFile)
    const base = yield* openSyncFile(oldFile)
    const target = yield* openSyncFile(newFile)
    yield* warnOfScope(base, target, oldFile, newFile)
    yield* warnOfOrder(base, target, oldFile, newFile)
    const counts = { added: 0, removed: 0, changed: 0 }
    const entries = diffReaders(base, target).pipe(Stream.tap((entry) => Effect.sync(() => void counts[entry.change]++)))
    yield* printRows(output.format, withSyncs(output.format, base, target), entries)
    const summary = countText(counts)
    const text = `${summary} (${base.syncRun.syncId} → ${target.syncRun.syncId})`
    // The counts and which syncs they compare, as fields too: a script reads them without parsing the text.
    yield* notice(LogLevel.Info, text, {
      msg: text,
      fields: {
        ...counts,
        old_sync_id: base.syncRun.syncId,
        old_ended_at: syncedAt(base.syncRun),
        new_sync_id: target.syncRun.syncId,
        new_ended_at: syncedAt(target.syncRun)
      }
    })
    if (failOnChange && counts.added + counts.removed + counts.changed > 0) return yield* new ChangesFound({ summary })
  }))

export const exportSheet = (output: ReviewOutput) =>
  withReader(
    output.file,
    (reader) => Effect.zipRight(printHolders(output, sheet, reviewRows(reader, { _tag: "All" })), tellSync(output, reader))
  )

const userSheet: Columns<UserRow> = { names: UserColumns, cells: (row) => UserColumns.map((name) => row[name]) }

/** `export --sheet users`: every user once, access or not (connector-core's UserRow.ts). */
export const exportUsers = (output: ReviewOutput) =>
  withReader(output.file, (reader) => Effect.zipRight(print(output, userSheet, userRows(reader), "users"), tellSync(output, reader)))
