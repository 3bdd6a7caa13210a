import { Effect } from "effect"
import { connect } from "node:net"

/**
 * A raw connection to the service that the test keeps open, for the tests of what the service
 * does with connections themselves (idle ones, their number): requests written on it in turn,
 * its answers, and how it ended.
 */

/** The answers in what a connection received, each whole (its head and Content-Length bytes of body). */
export const answersIn = (received: string): ReadonlyArray<string> => {
  const answers: Array<string> = []
  let rest = received
  for (;;) {
    const headEnd = rest.indexOf("\r\n\r\n")
    if (headEnd === -1) return answers
    const length = Number(/\r\ncontent-length: (\d+)/i.exec(rest.slice(0, headEnd))?.[1] ?? 0)
    if (rest.length < headEnd + 4 + length) return answers
    answers.push(rest.slice(0, headEnd + 4 + length))
    rest = rest.slice(headEnd + 4 + length)
  }
}

/** One connection kept open by the test: requests written on it in turn, and how it ended. */
export const keptConnection = (port: number) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const socket = connect(port, "127.0.0.1")
      socket.setEncoding("utf8")
      let received = ""
      const listeners = new Set<() => void>()
      socket.on("data", (chunk: string) => {
        received += chunk
        for (const listener of listeners) listener()
      })
      const ended = new Promise<string>((resolve) => {
        socket.on("error", (error: NodeJS.ErrnoException) => resolve(`error ${error.code}`))
        socket.on("close", () => resolve("closed"))
      })
      /** The connection's answers once it has `count` (or fewer, if it ends first). */
      const answered = (count: number) =>
        Effect.async<ReadonlyArray<string>>((resume) => {
          const check = () => {
            if (answersIn(received).length >= count) resume(Effect.succeed(answersIn(received)))
          }
          listeners.add(check)
          void ended.then(() => resume(Effect.succeed(answersIn(received))))
          check()
          return Effect.sync(() => listeners.delete(check))
        }).pipe(Effect.timeout("30 seconds"), Effect.orDie)
      const write = (raw: string) => Effect.sync(() => socket.write(raw))
      return {
        write,
        answered,
        /** Writes `raw` and waits for the connection's `count`th answer. */
        ask: (raw: string, count: number) => Effect.zipRight(write(raw), answered(count)),
        /** How the connection ended (`closed`, or `error <code>`), and every answer it received. */
        ended: Effect.promise(() => ended).pipe(
          Effect.map((end) => {
            const answers = answersIn(received)
            return { end, answers, rest: received.slice(answers.join("").length) }
          }),
          Effect.timeout("30 seconds"),
          Effect.orDie
        ),
        socket
      }
    }),
    ({ socket }) => Effect.sync(() => socket.destroy())
  )
