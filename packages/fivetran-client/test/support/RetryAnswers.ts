import type { HttpServerResponse } from "@effect/platform"
import type { Effect } from "effect"
import { json, type Script } from "./ScriptedServer.js"

/** The team `getTeam("bright_otter")` reads in the retry tests, and Fivetran's answer carrying it. */
export const team = { id: "bright_otter", name: "Analysts", description: null, role: "Account Reviewer" }
export const teamBody = { code: "Success", data: team }

/** Fivetran's answer to adding a user to group amber_falcon: what a retried POST ends with. */
export const membershipBody = {
  code: "Success",
  message: "Group membership has been created",
  data: { id: "amber_falcon", role: "Manage Destination", created_at: "2025-05-06T12:00:01.554210Z" }
}

/** A script giving the n-th request the n-th of `firstAnswers` (a refusal to retry), and every later one the team. */
export const teamAfter = (...firstAnswers: ReadonlyArray<Effect.Effect<HttpServerResponse.HttpServerResponse>>): Script => (_, index) =>
  index < firstAnswers.length ? firstAnswers[index]! : json(200, teamBody)
