/**
 * Effect's JSON Schema output gives its built-in schemas an `$id` (`Schema.Unknown` is
 * `{"$id": "/schemas/unknown", "title": "unknown"}`), once at every place they appear: the document
 * held 53 schemas with the one `$id` "/schemas/unknown", which JSON Schema 2020-12 forbids (one URI,
 * one schema), so a validator refused the whole document (ajv: 'reference "/schemas/unknown"
 * resolves to more than one schema') and a client generator could not read its answers' schemas.
 * An OpenApi.Transform that drops those ids; what each schema allows is unchanged.
 */

const effectBuiltIn = /^\/schemas\//

export const withoutEffectSchemaIds = (spec: Record<string, unknown>): Record<string, unknown> =>
  JSON.parse(
    JSON.stringify(spec),
    (key, value: unknown) => key === "$id" && typeof value === "string" && effectBuiltIn.test(value) ? undefined : value
  ) as Record<string, unknown>
