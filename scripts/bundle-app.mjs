/**
 * Bundles one app with esbuild into `bundle/` beside its `dist/`, in one of two shapes.
 *
 *   node ../../scripts/bundle-app.mjs src/main.ts <name>
 * writes bundle/<name>.js (the file the app's `bin` runs) and the chunks it loads:
 * ES modules, code split. Code behind a dynamic `import()` (a command's implementation, the HTTP
 * client, the sandbox, optional telemetry) is split into chunks read only when that code runs.
 *
 *   node ../../scripts/bundle-app.mjs src/bin.ts baton-fivetran --launcher src/launch.ts --train <args...>
 * writes the program as one CommonJS function, bundle/baton-fivetran.program.js, the launcher as
 * bundle/baton-fivetran.js (the `bin`), and then runs the launcher once with the arguments after
 * --train (the CLI's package.json gives a one-shot action against an embedded sandbox) so that it
 * writes V8's code cache of the program, bundle/baton-fivetran.code-cache (see settings'
 * CodeCacheLauncher). The HTTP service is built the same way with --train-serve: its training run
 * serves (on a free port, over an embedded sandbox) until it has answered /healthz, then stops, so
 * that the cache holds what a start runs (~10 ms of its ready time against training with `--help`). A
 * short command's time went mostly to V8 compiling the bundle, which the code cache skips; Node 20
 * takes a code cache only for scripts, not for ES modules, hence CommonJS. Code behind a dynamic
 * `import()` still runs only when imported (esbuild wraps it in a lazy initializer).
 *
 * Start-up was dominated by resolving and loading hundreds of small modules; the bundle loads a few
 * files instead. `bundle/` sits at the same depth as `dist/`, so `new URL("../…", import.meta.url)`
 * finds the same files (the package's package.json, web assets) from either. The native addons
 * (better-sqlite3, zstd-napi) cannot be bundled: they stay external and resolve from the app's own
 * node_modules.
 */
import { build } from "esbuild"
import { execFileSync, spawn } from "node:child_process"
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { bundleEsModules, nodeBundleOptions } from "./bundle-es-modules.mjs"
import { writeThirdPartyNotices } from "./third-party-notices.mjs"

const usage = "usage: bundle-app.mjs <entry.ts> <bundle name> [--launcher <launcher.ts> --train|--train-serve <args...>]\n"
const [entry, name, ...rest] = process.argv.slice(2)
const launcherFlag = rest.indexOf("--launcher")
const serveFlag = rest.indexOf("--train-serve")
const trainFlag = serveFlag < 0 ? rest.indexOf("--train") : serveFlag
const launcher = launcherFlag < 0 ? undefined : rest[launcherFlag + 1]
if (entry === undefined || name === undefined || (launcher === undefined) !== (trainFlag < 0) || launcher?.startsWith("--")) {
  process.stderr.write(usage)
  process.exit(2)
}
const trainingArgs = trainFlag < 0 ? [] : rest.slice(trainFlag + 1)
const outdir = "bundle"
const swaggerAssetsFile = "swagger-ui.json"

/**
 * A plugin that bundles a stand-in for the module `filter` names, where a module whose path matches
 * `importer` imports it: the stand-in's source is `contents(the import's path)`, resolved from the
 * importer's folder (so it can `require` the real module, which then resolves as usual).
 */
const standIn = (name, filter, importer, contents) => ({
  name,
  setup(build) {
    build.onResolve(
      { filter },
      (args) => importer.test(args.importer) ? { path: args.path, namespace: name, pluginData: args.resolveDir } : undefined
    )
    build.onLoad({ filter: /.*/, namespace: name }, (args) => ({
      contents: contents(args.path),
      resolveDir: args.pluginData,
      loader: "js"
    }))
  }
})

/**
 * The source of a stand-in's named export `name` of the module `load()` loads: called, it calls the
 * module's; with `new`, it makes one of the module's class (a constructor returning an object
 * returns that object).
 */
