/**
 * connector-core's DefaultBaseUrl and DefaultConcurrency, repeated so that start-up (help, usage
 * errors, --version) does not load connector-core, about a quarter of the CLI's start-up time.
 * test/settings.test.ts pins them equal to connector-core's.
 */
export const DefaultBaseUrl = "https://api.fivetran.com"
export const DefaultConcurrency = 8
