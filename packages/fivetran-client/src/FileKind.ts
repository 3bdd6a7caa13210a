import type { Stats } from "node:fs"

/**
 * What a path names when it is not a regular file, as a refusal says it ("it is a named pipe
 * (FIFO)"): the files these apps read (a .c1z, NODE_EXTRA_CA_CERTS' CA file) are read only when
 * they are regular files, as a pipe's read waits for a writer and a device's may never end.
 */
export const fileKindOf = (info: Stats): string =>
  info.isDirectory()
    ? "a directory"
    : info.isFIFO()
    ? "a named pipe (FIFO)"
    : info.isCharacterDevice()
    ? "a character device"
    : info.isBlockDevice()
    ? "a block device"
    : info.isSocket()
    ? "a socket"
    : "not a regular file"
