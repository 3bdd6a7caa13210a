/**
 * The esbuild set-up the repository's bundles share, and the ES-module shape of a bin: `bundle-app.mjs`
 * builds the apps (and bench's programs) with it, the sandbox's `scripts/bundle-bin.mjs` its bin.
 */
import { build } from "esbuild"
import { chmod, rm } from "node:fs/promises"
import { join } from "node:path"

/**
 * Every bundle: one program for Node 20, with no licence comments (each bundle's notices, or none,
 * say them) and esbuild's account of its inputs (the metafile), which the callers read.
 */
export const nodeBundleOptions = {
  bundle: true,
  platform: "node",
  target: "node20",
  legalComments: "none",
  metafile: true,
  logLevel: "warning"
}

/**
 * Bundles `entry` into `outdir` as ES modules, code split: `<name>.js`, made executable, and the
 * chunks it loads, each read only once code behind a dynamic `import()` runs. `options` are esbuild's
 * (plugins, minify, source maps, ...) on top of `nodeBundleOptions`. Resolves to esbuild's result.
 */
export const bundleEsModules = async ({ entry, name, outdir, ...options }) => {
  // Chunk names carry content hashes: start clean so no stale chunk is left behind.
  await rm(outdir, { recursive: true, force: true })
  const result = await build({
    ...nodeBundleOptions,
    ...options,
    entryPoints: { [name]: entry },
    outdir,
    chunkNames: "chunk-[hash]",
    splitting: true,
    format: "esm",
    // Bundled CommonJS dependencies call require() for Node built-ins; ESM output has none of its own.
    banner: { js: "import { createRequire as __bundleRequire } from \"node:module\"; const require = __bundleRequire(import.meta.url);" }
  })
  await chmod(join(outdir, `${name}.js`), 0o755)
  return result
}
