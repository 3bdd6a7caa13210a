/**
 * Bundles one app with esbuild into `bundle/` beside its `dist/`:
 *   node ../../scripts/bundle-app.mjs src/bin.ts baton-fivetran
 * writes bundle/baton-fivetran.js (the file the app's `bin` runs) and the chunks it loads.
 *
 * Start-up was dominated by resolving and loading hundreds of small modules; the bundle loads a
 * few minified files instead. Code behind a dynamic `import()` (a command's implementation, the
 * HTTP client, the sandbox, optional telemetry) is split into chunks read only when that code
 * runs, so a command pays only for what it uses. `bundle/` sits at the same depth as `dist/`, so
 * `new URL("../…", import.meta.url)` finds the same files (the CLI's package.json, web assets)
 * from either. The native addons (better-sqlite3, zstd-napi) cannot be bundled: they stay
 * external and resolve from the app's own node_modules.
 */
import { build } from "esbuild"
import { chmod, rm } from "node:fs/promises"
import { join } from "node:path"

const [entry, name] = process.argv.slice(2)
if (entry === undefined || name === undefined) {
  process.stderr.write("usage: bundle-app.mjs <entry.ts> <bundle name>\n")
  process.exit(2)
}
const outdir = "bundle"

// Chunk names carry content hashes: start clean so no stale chunk is left behind.
await rm(outdir, { recursive: true, force: true })
await build({
  entryPoints: { [name]: entry },
  outdir,
  chunkNames: "chunk-[hash]",
  bundle: true,
  splitting: true,
  platform: "node",
  target: "node20",
  format: "esm",
  external: ["better-sqlite3", "zstd-napi"],
  // Bundled CommonJS dependencies call require() for Node built-ins; ESM output has none of its own.
  banner: { js: "import { createRequire as __bundleRequire } from \"node:module\"; const require = __bundleRequire(import.meta.url);" },
  // Web assets an app imports are embedded as text.
  loader: { ".html": "text", ".css": "text", ".svg": "text" },
  minify: true,
  sourcemap: "linked",
  legalComments: "none",
  logLevel: "warning"
})
await chmod(join(outdir, `${name}.js`), 0o755)
