import { type ProvisioningError, ProvisioningErrors } from "@baton-fivetran/connector-core"
import { Schema } from "effect"
import { Field, refusalBody, taggedErrorBody } from "./ErrorBody.js"

/**
 * The errors of the Api. Every error body is `{ "error": <code>, "message": ..., "field"?: ... }`
 * (ErrorBody.ts): each class is what the service fails with and what the typed client fails with,
 * each `...Body` is its wire form with its status.
 */

const message = { message: Schema.String }

export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", message) {}
export const UnauthorizedBody = taggedErrorBody(Unauthorized, "Unauthorized", message, {
  status: 401,
  description: "Missing or wrong bearer token"
})

/**
 * A token of `--read-token` on a request that changes something (any method but GET and HEAD): it
 * was accepted, and is not allowed this (RFC 6750 §3.1's insufficient_scope).
 */
export class ReadOnlyToken extends Schema.TaggedError<ReadOnlyToken>()("ReadOnlyToken", message) {}
export const ReadOnlyTokenBody = taggedErrorBody(ReadOnlyToken, "ReadOnlyToken", message, {
  status: 403,
  description: "The bearer token is a read-only one (--read-token), and the request would change something (a " +
    "provisioning action, a sync started or cancelled): send a token of --token"
})

const invalidRequest = { message: Schema.String, field: Field }
export class InvalidRequest extends Schema.TaggedError<InvalidRequest>()("InvalidRequest", invalidRequest) {}
export const InvalidRequestBody = taggedErrorBody(InvalidRequest, "InvalidRequest", invalidRequest, {
  status: 400,
  description: "A parameter or the body is malformed, or the body gives a key twice in one object; `field` names the " +
    "parameter or the body field (`principal.id`), or `body` for the body as a whole. Also, before any route and " +
    "without `field`, a request whose Host header is missing (HTTP/1.1), given twice or not a host"
})

/**
 * The request's Host names something the service is not reached by (a page on a name pointed at
 * the service: DNS rebinding), refused before any route (apps/http AllowedHosts.ts).
 */
export class MisdirectedRequest extends Schema.TaggedError<MisdirectedRequest>()("MisdirectedRequest", message) {}
export const MisdirectedRequestBody = taggedErrorBody(MisdirectedRequest, "MisdirectedRequest", message, {
  status: 421,
  description: "The Host header names a host this service is not reached by (it answers its loopback names, its " +
    "listen address and those of --allowed-hosts); the message quotes the name. Sent before any route, the probes' too"
})

export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", message) {}
export const NotFoundBody = taggedErrorBody(NotFound, "NotFound", message, {
  status: 404,
  description: "No such job, file, sync or principal; or no such endpoint"
})

const syncInProgress = { message: Schema.String, job_id: Schema.String }
export class SyncInProgress extends Schema.TaggedError<SyncInProgress>()("SyncInProgress", syncInProgress) {}
export const SyncInProgressBody = taggedErrorBody(SyncInProgress, "SyncInProgress", syncInProgress, {
  status: 409,
  description: "Only one sync runs at a time; `job_id` is the running one"
})

/** A refusal of something over a size limit, which it names. */
const overLimit = { message: Schema.String, limit_bytes: Schema.Int }
export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()("PayloadTooLarge", overLimit) {}
export const PayloadTooLargeBody = taggedErrorBody(PayloadTooLarge, "PayloadTooLarge", overLimit, {
  status: 413,
  description: "The request body is over `limit_bytes` (64 KiB); a chunked one is cut off once it passes it"
})

export class UnsupportedMediaType extends Schema.TaggedError<UnsupportedMediaType>()("UnsupportedMediaType", message) {}
export const UnsupportedMediaTypeBody = taggedErrorBody(UnsupportedMediaType, "UnsupportedMediaType", message, {
  status: 415,
  description: "A request body that is not `content-type: application/json`"
})

export class NotReady extends Schema.TaggedError<NotReady>()("NotReady", message) {}
export const NotReadyBody = taggedErrorBody(NotReady, "NotReady", message, {
  status: 503,
  description: "Fivetran cannot be reached with the configured key, or no answer from Fivetran has shown the key to " +
    "work yet while the service waits for the rate limit"
})

/**
 * A query, diff or export could not read its sync: the service could not make the sync's working
 * copy in its temporary directory (`--temp-dir`: full, missing or read-only). The sync is intact;
 * the message says what the operator must fix, after which the same request works.
 */
export class StorageUnavailable extends Schema.TaggedError<StorageUnavailable>()("StorageUnavailable", message) {}
export const StorageUnavailableBody = taggedErrorBody(StorageUnavailable, "StorageUnavailable", message, {
  status: 503,
  description: "The service cannot read the sync's .c1z in its data directory (e.g. EACCES), or cannot make the " +
    "working copy of the sync it reads: its temporary directory (--temp-dir) is full, missing or not writable; " +
    "retry once the operator fixed it"
})

