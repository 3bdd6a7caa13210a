import { Context, Effect, Option, Ref } from "effect"

/**
 * The user an invitation found under its email, for the audit line (ProvisioningAudit.ts): a
 * refusal for a user who exists with another role (Conflict) names them only in its message, which
 * the audit line leaves out (it may quote the email), and the service's 409 body keeps its shape.
 * The audit gives each invitation its own; the invitation notes the user where it finds one
 * (Accounts.ts).
 */
export class InvitedUserFound extends Context.Tag("@baton-fivetran/connector-core/InvitedUserFound")<
  InvitedUserFound,
  Ref.Ref<Option.Option<string>>
>() {}

/** Notes the user's id for the audit line. */
export const noteInvitedUser = (userId: string) => Effect.flatMap(InvitedUserFound, (found) => Ref.set(found, Option.some(userId)))
