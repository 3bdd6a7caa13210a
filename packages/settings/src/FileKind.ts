import type * as FileSystem from "@effect/platform/FileSystem"
import { Effect, Option } from "effect"

/**
 * What a path names when it is not a regular file, as messages say it. Reading a named pipe waits
 * for a writer (a hang the first Ctrl-C could not end: the read sits in libuv's thread pool), a
 * terminal waits for input and /dev/zero never ends, so a file the user gives is read only when
 * it is a regular file, or the null device.
 */
export const fileKindName = (type: FileSystem.File.Type): string => {
  switch (type) {
    case "File":
      return "a regular file"
    case "Directory":
      return "a directory"
    case "SymbolicLink":
      return "a symbolic link"
    case "BlockDevice":
      return "a block device"
    case "CharacterDevice":
      return "a character device"
    case "FIFO":
      return "a named pipe (FIFO)"
    case "Socket":
      return "a socket"
    case "Unknown":
      return "not a regular file"
  }
}

/**
 * Whether `info` (a stat, links followed) is /dev/null, which reads as empty: a common way to say
 * "no config". Compared by device number, so a link to it or another node of it counts too.
 */
export const isNullDevice = (fs: FileSystem.FileSystem, info: FileSystem.File.Info): Effect.Effect<boolean> =>
  info.type !== "CharacterDevice"
    ? Effect.succeed(false)
    : fs.stat("/dev/null").pipe(
      Effect.map((nullDevice) =>
        nullDevice.type === "CharacterDevice" && Option.isSome(info.rdev) && Option.contains(nullDevice.rdev, info.rdev.value)
      ),
      Effect.orElseSucceed(() => false)
    )
