#!/usr/bin/env node
import { runFromCodeCache } from "@baton-fivetran/settings/code-cache-launcher"

/** The service's executable, `bundle/baton-fivetran-http.js`: runs the bundled main.ts from V8's code cache (see CodeCacheLauncher). */
runFromCodeCache(__filename, [])
