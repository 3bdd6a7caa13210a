/**
 * What a message repeats of text the user gave (an id, a role name, a path): the text itself, or,
 * past EchoedLength characters, its start and its length. An id of 16 KB from a flag or a request
 * body was repeated whole in the refusal, in the log line that carries it and in the HTTP body.
 * 128 characters hold every real id: the longest grant id of the `large` preset is 78.
 */
export const EchoedLength = 128

/** `text`, or its first EchoedLength characters then `…(N characters)`; characters are code points, never split. */
export const echoed = (text: string): string => {
  if (text.length <= EchoedLength) return text
  const characters = Array.from(text)
  return characters.length <= EchoedLength
    ? text
    : `${characters.slice(0, EchoedLength).join("")}…(${characters.length} characters)`
}

/** `text` echoed (above), in JSON quotes: how refusals quote a value the user gave. */
export const quotedEchoed = (text: string): string => JSON.stringify(echoed(text))
