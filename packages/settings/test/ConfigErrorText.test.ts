import { assert, describe, it } from "@effect/vitest"
import { ConfigError } from "effect"
import { configErrorText } from "../src/ConfigErrorText.js"

describe("configErrorText", () => {
  it("names the variable and says what is wrong, without the error's own quotes around it", () => {
    const error = ConfigError.InvalidData(["OTEL_EXPORTER_OTLP_HEADERS"], "the value of header \"a\" holds a control character")
    assert.strictEqual(
      String(error),
      "(Invalid data at OTEL_EXPORTER_OTLP_HEADERS: \"the value of header \"a\" holds a control character\")"
    )
    assert.strictEqual(configErrorText(error), "OTEL_EXPORTER_OTLP_HEADERS: the value of header \"a\" holds a control character")
  })

  it("joins the problems of a combined error, and leaves a message without a path as it is", () => {
    const both = ConfigError.And(
      ConfigError.InvalidData(["HTTPS_PROXY"], "expected an http:// or https:// proxy URL"),
      ConfigError.MissingData([], "no proxy")
    )
    assert.strictEqual(configErrorText(both), "HTTPS_PROXY: expected an http:// or https:// proxy URL; no proxy")
  })
})
