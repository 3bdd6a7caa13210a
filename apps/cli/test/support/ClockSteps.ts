import { FileSystem } from "@effect/platform"
import { Effect } from "effect"

/**
 * A step of the machine's clock (an NTP step, a VM resumed, a hand-set date) cannot be real in a
 * test: a preload sets the CLI process's Date.now back an hour as it connects — at every connection,
 * at the nth, or some milliseconds into each (while an attempt runs).
 */
export type ClockSetBack =
  | { readonly at: "every connection" }
  | { readonly at: "connection"; readonly connection: number }
  | { readonly at: "into each connection"; readonly millis: number }

const stepOf = (setBack: ClockSetBack) => {
  switch (setBack.at) {
    case "every connection":
      return "offset -= 3_600_000"
    case "connection":
      return `if (connects === ${setBack.connection}) offset -= 3_600_000`
    case "into each connection":
      return `setTimeout(() => { offset -= 3_600_000 }, ${setBack.millis})`
  }
}

/** Writes the preload into `dir`; succeeds with the NODE_OPTIONS that make the CLI require it. */
export const clockSetBackOptions = (dir: string, setBack: ClockSetBack) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = `${dir}/clock-set-back.cjs`
    yield* fs.writeFileString(
      path,
      `const net = require("node:net")
const now = Date.now
let offset = 0
Date.now = () => now() + offset
const connect = net.Socket.prototype.connect
let connects = 0
net.Socket.prototype.connect = function (...args) {
  connects++
  ${stepOf(setBack)}
  return connect.apply(this, args)
}
`
    )
    return `--require ${path}`
  })
