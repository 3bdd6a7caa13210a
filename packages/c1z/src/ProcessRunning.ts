import { existsSync, readFileSync } from "node:fs"

/**
 * Whether process `pid` runs: signal 0 finds it (EPERM: it does, another user's), and /proc does
 * not show it a zombie (state `Z`). A killed process whose parent has not reaped it, which a
 * container whose pid 1 reaps nothing (`sh -c` without an init) leaves for good, held the HTTP
 * service's data directory as if alive and kept a killed sync's scratch database from the sweep.
 * Where there is no /proc (macOS), signal 0's answer stands.
 */
export const processRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    // The state follows the name, which is in parentheses and may hold either itself.
    return stat.charAt(stat.lastIndexOf(")") + 2) !== "Z"
  } catch {
    // Gone since the signal, where /proc lists processes; no /proc at all, as signal 0 said.
    return !existsSync("/proc/self/stat")
  }
}
