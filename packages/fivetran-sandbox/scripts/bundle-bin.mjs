/**
 * Bundles the `fivetran-sandbox` bin from what tsc built (dist/bin.js) into bundle/fivetran-sandbox.js
 * and the chunks it loads: ES modules, code split, so the server (behind SandboxCommand's dynamic
 * `import()`) is a chunk read only once the flags are good. Unbundled, a start loads effect and
 * @effect/platform module by module: `--help` took ~1.9 s of CPU from dist/, ~0.7 s bundled
 * (2026-12-06). No source maps: they added ~2 s of CPU to this ~3 s build, which the apps' builds wait
 * for; unminified, its stack traces stay readable without them. bundle/meta.json is esbuild's
 * account of which modules each file holds (test/bin.test.ts reads which ones a start loads).
 * bundle/ sits at the same depth as dist/, so `new URL("../package.json", import.meta.url)` finds the
 * package's package.json from either.
 */
import { build } from "esbuild"
import { chmod, rm, writeFile } from "node:fs/promises"

const outdir = "bundle"
const name = "fivetran-sandbox"

// Chunk names carry content hashes: start clean so no stale chunk is left behind.
await rm(outdir, { recursive: true, force: true })
const { metafile } = await build({
  entryPoints: { [name]: "dist/bin.js" },
  outdir,
  chunkNames: "chunk-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  metafile: true,
  legalComments: "none",
  logLevel: "warning",
  // Bundled CommonJS dependencies call require() for Node built-ins; ESM output has none of its own.
  banner: { js: "import { createRequire as __bundleRequire } from \"node:module\"; const require = __bundleRequire(import.meta.url);" }
})
await writeFile(`${outdir}/meta.json`, JSON.stringify(metafile))
await chmod(`${outdir}/${name}.js`, 0o755)
