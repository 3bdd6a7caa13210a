import { Data, Either } from "effect"

/**
 * JSON as a provisioning request may hold it: valid, and no key given twice in one object, at any
 * depth. `JSON.parse` keeps the last of repeated keys, so `{"role":"Reviewer","role":"Administrator"}`
 * read as Administrator by us and as Reviewer by anything that reads the first (an approval screen,
 * a log reviewer, a proxy): one request, two meanings. The HTTP service's request bodies and the
 * CLI's `--create-account-profile` are parsed here, so both refuse the same texts.
 */

/** The text is not JSON (or nests too deeply for `JSON.parse`'s stack). */
export class NotJson extends Data.TaggedError("NotJson") {}

/** `key` appears twice in one object; `path` leads from the root to it, `key` last (array items by index). */
export class RepeatedKey extends Data.TaggedError("RepeatedKey")<{
  readonly key: string
  readonly path: ReadonlyArray<string | number>
}> {}

/** An open object (its keys so far, `expectsKey` until a key's string is read) or array (`key` is the item's index). */
interface Level {
  readonly keys: Set<string> | undefined
  key: string | number
  expectsKey: boolean
}

const quote = 0x22
const backslash = 0x5c

/**
 * The first key repeated in one object of `text`, which `JSON.parse` has accepted: on valid JSON a
 * string right after `{` or an object's `,` is a key and every other string a value, so one pass
 * over the characters (linear, like RequestBody's depth count) finds it without building a tree.
 * A key with escapes is decoded, so `"a"` and `"\u0061"` are the same key, as they are to `JSON.parse`.
 */
const firstRepeatedKey = (text: string): RepeatedKey | undefined => {
  const open: Array<Level> = []
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i)
    if (char === quote) {
      const start = i
      let escaped = false
      for (i++; text.charCodeAt(i) !== quote; i++) {
        if (text.charCodeAt(i) === backslash) {
          escaped = true
          i++
        }
      }
      const level = open.at(-1)
      if (level?.keys !== undefined && level.expectsKey) {
        const key = escaped ? JSON.parse(text.slice(start, i + 1)) as string : text.slice(start + 1, i)
        if (level.keys.has(key)) return new RepeatedKey({ key, path: [...open.slice(0, -1).map((outer) => outer.key), key] })
        level.keys.add(key)
        level.key = key
        level.expectsKey = false
      }
    } else if (char === 0x7b) { // {
      open.push({ keys: new Set(), key: "", expectsKey: true })
    } else if (char === 0x5b) { // [
      open.push({ keys: undefined, key: 0, expectsKey: false })
    } else if (char === 0x7d || char === 0x5d) { // } ]
      open.pop()
    } else if (char === 0x2c) { // ,
      const level = open.at(-1)!
      if (level.keys === undefined) level.key = (level.key as number) + 1
      else level.expectsKey = true
    }
  }
  return undefined
}

const parse = (text: string): Either.Either<unknown, NotJson> =>
  Either.try({ try: () => JSON.parse(text) as unknown, catch: () => new NotJson() })

/** The value of a JSON text with no repeated key. */
export const parseStrictJson = (text: string): Either.Either<unknown, NotJson | RepeatedKey> =>
  Either.flatMap(parse(text), (value) => {
    const repeated = firstRepeatedKey(text)
    return repeated === undefined ? Either.right(value) : Either.left(repeated)
  })
