import {
  auditedCreateAccount,
  auditedDeleteResource,
  auditedGrant,
  auditedRevoke,
  capabilities,
  createAccountOutcomeText,
  deleteOutcomeText,
  grantOutcomeText,
  Provisioner,
  type ProvisionerShape,
  type Grant,
  type ProvisioningError,
  type RateLimited,
  ResourceTypeRegistry,
  revokeOutcomeText,
  sayingWhetherChanged,
  withSentWrites
} from "@baton-fivetran/connector-core"
import { withRateLimitWaitCap } from "@baton-fivetran/fivetran-client"
import { parseHttpDate } from "@baton-fivetran/fivetran-client/http-date"
import { HttpApiBuilder, HttpApp, HttpMiddleware, HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServerRequest } from "@effect/platform-node"
import { Clock, Effect, Layer, Option } from "effect"
import { maxHeaderSize } from "node:http"
import { Readable } from "node:stream"
import { BatonApi } from "@baton-fivetran/http-api"
import { hostCheck } from "./AllowedHosts.js"
import { AuthenticationLive, bearerChallenge, TokenCheck } from "./Auth.js"
import { tokenFileReload } from "./TokenFileReload.js"
import { FailedAuthentications } from "./FailedAuthentications.js"
import { ExplorerLive } from "./Explorer.js"
import { ExportSlots } from "./ExportSlots.js"
import { ExtraRoutesLive } from "./ExtraRoutes.js"
import { PageTokens } from "./PageTokens.js"
import { ProvisioningEnabledLive } from "./ProvisioningEnabled.js"
import { Queries } from "./Queries.js"
import { Readiness } from "./Readiness.js"
import { Review } from "./Review.js"
import { ScanTurns } from "./ScanTurns.js"
import { isWrite, noBodyFields, noQueryParameters, requestBodyChecks } from "./RequestBody.js"
import { normalizeFailures, rawSemicolonRefusal, undecodableRefusal } from "./RequestFailures.js"
import { requestTelemetry, spanName } from "./RequestTelemetry.js"
import { groupOf, rawSemicolon, undecodableQueryParameter } from "./Routes.js"
import { securityHeaders } from "./SecurityHeaders.js"
import { ServiceConfig, type ServiceConfigShape } from "./ServiceConfig.js"
import { makeSingleFlight } from "./SingleFlight.js"
import { SyncJobs } from "./SyncJobs.js"
import { SyncReaders } from "./SyncReaders.js"
import { SyncSchedule } from "./SyncSchedule.js"
import { WorkingCopies } from "./WorkingCopies.js"
import { makeTypeChecks, parseResourceRef } from "./TypeChecks.js"

/** The handlers of every group, and the layers that turn the Api into a running HTTP service. */

/**
 * The probes need no token (a kubelet's cannot send one); `/readyz` gives the account and Fivetran's
 * answer only to a caller whose token is valid (a wrong one is counted as on any route, Auth.ts).
 */
const HealthLive = HttpApiBuilder.group(BatonApi, "health", (handlers) =>
  Effect.gen(function*() {
    const readiness = yield* Readiness
    const { authenticate } = yield* TokenCheck
    return handlers
      .handle("healthz", () => Effect.succeed({ status: "ok" as const }))
      .handle("readyz", () => Effect.flatMap(Effect.isSuccess(authenticate), readiness.answer))
  }))

const ServiceLive = HttpApiBuilder.group(BatonApi, "service", (handlers) =>
  Effect.gen(function*() {
    const registry = yield* ResourceTypeRegistry
    return handlers.handle("capabilities", () => Effect.as(noQueryParameters, capabilities(registry)))
  }))

