/**
 * Bundles the `fivetran-sandbox` bin from what tsc built (dist/bin.js) into bundle/fivetran-sandbox.js
 * and the chunks it loads: ES modules, code split (the repository's scripts/bundle-es-modules.mjs), so
 * the server (behind SandboxCommand's dynamic `import()`) is a chunk read only once the flags are good.
 * Unbundled, a start loads effect and @effect/platform module by module: `--help` took ~1.9 s of CPU
 * from dist/, ~0.7 s bundled (2026-12-06). No source maps: they added ~2 s of CPU to this ~3 s build,
 * which the apps' builds wait for; unminified, its stack traces stay readable without them.
 * bundle/meta.json is esbuild's account of which modules each file holds (test/bin.test.ts reads which
 * ones a start loads). bundle/ sits at the same depth as dist/, so `new URL("../package.json",
 * import.meta.url)` finds the package's package.json from either.
 */
import { writeFile } from "node:fs/promises"
import { bundleEsModules } from "../../../scripts/bundle-es-modules.mjs"

const outdir = "bundle"
const { metafile } = await bundleEsModules({ entry: "dist/bin.js", name: "fivetran-sandbox", outdir })
await writeFile(`${outdir}/meta.json`, JSON.stringify(metafile))
