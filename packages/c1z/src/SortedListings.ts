import type { Entitlement, Grant, Keyed, Resource, ResourceId } from "@baton-fivetran/connector-core"
import { Chunk, Effect, Option, Stream } from "effect"
import type { C1zError } from "./C1zError.js"
import type { Page } from "./PageBudget.js"
import { type BlobRow, blobColumns, checkIdSize, entitlementOfRow, grantOfRow, idColumn, resourceOfRow } from "./RowBlob.js"
import { Tables } from "./SqliteSchema.js"

/**
 * Where one principal's grants or one entitlement's holders resume: after the row with this value
 * of the listing's order column (`cursor`) and this row id (`row`). Baton's files never repeat a
 * value there (a principal holds an entitlement once, a grant id is unique in its sync), but a
 * crafted or damaged file can, so the row id breaks the tie: each row is listed once, whatever page
 * ends on it. A bare value (`after: "..."`) resumes after every row holding it.
 */
export interface ListingPosition {
  readonly cursor: string
  readonly row: number
}

/** A listed row, and where a listing resumes after it. */
export interface PositionedRow<A> extends Keyed<A> {
  readonly position: ListingPosition
}

/**
 * Listings in id order (SQLite's BINARY order of `external_id`, which connector-core's KeyOrder
 * reproduces), for what compares or exports syncs: the diff merge-joins two of them, the export
 * walks principals in a stable order. Keyset pages on the indexes, a page of rows per query, so
 * nothing held grows with the sync.
 */
export interface SortedListings {
  /**
   * Resources of one type or of every type (`external_id` is `type:id`), after the key `after`.
   * `mayMatch`, given a row's `external_id` and its blob as stored, passes over the rows it says
   * cannot match undecoded (a search's, which decoding every row made cost ~30 µs a row).
   */
  readonly resources: (
    options?: {
      readonly resourceType?: string | undefined
      readonly after?: string | undefined
      readonly mayMatch?: ((externalId: string, blob: unknown) => boolean) | undefined
    }
  ) => Stream.Stream<Keyed<Resource>, C1zError>
  readonly entitlements: (options?: { readonly after?: string | undefined }) => Stream.Stream<Keyed<Entitlement>, C1zError>
  readonly grants: (options?: { readonly after?: string | undefined }) => Stream.Stream<Keyed<Grant>, C1zError>
  /**
   * One principal's grants, by entitlement id (the order column; each row's key is its grant id),
   * then row id, after `after`: an entitlement id or a position.
   */
  readonly grantsOf: (
    principal: ResourceId,
    options?: { readonly after?: string | ListingPosition | undefined }
  ) => Stream.Stream<PositionedRow<Grant>, C1zError>
  /**
   * One entitlement's grants, by grant id (`<entitlement id>:<type>:<id>`: by principal), then row
   * id, after `after`: a grant id or a position.
   */
  readonly holdersOf: (
    entitlementId: string,
    options?: { readonly after?: string | ListingPosition | undefined }
  ) => Stream.Stream<PositionedRow<Grant>, C1zError>
  /**
   * The principals of this type that grants name but that have no resource row, by id: none in a
   * file this connector wrote; a damaged or another writer's file may have some.
   */
  readonly principalsWithoutResource: (principalType: string) => Effect.Effect<ReadonlyArray<ResourceId>, C1zError>
}

/** What the reader lends: a query on its open database, rows decoded under its error mapping. */
export interface SqlAccess {
  readonly syncId: string
  readonly all: <A>(
    sql: string,
    params: ReadonlyArray<string | number>,
    decode: (row: unknown) => A
  ) => Effect.Effect<ReadonlyArray<A>, C1zError>
  /** A page of rows with blobs (PageBudget.ts): at most `limit`, fewer once their blobs reach the budget. */
  readonly page: <A>(
    sql: string,
    params: ReadonlyArray<string | number>,
    limit: number,
    decode: (row: CursorRow) => A
  ) => Effect.Effect<Page<A>, C1zError>
}

export interface KeyedRow extends BlobRow {
  readonly external_id: string
}

/** A sorted listing's row: its cursor column's value (`idColumn`, NULL past the limit) and size. */
export interface CursorRow extends KeyedRow {
  readonly cursor: string
  readonly cursor_bytes: unknown
}

const pageSize = 1000

/** A row's blobs, each over the limit left unread (RowBlob.ts). */
const dataColumns = blobColumns(["data"])
const grantColumns = blobColumns(["data", "expansion"])

const resourceQuery = { table: Tables.resources, columns: dataColumns, cursor: "external_id", tied: false }

