import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it, vi } from "@effect/vitest"
import { ConfigProvider, Effect, Either, Option, Redacted } from "effect"
import { execFileSync } from "node:child_process"
import { createServer, type Server } from "node:net"
import { loadConfigFile } from "../src/ConfigFile.js"
import { BatonSettings, lookup, resolve } from "../src/index.js"

/** The config file BATON_CONFIG_PATH names, read from a temporary directory. */
const loadFrom = (file: string) =>
  loadConfigFile.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["BATON_CONFIG_PATH", file]]))))

const written = (name: string, text: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-settings-" })
    yield* fs.writeFileString(`${dir}/${name}`, text)
    return `${dir}/${name}`
  })

const refusal = (file: string) =>
  Effect.map(Effect.either(loadFrom(file)), (result) => Either.getLeft(result).pipe(Option.map((error) => error.reason)))

describe("config file", () => {
  it.scopedLive("a file without settings (empty, blank, only comments, or only a document marker) is no settings, as in viper", () =>
    Effect.gen(function*() {
      const texts = ["", "\n  \n", "# all commented out\n# concurrency: 4\n", "---\n", "--- # settings\n...\n"]
      const reserves = yield* Effect.forEach(texts, (text) =>
        Effect.gen(function*() {
          const file = yield* loadFrom(yield* written("settings.yaml", text))
          assert.isTrue(Option.isSome(file))
          return yield* resolve(BatonSettings.RateLimitReserve, { flags: new Map(), file })
        }))
      assert.deepStrictEqual(reserves, [20, 20, 20, 20, 20])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a text setting takes a plain scalar YAML reads as a number or boolean as written: a secret 1.50 is not 1.5", () =>
    Effect.gen(function*() {
      const file = yield* loadFrom(
        yield* written("settings.yaml", "api-key: 0x1F\napi-secret: 1.50\n")
      )
      const sources = { flags: new Map(), file }
      const [key, secret] = yield* Effect.all([lookup(BatonSettings.ApiKey, sources), lookup(BatonSettings.ApiSecret, sources)])
      assert.deepStrictEqual([key, secret].map(Option.map(Redacted.value)), [Option.some("0x1F"), Option.some("1.50")])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a file whose top level is not \"key: value\" settings, or not YAML, is refused naming the file", () =>
    Effect.gen(function*() {
      const list = yield* written("list.yaml", "- concurrency: 4\n")
      const text = yield* written("text.yml", "concurrency 4\n")
      const number = yield* written("number.yaml", "4\n")
      const broken = yield* written("broken.yaml", "concurrency: [1\n")
      const twice = yield* written("twice.yaml", "concurrency: 1\nconcurrency: 2\n")
      assert.deepStrictEqual(yield* Effect.forEach([list, text, number, broken, twice], refusal), [
        Option.some(`${list} must hold settings as "key: value" lines, got a list`),
        Option.some(`${text} must hold settings as "key: value" lines, got text`),
        Option.some(`${number} must hold settings as "key: value" lines, got a number`),
        Option.some(
          `${broken} is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1`
        ),
        Option.some(`${twice} is not valid YAML: Map keys must be unique at line 2, column 1`)
      ])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a file that cannot be read is refused naming it and why", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-settings-" })
      yield* fs.makeDirectory(`${dir}/settings.yaml`)
      assert.deepStrictEqual(
        yield* refusal(`${dir}/settings.yaml`),
        Option.some(
          `${dir}/settings.yaml is a directory, not a file: the config file must be a regular file (or a link to /dev/null, for no settings)`
        )
      )
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a named pipe or a socket is refused saying what it is, without waiting for a writer; /dev/null is no settings", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-settings-" })
      execFileSync("mkfifo", [`${dir}/pipe.yaml`])
      yield* Effect.acquireRelease(
        Effect.async<Server>((resume) => {
          const server = createServer()
          server.listen(`${dir}/socket.yaml`, () => {
            resume(Effect.succeed(server))
          })
        }),
        (server) =>
          Effect.async<void>((resume) => {
            server.close(() => resume(Effect.void))
          })
      )
      yield* fs.symlink("/dev/null", `${dir}/null.yaml`)
      const rest = "not a file: the config file must be a regular file (or a link to /dev/null, for no settings)"
      assert.deepStrictEqual(yield* Effect.forEach([`${dir}/pipe.yaml`, `${dir}/socket.yaml`], refusal), [
        Option.some(`${dir}/pipe.yaml is a named pipe (FIFO), ${rest}`),
        Option.some(`${dir}/socket.yaml is a socket, ${rest}`)
      ])
      const empty = yield* loadFrom(`${dir}/null.yaml`)
      assert.deepStrictEqual(Option.map(empty, (file) => file.values), Option.some({}))
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("an empty BATON_CONFIG_PATH is unset: the working directory's .baton.yaml, here none", () =>
    Effect.gen(function*() {
      assert.isTrue(Option.isNone(yield* loadFrom("")))
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a value YAML reads as a tag (it starts with \"!\") is refused naming the file, the key and the line, never the value", () =>
    Effect.gen(function*() {
      const quote = `the value starts with "!", which YAML reads as a tag; put the value in quotes ('...', with a ' inside written twice)`
      const cases: ReadonlyArray<readonly [string, string]> = [
        // A tag and a value: the value was read without its tag, and the library printed the line.
        ["api-key: K\napi-secret: !Q9v SECRETVAL999\n", `api-secret (line 2): ${quote}`],
        // A tag alone: read as "".
        ["api-key: K\napi-secret: !SECRETVAL999\n", `api-secret (line 2): ${quote}`],
        // A tag handle that is not declared: an error whose message is the tag.
        ["api-secret: !x!SECRETVAL999\nconcurrency: 4\n", `api-secret (line 1): ${quote}`],
        ["token:\n  - a-token\n  - !SECRETVAL999 b\n", `token (line 3): ${quote}`],
        ["concurrency: !!int SECRETVAL999\n", `concurrency (line 1): ${quote}`],
        // An alias of no anchor: the library's message ended with the alias, that is the value.
        [
          "api-key: K\napi-secret: *SECRETVAL999\n",
          "api-secret (line 2): the value starts with \"*\", which YAML reads as an alias of an anchor the file does not " +
          "set; put the value in quotes ('...', with a ' inside written twice)"
        ],
        [
          "api-secret: \"SECRET\\qVAL999\"\n",
          "api-secret (line 1): the value is in double quotes with a \\ that is not a YAML escape; put it in single quotes, " +
          "where \\ is kept as written"
        ]
      ]
      // The library's parse printed its warnings through process.emitWarning.
      const emitted = vi.spyOn(process, "emitWarning")
      const files = yield* Effect.forEach(cases, ([text]) => written("settings.yaml", text))
      const refused = yield* Effect.forEach(files, refusal)
      const printed = emitted.mock.calls.length
      emitted.mockRestore()
      assert.deepStrictEqual(refused, cases.map(([, reason], index) => Option.some(`${files[index]}: ${reason}`)))
      assert.strictEqual(printed, 0)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("another YAML warning refuses the file too; a message that would quote the file is cut before the quote", () =>
    Effect.gen(function*() {
      const directive = yield* written("directive.yaml", "%FOO bar\n---\nconcurrency: 4\n")
      const anchor = yield* written("anchor.yaml", "concurrency: &a: 4\n")
      const header = yield* written("header.yaml", "api-secret: |SECRETVAL999\n  x\n")
      const tagged = yield* written("tagged.yaml", "!SECRETVAL999\n")
      assert.deepStrictEqual(yield* Effect.forEach([directive, anchor, header, tagged], refusal), [
        Option.some(`${directive} is not valid YAML: Unknown directive %FOO at line 1, column 1`),
        Option.some(`${anchor} is not valid YAML: Anchor ending in : is ambiguous at line 1, column 16`),
        Option.some(`${header} is not valid YAML: Block scalar header includes extra characters at line 1, column 14`),
        Option.some(
          `${tagged} (line 1): the value starts with "!", which YAML reads as a tag; put the value in quotes ('...', with a ' inside written twice)`
        )
      ])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a file over 1 MiB is refused naming its size and the limit, without being read; 1 MiB exactly is read", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-settings-" })
      // Sparse: as large as a disk image to the file system, nothing on the disk.
      execFileSync("truncate", ["-s", "3G", `${dir}/image.yaml`])
      execFileSync("truncate", ["-s", "1048577", `${dir}/over.yaml`])
      yield* fs.writeFileString(`${dir}/limit.yaml`, `concurrency: 4\n${"#".repeat(1024 * 1024 - 16)}\n`)
      assert.deepStrictEqual(yield* Effect.forEach([`${dir}/image.yaml`, `${dir}/over.yaml`], refusal), [
        Option.some(`${dir}/image.yaml is 3221225472 bytes (3 GiB), over the limit of 1048576 bytes (1 MiB) for a config file`),
        Option.some(`${dir}/over.yaml is 1048577 bytes (1 MiB), over the limit of 1048576 bytes (1 MiB) for a config file`)
      ])
      const file = yield* loadFrom(`${dir}/limit.yaml`)
      assert.strictEqual(yield* resolve(BatonSettings.Concurrency, { flags: new Map(), file }), 4)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a whole number in YAML's other notations is read as viper reads it; a fraction, a boolean or an inexact number is refused as written", () =>
    Effect.gen(function*() {
      const concurrency = (text: string) =>
        Effect.flatMap(
          written("settings.yaml", `concurrency: ${text}\n`),
          (file) =>
            Effect.flatMap(loadFrom(file), (source) =>
              Effect.either(resolve(BatonSettings.Concurrency, { flags: new Map(), file: source })).pipe(
                Effect.map(Either.mapLeft((error) =>
                  error.reason.slice(file.length)
                ))
              ))
        )
      const accepted = yield* Effect.forEach(["0x10", "0o17", "1e1", "8.0", "12"], concurrency)
      assert.deepStrictEqual(accepted, [Either.right(16), Either.right(15), Either.right(10), Either.right(8), Either.right(12)])
      const refused = yield* Effect.forEach(
        [
          "2.5",
          "2.50 # a comment",
          "True",
          "false",
          "1e30",
          "99999999999999999999",
          ".inf",
          "-.Inf",
          ".nan",
          "\"2.5\"",
          `2.${"5".repeat(300)}`
        ],
        concurrency
      )
      const expected = ": concurrency: expected a whole number from 1 to 64, got"
      const past = "a number past 9007199254740991, the largest read exactly"
      assert.deepStrictEqual(refused, [
        Either.left(`${expected} 2.5 (a number with a fraction)`),
        Either.left(`${expected} 2.50 (a number with a fraction)`),
        Either.left(`${expected} True (a boolean)`),
        Either.left(`${expected} false (a boolean)`),
        Either.left(`${expected} 1e30 (${past})`),
        Either.left(`${expected} 99999999999999999999 (${past})`),
        Either.left(`${expected} .inf (not a finite number)`),
        Either.left(`${expected} -.Inf (not a finite number)`),
        Either.left(`${expected} .nan (not a finite number)`),
        Either.left(`${expected} "2.5"`),
        // Repeated as every echoed value is: its first 128 characters, then its length.
        Either.left(`${expected} 2.${"5".repeat(126)}…(302 characters) (a number with a fraction)`)
      ])
    }).pipe(Effect.provide(NodeContext.layer)))
})
