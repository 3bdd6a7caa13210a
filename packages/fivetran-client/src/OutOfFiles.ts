/**
 * What an error of a process out of file descriptors means, and what to do: each connection and
 * each open file holds one, so a connect and a file's write say the same. Node's words (`connect
 * EMFILE`, `EMFILE: too many open files`) named neither the limit nor how to raise it, and the
 * sync file's error sent people to check the disk. `undefined` for any other code.
 */
export const outOfFilesProblem = (code: string | undefined): string | undefined =>
  code === "EMFILE"
    ? "the process ran out of open files (EMFILE): raise its open-file limit (ulimit -n, systemd's " +
      "LimitNOFILE, the container's nofile ulimit) or lower --concurrency"
    : code === "ENFILE"
    ? "the system ran out of open files (ENFILE): raise its limit (sysctl fs.file-max) or lower --concurrency"
    : undefined
