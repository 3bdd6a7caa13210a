import { Effect, Schedule } from "effect"
import { logFields } from "./Harness.js"
import type { RunningService } from "./ServiceProcess.js"

/** The JSON lines a service process logged with `msg`. */
export const logged = (service: RunningService, msg: string) =>
  Effect.map(
    service.stderr,
    (stderr) => stderr.split("\n").filter((line) => line.startsWith("{")).map(logFields).filter((line) => line["msg"] === msg)
  )

/** Waits until the service has logged `count` lines with `msg` (a file it re-reads every 5 s, say); 30 s at most. */
export const awaitLogged = (service: RunningService, msg: string, count: number) =>
  logged(service, msg).pipe(
    Effect.repeat({ schedule: Schedule.spaced("200 millis"), until: (lines) => lines.length >= count }),
    Effect.timeout("30 seconds"),
    Effect.orDie
  )
