import { FileSystem, Path } from "@effect/platform"
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto"
import { Data, Effect, Option, Redacted, Schema } from "effect"
import { InvalidRequest } from "@baton-fivetran/http-api"
import { isSystemError, makePrivateDirectory, ownerOnlyFile } from "@baton-fivetran/settings"
import { ServiceConfig } from "./ServiceConfig.js"

/**
 * Page tokens the service can tell it issued. A token is `<payload>.<mac>`: the payload is the
 * base64url JSON a listing resumes from (Queries.ts, Review.ts), the mac an HMAC-SHA256 of it, and
 * of what the token is for, under a key only the service holds. Unsigned, a token was anyone's to
 * write: any position in any listing, any sync id echoed back in a message.
 *
 * The key lives in the data directory (`page-token.key`, 32 random bytes, mode 0600), beside the
 * syncs the tokens point into: a restart keeps every token of a kept sync working, as a listing's
 * promise is to stay on its sync while it is kept. It is made on first start, written to a
 * temporary file and linked into place, so a start that races or dies midway never leaves a
 * partial key; deleting it ends every token in flight (each is then a 400: list again).
 */

const KeyFile = "page-token.key"
/** `create`'s temporary file, `page-token.key.<pid>.tmp`. */
const keyTemp = /^page-token\.key\.\d+\.tmp$/
const KeyBytes = 32

/** The key file cannot be made or read, or is not one the service wrote. */
export class PageTokenKeyError extends Data.TaggedError("PageTokenKeyError")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}

const alreadyExists = isSystemError("AlreadyExists")
const notFound = isSystemError("NotFound")

/** What tokens of one kind can do: issue one for a position, and read back only one issued (else a 400). */
export interface TokenCodec<A> {
  readonly issue: (position: A) => string
  readonly read: (token: string) => Effect.Effect<A, InvalidRequest>
}

/** A token of the first release (unsigned), of another service, or edited: the caller can only start its listing again. */
const notIssued = () =>
  new InvalidRequest({ field: "page_token", message: "page_token is not a token this service issued; list again without page_token" })

export class PageTokens extends Effect.Service<PageTokens>()("baton-http/PageTokens", {
  effect: Effect.gen(function*() {
    const config = yield* ServiceConfig
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const keyPath = path.join(config.dataDir, KeyFile)
    const refuse = (why: string) => new PageTokenKeyError({ reason: `the page-token key ${keyPath} ${why}` })

    const create = Effect.gen(function*() {
      const temp = `${keyPath}.${process.pid}.tmp`
      yield* fs.remove(temp, { force: true })
      yield* fs.writeFile(temp, randomBytes(KeyBytes), { flag: "wx", mode: ownerOnlyFile }).pipe(
        // A link fails when the name is taken: a start that got there first made the key in use.
        Effect.zipRight(fs.link(temp, keyPath).pipe(Effect.catchIf(alreadyExists, () => Effect.void))),
        // Also when the write fails (a full disk makes the file, then cannot fill it).
        Effect.ensuring(Effect.ignore(fs.remove(temp, { force: true })))
      )
    })

    /**
     * The temporary key files of starts that were killed while they made the key: this process
     * holds the data directory's lock, so none of them is another's in progress.
     */
    const removeOlderTemps = fs.readDirectory(config.dataDir).pipe(
      Effect.flatMap((names) =>
        Effect.forEach(
          names.filter((name) => keyTemp.test(name)),
          (name) => Effect.ignore(fs.remove(path.join(config.dataDir, name), { force: true })),
          { discard: true }
        )
      ),
      Effect.ignore
    )

    yield* makePrivateDirectory(config.dataDir).pipe(
      Effect.mapError((error) => refuse(`cannot be made: ${error.message}`))
    )
    yield* removeOlderTemps
    const read = fs.readFile(keyPath)
    const bytes = yield* read.pipe(
      Effect.catchIf(notFound, () => Effect.zipRight(create, read)),
      Effect.mapError((error) => refuse(`cannot be made or read: ${error.message}`))
    )
    if (bytes.byteLength !== KeyBytes) {
      return yield* refuse(
        `holds ${bytes.byteLength} bytes, not the ${KeyBytes} the service writes; delete it to have a new one made ` +
          "(page tokens in flight then stop working)"
      )
    }
    const key = Redacted.make(Buffer.from(bytes))

    const mac = (purpose: string, payload: string) =>
      createHmac("sha256", Redacted.value(key)).update(`${purpose}\n${payload}`).digest("base64url")

    /** `purpose` keeps a token of one kind from being read as another. */
    const codec = <A, I>(purpose: string, position: Schema.Schema<A, I>): TokenCodec<A> => {
      const payload = Schema.compose(Schema.StringFromBase64Url, Schema.parseJson(position))
      const encode = Schema.encodeSync(payload)
      const decode = Schema.decodeUnknownOption(payload)
      return {
        issue: (value) => {
          const text = encode(value)
          return `${text}.${mac(purpose, text)}`
        },
        read: (token) => {
          const dot = token.lastIndexOf(".")
          if (dot === -1) return Effect.fail(notIssued())
          const given = Buffer.from(token.slice(dot + 1))
          const expected = Buffer.from(mac(purpose, token.slice(0, dot)))
          const position = given.length === expected.length && timingSafeEqual(given, expected)
            ? decode(token.slice(0, dot))
            : Option.none()
          return Option.match(position, { onNone: () => Effect.fail(notIssued()), onSome: Effect.succeed })
        }
      }
    }
    return { codec } as const
  })
}) {}
