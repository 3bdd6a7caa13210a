/**
 * Writes `THIRD-PARTY-NOTICES.txt` into an app's bundle directory: the name, version, licence and
 * licence files (LICENSE, LICENCE, COPYING, NOTICE) of every npm package whose code is in the
 * bundle (Swagger UI's too, which one of them inlines: see `inlinedSwaggerUi`), then of those the
 * bundle loads from `node_modules` at run time (the native add-ons and what they require). Most of
 * those licences (MIT, ISC, BSD, Apache-2.0) ask that their text travel with copies, and the bundle
 * is minified with its legal comments dropped. Same inputs, same bytes: packages in name and version
 * order, each once. Refuses a package whose licence is missing or outside `allowedLicences` (exit 1,
 * and the bundle's files are removed), so that a copyleft or unlicensed dependency cannot reach a
 * shipped file unnoticed.
 *
 * scripts/bundle-app.mjs calls `writeThirdPartyNotices` with its builds' metafiles. By hand, from the
 * folder the build ran in (the metafile's paths are relative to it):
 *   node ../../scripts/third-party-notices.mjs <output dir> <metafile.json>...
 */
import { build } from "esbuild"
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs"
import { builtinModules, createRequire } from "node:module"
import { join, relative, resolve, sep } from "node:path"
import { pathToFileURL } from "node:url"

const noticesFile = "THIRD-PARTY-NOTICES.txt"

/** SPDX ids a shipped file may carry: permissive licences whose only condition is the notice. */
const allowedLicences = [
  "0BSD",
  "Apache-2.0",
  "BlueOak-1.0.0",
  "BSD-2-Clause",
  "BSD-3-Clause",
  "CC0-1.0",
  "ISC",
  "MIT",
  "Unlicense"
]

const licenceFileName = /^(licen[cs]e|copying|notice)([.\-_].*)?$/i

/** A refusal: its message is what the build prints, naming the package and what to do. */
class NoticeRefusal extends Error {}

/** The package a bundled file belongs to, from its path: the folder after the last `node_modules`. */
const packageRootOf = (file) => {
  const parts = file.split(/[\\/]/)
  const at = parts.lastIndexOf("node_modules")
  if (at < 0 || at + 1 >= parts.length) return undefined
  const length = parts[at + 1].startsWith("@") ? 2 : 1
  return parts.slice(0, at + 1 + length).join(sep)
}

/** A metafile input's file path: a plugin's namespaced input (`namespace:path`) names its path after the colon. */
const inputPath = (input) => input.replace(/^[\w-]+:(?=[\\/])/, "")

/** A file of a package, as `{ root, file }` (absolute paths), or undefined for a file of no package. */
const packageFile = (file) => {
  const root = packageRootOf(file)
  return root === undefined ? undefined : { root, file }
}

/** The package files whose code an esbuild metafile's outputs hold (an input tree-shaken to nothing does not count). */
const bundledPackageFiles = (metafile, cwd) =>
  Object.values(metafile.outputs).flatMap((output) =>
    Object.entries(output.inputs)
      .filter(([, { bytesInOutput }]) => bytesInOutput > 0)
      .map(([input]) => packageFile(resolve(cwd, inputPath(input))))
      .filter((found) => found !== undefined)
  )

const isBuiltin = (specifier) => specifier.startsWith("node:") || builtinModules.includes(specifier.split("/")[0])

/**
 * The package files a bundle loads from `node_modules` at run time: the modules its outputs
 * `require` as externals, resolved from `cwd`, and what those require in turn (found by bundling
 * each with its compiled `.node` files left out). esbuild leaves a module it cannot resolve external
 * only where its `require` is in a `try` (an optional dependency, such as ws's `bufferutil`): one not
 * installed is not loaded.
 */
const runTimePackageFiles = async (metafiles, cwd) => {
  const specifiers = new Set(
    metafiles.flatMap((metafile) =>
      Object.values(metafile.outputs).flatMap((output) =>
        output.imports.filter((entry) => entry.external && !isBuiltin(entry.path)).map((entry) => entry.path)
      )
    )
  )
  const require = createRequire(join(cwd, "package.json"))
  const found = []
  for (const specifier of [...specifiers].sort()) {
    const resolved = resolveOrUndefined(require, specifier)
    if (resolved === undefined) continue
    const result = await build({
      entryPoints: [resolved],
      bundle: true,
      platform: "node",
      write: false,
      metafile: true,
      external: ["*.node"],
      logLevel: "silent"
    })
    found.push(...Object.keys(result.metafile.inputs).map((input) => packageFile(resolve(cwd, input))).filter((file) => file !== undefined))
  }
  return found
}

const resolveOrUndefined = (require, specifier) => {
  try {
    return require.resolve(specifier)
  } catch {
    return undefined
  }
}

