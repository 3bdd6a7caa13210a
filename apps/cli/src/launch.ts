#!/usr/bin/env node
import { runFromCodeCache } from "@baton-fivetran/settings/code-cache-launcher"
import { V8Flags } from "./V8Flags.js"

/** The CLI's executable, `bundle/baton-fivetran.js`: runs the bundled bin.ts from V8's code cache (see CodeCacheLauncher). */
runFromCodeCache(__filename, V8Flags)
