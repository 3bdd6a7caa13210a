import { FileSystem } from "@effect/platform"
import { Effect } from "effect"
import { silentServer } from "../../../packages/fivetran-client/test/support/SilentServer.js"
import { serviceProcessOver } from "./ServiceProcess.js"

/**
 * The service process over a `silentServer` (returned too, for the requests it was sent): a key of
 * its own and `token` as its bearer token (in variables, as a deployment gives them), a free port, then `flags`.
 */
export const serviceOverSilentFivetran = (token: string, flags: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const fivetran = yield* silentServer
    const dataDir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-silent-fivetran-" })
    const service = yield* serviceProcessOver(dataDir, ["--base-url", fivetran.baseUrl, "--port", "0", ...flags], {
      env: { BATON_API_KEY: "key_of_the_test", BATON_API_SECRET: "secret_of_the_test", BATON_HTTP_TOKENS: token }
    })
    return { fivetran, service }
  })
