import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { vi } from "vitest"
import { startService } from "./InProcess.js"

/**
 * What a request costs the token check: the service hashes its configured tokens once, at start-up,
 * and a request's own token once, though its log line (the caller) and its route both ask whose it
 * is. Before, each request hashed its token twice and every configured token twice. Node's
 * `createHash` is wrapped to record what each SHA-256 is fed; the service runs in this process.
 */

const hashed = vi.hoisted(() => ({ values: [] as Array<string> }))

vi.mock("node:crypto", async (importOriginal) => {
  const crypto = await importOriginal<typeof import("node:crypto")>()
  const createHash: typeof crypto.createHash = (algorithm, options) => {
    const hash = crypto.createHash(algorithm, options)
    const update = hash.update.bind(hash)
    return Object.assign(hash, {
      update: (data: string | NodeJS.ArrayBufferView, encoding?: BufferEncoding) => {
        if (typeof data !== "string") return update(data)
        hashed.values.push(data)
        return encoding === undefined ? update(data) : update(data, encoding)
      }
    })
  }
  return { ...crypto, createHash, default: { ...crypto, createHash } }
})

const fullTokens = ["first-full-token-of-the-digest-test", "second-full-token-of-the-digest-test", "third-full-token-digest-test"]
const readTokens = ["first-read-token-of-the-digest-test", "second-read-token-of-the-digest-test"]
const stranger = "a-token-this-service-does-not-know"

const status = (url: string, method: string, token: string) =>
  Effect.promise(async () => {
    const response = await fetch(url, { method, headers: { authorization: `Bearer ${token}` } })
    await response.arrayBuffer()
    return response.status
  })

describe("the token check's hashing", () => {
  it.scopedLive("configured tokens are hashed at start-up only; each request's token once", () =>
    Effect.gen(function*() {
      const dataDir = yield* FileSystem.FileSystem.pipe(
        Effect.flatMap((fs) => fs.makeTempDirectoryScoped({ prefix: "baton-http-digests-" })),
        Effect.provide(NodeContext.layer)
      )
      const url = yield* startService(["--sandbox", "--port", "0", "--data-dir", dataDir, "--log-level", "error"], {
        BATON_HTTP_TOKENS: fullTokens.join(","),
        BATON_HTTP_READ_TOKENS: readTokens.join(",")
      })
      const configured = [...fullTokens, ...readTokens]
      assert.deepStrictEqual(configured.map((token) => hashed.values.filter((value) => value === token).length), [1, 1, 1, 1, 1])
      hashed.values.length = 0
      const requests: ReadonlyArray<readonly [string, string, string, number]> = [
        ["GET", "/v1/syncs", fullTokens[1]!, 200],
        ["GET", "/v1/syncs", readTokens[0]!, 200],
        ["POST", "/v1/syncs", readTokens[1]!, 403],
        ["GET", "/v1/syncs", stranger, 401],
        ["GET", "/metrics", fullTokens[2]!, 200],
        ["GET", "/readyz", fullTokens[0]!, 200],
        ["GET", "/no/such/path", readTokens[0]!, 404]
      ]
      const statuses = yield* Effect.forEach(requests, ([method, path, token]) => status(`${url}${path}`, method, token))
      assert.deepStrictEqual(statuses, requests.map(([, , , expected]) => expected))
      const tokensHashed = hashed.values.filter((value) => configured.includes(value) || value === stranger)
      assert.deepStrictEqual(tokensHashed, requests.map(([, , token]) => token))
    }))
})