const SyncsLive = HttpApiBuilder.group(BatonApi, "syncs", (handlers) =>
  Effect.gen(function*() {
    const jobs = yield* SyncJobs
    const schedule = yield* SyncSchedule
    return handlers
      .handle("start", () => Effect.zipRight(noBodyFields, jobs.start()))
      .handle("schedule", () => Effect.zipRight(noQueryParameters, schedule.view))
      .handle("list", () => Effect.zipRight(noQueryParameters, Effect.map(jobs.list, (items) => ({ items }))))
      .handle("get", ({ path }) => Effect.zipRight(noQueryParameters, jobs.get(path.id)))
      .handle("cancel", ({ path }) => Effect.zipRight(noBodyFields, jobs.cancel(path.id)))
      .handle("file", ({ path }) =>
        Effect.zipRight(noQueryParameters, jobs.fileOf(path.id)).pipe(
          Effect.flatMap((file) =>
            HttpServerResponse.file(file.path, {
              contentType: "application/octet-stream",
              headers: { "content-disposition": `attachment; filename="${file.job.id}.c1z"` }
            }).pipe(Effect.orDie)
          ),
          Effect.flatMap((file) => Effect.flatMap(unlessNotModified(file), (answer) => closingUnsentFile(file, answer)))
        ))
  }))

