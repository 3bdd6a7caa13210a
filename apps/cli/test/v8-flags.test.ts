import { assert, describe, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { MemoryV8Flags, SandboxV8Flags, V8Flags } from "../src/V8Flags.js"

/** `--name=value` of each flag this Node's V8 lists, as `node --v8-options` prints its defaults. */
const v8Defaults = (): ReadonlyMap<string, string> => {
  const text = execFileSync(process.execPath, ["--v8-options"], { encoding: "utf8" })
  return new Map(Array.from(text.matchAll(/default: (--[a-z0-9-]+)=(\S+)/g), ([, name, value]) => [name!, `${name}=${value}`]))
}

describe("V8 flags", () => {
  it("the sandbox command sets back exactly V8's own values of the memory flags the CLI changes", () => {
    const defaults = v8Defaults()
    const names = (flags: ReadonlyArray<string>) => flags.map((flag) => flag.slice(0, flag.indexOf("=")))
    assert.deepStrictEqual(names(SandboxV8Flags), names(MemoryV8Flags))
    assert.deepStrictEqual(SandboxV8Flags, names(MemoryV8Flags).map((name) => defaults.get(name) ?? `${name}: no such V8 flag`))
    assert.notDeepEqual(SandboxV8Flags, MemoryV8Flags)
  })

  it("every flag the launcher sets is one this Node's V8 knows, with another value than its default", () => {
    const defaults = v8Defaults()
    const known = V8Flags.map((flag) => {
      const name = flag.slice(0, flag.indexOf("="))
      return defaults.has(name) && defaults.get(name) !== flag ? flag : `${flag}: unknown or V8's default`
    })
    assert.deepStrictEqual(known, V8Flags)
    assert.deepStrictEqual(V8Flags.slice(0, MemoryV8Flags.length), MemoryV8Flags)
  })
})
