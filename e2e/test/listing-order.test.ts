import { assert, describe, it } from "@effect/vitest"
import { Effect, Schedule } from "effect"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { cliBundle, httpBundle, runApp, startApp } from "./support/AppProcess.js"

/**
 * The same listing came out in another order from the CLI and from the HTTP service: `grants -o
 * json` by id, GET /v1/grants in the order the sync wrote the file (roles first, a user's team
 * memberships before its roles); so too resources and entitlements. A reviewer comparing the two
 * sheets found rows in other places. Both bundles, on the one file the service synced, now list in
 * one order: resources and entitlements by id, grants by grant id, one principal's by entitlement
 * id, one entitlement's by principal.
 */

const Token = "token-of-the-listing-order-test"

const tempDir = Effect.acquireRelease(
  Effect.promise(() => mkdtemp(join(tmpdir(), "e2e-listing-order-"))),
  (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
)

const call = (url: string, path: string, method = "GET") =>
  Effect.promise(() =>
    fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${Token}` } }).then(async (answer) => ({
      status: answer.status,
      body: await answer.json() as Record<string, unknown>
    }))
  )

interface Page {
  readonly items: ReadonlyArray<{ readonly id: string | { readonly resourceType: string; readonly resource: string } }>
  readonly next_page_token: string | null
}

const idText = (id: Page["items"][number]["id"]) => typeof id === "string" ? id : `${id.resourceType}:${id.resource}`

describe("one listing order from the CLI and the HTTP service", () => {
  it.scopedLive(
    "resources, entitlements and grants: the same ids in the same order from both, on the same file",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const service = yield* startApp(
          httpBundle,
          ["--sandbox", "small", "--sync-connections", "--port", "0", "--data-dir", join(dir, "data")],
          { BATON_HTTP_TOKENS: Token }
        )
        const url = yield* Effect.suspend(() => {
          const found = /listening on (http:\/\/\S+) /.exec(service.stdout())?.[1]
          return found === undefined ? Effect.fail("not listening yet") : Effect.succeed(found)
        }).pipe(Effect.retry(Schedule.spaced("50 millis").pipe(Schedule.upTo("60 seconds"))), Effect.orDie)
        const started = yield* call(url, "/v1/syncs", "POST")
        const job = started.body.id as string
        yield* call(url, `/v1/syncs/${job}`).pipe(
          Effect.repeat({ schedule: Schedule.spaced("200 millis"), until: (answer) => answer.body.status === "succeeded" }),
          Effect.timeout("60 seconds"),
          Effect.orDie
        )
        const file = join(dir, "data", `${job}.c1z`)

        /** Every page of the service's listing, 10 rows a page. */
        const served = (path: string) =>
          Effect.gen(function*() {
            const ids: Array<string> = []
            let token: string | null = null
            do {
              const more: string = token === null ? "" : `&page_token=${encodeURIComponent(token)}`
              const answer = yield* call(url, `${path}${path.includes("?") ? "&" : "?"}page_size=10${more}`)
              assert.strictEqual(answer.status, 200, path)
              const page = answer.body as unknown as Page
              ids.push(...page.items.map((item) => idText(item.id)))
              token = page.next_page_token
            } while (token !== null)
            return ids
          })
        const listed = (args: ReadonlyArray<string>) =>
          Effect.map(runApp(cliBundle, [...args, "-f", file, "-o", "json"], {}), (result) => {
            assert.strictEqual(result.exitCode, 0, result.stderr)
            return result.stdout.split("\n").filter((line) => line !== "").map((line) => (JSON.parse(line) as { id: string }).id)
          })

        const pairs: ReadonlyArray<readonly [ReadonlyArray<string>, string, number, ReadonlyArray<string>]> = [
          [["resources"], "/v1/resources", 46, ["connection:coastal_sun", "connection:cool_boulder"]],
          [["resources", "--type", "team"], "/v1/resources?type=team", 3, ["team:bouncy_mist", "team:scarlet_rapids"]],
          [["entitlements"], "/v1/entitlements", 107, [
            "connection:coastal_sun:Connector Administrator",
            "connection:coastal_sun:Connector Collaborator"
          ]],
          [["entitlements", "--resource", "team:sunny_barley"], "/v1/entitlements?resource=team:sunny_barley", 3, [
            "team:sunny_barley:Team Manager",
            "team:sunny_barley:Team Member"
          ]],
          [["grants"], "/v1/grants", 149, [
            "connection:coastal_sun:View Connection:user:dawn_sapling",
            "connection:coastal_sun:View Connection:user:vivid_orchard"
          ]],
          [["grants", "--principal", "user:violet_reef"], "/v1/grants?principal=user:violet_reef", 11, []],
          [
            ["grants", "--entitlement", "group:formal_birch:Manage Destination"],
            `/v1/grants?entitlement=${encodeURIComponent("group:formal_birch:Manage Destination")}`,
            2,
            ["group:formal_birch:Manage Destination:user:bouncy_sun", "group:formal_birch:Manage Destination:user:dawn_sapling"]
          ]
        ]
        for (const [args, path, count, first] of pairs) {
          const [cli, http] = [yield* listed(args), yield* served(path)]
          assert.strictEqual(cli.length, count, args.join(" "))
          assert.deepStrictEqual(cli.slice(0, first.length), first, args.join(" "))
          assert.deepStrictEqual(http, cli, `${path} against ${args.join(" ")}`)
        }
      }),
    180_000
  )
})
