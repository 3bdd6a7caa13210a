/**
 * An HTTP service process a bench measures: started on 127.0.0.1:0 with a bearer token, its URL read
 * from its start-up line, and its CPU time and RSS read from /proc, which other load disturbs less
 * than latency.
 */
import { Effect } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { readFile } from "node:fs/promises"

export interface ServiceProcess {
  readonly url: string
  readonly process: ChildProcess
}

/** Starts `main` with `args` on 127.0.0.1:0 and waits for the line naming its URL; stopped when the scope closes. */
export const startService = (main: string, token: string, dataDir: string, args: ReadonlyArray<string>) =>
  Effect.acquireRelease(
    Effect.async<ServiceProcess, Error>((resume) => {
      const child = spawn(process.execPath, [main, "--port", "0", "--token", token, "--data-dir", dataDir, ...args], {
        stdio: ["ignore", "pipe", "pipe"]
      })
      let seen = ""
      const onData = (chunk: Buffer) => {
        seen += chunk.toString()
        const match = /listening on (http:\/\/\S+)/.exec(seen)
        if (match !== null) {
          // Keep draining: the service logs every request, and a full pipe would stall it.
          child.stdout.off("data", onData).on("data", () => {})
          resume(Effect.succeed({ url: match[1]!, process: child }))
        }
      }
      child.stdout.on("data", onData)
      child.stderr.on("data", () => {})
      child.once("exit", (code) => resume(Effect.fail(new Error(`${main} exited (${code}) before listening: ${seen}`))))
    }),
    (service) => Effect.sync(() => service.process.kill("SIGINT"))
  )

/** The service's resident memory now, in MB. */
export const rssMb = (service: ServiceProcess) =>
  Effect.promise(() => readFile(`/proc/${service.process.pid}/status`, "utf8")).pipe(
    Effect.map((status) => Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024))
  )

/** CPU time (user + system) the service has used so far, in ms. */
export const cpuMillis = (service: ServiceProcess) =>
  Effect.promise(() => readFile(`/proc/${service.process.pid}/stat`, "utf8")).pipe(
    // Fields 14 and 15 (utime, stime) in clock ticks of 10 ms, counted after the ")" closing the name.
    Effect.map((stat) => {
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
      return (Number(fields[11]) + Number(fields[12])) * 10
    })
  )
