/**
 * The v1 SQLite schema of a .c1z (baton-sdk v0.7.27; docs/c1z-format.md §2): every table and index,
 * with the SDK's exact names, in the SDK's creation order (sync_runs before grants).
 */

export const Tables = {
  resourceTypes: "v1_resource_types",
  resources: "v1_resources",
  entitlements: "v1_entitlements",
  syncRuns: "v1_sync_runs",
  grants: "v1_grants",
  assets: "v1_assets",
  connectorSessions: "v1_connector_sessions"
} as const

export const createTables: ReadonlyArray<string> = [
  `CREATE TABLE ${Tables.resourceTypes} (
    id INTEGER PRIMARY KEY,
    external_id TEXT NOT NULL,
    data BLOB NOT NULL,
    sync_id TEXT NOT NULL,
    discovered_at DATETIME NOT NULL
  )`,
  `CREATE TABLE ${Tables.resources} (
    id INTEGER PRIMARY KEY,
    resource_type_id TEXT NOT NULL,
    external_id TEXT NOT NULL,
    parent_resource_type_id TEXT,
    parent_resource_id TEXT,
    data BLOB NOT NULL,
    sync_id TEXT NOT NULL,
    discovered_at DATETIME NOT NULL
  )`,
  `CREATE TABLE ${Tables.entitlements} (
    id INTEGER PRIMARY KEY,
    resource_type_id TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    external_id TEXT NOT NULL,
    data BLOB NOT NULL,
    sync_id TEXT NOT NULL,
    discovered_at DATETIME NOT NULL
  )`,
  `CREATE TABLE ${Tables.syncRuns} (
    id INTEGER PRIMARY KEY,
    sync_id TEXT NOT NULL,
    started_at DATETIME NOT NULL,
    ended_at DATETIME,
    sync_token TEXT NOT NULL,
    sync_type TEXT NOT NULL DEFAULT 'full',
    parent_sync_id TEXT NOT NULL DEFAULT '',
    linked_sync_id TEXT NOT NULL DEFAULT '',
    supports_diff INTEGER NOT NULL DEFAULT 0
  )`,
  `CREATE TABLE ${Tables.grants} (
    id INTEGER PRIMARY KEY,
    resource_type_id TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    entitlement_id TEXT NOT NULL,
    principal_resource_type_id TEXT NOT NULL,
    principal_resource_id TEXT NOT NULL,
    external_id TEXT NOT NULL,
    expansion BLOB,
    needs_expansion INTEGER NOT NULL DEFAULT 0,
    data BLOB NOT NULL,
    sync_id TEXT NOT NULL,
    discovered_at DATETIME NOT NULL
  )`,
  `CREATE TABLE ${Tables.assets} (
    id INTEGER PRIMARY KEY,
    external_id TEXT NOT NULL,
    content_type TEXT NOT NULL,
    data BLOB NOT NULL,
    sync_id TEXT NOT NULL,
    discovered_at DATETIME NOT NULL
  )`,
  `CREATE TABLE ${Tables.connectorSessions} (
    id INTEGER PRIMARY KEY,
    sync_id TEXT NOT NULL,
    key TEXT NOT NULL,
    value BLOB NOT NULL
  )`
]

/**
 * The unique (external_id, sync_id) index of each table the writer loads. Each is built after the
 * load, once repeated ids have been resolved (RepeatedIds.ts): one sort of the finished table is far
 * faster than keeping a b-tree of long random keys up to date per row, which outgrows the page cache.
 */
export const externalIdIndexes = {
  [Tables.resourceTypes]: `CREATE UNIQUE INDEX idx_resource_types_external_sync_v1 ON ${Tables.resourceTypes} (external_id, sync_id)`,
  [Tables.resources]: `CREATE UNIQUE INDEX idx_resources_external_sync_v1 ON ${Tables.resources} (external_id, sync_id)`,
  [Tables.entitlements]: `CREATE UNIQUE INDEX idx_entitlements_external_sync_v1 ON ${Tables.entitlements} (external_id, sync_id)`,
  [Tables.grants]: `CREATE UNIQUE INDEX idx_grants_external_sync_v1 ON ${Tables.grants} (external_id, sync_id)`
} as const

/** The unique indexes of the tables the writer does not load row by row: created with the tables. */
export const createOtherUniqueIndexes: ReadonlyArray<string> = [
  `CREATE UNIQUE INDEX idx_sync_runs_sync_id_v1 ON ${Tables.syncRuns} (sync_id)`,
  `CREATE UNIQUE INDEX idx_assets_external_sync_v1 ON ${Tables.assets} (external_id, sync_id)`,
  `CREATE UNIQUE INDEX idx_session_store_sync_key_v1 ON ${Tables.connectorSessions} (sync_id, key)`
]

/** Lookup indexes: built once after the rows are in, which is much faster than keeping them up to date per row. */
export const createLookupIndexes: ReadonlyArray<string> = [
  `CREATE INDEX idx_resources_resource_type_id_v1 ON ${Tables.resources} (resource_type_id)`,
  `CREATE INDEX idx_resources_parent_resource_id_v1 ON ${Tables.resources} (parent_resource_type_id, parent_resource_id)`,
  `CREATE INDEX idx_entitlements_resource_id_v1 ON ${Tables.entitlements} (resource_type_id, resource_id)`,
  `CREATE INDEX idx_grants_resource_type_id_resource_id_v1 ON ${Tables.grants} (resource_type_id, resource_id)`,
  `CREATE INDEX idx_grants_principal_id_v1 ON ${Tables.grants} (principal_resource_type_id, principal_resource_id)`,
  `CREATE INDEX idx_grants_entitlement_id_principal_id_v1 ON ${Tables.grants} (entitlement_id, principal_resource_type_id, principal_resource_id)`,
  `CREATE INDEX idx_grants_sync_expansion_v1 ON ${Tables.grants} (sync_id) WHERE expansion IS NOT NULL`,
  `CREATE INDEX idx_grants_sync_needs_expansion_v1 ON ${Tables.grants} (sync_id) WHERE needs_expansion = 1`
]
