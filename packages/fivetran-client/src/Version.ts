/**
 * The version of baton-fivetran, the one every workspace package.json declares (test/version.test.ts
 * checks them all): sent in `User-Agent`, printed by both apps' `--version`, the OpenAPI document's
 * `info.version`. A module of its own (`@baton-fivetran/fivetran-client/version`) so that the CLI
 * can print it without loading the client.
 */
export const Version = "0.1.0"

export const UserAgent = `baton-fivetran/${Version}`