/** An SPDX expression's ids, allowed as a whole: `A OR B` if either is, `A AND B` if both are. */
const isAllowed = (expression) => {
  const tokens = expression.match(/\(|\)|[^\s()]+/g) ?? []
  let at = 0
  const term = () => {
    if (tokens[at] === "(") {
      at++
      const inner = either()
      if (tokens[at++] !== ")") return false
      return inner
    }
    const id = tokens[at++]
    return id !== undefined && allowedLicences.includes(id)
  }
  const both = () => {
    let allowed = term()
    while (tokens[at] === "AND") {
      at++
      allowed = term() && allowed
    }
    return allowed
  }
  const either = () => {
    let allowed = both()
    while (tokens[at] === "OR") {
      at++
      allowed = both() || allowed
    }
    return allowed
  }
  return tokens.length > 0 && either() && at === tokens.length
}

/** The licence a package.json declares: `license`, or the older `license: { type }` and `licenses: [{ type }]`. */
const declaredLicence = (manifest) => {
  const { license, licenses } = manifest
  if (typeof license === "string" && license.trim() !== "") return license.trim()
  if (typeof license?.type === "string") return license.type
  if (Array.isArray(licenses) && licenses.length > 0) return licenses.map((entry) => entry.type).join(" OR ")
  return undefined
}

const refusalAdvice =
  "drop the dependency (or keep it out of the bundle), or have its licence reviewed and add it to allowedLicences in scripts/third-party-notices.mjs"

/** A licence file's text, with its line ends and trailing blank lines made the same everywhere. */
const licenceText = (file) => readFileSync(file, "utf8").replace(/\r\n?/g, "\n").trimEnd()

const legalLine = /copyright|licen[cs]e|warrant/i

/**
 * A file's first comment (`//` lines or a `/* *\/` block) up to its last line about copyright,
 * licence or warranty (a file's own comment may follow its header with no blank line), if it has one.
 */
const licenceHeader = (file) => {
  const text = readFileSync(file, "utf8").replace(/\r\n?/g, "\n")
  const lines = /^(?:#!.*\n)?\s*((?:\/\/.*\n)+|\/\*[\s\S]*?\*\/)/.exec(text)?.[1].split("\n") ?? []
  const last = lines.findLastIndex((line) => legalLine.test(line))
  return last < 0 ? undefined : lines.slice(0, last + 1).join("\n")
}

/**
 * One package's entry: read from its folder, refused if its licence is missing or not allowed. A
 * package that ships no licence file (@bufbuild/protobuf) carries the licence headers of its files
 * in the bundle instead, once each: the minified bundle dropped them.
 */
const packageNotice = (root, bundledFiles, cwd) => {
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"))
  const where = `${manifest.name}@${manifest.version} (${relative(cwd, root)})`
  const licence = declaredLicence(manifest)
  if (licence === undefined) {
    throw new NoticeRefusal(`third-party notices: ${where} declares no licence in its package.json: ${refusalAdvice}`)
  }
  if (!isAllowed(licence)) {
    throw new NoticeRefusal(
      `third-party notices: ${where} is licensed ${licence}, which is not allowed (${allowedLicences.join(", ")}): ${refusalAdvice}`
    )
  }
  const licenceFiles = readdirSync(root)
    .filter((name) => licenceFileName.test(name) && statSync(join(root, name)).isFile())
    .sort()
    .map((name) => ({ name, text: licenceText(join(root, name)) }))
  const headers = [...new Set([...bundledFiles].sort().map(licenceHeader).filter((header) => header !== undefined))]
  const files = licenceFiles.length > 0
    ? licenceFiles
    : headers.map((text) => ({ name: "licence header of its files (the package ships no licence file)", text }))
  if (files.length === 0) {
    throw new NoticeRefusal(
      `third-party notices: ${where} has no LICENSE, LICENCE, COPYING or NOTICE file, nor a licence header in its bundled files, to carry: ${refusalAdvice}`
    )
  }
  return { name: manifest.name, version: manifest.version, licence, files }
}

/** The entries of the packages `found` files are of, one per package folder. */
const packageNotices = (found, cwd) => {
  const filesByRoot = new Map()
  for (const { root, file } of found) filesByRoot.set(root, (filesByRoot.get(root) ?? new Set()).add(file))
  return [...filesByRoot].map(([root, files]) => packageNotice(root, files, cwd))
}

/** `notices` one per name and version, in name then version order. */
const inOrder = (notices) => {
  const byId = new Map(notices.map((notice) => [`${notice.name}@${notice.version}`, notice]))
  const order = (a, b) => (a < b ? -1 : a > b ? 1 : 0)
  return [...byId.values()].sort((a, b) => order(a.name, b.name) || order(a.version, b.version))
}

/**
 * Swagger UI's script and style (npm's swagger-ui-dist, Apache-2.0) are inlined as strings by
 * @effect/platform's HttpApiSwagger module, without Swagger UI's licence files: a bundle that keeps
 * the module (the HTTP service's /docs; scripts/bundle-app.mjs moves the strings to swagger-ui.json
 * beside it) ships Swagger UI too. Its files, for the version its script declares, are kept in
 * scripts/third-party-notices/swagger-ui-dist@<version>/, copied from that version's npm package:
 * LICENSE and NOTICE (Apache-2.0 asks for both), and the licence comments of the code Swagger UI
 * bundles, which its script's banners name.
 */
const inlinedSwaggerUi = {
  module: /@effect[\\/]platform[\\/]dist[\\/](esm|cjs)[\\/]internal[\\/]httpApiSwagger\.js$/,
  name: "swagger-ui-dist",
  licence: "Apache-2.0",
  files: ["LICENSE", "NOTICE", "swagger-ui-bundle.js.LICENSE.txt", "swagger-ui-standalone-preset.js.LICENSE.txt"],
  folder: (version) => join(import.meta.dirname, "third-party-notices", `swagger-ui-dist@${version}`)
}

/** Swagger UI's entry if `found` (bundled package files) holds the module that inlines it; refused if its files are not kept. */
const inlinedSwaggerUiNotices = async (found, cwd) => {
  const { module, name, licence, files, folder } = inlinedSwaggerUi
  const modules = [...new Set(found.map(({ file }) => file).filter((file) => module.test(file)))].sort()
  const notices = []
  for (const file of modules) {
    const { javascript } = await import(pathToFileURL(file).href)
    // Swagger UI's build info, in its script: `PACKAGE_VERSION:"5.30.2"`.
    const version = /PACKAGE_VERSION:"([^"]+)"/.exec(javascript)?.[1]
    if (version === undefined) {
      throw new NoticeRefusal(
        `third-party notices: ${
          relative(cwd, file)
        } inlines Swagger UI, but its script declares no PACKAGE_VERSION: find the ${name} version it inlines and update inlinedSwaggerUi in scripts/third-party-notices.mjs`
      )
    }
    const kept = folder(version)
    if (!files.every((each) => existsSync(join(kept, each)))) {
      throw new NoticeRefusal(
        `third-party notices: ${relative(cwd, file)} inlines Swagger UI (${name}) ${version}, whose licence files are not all in ${
          relative(join(import.meta.dirname, ".."), kept)
        }: copy ${
          files.join(", ")
        } there from its npm package (npm pack ${name}@${version}), and remove the folder of the version it replaces`
      )
    }
    notices.push({ name, version, licence, files: files.map((each) => ({ name: each, text: licenceText(join(kept, each)) })) })
  }
  return notices
}

