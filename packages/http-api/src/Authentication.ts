import { HttpApiMiddleware, HttpApiSecurity } from "@effect/platform"
import { Schema } from "effect"
import { ReadOnlyTokenBody, UnauthorizedBody } from "./Errors.js"

/**
 * `Authorization: Bearer <token>` on every group but health. Declared here so that the OpenAPI
 * document and the typed client know the scheme; the service provides the check (apps/http Auth.ts).
 * A read-only token on a request that changes something is refused after it was recognised (403).
 */
export class Authentication extends HttpApiMiddleware.Tag<Authentication>()("baton-http/Authentication", {
  failure: Schema.Union(UnauthorizedBody, ReadOnlyTokenBody),
  security: { bearer: HttpApiSecurity.bearer }
}) {}
