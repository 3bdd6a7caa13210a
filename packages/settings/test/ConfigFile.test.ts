import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either, Option } from "effect"
import { loadConfigFile } from "../src/ConfigFile.js"
import { BatonSettings, resolve } from "../src/index.js"

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
  it.scoped("a file without settings (empty, blank, only comments, or only a document marker) is no settings, as in viper", () =>
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

  it.scoped("a file whose top level is not \"key: value\" settings, or not YAML, is refused naming the file", () =>
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

  it.scoped("a file that cannot be read is refused naming it and why", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-settings-" })
      yield* fs.makeDirectory(`${dir}/settings.yaml`)
      assert.deepStrictEqual(
        yield* refusal(`${dir}/settings.yaml`),
        Option.some(`${dir}/settings.yaml could not be read (EISDIR: illegal operation on a directory, read)`)
      )
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("an empty BATON_CONFIG_PATH is unset: the working directory's .baton.yaml, here none", () =>
    Effect.gen(function*() {
      assert.isTrue(Option.isNone(yield* loadFrom("")))
    }).pipe(Effect.provide(NodeContext.layer)))
})
