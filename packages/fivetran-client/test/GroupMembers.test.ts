import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { json, startServer } from "./support/ScriptedServer.js"
import {
  DefaultWindowBytes,
  dropRowsWithoutGroupRole,
  dropRowsWithoutGroupRoleByWindows,
  dropRowsWithoutGroupRoleFromBytes,
  dropRowsWithoutGroupRoleUnescaped,
  type FivetranError
} from "../src/index.js"
import { parsedThenFiltered } from "./support/GroupPages.js"
import { clientFor } from "./support/TestClient.js"

/** A full user as `GET /v1/groups/{id}/users` lists it; `role` is the group role, null for account-role users. */
const listed = (id: string, role: string | null) => ({
  id,
  email: `${id}@example.com`,
  given_name: "Ada",
  family_name: "Lovelace",
  verified: true,
  invited: false,
  picture: null,
  phone: null,
  role,
  logged_in_at: null,
  created_at: "2024-03-02T09:14:22.118203Z",
  active: true
})

describe("listGroupMembers", () => {
  it.scopedLive("yields {id, role} of each user with a group role, over every page, skipping users with none", () =>
    Effect.gen(function*() {
      const pages = [
        { items: [listed("a1", "Destination Reviewer"), listed("a2", null), listed("a3", "")], next_cursor: "next" },
        { items: [listed("b1", null), listed("b2", "Destination Administrator")], next_cursor: null }
      ]
      const server = yield* startServer((_, index) => json(200, { code: "Success", data: pages[index] }))
      const client = yield* clientFor(server.baseUrl)

      const members = yield* Stream.runCollect(client.listGroupMembers("amber_falcon"))

      assert.deepStrictEqual(Chunk.toArray(members), [
        { id: "a1", role: "Destination Reviewer" },
        { id: "b2", role: "Destination Administrator" }
      ])
      assert.deepStrictEqual(
        (yield* server.requests).map((r) => [r.path, r.query["cursor"]]),
        [["/v1/groups/amber_falcon/users", undefined], ["/v1/groups/amber_falcon/users", "next"]]
      )
    }))

  it.scopedLive("listGroupMembersAll, listTeamUsersAll and listAll request the same pages as the streams and give the same items", () =>
    Effect.gen(function*() {
      const pages = {
        "/v1/groups/amber_falcon/users": [[listed("a1", "Destination Reviewer"), listed("a2", null)], [
          listed("b1", "Destination Analyst")
        ]],
        "/v1/teams/noble_quill/users": [[{ user_id: "a1", role: "Team Member" }], [{ user_id: "b1", role: "Team Manager" }]],
        "/v1/users/calm_willow/connections": [[{ id: "c1", role: "Connector Reviewer", created_at: "2024-03-02T09:14:22Z" }], []]
      } as Record<string, ReadonlyArray<ReadonlyArray<unknown>>>
      const server = yield* startServer((request) => {
        const page = request.query["cursor"] === undefined ? 0 : 1
        return json(200, { code: "Success", data: { items: pages[request.path]![page], next_cursor: page === 0 ? "next" : null } })
      })
      const client = yield* clientFor(server.baseUrl)
      const lists = [
        [client.listGroupMembersAll("amber_falcon"), client.listGroupMembers("amber_falcon")],
        [client.listTeamUsersAll("noble_quill"), client.listTeamUsers("noble_quill")],
        [client.userConnections.listAll("calm_willow"), client.userConnections.list("calm_willow")]
      ] as ReadonlyArray<readonly [Effect.Effect<ReadonlyArray<unknown>, FivetranError>, Stream.Stream<unknown, FivetranError>]>

      for (const [all, stream] of lists) {
        const before = (yield* server.requests).length
        const collected = yield* all
        const fromAll = (yield* server.requests).slice(before).map((r) => [r.path, r.query["cursor"], r.query["limit"]])
        const streamed = Chunk.toArray(yield* Stream.runCollect(stream))
        const fromStream = (yield* server.requests).slice(before + fromAll.length).map((r) => [r.path, r.query["cursor"], r.query["limit"]])
        assert.deepStrictEqual(collected, streamed)
        assert.deepStrictEqual(fromAll, fromStream)
        assert.strictEqual(fromAll.length, 2)
      }
      assert.deepStrictEqual(yield* client.listGroupMembersAll("amber_falcon"), [
        { id: "a1", role: "Destination Reviewer" },
        { id: "b1", role: "Destination Analyst" }
      ])
    }))

  it.scopedLive("rows without a group role are not decoded at all; a member row without an id is an invalid response", () =>
    Effect.gen(function*() {
      const items = [{ role: null, id: 42 }, "not a user", { email: "x@example.com" }, { role: "Destination Reviewer" }]
      const server = yield* startServer(() => json(200, { code: "Success", data: { items, next_cursor: null } }))
      const client = yield* clientFor(server.baseUrl)

      const error = yield* Effect.flip(Stream.runCollect(client.listGroupMembers("amber_falcon")))

      assert.strictEqual(error._tag, "InvalidResponse")
      // The position counts member rows only: the three rows before it were dropped undecoded.
      assert.strictEqual(error.message, "GET /v1/groups/amber_falcon/users: unexpected response body at data.items[0].id: is missing")
    }))
})

