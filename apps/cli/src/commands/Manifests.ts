import { capabilities, ResourceTypeRegistry } from "@baton-fivetran/connector-core"
import { configurationSchema } from "@baton-fivetran/settings"
import { Console, Effect } from "effect"

/** `capabilities` and `config`: the connector's manifests as protojson on stdout, as every baton connector prints them. */

const printJson = (value: unknown) => Console.log(JSON.stringify(value, null, 2))

/** The capabilities of the registered resource types. */
export const printCapabilities = Effect.flatMap(ResourceTypeRegistry, (registry) => printJson(capabilities(registry)))

export const printConfigurationSchema = printJson(configurationSchema())