const deferredFunction = (name) =>
  `export function ${name}(...args) { return new.target === undefined ? load().${name}(...args) : new (load().${name})(...args) }`

/** The source that loads `module` on first use, as `load()`. */
const loader = (module) => ["let loaded", `const load = () => loaded ??= require(${JSON.stringify(module)})`]

/**
 * @effect/cli imports its file parsers (yaml, toml, ini: Options.file*, ConfigFile, the .baton.yaml
 * reader) at the top of a module every command loads, so each start ran the YAML and TOML libraries'
 * set-up. Bundled, each of those imports is a stand-in whose `parse` loads the library on first use.
 */
const deferredFileParsers = standIn(
  "deferred-file-parser",
  /^(yaml|toml|ini)$/,
  /@effect[\\/]cli[\\/].*[\\/]internal[\\/]files\.js$/,
  (path) => [...loader(path), deferredFunction("parse")].join("\n")
)

/**
 * @effect/platform's index re-exports its MsgPack module, which imports msgpackr. Neither app uses
 * MessagePack, but msgpackr declares no `sideEffects`, so esbuild kept it, and its set-up ran at every
 * start: it looks for its native decoder, which loads child_process and detect-libc to read the
 * system's C library. Declared free of side effects, it is dropped with the module that imports it.
 */
const msgpackrDroppedUnlessUsed = {
  name: "msgpackr-dropped-unless-used",
  setup(build) {
    build.onResolve({ filter: /^msgpackr$/ }, async (args) => {
      if (args.pluginData === "msgpackr-dropped-unless-used") return undefined
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: "msgpackr-dropped-unless-used"
      })
      return resolved.errors.length > 0 ? undefined : { path: resolved.path, sideEffects: false }
    })
  }
}

/**
 * A stand-in for a Node built-in whose loading every start paid although most commands never call
 * it: the named functions (and classes) load the built-in on their first use. A named import the
 * stand-in lacks fails the build ("No matching export"); through a namespace import (`import * as
 * Crypto`) esbuild only warns that it "will always be undefined", so read the build's warnings after
 * adding an importer.
 */
const deferredBuiltin = (builtin, importer, names) =>
  standIn(
    `deferred-${builtin.replace(/^node:/, "")}`,
    new RegExp(`^${builtin}$`),
    importer,
    () => [...loader(builtin), ...names.map(deferredFunction)].join("\n")
  )

/**
 * Node's crypto takes ~13 ms to load (2026-12-03, this machine), and every start loaded it:
 * @effect/platform-node's file system, the .c1z writer and reader, the atomic file writer and the HTTP
 * service import it at their top for random names and hashes that `--version` or a one-shot grant
 * never make.
 */
const deferredCrypto = deferredBuiltin(
  "node:crypto",
  /@effect[\\/]platform-node-shared[\\/]dist[\\/]esm[\\/]internal[\\/]fileSystem\.js$|packages[\\/][^\\/]+[\\/]dist[\\/].*\.js$|apps[\\/][^\\/]+[\\/]src[\\/].*\.ts$/,
  ["createHash", "createHmac", "randomBytes", "randomUUID", "timingSafeEqual"]
)

/**
 * @effect/platform-node's node:http client imports https (~8 ms: it loads tls), and the HTTP service
 * loaded it at start; neither app uses that client (both use undici), so only its Agent and request
 * are stand-ins.
 */
const deferredHttps = deferredBuiltin(
  "node:https",
  /@effect[\\/]platform-node[\\/]dist[\\/]esm[\\/]internal[\\/]httpClient\.js$/,
  ["Agent", "request"]
)

/** @effect/platform-node's command executor imports child_process (~1 ms) for commands neither app runs. */
const deferredChildProcess = deferredBuiltin(
  "node:child_process",
  /@effect[\\/]platform-node-shared[\\/]dist[\\/]esm[\\/]internal[\\/]commandExecutor\.js$/,
  ["spawn", "exec"]
)