/** An ETag of a weak or strong validator, without its `W/` (If-None-Match compares weakly: RFC 9110 §13.1.2). */
const opaqueTag = (tag: string) => tag.trim().replace(/^W\//, "")

/**
 * A date header's instant in whole seconds (HTTP dates have no finer unit), if it is an HTTP-date.
 * Date.parse read an asctime-date (`Sun Nov  6 08:49:37 1994`, no zone) in the service's time
 * zone, so the same If-Modified-Since got a 304 under one TZ and the file under another, and it
 * read `2099` as a date.
 */
const httpDateSeconds = (text: string | undefined, now: number): number | undefined =>
  text === undefined ? undefined : Option.getOrUndefined(Option.map(parseHttpDate(text, now), (millis) => Math.floor(millis / 1000)))

/**
 * The file's answer carries an ETag and a Last-Modified; a client that sends either back (an
 * uploader polling for a new sync) gets 304 and no body instead of the whole file again. As RFC 9110
 * §13.1.3 says, If-Modified-Since counts only without If-None-Match (a cache that sends both trusts
 * the tag), and a date that does not parse is ignored.
 */
const unlessNotModified = (response: HttpServerResponse.HttpServerResponse) =>
  Effect.map(Effect.zip(HttpServerRequest.HttpServerRequest, Clock.currentTimeMillis), ([request, now]) => {
    const etag = response.headers["etag"]
    const lastModified = response.headers["last-modified"]
    const askedTag = request.headers["if-none-match"]
    const tagMatches = (asked: string) =>
      etag !== undefined && (asked.trim() === "*" || asked.split(",").some((tag) => opaqueTag(tag) === opaqueTag(etag)))
    const modified = httpDateSeconds(lastModified, now)
    const since = httpDateSeconds(request.headers["if-modified-since"], now)
    const notModified = askedTag !== undefined
      ? tagMatches(askedTag)
      : modified !== undefined && since !== undefined && modified <= since
    if (!notModified) return response
    return HttpServerResponse.empty({
      status: 304,
      headers: { ...(etag === undefined ? {} : { etag }), ...(lastModified === undefined ? {} : { "last-modified": lastModified }) }
    })
  })

/**
 * The platform's file answer opens its file as it is made, and only sending its body closes it: a
 * body never sent (a HEAD's, or a file's whose 304 went in its place) kept its file open, one
 * descriptor per poll, until the process could open no more (EMFILE).
 */
const closingUnsentFile = (file: HttpServerResponse.HttpServerResponse, answer: HttpServerResponse.HttpServerResponse) =>
  Effect.map(HttpServerRequest.HttpServerRequest, (request) => {
    const unsent = request.method === "HEAD" || answer !== file
    if (unsent && file.body._tag === "Raw" && file.body.body instanceof Readable) file.body.body.destroy()
    return answer
  })

/** Runs the check on the parameter when it is given. */
const whenGiven = <A, E>(value: string | undefined, check: (value: string) => Effect.Effect<A, E>): Effect.Effect<void, E> =>
  value === undefined ? Effect.void : Effect.asVoid(check(value))

const QueriesLive = HttpApiBuilder.group(BatonApi, "queries", (handlers) =>
  Effect.gen(function*() {
    const queries = yield* Queries
    const checks = makeTypeChecks(yield* ResourceTypeRegistry)
    return handlers
      .handle("resources", ({ urlParams }) =>
        whenGiven(urlParams.type, (type) => checks.type("type", type)).pipe(
          Effect.zipRight(whenGiven(urlParams.parent, (parent) => checks.resourceRef("parent", parent))),
          Effect.zipRight(queries.resources(urlParams))
        ))
      .handle("resourceDetails", ({ path }) =>
        checks.type("type", path.type).pipe(
          Effect.zipRight(noQueryParameters),
          Effect.zipRight(queries.resourceDetails({ resourceType: path.type, resource: path.id }))
        ))
      .handle("entitlements", ({ urlParams }) =>
        whenGiven(urlParams.resource, (resource) => checks.resourceRef("resource", resource)).pipe(
          Effect.zipRight(queries.entitlements(urlParams))
        ))
      .handle("grants", ({ urlParams }) =>
        whenGiven(urlParams.entitlement, (entitlement) =>
          checks.entitlementRef("entitlement", entitlement)).pipe(
            Effect.zipRight(whenGiven(urlParams.principal, (principal) => checks.resourceRef("principal", principal))),
            Effect.zipRight(queries.grants(urlParams))
          ))
      .handle("access", ({ path }) =>
        Effect.zipRight(noQueryParameters, queries.access({ resourceType: path.type, resource: path.id })))
  }))

const ReviewLive = HttpApiBuilder.group(BatonApi, "review", (handlers) =>
  Effect.gen(function*() {
    const review = yield* Review
    const slots = yield* ExportSlots
    const checks = makeTypeChecks(yield* ResourceTypeRegistry)
    return handlers
      .handle("diff", ({ path, urlParams }) => review.diff(path.id, urlParams))
      .handle("export", ({ urlParams }) =>
        whenGiven(urlParams.principal, (principal) => checks.resourceRef("principal", principal)).pipe(
          Effect.zipRight(whenGiven(urlParams.entitlement, (entitlement) => checks.entitlementRef("entitlement", entitlement))),
          Effect.zipRight(whenGiven(urlParams.resource, (resource) => checks.resourceRef("resource", resource))),
          Effect.zipRight(slots.limited(review.exportSheet(urlParams)))
        ))
      .handle("exportUsers", ({ urlParams }) => slots.limited(review.exportUsers(urlParams)))
      .handle("searchPrincipals", ({ urlParams }) => review.searchPrincipals(urlParams))
      .handle("accountRoles", () => Effect.zipRight(noQueryParameters, review.accountRoles))
  }))

/**
 * A grant's entitlement as the service's sync files hold it: its exclusion group only when
 * `--exclusion-groups` is on (the annotation is opt-in; `GET /v1/entitlements` has none otherwise).
 */
const asSynced = (exclusionGroups: boolean) => (grants: ReadonlyArray<Grant>): ReadonlyArray<Grant> =>
  exclusionGroups ? grants : grants.map((grant) => ({ ...grant, entitlement: { ...grant.entitlement, annotations: [] } }))

const ProvisioningLive = HttpApiBuilder.group(BatonApi, "provisioning", (handlers) =>
  Effect.gen(function*() {
    const config = yield* ServiceConfig
    const synced = asSynced(config.exclusionGroups)
    const singleFlight = yield* makeSingleFlight
    // A caller waits on the answer: a longer rate-limit wait is answered 429 at once (the sync's stay as they are).
    const provisioningWaitCap = withRateLimitWaitCap({ millis: config.maxProvisioningWaitMillis, setting: "max-provisioning-wait" })
    /**
     * `request` names the action and its inputs: identical requests in flight share one call, which
     * the service's stop ends (SingleFlight.ts); `audited` writes the audit line of a request that
     * joined one (the call writes its own). The Provisioner is the ProvisioningEnabled middleware's,
     * which refused already when provisioning is off.
     */
    const provision = <A>(
      request: ReadonlyArray<string>,
      action: (provisioner: ProvisionerShape) => Effect.Effect<A, ProvisioningError>,
      audited: (call: Effect.Effect<A, ProvisioningError>) => Effect.Effect<A, ProvisioningError>
    ): Effect.Effect<A, ProvisioningError, Provisioner> =>
      Effect.flatMap(
        Provisioner,
        (provisioner) =>
          singleFlight(
            JSON.stringify(request),
            withSentWrites((sent) =>
              action(provisioner).pipe(provisioningWaitCap, sayingWhetherChanged(sent, "sending the same request again is safe"))
            ),
            audited
          )
      ).pipe(
        // A defect, not the handler's failure: RequestFailures.ts answers it as the stop answers any request (Retry-After, close).
        Effect.catchTag("ServiceStopping", (stopping) => Effect.die(stopping)),
        Effect.tapErrorTag("RateLimited", retryAfterHeader)
      )
    return handlers
      .handle("grant", ({ payload }) =>
        provision(
          ["grant", payload.entitlement_id, payload.principal.type, payload.principal.id],
          (p) => p.grant(payload.entitlement_id, payload.principal),
          (call) => auditedGrant(call, payload.entitlement_id, payload.principal)
        ).pipe(
          Effect.map((outcome) => {
            // The CLI's line for the same grant: one wording of each outcome (OutcomeText.ts).
            const message = grantOutcomeText(payload.entitlement_id, payload.principal, outcome)
            return outcome._tag === "Granted"
              ? {
                status: "granted" as const,
                message,
                grants: synced(outcome.grants),
                ...(outcome.replacedRole === undefined ? {} : { replaced_role: outcome.replacedRole })
              }
              : { status: "already_exists" as const, message, grants: synced(outcome.grants) }
          })
        ))
      .handle("revoke", ({ path }) =>
        Effect.zipRight(
          noBodyFields,
          provision(["revoke", path.grant_id], (p) => p.revoke(path.grant_id), (call) => auditedRevoke(call, path.grant_id))
        ).pipe(
          Effect.map((outcome) => {
            const message = revokeOutcomeText(path.grant_id, outcome)
            return outcome._tag === "Revoked"
              ? {
                grant_id: path.grant_id,
                status: "revoked" as const,
                message,
                ...(outcome.stillHeldThrough.length === 0 ? {} : { still_held_through: outcome.stillHeldThrough }),
                ...(outcome.alsoRevoked.length === 0 ? {} : { also_revoked: outcome.alsoRevoked })
              }
              : {
                grant_id: path.grant_id,
                status: "already_revoked" as const,
                message,
                ...(outcome.stillHeldThrough.length === 0 ? {} : { still_held_through: outcome.stillHeldThrough }),
                ...(outcome.heldInstead === undefined ? {} : { held_instead: outcome.heldInstead }),
                ...(outcome.detail === undefined ? {} : { detail: outcome.detail })
              }
          })
        ))
      .handle("createAccount", ({ payload }) => {
        const request = {
          email: payload.email,
          given_name: payload.given_name,
          family_name: payload.family_name,
          ...(payload.role === undefined ? {} : { role: payload.role }),
          ...(payload.phone === undefined ? {} : { phone: payload.phone })
        }
        return provision(
          ["createAccount", JSON.stringify(payload)],
          (p) => p.createAccount(request),
          (call) => auditedCreateAccount(call, request)
        ).pipe(
          Effect.map((outcome) => {
            // The CLI's line for the same invitation: a disabled user found under the email is said so.
            const message = createAccountOutcomeText(payload.email, outcome)
            return outcome._tag === "Created"
              ? { status: "created" as const, message, resource: outcome.resource }
              : { status: "already_exists" as const, message, resource: outcome.resource }
          })
        )
      })
      .handle("deleteResource", ({ path }) =>
        Effect.zipRight(
          noBodyFields,
          provision(
            ["deleteResource", path.type, path.id],
            (p) => p.deleteResource(path.type, path.id),
            (call) => auditedDeleteResource(call, path.type, path.id)
          )
        ).pipe(
          Effect.map((outcome) => ({
            resource: parseResourceRef(`${path.type}:${path.id}`),
            status: outcome._tag === "Deleted" ? "deleted" as const : "does_not_exist" as const,
            // The CLI's line for the same deletion (OutcomeText.ts), as a grant's and a revoke's.
            message: deleteOutcomeText(path.type, path.id, outcome)
          }))
        ))
  }))

/** A 429's `Retry-After`, when the refusal knows when the request may go again. */
const retryAfterHeader = (refusal: RateLimited) =>
  refusal.retry_after_seconds === undefined ? Effect.void : HttpApp.appendPreResponseHandler((_, response) =>
    Effect.succeed(
      response.status === 429 ? HttpServerResponse.setHeader(response, "retry-after", String(refusal.retry_after_seconds)) : response
    )
  )

/** The Api with every group's handlers; needs the services below. */
export const ApiLive = HttpApiBuilder.api(BatonApi).pipe(
  Layer.provide([HealthLive, ServiceLive, SyncsLive, QueriesLive, ProvisioningLive, ReviewLive])
)

/** Whether a request says a body follows its head (RFC 9112 §6.3). */
const declaresBody = (request: HttpServerRequest.HttpServerRequest) => {
  const length = request.headers["content-length"]
  return request.headers["transfer-encoding"] !== undefined || (length !== undefined && length.trim() !== "0")
}

/**
 * In front of every request, in this order: the Host check (AllowedHosts.ts: a page on a rebound
 * name reaches nothing, the probes and the explorer page included), the body checks (they reveal
 * nothing, and an oversized body is refused before anything else reads it), then the routes (each
 * checks the token it needs: Auth.ts), whose platform-raised failures become the Api's errors. One
 * middleware, so the order is fixed; inside the platform's response handling, so a refusal carries
 * the X-Request-Id and the log line every answer has (RequestTelemetry.ts). Without provisioning, a provisioning request's body is left unread: its endpoint refuses
 * it after the token check whatever it holds (ProvisioningEnabled.ts). An answer sent before the
 * request's body has arrived ends the connection, so that Node does not go on reading it.
 */
const requestChecks = (config: ServiceConfigShape) => {
  const checkBody = requestBodyChecks(config.maxBodyBytes)
  const unread = (request: HttpServerRequest.HttpServerRequest) =>
    !config.provisioning && groupOf(request.method, request.url) === "provisioning"
  // The connection ends with the answer: Node would otherwise read and discard the unread body for as long as it comes.
  const closing = HttpApp.appendPreResponseHandler((_, response) =>
    Effect.succeed(HttpServerResponse.setHeader(response, "connection", "close"))
  )
  // The same for any answer sent before its request's declared body has arrived whole (a GET's body,
  // which no endpoint reads; a body the Host check refuses), up to the 20 s limit on a request, for anyone.
  const closingUnlessArrived = HttpApp.appendPreResponseHandler((request, response) =>
    Effect.succeed(
      declaresBody(request) && !NodeHttpServerRequest.toIncomingMessage(request).complete
        ? HttpServerResponse.setHeader(response, "connection", "close")
        : response
    )
  )
  return HttpApiBuilder.middleware(
    BatonApi,
    Effect.map(TokenCheck, (tokens) => (app) => {
      const { requireToken } = tokens
      // A query parameter that does not decode is refused as a path parameter is (RequestFailures.ts), after the token check;
      // so is any query of a write, which takes its arguments in its path and body: ignored, `?dry_run=true` on a
      // revoke revoked the grant. Refused before anything is read or done, after the token: 401 or 403 first.
      const decodedQuery = Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
        const cut = rawSemicolon(request.method, request.url)
        if (cut !== undefined) return requireToken(rawSemicolonRefusal(cut))
        // The query is looked at first: finding the route is the dearer step, and only a query to refuse needs it.
        const undecodable = undecodableQueryParameter(request.url)
        const writeQuery = isWrite(request.method) && request.url.includes("?")
        if ((undecodable === undefined && !writeQuery) || groupOf(request.method, request.url) === undefined) return app
        if (undecodable !== undefined) return requireToken(undecodableRefusal(undecodable))
        // Without provisioning, a provisioning write is refused as such, whatever it holds.
        return unread(request) ? app : requireToken(Effect.zipRight(noQueryParameters, app))
      })
      const answered = normalizeFailures(tokens)(decodedQuery)
      const checked = checkBody(answered)
      return Effect.zipRight(
        closingUnlessArrived,
        hostCheck(config.hosts)(Effect.flatMap(
          HttpServerRequest.HttpServerRequest,
          (request) => unread(request) ? Effect.zipRight(closing, answered) : checked
        ))
      )
    })
  )
}

