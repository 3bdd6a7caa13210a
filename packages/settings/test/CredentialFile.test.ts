import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { createHash } from "node:crypto"
import { ConfigProvider, Effect, Either, Option, Redacted } from "effect"
import {
  ApiKeyCredential,
  ApiSecretCredential,
  CredentialFileLimit,
  credentialFile,
  findCredential,
  readCredentialFile,
  type SettingSources
} from "../src/index.js"

/**
 * `--api-key-file` and `--api-secret-file`: the file's one line, surrounding whitespace trimmed, and
 * checked as the value's setting checks it; every refusal names the setting and the path, never the
 * content. Real files in a temporary directory.
 */

const key = "d9c4511349dd4b86"
const secret = "1f6f2d161365888a1943160ccdb8d968"

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex")

const noEnv = Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))

const sources = (flags: Record<string, string>): SettingSources => ({ flags: new Map(Object.entries(flags)), file: Option.none() })

/** A temporary directory and a writer of files in it. */
const scratch = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-credential-file-" })
  const write = (name: string, text: string) => Effect.as(fs.writeFileString(`${dir}/${name}`, text), `${dir}/${name}`)
  return { fs, dir, write } as const
})

const secretFileAt = (path: string) => credentialFile(ApiSecretCredential, { value: path, source: "--api-secret-file", origin: "flag" })

const refusal = (path: string) =>
  Effect.map(Effect.either(readCredentialFile(secretFileAt(path))), (read) => Either.getLeft(read).pipe(Option.map((e) => e.reason)))

describe("a credential file", () => {
  it.scopedLive("holds the value alone: surrounding whitespace and the final newline are trimmed; its SHA-256 is the content's", () =>
    Effect.gen(function*() {
      const { write } = yield* scratch
      for (const text of [`${secret}\n`, secret, `  ${secret}\r\n\n`, `\n${secret}\t\n`]) {
        const content = yield* readCredentialFile(secretFileAt(yield* write("secret", text)))
        assert.deepStrictEqual([Redacted.value(content.value), content.seen], [secret, sha256(text)])
      }
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("empty, of more than one line, unreadable, not a file or too large: refused naming the setting and path, never the content", () =>
    Effect.gen(function*() {
      const { dir, fs, write } = yield* scratch
      const name = (path: string) => `--api-secret-file ${JSON.stringify(path)}`
      const empty = yield* write("empty", "")
      const blank = yield* write("blank", " \n\n")
      const twoLines = yield* write("two", `${secret}\n${key}\n`)
      const large = yield* write("large", "x".repeat(CredentialFileLimit + 1))
      const tab = yield* write("tab", `${secret.slice(0, 8)}\t${secret.slice(8)}\n`)
      yield* fs.makeDirectory(`${dir}/directory`)
      assert.deepStrictEqual(
        [
          yield* refusal(empty),
          yield* refusal(blank),
          yield* refusal(twoLines),
          yield* refusal(`${dir}/missing`),
          yield* refusal(`${dir}/directory`),
          yield* refusal(large),
          yield* refusal(tab)
        ],
        [
          Option.some(`${name(empty)} is empty: write the API secret in it`),
          Option.some(`${name(blank)} is empty: write the API secret in it`),
          Option.some(`${name(twoLines)} holds more than one line: write the API secret alone, on one line`),
          Option.some(`${name(`${dir}/missing`)} cannot be read (ENOENT)`),
          Option.some(`${name(`${dir}/directory`)} is a directory, not a file holding the API secret`),
          Option.some(
            `${name(large)} is 4097 bytes (4 KiB), over the limit of 4096 bytes (4 KiB) for a file of the API secret`
          ),
          Option.some(
            `${name(tab)}: expected secret text (never printed) of printable ASCII characters, as Fivetran's keys and ` +
              "secrets are; it holds another character (a control character, or one pasted from a document?)"
          )
        ]
      )
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("an API key file is checked as --api-key is: the key and its secret together are refused", () =>
    Effect.gen(function*() {
      const { write } = yield* scratch
      const path = yield* write("key", `${key}:${secret}\n`)
      const read = yield* Effect.flip(
        readCredentialFile(credentialFile(ApiKeyCredential, { value: path, source: "BATON_API_KEY_FILE", origin: "variable" }))
      )
      assert.strictEqual(
        read.reason,
        `BATON_API_KEY_FILE ${JSON.stringify(path)}: expected the API key alone (never printed), got the key and its ` +
          "secret together (key:secret, or its base64 from an Authorization: Basic header): give the key to api-key and " +
          "the secret to api-secret"
      )
      assert.notInclude(read.reason, secret)
    }).pipe(Effect.provide(NodeContext.layer)))
})

describe("a credential's value or its file", () => {
  it.scopedLive("one or the other; both are refused naming both; the key may come from a file and the secret as a value", () =>
    Effect.gen(function*() {
      const { write } = yield* scratch
      const keyFile = yield* write("key", `${key}\n`)
      const given = sources({ "api-key-file": keyFile, "api-secret": secret })
      const fromFile = yield* findCredential(ApiKeyCredential, given).pipe(noEnv)
      const fromValue = yield* findCredential(ApiSecretCredential, given).pipe(noEnv)
      assert.deepStrictEqual(
        [Option.map(fromFile, ({ value }) => Redacted.value(value)), Option.map(fromValue, ({ value }) => Redacted.value(value))],
        [Option.some(key), Option.some(secret)]
      )
      assert.deepStrictEqual(
        Option.flatMap(fromFile, ({ file }) => Option.map(file, ({ file, started }) => [file.name, started])),
        Option.some([`--api-key-file ${JSON.stringify(keyFile)}`, sha256(`${key}\n`)])
      )
      assert.isTrue(Option.exists(fromValue, ({ file }) => Option.isNone(file)))
      assert.isTrue(Option.isNone(yield* findCredential(ApiKeyCredential, sources({})).pipe(noEnv)))

      const both = yield* Effect.flip(
        findCredential(ApiSecretCredential, sources({ "api-secret-file": keyFile })).pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["BATON_API_SECRET", secret]])))
        )
      )
      assert.strictEqual(
        both.reason,
        "both BATON_API_SECRET and --api-secret-file are given; give the API secret one way: its value, or the file " +
          "holding it (which the HTTP service re-reads, so that it rotates without a restart)"
      )
    }).pipe(Effect.provide(NodeContext.layer)))
})