const textPages: Record<string, string> = {
  "compact, as the API sends it": JSON.stringify({
    code: "Success",
    data: { items: [listed("a1", "Destination Reviewer"), listed("a2", null), listed("a3", "")], next_cursor: "c" }
  }),
  "spaced and indented": JSON.stringify({ data: { items: [listed("a1", null), listed("a2", "Destination Analyst")] } }, null, 2),
  "strings holding quotes, braces, escapes and a fake role": JSON.stringify({
    code: "Success",
    data: {
      next_cursor: null,
      items: [
        { ...listed("q1", null), given_name: "A \"role\": \"Owner\" }, {[", family_name: "back\\slash\\" },
        { ...listed("q2", "Destination Reviewer"), given_name: "\"}]" },
        { id: "q3", nested: { role: "Owner", list: [1, { role: null }] }, role: null },
        { id: "q4", nested: { role: null }, role: "Destination Administrator" }
      ]
    }
  }),
  "a key written with escapes, a role absent, items that are not objects":
    `{"data":{"items":[{"id":"e1","\\u0072ole":"Destination Reviewer"},{"id":"e2"},"text",42,null,[],{"id":"e3","role":"x"}]},"code":"Success"}`,
  "compact rows with role as a value, duplicate role keys, brackets and a spaced role in strings": JSON.stringify({
    code: "Success",
    data: {
      items: [
        { id: "r1", title: "role", role: null },
        { role: "Destination Reviewer", id: "r2", title: "role" },
        { id: "r3", given_name: "{[\"role\": \"x\"]}", role: null },
        { id: "r4", given_name: "{[ role ]}", role: "Destination Analyst" },
        { id: "r5", note: "\"role\" : \"Owner\"" }
      ],
      next_cursor: null
    }
  }).replace(`"r1","title"`, `"r1","role":"Destination Reviewer","title"`).replace(
    `"r2","title":"role"}`,
    `"r2","title":"role","role" : null}`
  ),
  "empty items": `{"code":"Success","data":{"items":[ ],"next_cursor":null}}`,
  "items before code, data last": `{"data":{"next_cursor":"n","items":[{"role":null,"id":"z"},{"role":"r","id":"y"}]} , "code":"Success"}`
}

const unfollowable = [
  `{"data":{"items":[{"id":"a","role":null},]}}`,
  `{"data":{"items":[{"id":"a","role":null}`,
  `{"data":{"items":[{"id":"a","role":"r"} {"id":"b","role":"r"}]}}`,
  `{"data":{"items":[]}} trailing`,
  `not json`,
  ``,
  `{"data":{"items":[{"id":"unterminated}]}}`
]

