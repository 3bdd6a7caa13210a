/**
 * The version of baton-fivetran, the one every workspace package.json declares (test/version.test.ts
 * checks them all): sent in `User-Agent`, printed by both apps' `--version`, the OpenAPI document's
 * `info.version`. A module of its own (`@baton-fivetran/fivetran-client/version`) so that the CLI
 * can print it without loading the client.
 */
export const Version = "0.1.0"

/** Defined by the bundles' build (scripts/bundle-app.mjs); absent where a package runs from `dist/`. */
declare const BATON_FIVETRAN_COMMIT: string | undefined

/** The commit a bundle was built from (`-dirty` with uncommitted changes); undefined outside a bundle or a git checkout. */
export const BuildCommit: string | undefined = typeof BATON_FIVETRAN_COMMIT === "string" ? BATON_FIVETRAN_COMMIT : undefined

/** What `--version` prints: `0.1.0 (commit 1a2b3c4d5e6f)`, or the version alone when the commit is unknown. */
export const VersionLine = BuildCommit === undefined ? Version : `${Version} (commit ${BuildCommit})`

export const UserAgent = `baton-fivetran/${Version}`
