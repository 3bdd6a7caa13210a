/**
 * Which system-key permission an endpoint needs (docs/fivetran-api.md §8). Fivetran documents the
 * resource types only per area; the client uses this to name the missing permission in a 403,
 * and the sandbox uses the same table to enforce it.
 */
export type ResourceType = "ACCOUNT" | "USER" | "ROLES" | "TEAM" | "DESTINATION" | "CONNECTOR"
export type AccessLevel = "NONE" | "READ" | "MANAGE"

export interface RequiredPermission {
  readonly resource_type: ResourceType
  readonly access_level: Exclude<AccessLevel, "NONE">
}

const areaOf = (path: string): ResourceType | undefined => {
  const [, version, area] = path.split("?")[0]!.split("/")
  if (version !== "v1") return undefined
  switch (area) {
    case "account":
      return "ACCOUNT"
    case "roles":
      return "ROLES"
    case "users":
      return "USER"
    case "teams":
      return "TEAM"
    case "groups":
      return "DESTINATION"
    case "connections":
      return "CONNECTOR"
    default:
      return undefined
  }
}

/** `undefined` for paths outside the identity API. */
export const requiredPermission = (method: string, path: string): RequiredPermission | undefined => {
  const resource_type = areaOf(path)
  if (resource_type === undefined) return undefined
  return { resource_type, access_level: method.toUpperCase() === "GET" ? "READ" : "MANAGE" }
}

export const formatPermission = (p: RequiredPermission): string => `${p.resource_type}:${p.access_level}`
