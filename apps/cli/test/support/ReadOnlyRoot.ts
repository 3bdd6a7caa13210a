import { Command } from "@effect/platform"
import { spawnSync } from "node:child_process"
import { binPath } from "./CliProcess.js"

/**
 * The CLI (or the HTTP service) as a hardened container runs it (docs/deploy.md, "A hardened deployment"): in a mount
 * namespace of its own whose root file system is read-only but for one writable directory, in `/`,
 * with umask 077, no TMPDIR and no HOME, stdin closed, as another uid when asked (a numeric one,
 * as Kubernetes' runAsUser: no account needed). Making the namespace needs root (CAP_SYS_ADMIN).
 */

/** The script `unshare` runs: $1 is the writable directory, the rest the command. */
const enterReadOnlyRoot = "mount --bind \"$1\" \"$1\" && mount -o remount,bind,ro / && cd / && umask 077 && shift && exec \"$@\" </dev/null"

/** Why the machine cannot run the CLI so (a test skips, saying it), or undefined when it can. */
export const readOnlyRootUnavailable: string | undefined = process.getuid?.() !== 0
  ? "needs root, to make a mount namespace with a read-only root file system"
  : spawnSync("unshare", ["-m", "--propagation", "private", "sh", "-c", "mount -o remount,bind,ro / && ! touch /"], {
      stdio: "ignore"
    }).status === 0
  ? undefined
  : "this machine does not let root make a mount namespace with a read-only root file system (unshare -m)"

/** A suite's name, saying why its tests are skipped where they are: no test stands only to say so. */
export const readOnlyRootSuite = (name: string) =>
  readOnlyRootUnavailable === undefined ? name : `${name} (skipped: ${readOnlyRootUnavailable})`

export interface ReadOnlyRootOptions {
  /** The one directory the CLI may write in (the data volume). */
  readonly writable: string
  /** The only variables the CLI sees besides PATH. */
  readonly env?: Readonly<Record<string, string>>
  /** The uid (and gid) to run as; default root's. */
  readonly uid?: number
}

/** The argv prefix that runs a command as `uid` (and that gid), with no supplementary groups: root's only. */
export const asUidArgv = (uid: number) => ["setpriv", `--reuid=${uid}`, `--regid=${uid}`, "--clear-groups"]

/** The argv that runs `command` so (the HTTP service's tests run its bundle with it too). */
export const readOnlyRootArgv = (command: ReadonlyArray<string>, options: Omit<ReadOnlyRootOptions, "env">) => {
  const asUser = options.uid === undefined ? [] : asUidArgv(options.uid)
  return ["unshare", "-m", "--propagation", "private", "sh", "-c", enterReadOnlyRoot, "sh", options.writable, ...asUser, ...command]
}

/** The CLI with `args`, as a hardened container runs it. */
export const readOnlyRootCommand = (args: ReadonlyArray<string>, options: ReadOnlyRootOptions) => {
  const [program, ...rest] = readOnlyRootArgv([process.execPath, binPath, ...args], options)
  return Command.make(program!, ...rest).pipe(Command.env({ PATH: process.env.PATH, ...options.env }, { extendEnv: false }))
}