describe("dropRowsWithoutGroupRole", () => {
  for (const [name, text] of Object.entries(textPages)) {
    it(`gives what parsing everything and filtering gives: ${name}`, () => {
      const kept = dropRowsWithoutGroupRole(text)
      assert.deepStrictEqual(JSON.parse(kept), parsedThenFiltered(text))
    })
  }

  it("leaves text it cannot follow unchanged, for JSON.parse to reject", () => {
    for (
      const text of unfollowable
    ) assert.strictEqual(dropRowsWithoutGroupRole(text), text, text)
  })

  it("drops a row without a group role unread, even one JSON.parse would reject", () => {
    assert.strictEqual(
      dropRowsWithoutGroupRole(`{"data":{"items":[{"id":"a" "role":null},{"id":"b","role":"r"}]}}`),
      `{"data":{"items":[{"id":"b","role":"r"}]}}`
    )
  })

  it("leaves a body without data.items unchanged", () => {
    const text = `{"code":"Success","data":{"id":"amber_falcon"}}`
    assert.strictEqual(dropRowsWithoutGroupRole(text), text)
  })
})

const encode = (text: string) => new TextEncoder().encode(text)

describe("dropRowsWithoutGroupRoleByWindows", () => {
  const unicode = JSON.stringify({
    code: "Success",
    data: {
      items: [
        { ...listed("u1", null), given_name: "José", family_name: "Müller-日本語" },
        { ...listed("u2", "Destination Reviewer"), given_name: "Zoë 🚀", family_name: "Ærø" },
        { ...listed("u3", null), given_name: "€€€" }
      ],
      next_cursor: "c"
    }
  })
  const cases = [...Object.values(textPages), unicode, ...unfollowable, `{"data":{"items":[{"id":"a","role":"r"},{"id":"b","role":null}`]

  it("gives exactly the text path's result for every page, whatever the window size (rows and characters cut by windows)", () => {
    for (const text of cases) {
      const bytes = encode(text)
      for (const window of [1, 2, 3, 7, 64, 1000, DefaultWindowBytes]) {
        assert.strictEqual(dropRowsWithoutGroupRoleByWindows(bytes, window), dropRowsWithoutGroupRole(text), `window ${window}: ${text}`)
      }
      assert.strictEqual(dropRowsWithoutGroupRoleFromBytes(bytes), dropRowsWithoutGroupRole(text), text)
    }
  })

  it("keeps the member rows, multi-byte characters intact", () => {
    for (const kept of [dropRowsWithoutGroupRoleByWindows(encode(unicode), 5), dropRowsWithoutGroupRoleFromBytes(encode(unicode))]) {
      assert.deepStrictEqual((JSON.parse(kept) as { data: { items: Array<unknown> } }).data.items, [
        { ...listed("u2", "Destination Reviewer"), given_name: "Zoë 🚀", family_name: "Ærø" }
      ])
    }
  })
})

/** A page as the API sends it: compact, every row with a role key, few members. */
const apiPage = (rows: ReadonlyArray<unknown>) =>
  JSON.stringify({ code: "Success", data: { items: rows, next_cursor: "eyJza2lwIjoxMDAwfQ" } })