const rule = "=".repeat(80)

const section = (notices) =>
  notices.flatMap(({ name, version, licence, files }) => [
    rule,
    `${name} ${version}`,
    `License: ${licence}`,
    ...files.flatMap(({ name: file, text }) => ["", `--- ${file} ---`, "", text]),
    ""
  ])

/** The notices text of the bundle `metafiles` describe, built in `cwd`; throws a NoticeRefusal for a refused package. */
const thirdPartyNotices = async (metafiles, cwd) => {
  const bundledFiles = metafiles.flatMap((metafile) => bundledPackageFiles(metafile, cwd))
  const bundled = inOrder([...packageNotices(bundledFiles, cwd), ...await inlinedSwaggerUiNotices(bundledFiles, cwd)])
  const loaded = inOrder(packageNotices(await runTimePackageFiles(metafiles, cwd), cwd))
  return [
    "Third-party software in this directory's bundle.",
    "",
    "PART 1: npm packages whose code is bundled into the files of this directory, each under its licence.",
    "",
    ...section(bundled),
    rule,
    "PART 2: npm packages the bundle loads from node_modules at run time (the native add-ons and what they",
    "require): not in this directory, but installed beside it, each under its licence.",
    "",
    ...section(loaded)
  ].join("\n")
}

/**
 * Writes `outdir`/THIRD-PARTY-NOTICES.txt whole (a temporary file renamed over it). When a package is
 * refused, it fails the build: prints why, removes the files the metafiles name as outputs (no
 * bundle without its notices is left to ship) and any notices in `outdir`, and exits 1.
 */
export const writeThirdPartyNotices = async (metafiles, outdir, cwd = process.cwd()) => {
  const target = resolve(cwd, outdir, noticesFile)
  let text
  try {
    text = await thirdPartyNotices(metafiles, cwd)
  } catch (error) {
    if (!(error instanceof NoticeRefusal)) throw error
    process.stderr.write(`${error.message}\n`)
    for (const output of [...metafiles.flatMap((metafile) => Object.keys(metafile.outputs)), target]) {
      rmSync(resolve(cwd, output), { force: true })
    }
    process.exit(1)
  }
  const temporary = `${target}.${process.pid}.tmp`
  try {
    writeFileSync(temporary, text)
    renameSync(temporary, target)
  } finally {
    rmSync(temporary, { force: true })
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [outdir, ...metafilePaths] = process.argv.slice(2)
  if (outdir === undefined || metafilePaths.length === 0) {
    process.stderr.write("usage: third-party-notices.mjs <output dir> <metafile.json>...\n")
    process.exit(2)
  }
  await writeThirdPartyNotices(metafilePaths.map((path) => JSON.parse(readFileSync(path, "utf8"))), outdir)
}
