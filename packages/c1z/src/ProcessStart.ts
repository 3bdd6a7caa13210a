import { readFile } from "node:fs/promises"

/**
 * Linux's USER_HZ: /proc gives a process's start in these ticks since boot. Fixed at 100 for user
 * space on every architecture Node runs on, whatever the kernel's own tick rate.
 */
const ticksPerSecond = 100

/**
 * When process `pid` started, in milliseconds since the epoch, from /proc (Linux): undefined where
 * there is none (macOS), or the process is gone. `/proc/<pid>/stat`'s 22nd field is its start in
 * ticks since boot; the name before it, in parentheses, may hold spaces and parentheses itself, so
 * the fields are counted from the last ")".
 */
export const processStartMillis = async (pid: number): Promise<number | undefined> => {
  try {
    const [stat, uptime] = await Promise.all([readFile(`/proc/${pid}/stat`, "utf8"), readFile("/proc/uptime", "utf8")])
    const startTicks = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19])
    const uptimeSeconds = Number(uptime.split(" ")[0])
    if (!Number.isFinite(startTicks) || !Number.isFinite(uptimeSeconds)) return undefined
    return Date.now() - (uptimeSeconds - startTicks / ticksPerSecond) * 1000
  } catch {
    return undefined
  }
}