/**
 * The .c1z reader and writer import the two native addons at their top, and the HTTP service loaded
 * both at start (~8 ms for better-sqlite3, ~6 ms for zstd-napi) although it first opens a .c1z for a
 * sync or a query. Bundled, each is a stand-in that loads the addon when a database is opened or a
 * file (de)compressed; the few properties read off them (`Database.SqliteError`, the binding's
 * classes and constants) are read through to the addon.
 */
const deferredNativeAddons = standIn(
  "deferred-native-addon",
  /^(better-sqlite3|zstd-napi\/binding\.js)$/,
  /packages[\\/]c1z[\\/]dist[\\/].*\.js$/,
  (path) => {
    const readThrough = "new Proxy({}, { get: (_, key) => load()[key] })"
    const exports = {
      "better-sqlite3": [
        "export default function Database(...args) { return new (load())(...args) }",
        "Object.defineProperty(Database, \"SqliteError\", { get: () => load().SqliteError })"
      ],
      "zstd-napi/binding.js": [`export default ${readThrough}`]
    }
    return [...loader(path), ...exports[path]].join("\n")
  }
)

/** @effect/platform-node's terminal imports readline (~2 ms) for prompts, which no command shows. */
const deferredReadline = deferredBuiltin(
  "node:readline",
  /@effect[\\/]platform-node-shared[\\/]dist[\\/]esm[\\/]internal[\\/]terminal\.js$/,
  ["createInterface", "emitKeypressEvents"]
)

/**
 * undici calls `assert(condition)` throughout, on every answer's path, and loads node:assert (~2-3 ms,
 * with its error formatting) as it is loaded; bundled, its `node:assert` loads the module only for an
 * assertion that fails, to throw its AssertionError.
 */
const deferredAssert = standIn(
  "deferred-assert",
  /^node:assert$/,
  /undici[\\/]lib[\\/]/,
  // assert(value, message), its only form in undici, does nothing for a truthy value: only a failing one loads node:assert.
  () => "module.exports = (value, message) => { if (!value) require(\"node:assert\")(value, message) }"
)

/**
 * undici's index loads all of undici (fetch, WebSocket, cookies, mocks, caches, HTTP/2), and those
 * parts reach for Node's own fetch globals, which loads Node's copy of undici as well: ~55 ms of the
 * HTTP service's start-up (CPU profile, 2026-12-01). The client's transport (fivetran-client's
 * UndiciTransport) uses an Agent and the request API that the index adds to dispatchers, and so does
 * @effect/platform-node's undici HttpClient (through its `Undici` module), which also takes the global
 * dispatcher: bundled, the `undici` of each is just that, and the transport's ProxyAgent (for
 * HTTPS_PROXY) is loaded when one is made.
 */
const undiciAgentOnly = standIn(
  "undici-agent-only",
  /^undici$/,
  /fivetran-client[\\/]dist[\\/]UndiciTransport\.js$|@effect[\\/]platform-node[\\/]dist[\\/]esm[\\/]Undici\.js$/,
  () =>
    [
      "import Agent from \"undici/lib/dispatcher/agent.js\"",
      "import Dispatcher from \"undici/lib/dispatcher/dispatcher.js\"",
      "import api from \"undici/lib/api/index.js\"",
      "import { getGlobalDispatcher } from \"undici/lib/global.js\"",
      "Object.assign(Dispatcher.prototype, api)",
      "class ProxyAgent { constructor(options) { return new (require(\"undici/lib/dispatcher/proxy-agent.js\"))(options) } }",
      "export { Agent, getGlobalDispatcher, ProxyAgent }",
      "export default { Agent, getGlobalDispatcher, ProxyAgent }"
    ].join("\n")
)

/**
 * @effect/platform-node's HTTP server imports `ws` for WebSocket upgrades, which neither app serves;
 * it makes its WebSocketServer only when a request asks to upgrade. Bundled, its `ws` is a stand-in
 * that loads the library then (~20 ms of the HTTP service's start-up).
 */