describe("dropRowsWithoutGroupRoleUnescaped", () => {
  it("reads the pages the API sends (no escapes) by itself, with exactly the text path's result", () => {
    const pages = [
      apiPage(Array.from({ length: 50 }, (_, i) => listed(`u${i}`, i % 7 === 3 ? "Destination Reviewer" : null))),
      apiPage([listed("u1", null), { ...listed("u2", "Destination Analyst"), given_name: "Zoë 🚀 {[,]" }, listed("u3", "")]),
      `{"code":"Success","data":{"items":[ ],"next_cursor":null}}`,
      `{"data":{"next_cursor":"n","items":[{"role":null,"id":"z"},{"role":"r","id":"y"}]} , "code":"Success"}`,
      `{"data":{"items":[ {"id":"a", "role" :null} ,\n {"id":"b","role":\t"r" , "x": [1, "]"]} ]},"code":"Success"}`,
      // Duplicate keys: the last role counts, as for JSON.parse; a role as a value is no key.
      `{"data":{"items":[{"role":"r","id":"a","role":null},{"role":null,"id":"b","role":"s"},{"id":"c","title":"role","role":null}]}}`,
      // Brackets and opening braces inside strings; roles that are not strings.
      `{"data":{"items":[{"id":"a","n":"{x","role":"r"},{"id":"b","n":"[]]","role":null},{"id":"c","role":7},{"role":"{"}]}}`
    ]
    for (const text of pages) {
      const kept = dropRowsWithoutGroupRoleUnescaped(encode(text))
      assert.strictEqual(kept, dropRowsWithoutGroupRole(text), text)
      assert.deepStrictEqual(JSON.parse(kept!), parsedThenFiltered(text), text)
    }
  })

  it("declines valid pages it cannot prove, which the exact paths then filter as before", () => {
    const pages = {
      "an escape in a row": apiPage([{ ...listed("e1", "Destination Reviewer"), given_name: "\"Ada\"" }, listed("e2", null)]),
      "a spaced items key": `{"data":{"items" : [{"id":"a","role":"r"}]}}`,
      "a nested object": `{"data":{"items":[{"id":"a","o":{"role":null},"role":"r"}]}}`,
      "an array of objects in a row": `{"data":{"items":[{"id":"a","o":[{"role":"x"}],"role":null},{"id":"b","role":"r"}]}}`,
      "a row with a role, cut in two by },{ in a string": `{"data":{"items":[{"id":"a","n":"},{","role":"r"}]}}`,
      "an earlier role before },{ in a string, the last role null":
        `{"data":{"items":[{"role":"r","n":"x},{","role":null},{"id":"b","role":null}]}}`,
      "a closing brace in a string": `{"data":{"items":[{"id":"a","n":"{x}","role":"r"}]}}`,
      "a row cut by }] in a string": `{"data":{"items":[{"id":"a","n":"}]","role":null},{"id":"b","role":"r"}]}}`,
      "a last row without a role key": `{"data":{"items":[{"id":"a","role":"r"},{"id":"b"}]}}`,
      "items that are not objects": `{"data":{"items":[{"id":"a","role":"r"},"text",42,null]}}`
    }
    for (const [name, text] of Object.entries(pages)) {
      assert.isUndefined(dropRowsWithoutGroupRoleUnescaped(encode(text)), name)
      assert.strictEqual(dropRowsWithoutGroupRoleFromBytes(encode(text)), dropRowsWithoutGroupRole(text), name)
      assert.deepStrictEqual(JSON.parse(dropRowsWithoutGroupRoleFromBytes(encode(text))), parsedThenFiltered(text), name)
    }
  })

  it("declines malformed bodies, which then fail as before: cut short, the sandbox's faults, ,], not JSON", () => {
    const page = apiPage([listed("a1", null), listed("a2", "Destination Reviewer"), listed("a3", null)])
    const bodies = {
      "cut inside the items (the sandbox's truncated fault)": page.slice(0, Math.floor(page.length / 2)),
      "cut after the items": page.slice(0, page.indexOf("],") + 2),
      "cut before the last brace": page.slice(0, -1),
      "the sandbox's malformed fault": `${page.replace(/}\s*$/, "")},}`,
      "a comma before the items' end": page.replace("}],", "},],"),
      "rows without a comma between them": page.replace("},{", "} {"),
      "not JSON": `<html>{"items":[{"id":"a","role":"r"}]}</html>`,
      "cut inside a string just after },{}]}} in it": `{"data":{"items":[{"id":"a","role":null,"n":"x},{}]}}`,
      "cut inside a string just after }]}} in it": `{"data":{"items":[{"id":"a","role":null,"n":"}]}}`
    }
    for (const [name, body] of Object.entries(bodies)) {
      assert.isUndefined(dropRowsWithoutGroupRoleUnescaped(encode(body)), name)
      assert.throws(() => JSON.parse(dropRowsWithoutGroupRoleFromBytes(encode(body))), SyntaxError, undefined, name)
    }
  })

  it("drops a row without a group role unread, even one JSON.parse would reject (as the text path does)", () => {
    const text = `{"data":{"items":[{"id":"a,"role":null},{"id":"b" "role":null},{"id":"c","role":"r"}]}}`
    assert.strictEqual(dropRowsWithoutGroupRoleUnescaped(encode(text)), `{"data":{"items":[{"id":"c","role":"r"}]}}`)
  })
})
