import { Schema } from "effect"

/**
 * user→group, user→connection, team→group and team→connection memberships (docs/fivetran-api.md §5.3):
 * `id` is the group or connection id, not a membership id.
 */
export const Membership = Schema.Struct({
  id: Schema.String,
  role: Schema.String,
  created_at: Schema.String
})
export type Membership = typeof Membership.Type

/** `POST …/groups` or `…/connections`: both fields required. */
export const AddMembershipRequest = Schema.Struct({ id: Schema.String, role: Schema.String })
export type AddMembershipRequest = typeof AddMembershipRequest.Type

/** `PATCH …/groups/{id}`, `…/connections/{id}`, `/v1/teams/{id}/users/{id}`. */
export const UpdateRoleRequest = Schema.Struct({ role: Schema.String })
export type UpdateRoleRequest = typeof UpdateRoleRequest.Type
