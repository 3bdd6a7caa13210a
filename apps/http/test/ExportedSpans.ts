/** A span of an OTLP/JSON trace export: its name and its string attributes. */
export interface ExportedSpan {
  readonly name: unknown
  readonly attributes: Readonly<Record<string, string | undefined>>
}

interface OtlpAttribute {
  readonly key: string
  readonly value: { readonly stringValue?: string }
}

interface OtlpTraces {
  readonly resourceSpans: ReadonlyArray<{
    readonly scopeSpans: ReadonlyArray<
      { readonly spans: ReadonlyArray<{ readonly name: unknown; readonly attributes: ReadonlyArray<OtlpAttribute> }> }
    >
  }>
}

/** The spans of the bodies a collector received on /v1/traces (OTEL_EXPORTER_OTLP_PROTOCOL=http/json). */
export const exportedSpans = (bodies: ReadonlyArray<string>): ReadonlyArray<ExportedSpan> =>
  bodies.flatMap((body) =>
    (JSON.parse(body) as OtlpTraces).resourceSpans.flatMap((resource) =>
      resource.scopeSpans.flatMap((scope) =>
        scope.spans.map((span) => ({
          name: span.name,
          attributes: Object.fromEntries(span.attributes.map((attribute) => [attribute.key, attribute.value.stringValue]))
        }))
      )
    )
  )
