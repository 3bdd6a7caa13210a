import { HttpBody, HttpServerResponse } from "@effect/platform"
import { Cause, Effect, Stream } from "effect"
import type { ServerResponse } from "node:http"
import { pipeline, Readable, Transform } from "node:stream"

/**
 * An answer whose body is sent as it is read (an export's sheet, a sync's `.c1z`): its status went
 * out with the head, before the client had the body. The platform sends the body before the
 * request's middleware resumes, and resumes it just the same when the client hangs up mid-body or
 * the body's source fails, so that a 200 alone said nothing of what the client got. Such a body is
 * counted as it is sent on its Node response, and how it ended is told apart: `completed` (the
 * response ended with every byte), `aborted` (the client went away first) or `failed` (the source
 * failed while the client was there). A failed body's connection is cut then, without the end a
 * whole body has (a chunked body's last chunk), so that every client sees an error: the platform
 * ended it in order, and `curl -f` saved a cut sheet as a whole one.
 */

export type StreamedEnd = "completed" | "aborted" | "failed"

export interface StreamedAnswer {
  readonly end: StreamedEnd
  /** The body's bytes handed to the connection (an aborted download's client got at most these). */
  readonly bytes: number
  /**
   * Why a `failed` body failed: its source's error (nothing else logs it, the answer having gone
   * out); why an `aborted` one was cut by the service, when it was (StalledAnswers.ts).
   */
  readonly error?: string
}

export interface FollowedAnswer {
  /** The answer to send in place of the one given: the same, its body counted. */
  readonly response: HttpServerResponse.HttpServerResponse
  /** How the body ended, once the platform has sent it (or given up). */
  readonly ending: () => StreamedAnswer
  /** The body's bytes handed to the connection so far. */
  readonly sent: () => number
  /** Cuts the connection for `reason`, a client's doing (it ends `aborted`, saying why). */
  readonly cut: (reason: string) => void
}

/**
 * `response` followed as it is sent on `connection`, when its body is streamed (a stream, or a
 * Node stream such as a file's); none otherwise.
 */
export const followStreamed = (
  response: HttpServerResponse.HttpServerResponse,
  connection: ServerResponse
): FollowedAnswer | undefined => {
  const body = response.body
  if (body._tag !== "Stream" && !(body._tag === "Raw" && body.body instanceof Readable)) return undefined
  let bytes = 0
  let read = false
  let failure: string | undefined
  let cutFor: string | undefined
  // A source failing once the client has gone is only being torn down with the answer. Failing
  // while the client is there, the connection is cut: the platform would end the body in order
  // (a chunked body's last chunk, or fewer bytes than its Content-Length on a connection kept
  // open), and the client take the part it got for the whole, or wait for the rest.
  const sourceFailed = (error: string) => {
    if (connection.destroyed) return
    failure = error
    connection.destroy()
  }
  const cut = (reason: string) => {
    if (connection.destroyed) return
    cutFor = reason
    connection.destroy()
  }
  const sent = () => bytes
  // Not the response's own state: the platform ends it after an abort too, and Node then counts it finished.
  const ending = (): StreamedAnswer =>
    failure !== undefined
      ? { end: "failed", bytes, error: failure }
      : cutFor !== undefined
      ? { end: "aborted", bytes, error: cutFor }
      : { end: read && connection.writableEnded ? "completed" : "aborted", bytes }
  if (body._tag === "Stream") {
    const counted = body.stream.pipe(
      Stream.tap((chunk) => Effect.sync(() => bytes += chunk.byteLength)),
      Stream.onEnd(Effect.sync(() => read = true)),
      Stream.tapErrorCause((cause) => Effect.sync(() => sourceFailed(errorText(Cause.squash(cause)))))
    )
    return {
      response: HttpServerResponse.setBody(response, HttpBody.stream(counted, body.contentType, body.contentLength)),
      ending,
      sent,
      cut
    }
  }
  if (body._tag === "Raw" && body.body instanceof Readable) {
    const source = body.body
    source.once("error", (error) => sourceFailed(error.message))
    const declared = Number(response.headers["content-length"] ?? body.contentLength ?? Number.NaN)
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        if (read) return done()
        bytes += chunk.byteLength
        if (bytes < declared) return done(null, chunk)
        // Every declared byte is read: the body ends here, not at the source's end, which a file
        // finds by one more read. A client that knows the length hangs up after the last byte, and
        // under load it beat that read: a download read whole was logged aborted.
        read = true
        this.push(chunk.subarray(0, chunk.byteLength - (bytes - declared)))
        bytes = declared
        this.push(null)
        done()
      },
      flush(done) {
        // A file cut short after its size was taken for the head (truncated in place) ends early, without an error.
        if (bytes < declared) sourceFailed(`the body ended after ${bytes} of the ${declared} bytes its Content-Length declared`)
        else read = true
        done()
      }
    })
    // The platform's pipeline to the connection destroys the counter when the client goes; this one then closes the source (a file's descriptor).
    pipeline(source, counter, () => {})
    const counted = HttpBody.raw(counter, {
      ...(body.contentType === undefined ? {} : { contentType: body.contentType }),
      ...(body.contentLength === undefined ? {} : { contentLength: body.contentLength })
    })
    return { response: HttpServerResponse.setBody(response, counted), ending, sent, cut }
  }
  return undefined
}

const errorText = (error: unknown) => error instanceof Error ? error.message : String(error)