export const sortedListings = (sql: SqlAccess): SortedListings => {
  /**
   * Pages of `SELECT ... WHERE <where> AND <cursor column> > ? ORDER BY <cursor column>`, ended early
   * at the blob budget (PageBudget.ts); the last row starts the next page. A `tied` cursor column
   * (one that may repeat) is ordered by row id too, and a page resumes after the last row's value
   * and row id, so rows tied on a value at a page's end are not skipped.
   */
  const paged = <A>(
    query: {
      readonly table: string
      readonly columns: string
      readonly where: ReadonlyArray<string>
      readonly cursor: string
      readonly tied: boolean
    },
    params: ReadonlyArray<string | number>,
    start: string | ListingPosition,
    decode: (row: KeyedRow) => A
  ): Stream.Stream<PositionedRow<A>, C1zError> => {
    const select = (resume: string) =>
      `SELECT ${idColumn(query.cursor, "cursor")}, id, ${idColumn("external_id")}, ${query.columns}
      FROM ${query.table} WHERE ${["sync_id = ?", ...query.where, resume].join(" AND ")}
      ORDER BY ${query.cursor}${query.tied ? ", id" : ""} LIMIT ${pageSize}`
    const afterValue = select(`${query.cursor} > ?`)
    const afterRow = select(`(${query.cursor} > ? OR (${query.cursor} = ? AND id > ?))`)
    const decodeRow = (row: CursorRow): PositionedRow<A> => {
      checkIdSize(`${query.table} row ${String(row.id)}`, query.cursor, row.cursor_bytes)
      return { key: row.external_id, value: decode(row), position: { cursor: row.cursor, row: row.id } }
    }
    return Stream.paginateChunkEffect(start, (after) => {
      const [text, resume] = typeof after === "string"
        ? [afterValue, [after]]
        : [afterRow, [after.cursor, after.cursor, after.row]]
      return Effect.map(sql.page(text, [sql.syncId, ...params, ...resume], pageSize, decodeRow), ({ more, rows }) => {
        const last = rows.at(-1)
        const next: Option.Option<string | ListingPosition> = !more || last === undefined
          ? Option.none()
          : Option.some(query.tied ? last.position : last.position.cursor)
        return [Chunk.unsafeFromArray(rows), next] as const
      })
    })
  }

  return {
    resources: (options = {}) => {
      const { mayMatch } = options
      // A row passed over keeps its place in the page (the next page starts after it), and leaves the stream.
      const decode = mayMatch === undefined
        ? resourceOfRow
        : (row: KeyedRow) => mayMatch(row.external_id, row.data) ? resourceOfRow(row) : undefined
      const listed = (where: ReadonlyArray<string>, params: ReadonlyArray<string>, start: string) =>
        Stream.filter(
          paged({ ...resourceQuery, where }, params, start, decode),
          (row): row is PositionedRow<Resource> => row.value !== undefined
        )
      if (options.resourceType === undefined) return listed([], [], options.after ?? "")
      // The ids of one type are the keys from `type:` up to `type;` (';' follows ':').
      const prefix = `${options.resourceType}:`
      return listed(
        ["external_id < ?"],
        [`${options.resourceType};`],
        options.after !== undefined && options.after > prefix ? options.after : prefix
      )
    },
    entitlements: (options = {}) =>
      paged(
        { table: Tables.entitlements, columns: dataColumns, where: [], cursor: "external_id", tied: false },
        [],
        options.after ?? "",
        entitlementOfRow
      ),
    grants: (options = {}) =>
      paged(
        { table: Tables.grants, columns: grantColumns, where: [], cursor: "external_id", tied: false },
        [],
        options.after ?? "",
        grantOfRow
      ),
    grantsOf: (principal, options = {}) =>
      paged(
        {
          table: Tables.grants,
          columns: grantColumns,
          where: ["principal_resource_type_id = ?", "principal_resource_id = ?"],
          cursor: "entitlement_id",
          tied: true
        },
        [principal.resourceType, principal.resource],
        options.after ?? "",
        grantOfRow
      ),
    // No index of the format orders an entitlement's grants by grant id (nor a principal's by
    // entitlement id): the entitlement's (or principal's) index gives its rows, and SQLite sorts those
    // past the key, so a page costs a pass over that index, not a read of every row before the key;
    // the row id in the order (`tied`) costs nothing more.
    holdersOf: (entitlementId, options = {}) =>
      paged(
        { table: Tables.grants, columns: grantColumns, where: ["entitlement_id = ?"], cursor: "external_id", tied: true },
        [entitlementId],
        options.after ?? "",
        grantOfRow
      ),
    // The grants' principal index gives each principal once (of any sync in the file: grantsOf then
    // reads this sync's grants alone), and the resources' unique index answers each: ~10 ms on a
    // `large` file, where a pass over the grants took ~0.45 s.
    principalsWithoutResource: (principalType) =>
      sql.all(
        `SELECT ${idColumn("id", "principal")} FROM (
            SELECT DISTINCT principal_resource_id AS id FROM ${Tables.grants} WHERE principal_resource_type_id = ?
          ) AS principal WHERE NOT EXISTS (SELECT 1 FROM ${Tables.resources} AS resource
            WHERE resource.external_id = ? || ':' || principal.id AND resource.sync_id = ?) ORDER BY id`,
        [principalType, principalType, sql.syncId],
        (row): ResourceId => {
          const { principal, principal_bytes } = row as { readonly principal: string; readonly principal_bytes: unknown }
          checkIdSize(`${Tables.grants} (a grant of a ${principalType} the sync does not hold)`, "principal_resource_id", principal_bytes)
          return { resourceType: principalType, resource: principal }
        }
      )
  }
}
