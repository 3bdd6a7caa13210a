/** The sandbox's request budget unless told otherwise: Fivetran's, per rolling hour (docs/fivetran-api.md §1.7). */
export const DEFAULT_HOURLY_LIMIT = 20_000
export const DEFAULT_INVITES_HOURLY_LIMIT = 500
export const DEFAULT_RATE_WINDOW_SECONDS = 3600
