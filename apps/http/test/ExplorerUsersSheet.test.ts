import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { existsSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import {
  account,
  chromiumPath,
  invite,
  openExplorer,
  promise,
  type Service,
  startService,
  step,
  syncNow,
  tempDir
} from "./support/ExplorerBrowser.js"

/**
 * The users sheet: every user of the latest sync once, one who holds nothing included. The review
 * sheet has a row per access path, so a user invited and never given anything was on no download,
 * and "who is disabled, who never signed in" could not be answered from one. The explorer's
 * "Download users (CSV)" saves what `GET /v1/export/users` answers; JSON lines carry the same rows.
 */

const usersSheet = (service: Service, format: "csv" | "jsonl") =>
  promise(async () => {
    const response = await fetch(`${service.url}/v1/export/users?format=${format}`, {
      headers: { authorization: `Bearer ${service.token}` }
    })
    return { status: response.status, disposition: response.headers.get("content-disposition"), text: await response.text() }
  })

describe("access explorer: the users sheet", () => {
  it.skipIf(!existsSync(chromiumPath))("chromium is installed", () => {})

  it.scopedLive(
    "Download users (CSV) saves every user once, one holding nothing with 0 access paths; JSON lines have the same rows",
    () =>
      Effect.gen(function*() {
        const service = yield* startService
        const newcomer = yield* invite(service, "Nora", "Newcomer", "nora.newcomer@example.com")
        const syncId = yield* syncNow(service)
        const { page } = yield* openExplorer(service)
        const download = yield* promise(() => Promise.all([page.waitForEvent("download"), page.click("#export-users")]))
        assert.strictEqual(download[0].suggestedFilename(), `users-${syncId}.csv`)
        const saved = join(yield* tempDir("explorer-users-"), "users.csv")
        yield* promise(() => download[0].saveAs(saved))
        yield* step(page, "users-sheet-1-downloaded")
        const csv = yield* promise(() => readFile(saved, "utf8"))
        const served = yield* usersSheet(service, "csv")
        assert.deepStrictEqual([served.status, served.disposition], [200, `attachment; filename="users-${syncId}.csv"`])
        assert.strictEqual(csv, served.text)

        const [header, ...lines] = csv.split("\r\n").filter((line) => line !== "")
        assert.strictEqual(
          header,
          "principal,principal_name,email,status,last_login,account_type,account_role,access_paths,sync_id,synced_at"
        )
        // Every user of the account, and the newcomer, once each, by id.
        const ids = lines.map((line) => line.split(",")[0]!)
        assert.deepStrictEqual(ids, [...account.users.map((user) => `user:${user.id}`), newcomer].sort())
        const jsonl = (yield* usersSheet(service, "jsonl")).text.trimEnd().split("\n").map((line) =>
          JSON.parse(line) as Record<string, string>
        )
        const row = jsonl.find((candidate) => candidate["principal"] === newcomer)!
        assert.deepStrictEqual(
          [row["principal_name"], row["email"], row["status"], row["last_login"], row["account_role"], row["access_paths"]],
          ["Nora Newcomer", "nora.newcomer@example.com", "invited", "", "", "0"]
        )
        assert.deepStrictEqual(jsonl.map((candidate) => candidate["principal"]), ids)
      }),
    { timeout: 180_000 }
  )
})
