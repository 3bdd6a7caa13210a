import { capabilities, ResourceTypeRegistry } from "@baton-fivetran/connector-core"
import { configurationSchema } from "@baton-fivetran/settings"
import { Effect } from "effect"
import { writeStdout } from "../output/Stdout.js"

/** `capabilities` and `config`: the connector's manifests as protojson on stdout, as every baton connector prints them. */

/**
 * A failed write (a full disk) fails the command, exit 1, as the review commands' output does:
 * through Console.log it was lost and the command exited 0. A reader gone (`| head`) ends it quietly.
 */
const printJson = (value: unknown) => Effect.catchTag(writeStdout(`${JSON.stringify(value, null, 2)}\n`), "StdoutClosed", () => Effect.void)

/** The capabilities of the registered resource types. */
export const printCapabilities = Effect.flatMap(ResourceTypeRegistry, (registry) => printJson(capabilities(registry)))

export const printConfigurationSchema = printJson(configurationSchema())
