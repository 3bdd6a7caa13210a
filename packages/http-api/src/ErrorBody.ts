import type { ProvisioningError, ProvisioningErrors } from "@baton-fivetran/connector-core"
import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"

/**
 * The one shape of every error body the service sends:
 * `{"error": <code>, "message": <one readable sentence>, "field"?: <the parameter at fault>}`,
 * plus, on a few errors, one documented detail (`job_id`, `limit_bytes`). Inside the service an
 * error is a tagged class (yieldable, `catchTag`-able, decoded as such by `HttpApiClient`); this
 * module gives each class its wire form, which the Api declares (so the OpenAPI document, the
 * server's encoding and the typed client all agree).
 */

/** `field` names the parameter or body field at fault, as `principal.id`, `page_size` or `body`. */
export const Field = Schema.optional(Schema.String)

interface WireMapping<I, Body> {
  readonly fromBody: (body: Body) => I
  readonly toBody: (encoded: I) => Body
}

const wire = <A, I, R, Body>(
  error: Schema.Schema<A, I, R>,
  body: Schema.Schema<Body>,
  mapping: WireMapping<I, Body>,
  annotations: { readonly identifier: string; readonly status: number; readonly description?: string }
): Schema.Schema<A, Body, R> =>
  Schema.transform(body, Schema.encodedSchema(error), {
    strict: true,
    decode: mapping.fromBody,
    encode: mapping.toBody
  }).pipe(
    Schema.compose(error),
    Schema.annotations({
      identifier: annotations.identifier,
      ...(annotations.description === undefined ? {} : { description: annotations.description })
    }),
    Schema.annotations(HttpApiSchema.annotations({ status: annotations.status }))
  )

/**
 * The wire form of a class whose tag is the code: `{_tag: "NotFound", message}` travels as
 * `{error: "NotFound", message}`. `fields` are the class's own fields (without `_tag`).
 */
export const taggedErrorBody = <A, Tag extends string, Fields extends Schema.Struct.Fields, R>(
  error: Schema.Schema<A, { readonly _tag: Tag } & Schema.Struct.Encoded<Fields>, R>,
  tag: Tag,
  fields: Fields,
  annotations: { readonly status: number; readonly description?: string }
) =>
  wire(
    error,
    Schema.Struct({ error: Schema.Literal(tag), ...fields }).annotations({ identifier: tag }) as unknown as Schema.Schema<
      { readonly error: Tag } & Schema.Struct.Encoded<Fields>
    >,
    {
      fromBody: ({ error: code, ...rest }) => ({ ...rest, _tag: code }) as { readonly _tag: Tag } & Schema.Struct.Encoded<Fields>,
      toBody: ({ _tag: code, ...rest }) => ({ ...rest, error: code }) as { readonly error: Tag } & Schema.Struct.Encoded<Fields>
    },
    { identifier: tag, ...annotations }
  )

/**
 * The wire form of one of connector-core's provisioning refusals: its tag is the code, its class
 * carries the status and its fields (`{_tag: "UnknownPrincipal", message}` travels as
 * `{error: "UnknownPrincipal", message}` with 404; `RateLimited` adds `retry_after_seconds`).
 */
export const refusalBody = (refusal: (typeof ProvisioningErrors)[number], description: string) => {
  const { _tag, ...fields }: Schema.Struct.Fields = refusal.fields
  return taggedErrorBody(
    // Each class is the Schema of its own tag; seen as one of the union, it decodes to the union.
    refusal as unknown as Schema.Schema<ProvisioningError, { readonly _tag: ProvisioningError["_tag"]; readonly message: string }>,
    refusal._tag,
    fields as { readonly message: typeof Schema.String },
    { status: HttpApiSchema.getStatusError(refusal), description }
  )
}

/**
 * `HttpApi.make` declares the platform's own `HttpApiDecodeError` on every Api, but the service
 * never sends it (the server turns it into InvalidRequest, apps/http RequestFailures.ts): an OpenApi.Transform that takes
 * it, and the schemas only it uses, out of the document.
 */
const platformDecodeError = "#/components/schemas/HttpApiDecodeError"
const platformDecodeErrorDescription = "The request did not match the expected schema"

export const withoutPlatformDecodeError = (spec: Record<string, unknown>): Record<string, unknown> => {
  const cleaned = JSON.parse(JSON.stringify(spec), (key, value: unknown) => {
    if (key === "description" && value === platformDecodeErrorDescription) return "A malformed parameter, body or Host header"
    if (key === "anyOf" && Array.isArray(value)) {
      return value.filter((schema: unknown) =>
        !(typeof schema === "object" && schema !== null && "$ref" in schema && schema.$ref === platformDecodeError)
      )
    }
    return value
  }) as Record<string, unknown> & { components?: { schemas?: Record<string, unknown> } }
  for (const name of ["HttpApiDecodeError", "Issue", "PropertyKey"]) delete cleaned.components?.schemas?.[name]
  return cleaned
}
