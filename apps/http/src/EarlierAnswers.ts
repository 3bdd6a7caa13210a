import type { Duplex } from "node:stream"

/**
 * A connection whose requests came pipelined (several in one packet, sent before any answer): Node
 * answers them in order, one `ServerResponse` at a time on the socket (`_httpMessage`), the next
 * one given the socket as the one before finishes. An answer written on the socket by hand (a
 * refusal of a later request of the same connection) must wait until none is in flight: written
 * before, it was read as the earlier request's answer, whose own answer was then lost; dropped
 * while one was being sent, the later request was neither answered nor logged.
 */
export interface PipelinedSocket extends Duplex {
  readonly _httpMessage?: (NodeJS.EventEmitter & { readonly headersSent: boolean }) | null
}

/**
 * Runs `then` once no earlier answer is in flight on `socket` (at once when none is), or not at all
 * when the connection closes first. Node's own `finish` listener hands the socket on to the next
 * queued answer before this one runs, as it was added first.
 */
export const afterEarlierAnswers = (socket: PipelinedSocket, then: () => void): void => {
  const inFlight = socket._httpMessage
  if (inFlight == null) return then()
  const next = () => {
    socket.off("close", gone)
    afterEarlierAnswers(socket, then)
  }
  const gone = () => inFlight.off("finish", next)
  inFlight.once("finish", next)
  socket.once("close", gone)
}