/**
 * The router's own cap on a path parameter (find-my-way's default: 100 characters, decoded) made
 * a longer one "no endpoint": a grant id naming a custom role of free text passes it easily. A
 * decoded parameter is never longer than the request line it came in, which Node bounds with the
 * request's head (`http.maxHeaderSize`, 16 KiB unless `--max-http-header-size`; 431 beyond it): at
 * that cap the router refuses nothing that reached it, and the one limit is Node's.
 */
const routerConfig = HttpRouter.setRouterConfig({ maxParamLength: maxHeaderSize })

/**
 * The whole service as a layer, for main.ts and for any app that embeds it. It still needs an
 * HttpServer (e.g. `NodeHttpServer.layer`, which also brings HttpPlatform, FileSystem and Path),
 * a FivetranClient (the sync engine and the provisioner built on that client too), a SyncEngine, the
 * data directory's DataDirLock (built before the rest, so the directory is held before anything reads
 * it) and, when `config.provisioning` is on, a Provisioner. `tokenFiles` are the token files
 * config's tokens were read from, re-read while it serves (TokenFileReload.ts).
 */
export const makeServer = (config: ServiceConfigShape, tokenFiles: Parameters<typeof tokenFileReload>[1] = []) =>
  HttpApiBuilder.serve((app) => requestTelemetry(securityHeaders(bearerChallenge(app)), config.downloadStallMillis)).pipe(
    HttpMiddleware.withSpanNameGenerator(spanName),
    Layer.provide(ExplorerLive),
    Layer.provide(ExtraRoutesLive(config)),
    Layer.provide(requestChecks(config)),
    Layer.provide(ApiLive),
    Layer.provide(Readiness.Default),
    Layer.provide(Queries.Default),
    Layer.provide(Review.Default),
    Layer.provide(ScanTurns.Default),
    Layer.provide(ExportSlots.Default),
    Layer.provide(PageTokens.Default),
    Layer.provide(SyncReaders.Default),
    Layer.provide(SyncSchedule.Default),
    Layer.provideMerge(SyncJobs.Default),
    Layer.provide(WorkingCopies.Default),
    Layer.provide([
      Layer.succeed(ServiceConfig, config),
      // One token check, with its tokens' digests and its FailedAuthentications, for the request log and every route.
      AuthenticationLive.pipe(
        Layer.merge(tokenFileReload(config, tokenFiles)),
        Layer.provideMerge(TokenCheck.layer(config)),
        Layer.provide(FailedAuthentications.Default)
      ),
      ProvisioningEnabledLive(config.provisioning)
    ]),
    Layer.provide(routerConfig)
  )
