import { echoed } from "@baton-fivetran/fivetran-client/echoed-text"

/**
 * A value a refusal quotes, in JSON quotes and cut as every echoed value is (`echoed`): a flag or
 * `.baton.yaml` value of 300 characters was repeated whole in the `error:` line.
 */
export const quotedValue = (text: string): string => JSON.stringify(echoed(text))
