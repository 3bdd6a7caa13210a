import { HttpApiMiddleware, HttpApiSecurity } from "@effect/platform"
import { UnauthorizedBody } from "./Errors.js"

/**
 * `Authorization: Bearer <token>` on every group but health. Declared here so that the OpenAPI
 * document and the typed client know the scheme; the service provides the check (apps/http Auth.ts).
 */
export class Authentication extends HttpApiMiddleware.Tag<Authentication>()("baton-http/Authentication", {
  failure: UnauthorizedBody,
  security: { bearer: HttpApiSecurity.bearer }
}) {}