/**
 * An export refused at once because the service already streams as many as it runs together
 * (`--max-concurrent-exports`, apps/http ExportSlots.ts). Not queued: a download holds its slot for
 * as long as its client reads, so a queue would hold sockets open for as long as others download.
 */
const tooManyExports = { message: Schema.String, retry_after_seconds: Schema.Int }
export class TooManyExports extends Schema.TaggedError<TooManyExports>()("TooManyExports", tooManyExports) {}
export const TooManyExportsBody = taggedErrorBody(TooManyExports, "TooManyExports", tooManyExports, {
  status: 429,
  description: "The service already streams as many access-review exports as it runs at once " +
    "(--max-concurrent-exports); nothing was read. Send the request again after `retry_after_seconds` (also in " +
    "Retry-After)"
})

/**
 * What Node refuses before any route sees the request (apps/http ClientErrors.ts), then closes the
 * connection: any endpoint may get these, in the one error shape.
 */
export class HeaderTooLarge extends Schema.TaggedError<HeaderTooLarge>()("HeaderTooLarge", overLimit) {}
export const HeaderTooLargeBody = taggedErrorBody(HeaderTooLarge, "HeaderTooLarge", overLimit, {
  status: 431,
  description: "The request line and headers are over `limit_bytes` (16 KiB) together; sent before any route"
})

export class ChunkExtensionsTooLarge extends Schema.TaggedError<ChunkExtensionsTooLarge>()("ChunkExtensionsTooLarge", message) {}
export const ChunkExtensionsTooLargeBody = taggedErrorBody(ChunkExtensionsTooLarge, "ChunkExtensionsTooLarge", message, {
  status: 413,
  description: "A chunked body's chunk extensions are over the size Node accepts; sent before any route"
})

export class RequestTimeout extends Schema.TaggedError<RequestTimeout>()("RequestTimeout", message) {}
export const RequestTimeoutBody = taggedErrorBody(RequestTimeout, "RequestTimeout", message, {
  status: 408,
  description: "The request was not received in full within the server's request timeout; sent before any route"
})

/**
 * A request the service's stop ended, or one arriving as it stops (apps/http ServiceStopping.ts):
 * any endpoint may get it, with `Retry-After: 1`; the remedy is to send it again.
 */
export class ServiceStopping extends Schema.TaggedError<ServiceStopping>()("ServiceStopping", message) {}
export const ServiceStoppingBody = taggedErrorBody(ServiceStopping, "ServiceStopping", message, {
  status: 503,
  description: "The service is stopping: a request arriving as it stops, or a provisioning request still in progress " +
    "(one waiting for the rate limit has made no write); send it again once the service runs (`Retry-After: 1`)"
})

/** A bug in the service, never the caller's input; the message says so and the log has the details. */
export class InternalError extends Schema.TaggedError<InternalError>()("InternalError", message) {}
export const InternalErrorBody = taggedErrorBody(InternalError, "InternalError", message, {
  status: 500,
  description: "A bug in the service, never the caller's input; the service's log has the details"
})

/** What each of connector-core's provisioning refusals means, in the OpenAPI document. */
const refusalDescriptions: { readonly [Code in ProvisioningError["_tag"]]: string } = {
  InvalidId: "An id that cannot be understood: a malformed entitlement, grant, user, team, group or connection id (e.g. one " +
    "with whitespace around it)",
  InvalidInput: "Input that cannot be understood (e.g. a phone number that is not one)",
  ProvisioningDisabled: "The service runs without --provisioning: nothing can be provisioned",
  MissingPermission: "The Fivetran key lacks a permission the change needs; the message names it",
  UnknownEntitlement: "No such entitlement",
  UnknownPrincipal: "No such user or team (the message says when the id is one of the other type)",
  NotFound: "What the change is made on does not exist in Fivetran",
  Conflict: "Fivetran refuses the change in the account's current state, with its message (e.g. the account's last " +
    "Account Administrator, and what to do)",
  UnknownRole: "No role of that name and scope in the account; the message lists the valid ones",
  WrongScope: "The role is of another scope than the entitlement's; the message lists the valid roles",
  NotGrantable: "The entitlement cannot be granted to that type of principal",
  Unsupported: "Not something the connector does (e.g. deleting a resource other than a user)",
  RateLimited: "Fivetran's rate limit would hold the request longer than --max-provisioning-wait; nothing more was " +
    "sent: send it again after `retry_after_seconds` (also in Retry-After) when known",
  KeyRejected: "Fivetran rejected the service's API key or secret (401: revoked, rotated or a wrong secret): retrying " +
    "does not help until the service's api-key and api-secret settings are fixed",
  Upstream: "Fivetran failed while carrying out the request; the message says whether the change was made (read back)"
}

/** connector-core's provisioning refusals, each with its own code and status (ProvisioningError.ts). */
export const ProvisioningRefusalBody = Schema.Union(
  ...ProvisioningErrors.map((refusal) => refusalBody(refusal, refusalDescriptions[refusal._tag]))
)
