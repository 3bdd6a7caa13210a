import { assert, describe, it } from "@effect/vitest"
import { build } from "esbuild"
import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

/**
 * Each bundle carries THIRD-PARTY-NOTICES.txt (scripts/third-party-notices.mjs, called by
 * scripts/bundle-app.mjs with esbuild's metafiles): the licences of the npm packages whose code is
 * in it (and of Swagger UI, which @effect/platform inlines in the service's) and of those it loads
 * from node_modules at run time. A package with no licence, or one outside the script's allowlist,
 * fails the build.
 */

const script = fileURLToPath(new URL("../../scripts/third-party-notices.mjs", import.meta.url))
const appDir = (app: string) => fileURLToPath(new URL(`../../apps/${app}/`, import.meta.url))
const rule = "=".repeat(80)

/** The `name version` lines of a notices file's two parts: bundled, then loaded at run time. */
const packagesOf = (notices: string) => {
  const [bundled, loaded] = notices.split(/^PART 2: /m).map((part) =>
    part.split(`${rule}\n`).slice(1).map((entry) => entry.split("\n")[0]!).filter((line) => line !== "")
  )
  return { bundled, loaded }
}

/** The entry of package `name` in a notices file: from its `name version` line to the blank line before the next rule, or the end. */
const entryOf = (notices: string, name: string) => {
  const start = notices.indexOf(`${rule}\n${name} `)
  assert.isAtLeast(start, 0, `no entry for ${name}`)
  const end = notices.indexOf(`\n${rule}`, start + 1)
  return notices.slice(start + rule.length + 1, end < 0 ? notices.length : end)
}

/** A package as an app resolves it: its version and the text of one of its files. */
const installed = (app: string, name: string, file: string) => {
  const manifest = createRequire(join(appDir(app), "package.json")).resolve(`${name}/package.json`)
  return {
    version: (JSON.parse(readFileSync(manifest, "utf8")) as { readonly version: string }).version,
    text: readFileSync(join(dirname(manifest), file), "utf8").trimEnd()
  }
}

const addonsAndTheirRequires = ["better-sqlite3", "bindings", "file-uri-to-path", "zstd-napi"]

describe("the bundles' THIRD-PARTY-NOTICES.txt", () => {
  const bundledByBoth = [
    "@bufbuild/protobuf",
    "@effect/cli",
    "@effect/opentelemetry",
    "@effect/platform",
    "@effect/platform-node",
    "@effect/platform-node-shared",
    "@effect/printer",
    "@effect/printer-ansi",
    "@effect/typeclass"
  ]
  const expected = {
    cli: [
      ...bundledByBoth,
      "ansi-regex",
      "effect",
      "fast-check",
      "find-my-way-ts",
      "get-east-asian-width",
      "ini",
      "mime",
      "multipasta",
      "pure-rand",
      "string-width",
      "strip-ansi",
      "toml",
      "undici",
      "ws",
      "yaml"
    ],
    http: [
      ...bundledByBoth,
      "effect",
      "fast-check",
      "find-my-way-ts",
      "ini",
      "mime",
      "multipasta",
      "pure-rand",
      "swagger-ui-dist",
      "toml",
      "undici",
      "ws",
      "yaml"
    ]
  }

  for (const app of ["cli", "http"] as const) {
    it(`${app}'s names exactly the packages in its bundle and the native add-ons it loads, with their licence files`, () => {
      const notices = readFileSync(join(appDir(app), "bundle", "THIRD-PARTY-NOTICES.txt"), "utf8")
      const { bundled, loaded } = packagesOf(notices)
      // msgpackr, which @effect/platform imports, is dropped from the bundle, and so from the notices.
      assert.deepStrictEqual(bundled!.map((line) => line.split(" ")[0]), expected[app])
      assert.deepStrictEqual(loaded!.map((line) => line.split(" ")[0]), addonsAndTheirRequires)

      const effect = installed(app, "effect", "LICENSE")
      assert.strictEqual(effect.text.split("\n")[0], "MIT License")
      assert.strictEqual(entryOf(notices, "effect"), `effect ${effect.version}\nLicense: MIT\n\n--- LICENSE ---\n\n${effect.text}\n`)

      // Apache-2.0 asks for the NOTICE file too.
      const zstdLicence = installed(app, "zstd-napi", "LICENSE")
      const zstdNotice = installed(app, "zstd-napi", "NOTICE")
      assert.strictEqual(
        entryOf(notices, "zstd-napi"),
        `zstd-napi ${zstdLicence.version}\nLicense: Apache-2.0\n\n--- LICENSE ---\n\n${zstdLicence.text}\n\n--- NOTICE ---\n\n${zstdNotice.text}\n`
      )
      assert.include(entryOf(notices, "@bufbuild/protobuf"), "// Copyright 2008 Google Inc.  All rights reserved.")
    })
  }

  it("http's carries Swagger UI, whose script and style @effect/platform inlines, with its licence, NOTICE and the licence files its script names", () => {
    const bundle = join(appDir("http"), "bundle")
    const notices = readFileSync(join(bundle, "THIRD-PARTY-NOTICES.txt"), "utf8")
    const { javascript } = JSON.parse(readFileSync(join(bundle, "swagger-ui.json"), "utf8")) as { readonly javascript: string }
    const version = /PACKAGE_VERSION:"([^"]+)"/.exec(javascript)?.[1]
    assert.strictEqual(version, "5.30.2")
    // Its script's banners point to these files, which are not shipped beside it.
    const named = [...javascript.matchAll(/^\/\*! For license information please see (\S+) \*\/$/gm)].map((match) => match[1])
    assert.deepStrictEqual(named, ["swagger-ui-bundle.js.LICENSE.txt", "swagger-ui-standalone-preset.js.LICENSE.txt"])
    const kept = fileURLToPath(new URL(`../../scripts/third-party-notices/swagger-ui-dist@${version}/`, import.meta.url))
    const text = (file: string) => readFileSync(join(kept, file), "utf8").trimEnd()
    assert.strictEqual(text("LICENSE").split("\n")[1]!.trim(), "Apache License")
    assert.strictEqual(text("NOTICE"), "swagger-ui\nCopyright 2020-2021 SmartBear Software Inc.")
    assert.strictEqual(
      entryOf(notices, "swagger-ui-dist"),
      [
        `swagger-ui-dist ${version}`,
        "License: Apache-2.0",
        ...["LICENSE", "NOTICE", ...named].flatMap((file) => ["", `--- ${file} ---`, "", text(file)]),
        ""
      ]
        .join("\n")
    )
  })

  it("cli's has no Swagger UI: its bundle dropped the page, and has no swagger-ui.json", () => {
    const bundle = join(appDir("cli"), "bundle")
    assert.isFalse(existsSync(join(bundle, "swagger-ui.json")))
    assert.notInclude(readFileSync(join(bundle, "THIRD-PARTY-NOTICES.txt"), "utf8"), "swagger-ui")
  })
})

