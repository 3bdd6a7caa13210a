import { assert, describe, it } from "@effect/vitest"
import { Cause, Data, FiberId, Option } from "effect"
import { errorLine } from "../src/index.js"

class SnapshotUnreadable extends Data.TaggedError("SnapshotUnreadable")<{ readonly message: string }> {}

describe("errorLine", () => {
  it("shows the control and bidi characters of a message as \\u escapes, on one line", () => {
    // A parse error quoting a file's bytes: a NUL, an escape sequence, a line break, a bidi override.
    const failure = new SnapshotUnreadable({ message: "not valid JSON: \"C1ZF\u0000\u001b[2J\nerror: forged \u202Eabc\"" })
    assert.deepStrictEqual(
      errorLine(Cause.fail(failure)),
      Option.some("error: not valid JSON: \"C1ZF\\u0000\\u001b[2J\\u000aerror: forged \\u202eabc\"")
    )
  })

  it("leaves other text as it is, and says nothing of an interruption", () => {
    assert.deepStrictEqual(
      errorLine(Cause.fail(new SnapshotUnreadable({ message: "山田 👩‍💻 \"x\" 'y'" }))),
      Option.some("error: 山田 👩‍💻 \"x\" 'y'")
    )
    assert.deepStrictEqual(errorLine(Cause.interrupt(FiberId.none)), Option.none())
  })
})
