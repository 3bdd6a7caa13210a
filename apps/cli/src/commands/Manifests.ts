import { capabilities, configurationSchema } from "@baton-fivetran/connector-core"
import { Console } from "effect"

/** `capabilities` and `config`: the connector's manifests as protojson on stdout, as every baton connector prints them. */

const printJson = (value: unknown) => Console.log(JSON.stringify(value, null, 2))

export const printCapabilities = printJson(capabilities())

export const printConfigurationSchema = printJson(configurationSchema())