const deferredWebSocketServer = standIn(
  "deferred-websocket-server",
  /^ws$/,
  /@effect[\\/]platform-node[\\/]dist[\\/]esm[\\/]internal[\\/]httpServer\.js$/,
  () => "export class WebSocketServer { constructor(options) { return new (require(\"ws\").WebSocketServer)(options) } }"
)

/**
 * undici's client loads its HTTP/2 connector, and with it Node's http2 and tls, as it is loaded;
 * it calls the connector only when a TLS connection negotiated h2, which neither app asks for
 * (undici's `allowH2` is off). Bundled, the connector is a stand-in that loads it on that first
 * call: ~10-15 ms of every start that loads undici.
 */
const deferredHttp2Connector = standIn(
  "deferred-http2-connector",
  /^\.\/client-h2\.js$/,
  /undici[\\/]lib[\\/]dispatcher[\\/]client\.js$/,
  (path) => `module.exports = function connectH2(...args) { return require(${JSON.stringify(path)}).apply(this, args) }`
)

/**
 * @effect/platform's Swagger UI page inlines Swagger UI's script and style, ~1.9 MB of strings, half
 * the HTTP service's program: every start read them, hashed them and took them from the code cache.
 * In a launcher's program (CommonJS, whose `__dirname` is the program's folder) they are a file
 * beside it, `swagger-ui.json`, read when /docs is first built. The stand-in is free of side
 * effects, so a program that does not serve the page (the CLI's) drops it as it dropped the
 * original, and gets no file.
 */
const swaggerAssetsBeside = {
  name: "swagger-assets-beside",
  setup(build) {
    const namespace = "swagger-assets-beside"
    let assets
    build.onResolve(
      { filter: /^\.\/internal\/httpApiSwagger\.js$/ },
      (args) =>
        /@effect[\\/]platform[\\/]dist[\\/]esm[\\/]HttpApiSwagger\.js$/.test(args.importer)
          ? { path: join(args.resolveDir, "internal", "httpApiSwagger.js"), namespace, sideEffects: false }
          : undefined
    )
    build.onLoad({ filter: /.*/, namespace }, async (args) => {
      const { css, javascript } = await import(pathToFileURL(args.path).href)
      assets = JSON.stringify({ css, javascript })
      return {
        contents: [
          "let assets",
          `const load = () => assets ??= JSON.parse(require("node:fs").readFileSync(require("node:path").join(__dirname, ${
            JSON.stringify(swaggerAssetsFile)
          }), "utf8"))`,
          "module.exports = { get css() { return load().css }, get javascript() { return load().javascript } }"
        ].join("\n"),
        loader: "js"
      }
    })
    build.onEnd(async (result) => {
      const kept = Object.values(result.metafile?.outputs ?? {}).some((output) =>
        Object.entries(output.inputs).some(([input, { bytesInOutput }]) => input.startsWith(`${namespace}:`) && bytesInOutput > 0)
      )
      if (kept && assets !== undefined) await writeFile(join(outdir, swaggerAssetsFile), assets)
    })
  }
}

/**
 * Runs the service once with the training arguments until it prints `listening on <url>` and answers
 * `<url>/healthz` 200, then stops it with SIGTERM; the launcher writes the code cache as the process
 * exits. Fails the build if the service is not ready within a minute or does not exit 0.
 */
const trainServing = (executable, cwd, env) =>
  new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [executable, ...trainingArgs], { cwd, env, stdio: ["ignore", "pipe", "inherit"] })
    const deadline = setTimeout(() => child.kill("SIGKILL"), 60_000)
    let printed = ""
    let asked = false
    child.stdout.on("data", (chunk) => {
      printed += chunk
      const url = /listening on (http:\/\/\S+)/.exec(printed)?.[1]
      if (url === undefined || asked) return
      asked = true
      // A failed check stops the service too: the build's exit would leave it listening.
      const fail = (error) => {
        child.kill("SIGKILL")
        reject(error)
      }
      fetch(`${url}/healthz`).then(
        (response) => response.status === 200 ? child.kill("SIGTERM") : fail(new Error(`training: /healthz answered ${response.status}`)),
        fail
      )
    })
    child.on("exit", (code, signal) => {
      clearTimeout(deadline)
      if (code === 0 && asked) resolvePromise()
      else reject(new Error(`training: the service exited (${code ?? signal}) before it served: ${printed}`))
    })
  })