/** Writes a package into `dir`/node_modules: its package.json fields and files. */
const fixturePackage = (dir: string, manifest: Record<string, unknown>, files: Record<string, string>) => {
  const root = join(dir, "node_modules", manifest.name as string)
  mkdirSync(root, { recursive: true })
  writeFileSync(join(root, "package.json"), JSON.stringify(manifest))
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true })
    writeFileSync(join(root, name), text)
  }
}

/**
 * Bundles `entry` (an ES module's source) in a fresh directory holding the fixture packages, with
 * `native-fixture` left external as the apps leave their native add-ons, writes its metafile to
 * meta.json and runs the script there on it: its exit code, stderr and the output directory.
 */
const bundleAndNotice = async (entry: string, metafileOf: (metafile: object) => object = (metafile) => metafile) => {
  const dir = mkdtempSync(join(tmpdir(), "e2e-notices-"))
  try {
    fixturePackage(dir, { name: "mit-fixture", version: "1.2.3", license: "MIT", type: "module" }, {
      "index.js": "export const greet = () => \"hello\"\n",
      "LICENSE": "MIT License\r\n\r\nCopyright (c) 2026 Fixture Authors\r\n"
    })
    fixturePackage(dir, { name: "headers-fixture", version: "0.1.0", license: "Apache-2.0", type: "module" }, {
      "index.js":
        "// Copyright 2026 Header Authors\n// Licensed under the Apache License, Version 2.0.\n// The answer, as a constant.\nexport const answer = 42\n"
    })
    fixturePackage(dir, { name: "unused-fixture", version: "9.9.9", license: "GPL-3.0-only", type: "module", sideEffects: false }, {
      "index.js": "export const unused = 1\n"
    })
    fixturePackage(dir, { name: "native-fixture", version: "3.0.0", license: "ISC", main: "index.js" }, {
      "index.js": "module.exports = require(\"dep-fixture\")\n",
      "LICENSE": "ISC License\n",
      "NOTICE": "native-fixture\nCopyright 2026 Native Authors\n"
    })
    fixturePackage(dir, { name: "dep-fixture", version: "2.0.0", license: "(MIT OR GPL-2.0-only)", main: "index.js" }, {
      "index.js": "module.exports = \"dep\"\n",
      "LICENSE-MIT": "MIT License, dep-fixture\n"
    })
    fixturePackage(dir, { name: "gpl-fixture", version: "1.0.0", license: "GPL-3.0-only", type: "module" }, {
      "index.js": "export const gpl = 1\n",
      "COPYING": "GNU GENERAL PUBLIC LICENSE\n"
    })
    fixturePackage(dir, { name: "both-fixture", version: "1.0.0", license: "(MIT AND GPL-2.0-only)", type: "module" }, {
      "index.js": "export const both = 1\n",
      "LICENSE": "MIT and GPL\n"
    })
    fixturePackage(dir, { name: "unlicensed-fixture", version: "0.0.1", type: "module" }, { "index.js": "export const mine = 1\n" })
    // @effect/platform's module that inlines Swagger UI, at the path it has: one inlining a version whose files are not kept...
    const swaggerModule = "dist/esm/internal/httpApiSwagger.js"
    const platform = (version: string) => ({ name: "@effect/platform", version, license: "MIT", type: "module" })
    fixturePackage(dir, platform("0.0.1"), {
      [swaggerModule]: "export const javascript = \"x={PACKAGE_VERSION:\\\"0.0.0-fixture\\\",GIT_DIRTY:!0}\"\n",
      "LICENSE": "MIT License, platform fixture\n"
    })
    // ...and one, installed under another package, inlining a script that declares no version.
    fixturePackage(join(dir, "node_modules", "unversioned-swagger-fixture"), platform("0.0.2"), {
      [swaggerModule]: "export const javascript = \"x={}\"\n",
      "LICENSE": "MIT License, platform fixture\n"
    })
    fixturePackage(dir, { name: "unversioned-swagger-fixture", version: "1.0.0", license: "MIT", type: "module" }, {
      "index.js": `export { javascript as unversioned } from "@effect/platform/${swaggerModule}"\n`,
      "LICENSE": "MIT License, unversioned fixture\n"
    })
    writeFileSync(join(dir, "entry.mjs"), entry)
    const { metafile } = await build({
      absWorkingDir: dir,
      entryPoints: ["entry.mjs"],
      outdir: "out",
      bundle: true,
      platform: "node",
      format: "esm",
      external: ["native-fixture"],
      metafile: true,
      logLevel: "silent"
    })
    writeFileSync(join(dir, "meta.json"), JSON.stringify(metafileOf(metafile)))
    const run = () => spawnSync(process.execPath, [script, "out", "meta.json"], { cwd: dir, encoding: "utf8", timeout: 60_000 })
    const first = run()
    const notices = () =>
      existsSync(join(dir, "out", "THIRD-PARTY-NOTICES.txt"))
        ? readFileSync(join(dir, "out", "THIRD-PARTY-NOTICES.txt"), "utf8")
        : undefined
    const firstNotices = notices()
    const bundleLeft = existsSync(join(dir, "out", "entry.js"))
    const second = run()
    return {
      status: first.status,
      stderr: first.stderr,
      notices: firstNotices,
      bundleLeft,
      again: { status: second.status, notices: notices() }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const goodEntry = [
  "import { greet } from \"mit-fixture\"",
  "import { answer } from \"headers-fixture\"",
  "import { unused } from \"unused-fixture\"",
  "import dep from \"native-fixture\"",
  "console.log(greet(), answer, dep)"
].join("\n")

const allowlist = "0BSD, Apache-2.0, BlueOak-1.0.0, BSD-2-Clause, BSD-3-Clause, CC0-1.0, ISC, MIT, Unlicense"
const advice =
  "drop the dependency (or keep it out of the bundle), or have its licence reviewed and add it to allowedLicences in scripts/third-party-notices.mjs"

describe("scripts/third-party-notices.mjs on a real esbuild metafile", () => {
  it("writes the bundled packages' and the externals' licences, in name order, the same bytes each run", async () => {
    const result = await bundleAndNotice(goodEntry)
    assert.strictEqual(result.stderr, "")
    assert.strictEqual(result.status, 0)
    assert.strictEqual(
      result.notices,
      [
        "Third-party software in this directory's bundle.",
        "",
        "PART 1: npm packages whose code is bundled into the files of this directory, each under its licence.",
        "",
        rule,
        "headers-fixture 0.1.0",
        "License: Apache-2.0",
        "",
        "--- licence header of its files (the package ships no licence file) ---",
        "",
        "// Copyright 2026 Header Authors",
        "// Licensed under the Apache License, Version 2.0.",
        "",
        rule,
        "mit-fixture 1.2.3",
        "License: MIT",
        "",
        "--- LICENSE ---",
        "",
        "MIT License",
        "",
        "Copyright (c) 2026 Fixture Authors",
        "",
        rule,
        "PART 2: npm packages the bundle loads from node_modules at run time (the native add-ons and what they",
        "require): not in this directory, but installed beside it, each under its licence.",
        "",
        rule,
        "dep-fixture 2.0.0",
        "License: (MIT OR GPL-2.0-only)",
        "",
        "--- LICENSE-MIT ---",
        "",
        "MIT License, dep-fixture",
        "",
        rule,
        "native-fixture 3.0.0",
        "License: ISC",
        "",
        "--- LICENSE ---",
        "",
        "ISC License",
        "",
        "--- NOTICE ---",
        "",
        "native-fixture",
        "Copyright 2026 Native Authors",
        ""
      ].join("\n")
    )
    assert.deepStrictEqual(result.again, { status: 0, notices: result.notices })
  })

  it("writes the same bytes whatever order the metafile lists its inputs in", async () => {
    const reversed = (metafile: object) => {
      const { inputs, outputs } = metafile as {
        readonly inputs: Record<string, unknown>
        readonly outputs: Record<string, { readonly inputs: Record<string, unknown> }>
      }
      const reverse = <A>(record: Record<string, A>) => Object.fromEntries(Object.entries(record).reverse())
      return {
        inputs: reverse(inputs),
        outputs: reverse(
          Object.fromEntries(Object.entries(outputs).map(([key, output]) => [key, { ...output, inputs: reverse(output.inputs) }]))
        )
      }
    }
    const [inOrder, inReverse] = [await bundleAndNotice(goodEntry), await bundleAndNotice(goodEntry, reversed)]
    assert.strictEqual(inReverse.status, 0)
    assert.strictEqual(inReverse.notices, inOrder.notices)
  })

  for (
    const [name, entry, message] of [
      [
        "a licence outside the allowlist",
        "import { gpl } from \"gpl-fixture\"\nconsole.log(gpl)",
        `third-party notices: gpl-fixture@1.0.0 (node_modules/gpl-fixture) is licensed GPL-3.0-only, which is not allowed (${allowlist}): ${advice}\n`
      ],
      [
        "a licence that needs a disallowed one too (AND)",
        "import { both } from \"both-fixture\"\nconsole.log(both)",
        `third-party notices: both-fixture@1.0.0 (node_modules/both-fixture) is licensed (MIT AND GPL-2.0-only), which is not allowed (${allowlist}): ${advice}\n`
      ],
      [
        "no licence",
        "import { mine } from \"unlicensed-fixture\"\nconsole.log(mine)",
        `third-party notices: unlicensed-fixture@0.0.1 (node_modules/unlicensed-fixture) declares no licence in its package.json: ${advice}\n`
      ],
      [
        "an inlined Swagger UI whose licence files are not kept",
        "import { javascript } from \"@effect/platform/dist/esm/internal/httpApiSwagger.js\"\nconsole.log(javascript)",
        "third-party notices: node_modules/@effect/platform/dist/esm/internal/httpApiSwagger.js inlines Swagger UI (swagger-ui-dist) 0.0.0-fixture, " +
        "whose licence files are not all in scripts/third-party-notices/swagger-ui-dist@0.0.0-fixture: copy LICENSE, NOTICE, " +
        "swagger-ui-bundle.js.LICENSE.txt, swagger-ui-standalone-preset.js.LICENSE.txt there from its npm package " +
        "(npm pack swagger-ui-dist@0.0.0-fixture), and remove the folder of the version it replaces\n"
      ],
      [
        "an inlined Swagger UI that declares no version",
        "import { unversioned } from \"unversioned-swagger-fixture\"\nconsole.log(unversioned)",
        "third-party notices: node_modules/unversioned-swagger-fixture/node_modules/@effect/platform/dist/esm/internal/httpApiSwagger.js " +
        "inlines Swagger UI, but its script declares no PACKAGE_VERSION: find the swagger-ui-dist version it inlines and update " +
        "inlinedSwaggerUi in scripts/third-party-notices.mjs\n"
      ]
    ] as const
  ) {
    it(`refuses a bundled package with ${name}, naming it, and leaves no bundle and no notices`, async () => {
      const result = await bundleAndNotice(entry)
      assert.deepStrictEqual(
        { status: result.status, stderr: result.stderr, notices: result.notices, bundleLeft: result.bundleLeft },
        { status: 1, stderr: message, notices: undefined, bundleLeft: false }
      )
    })
  }
})
