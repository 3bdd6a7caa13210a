import { type AccountSnapshot, type Credential, generatePreset, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import type { CommandExecutor } from "@effect/platform"
import { Effect, Schedule } from "effect"

export type SystemKey = Extract<Credential, { readonly _tag: "SystemKey" }>

export const smallAccount = generatePreset("small")

export const systemKeyOf = (snapshot: AccountSnapshot): SystemKey => {
  const key = snapshot.credentials.find((credential): credential is SystemKey => credential._tag === "SystemKey")
  if (key === undefined) throw new Error("the preset has no system key")
  return key
}

/** A sandbox on a free loopback port, for one test. */
export const sandboxLayer = (snapshot: AccountSnapshot = smallAccount) => Sandbox.layer({ snapshot, port: 0 })

/** The flags that point the CLI at the test's sandbox with its system key. */
export const connectionFlags = Effect.gen(function*() {
  const sandbox = yield* Sandbox
  const key = systemKeyOf(yield* sandbox.snapshot)
  return {
    key,
    flags: ["--base-url", sandbox.baseUrl, "--api-key", key.key, "--api-secret", key.secret]
  }
})

/**
 * Waits until the test's sandbox has served the CLI's first request. A CLI that exits before one
 * (it could not start) fails the wait at once, naming its exit code, rather than leaving the test
 * polling until vitest's timeout.
 */
export const firstRequestFrom = (child: CommandExecutor.Process) =>
  Effect.flatMap(Sandbox, (sandbox) =>
    sandbox.requestLog.pipe(
      Effect.filterOrFail((log) => log.length > 0),
      Effect.retry(Schedule.spaced("50 millis")),
      Effect.asVoid,
      Effect.raceFirst(Effect.flatMap(child.exitCode, (code) => Effect.dieMessage(`the CLI exited ${code} before its first request`)))
    ))

export const accountRoleCount = (snapshot: AccountSnapshot) => snapshot.roles.filter((role) => role.scope.includes("ACCOUNT")).length