/**
 * The commit the bundle is built from, `-dirty` when tracked files differ from it: what `--version`
 * prints (fivetran-client's Version.ts), so that an operator can tell which build runs and which of
 * docs/upgrading.md's entries (named by commit) apply. Undefined outside a git checkout (a source
 * archive): the version is printed alone. Not a turbo input: a build turbo replays from its cache
 * carries the commit it was first built at, whose code is the same.
 */
const buildCommit = (() => {
  const git = (...args) =>
    execFileSync("git", args, { cwd: import.meta.dirname, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim()
  try {
    const commit = git("rev-parse", "--short=12", "HEAD")
    return git("status", "--porcelain", "--untracked-files=no") === "" ? commit : `${commit}-dirty`
  } catch {
    return undefined
  }
})()

const common = {
  // Its metafile is read by swaggerAssetsBeside (which inputs the program kept) and for the third-party notices.
  ...nodeBundleOptions,
  plugins: [
    deferredFileParsers,
    undiciAgentOnly,
    deferredWebSocketServer,
    deferredHttp2Connector,
    msgpackrDroppedUnlessUsed,
    deferredCrypto,
    deferredReadline,
    deferredHttps,
    deferredChildProcess,
    deferredNativeAddons,
    deferredAssert
  ],
  define: buildCommit === undefined ? {} : { BATON_FIVETRAN_COMMIT: JSON.stringify(buildCommit) },
  external: ["better-sqlite3", "zstd-napi"],
  // Web assets an app imports are embedded as text.
  loader: { ".html": "text", ".css": "text", ".svg": "text" },
  minify: true,
  sourcemap: "linked"
}

if (launcher === undefined) {
  const program = await bundleEsModules({ ...common, entry, name, outdir })
  await writeThirdPartyNotices([program.metafile], outdir)
} else {
  // Start clean so no stale code cache (or file of the other shape) is left behind.
  await rm(outdir, { recursive: true, force: true })
  const program = await build({
    ...common,
    entryPoints: { [name]: entry },
    outdir,
    outExtension: { ".js": ".program.js" },
    format: "cjs",
    plugins: [...common.plugins, swaggerAssetsBeside],
    // The file is the function Node wraps a CommonJS module in, as the launcher compiles it: positions
    // in it (stack traces, source maps, V8 coverage) are positions in the file. `import.meta.url` (the
    // sources are ES modules) becomes the program file's URL, which is what it was in the ESM bundle.
    banner: {
      js:
        "(function (exports, require, module, __filename, __dirname) {const __importMetaUrl = require(\"node:url\").pathToFileURL(__filename).href;"
    },
    define: { ...common.define, "import.meta.url": "__importMetaUrl" },
    footer: { js: "})" }
  })
  const launcherProgram = await build({ ...common, entryPoints: { [name]: launcher }, outdir, format: "cjs", sourcemap: false })
  await writeThirdPartyNotices([program.metafile, launcherProgram.metafile], outdir)
  // The package is "type": "module"; this makes the launcher, a .js file, CommonJS.
  await writeFile(join(outdir, "package.json"), "{ \"type\": \"commonjs\" }\n")
  const executable = resolve(outdir, `${name}.js`)
  await chmod(executable, 0o755)
  // In an empty directory and with no BATON_* variables: no .baton.yaml or setting of this shell counts.
  const cwd = await mkdtemp(join(tmpdir(), "bundle-app-training-"))
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, BATON_CODE_CACHE_TRAINING: "1" }
  try {
    if (serveFlag < 0) execFileSync(process.execPath, [executable, ...trainingArgs], { cwd, env, stdio: ["ignore", "ignore", "inherit"] })
    else await trainServing(executable, cwd, env)
  } finally {
    await rm(cwd, { recursive: true, force: true })
  }
}
