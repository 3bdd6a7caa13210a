import { assert, describe, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { MemoryV8Flags, SandboxV8Flags, V8Flags } from "../src/V8Flags.js"

/**
 * Each flag this Node's V8 lists, by name, with its default as `node --v8-options` prints it:
 * `--name=value`, or for a switch `--name` or `--no-name`.
 */
const v8Defaults = (): ReadonlyMap<string, string> => {
  const text = execFileSync(process.execPath, ["--v8-options"], { encoding: "utf8" })
  return new Map(
    Array.from(
      text.matchAll(/default: (--(?:no-)?([a-z0-9-]+))(=\S+)?/g),
      ([, flag, name, value]) => [`--${name}`, `${flag}${value ?? ""}`]
    )
  )
}

/** `--name` of `--name=value`, `--name` or `--no-name`. */
const nameOf = (flag: string) => flag.includes("=") ? flag.slice(0, flag.indexOf("=")) : flag.replace(/^--no-/, "--")

describe("V8 flags", () => {
  it("the sandbox command sets back exactly V8's own values of the memory flags the CLI changes", () => {
    const defaults = v8Defaults()
    assert.deepStrictEqual(SandboxV8Flags.map(nameOf), MemoryV8Flags.map(nameOf))
    assert.deepStrictEqual(SandboxV8Flags, MemoryV8Flags.map((flag) => defaults.get(nameOf(flag)) ?? `${flag}: no such V8 flag`))
    assert.notDeepEqual(SandboxV8Flags, MemoryV8Flags)
  })

  it("every flag the launcher sets is one this Node's V8 knows, with another value than its default", () => {
    const defaults = v8Defaults()
    const known = V8Flags.map((flag) =>
      defaults.has(nameOf(flag)) && defaults.get(nameOf(flag)) !== flag ? flag : `${flag}: unknown or V8's default`
    )
    assert.deepStrictEqual(known, V8Flags)
    assert.deepStrictEqual(V8Flags.slice(0, MemoryV8Flags.length), MemoryV8Flags)
  })
})
