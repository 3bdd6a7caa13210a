/**
 * Builds the access explorer page into public/: web/main.ts and its modules bundled by esbuild
 * into one browser script (no framework, no CDN), next to the page and its stylesheet. The
 * service serves public/ from `new URL("../public/", import.meta.url)`, which is the same
 * directory from src/ (tests), dist/ and bundle/ alike.
 */
import { build } from "esbuild"
import { copyFile, mkdir, rm } from "node:fs/promises"

const outdir = "public"
await rm(outdir, { recursive: true, force: true })
await mkdir(outdir, { recursive: true })
await build({
  entryPoints: { explorer: "web/main.ts" },
  outdir,
  bundle: true,
  platform: "browser",
  target: "es2022",
  format: "esm",
  minify: true,
  legalComments: "none",
  logLevel: "warning"
})
await Promise.all([copyFile("web/index.html", `${outdir}/index.html`), copyFile("web/explorer.css", `${outdir}/explorer.css`)])
