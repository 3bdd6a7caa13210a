import type {
  AccountType,
  Entitlement,
  EntitlementExclusionGroup,
  Grant,
  GrantAnnotation,
  GrantExpandable,
  GrantSources,
  Profile,
  Purpose,
  Resource,
  ResourceAnnotation,
  ResourceId,
  ResourceStatus,
  ResourceType,
  Status,
  Trait,
  UserTrait
} from "@baton-fivetran/connector-core"
import type { BinaryReader } from "@bufbuild/protobuf/wire"
import { WireType } from "@bufbuild/protobuf/wire"
import { accountTypeNumbers, byNumber, purposeNumbers, statusNumbers, traitNumbers, TypeUrls } from "./Messages.js"
import { decodeAny, decodeStruct, decodeTimestamp, formatTimestamp, setOwnKey } from "./WellKnown.js"
import { DecodeFailure, readFields } from "./Wire.js"

/**
 * `c1.connector.v2` protobuf -> model, the inverse of Encode.ts. Unknown fields and annotations
 * are skipped (as the SDK's reader discards them); an absent string reads back as absent, or as
 * "" where the model requires one.
 */

const traitNames = byNumber<Trait>(traitNumbers)
const statusNames = byNumber<Status>(statusNumbers)
const accountTypeNames = byNumber<AccountType>(accountTypeNumbers)
const purposeNames = byNumber<Purpose>(purposeNumbers)

const enumName = <K extends string>(names: ReadonlyMap<number, K>, value: number, what: string): K => {
  const name = names.get(value)
  if (name === undefined) throw new DecodeFailure(`${what} has the unknown value ${value}`)
  return name
}

const timestampText = (reader: BinaryReader): string => formatTimestamp(decodeTimestamp(reader.bytes()))

const readStrings = (reader: BinaryReader, into: Array<string>): true => {
  into.push(reader.string())
  return true
}

export const decodeResourceId = (bytes: Uint8Array): ResourceId => {
  let resourceType = ""
  let resource = ""
  readFields(bytes, (field, _wire, reader) => {
    if (field === 1) resourceType = reader.string()
    else if (field === 2) resource = reader.string()
    else return false
    return true
  })
  return { resourceType, resource }
}

const decodeStatus = (bytes: Uint8Array, what: string): ResourceStatus => {
  let status = 0
  let details: string | undefined
  readFields(bytes, (field, _wire, reader) => {
    if (field === 1) status = reader.int32()
    else if (field === 2) details = reader.string()
    else return false
    return true
  })
  return { status: enumName(statusNames, status, what), ...(details !== undefined ? { details } : {}) }
}

const decodeUserTrait = (bytes: Uint8Array): UserTrait => {
  const emails: Array<{ address: string; isPrimary: boolean }> = []
  let status: ResourceStatus | undefined
  let profile: Profile | undefined
  let accountType = 0
  let login: string | undefined
  let createdAt: string | undefined
  let lastLogin: string | undefined
  let structuredName: { givenName: string; familyName: string } | undefined
  readFields(bytes, (field, _wire, reader) => {
    switch (field) {
      case 1: {
        const email = { address: "", isPrimary: false }
        readFields(reader.bytes(), (f, _w, r) => {
          if (f === 1) email.address = r.string()
          else if (f === 2) email.isPrimary = r.bool()
          else return false
          return true
        })
        emails.push(email)
        return true
      }
      case 2:
        status = decodeStatus(reader.bytes(), "UserTrait.status")
        return true
      case 3:
        profile = decodeStruct(reader.bytes())
        return true
      case 5:
        accountType = reader.int32()
        return true
      case 6:
        login = reader.string()
        return true
      case 8:
        createdAt = timestampText(reader)
        return true
      case 9:
        lastLogin = timestampText(reader)
        return true
      case 12: {
        const name = { givenName: "", familyName: "" }
        readFields(reader.bytes(), (f, _w, r) => {
          if (f === 1) name.givenName = r.string()
          else if (f === 2) name.familyName = r.string()
          else return false
          return true
        })
        structuredName = name
        return true
      }
      default:
        return false
    }
  })
  if (status === undefined) throw new DecodeFailure("UserTrait has no status")
  return {
    _tag: "UserTrait",
    emails,
    status,
    ...(profile !== undefined ? { profile } : {}),
    accountType: enumName(accountTypeNames, accountType, "UserTrait.account_type"),
    ...(login !== undefined ? { login } : {}),
    ...(createdAt !== undefined ? { createdAt } : {}),
    ...(lastLogin !== undefined ? { lastLogin } : {}),
    ...(structuredName !== undefined ? { structuredName } : {})
  }
}

/** A trait's profile: GroupTrait keeps it at field 2, RoleTrait at field 1. */
const decodeProfileAt = (bytes: Uint8Array, profileField: number): { readonly profile?: Profile } => {
  let profile: Profile | undefined
  readFields(bytes, (field, _wire, reader) => {
    if (field !== profileField) return false
    profile = decodeStruct(reader.bytes())
    return true
  })
  return profile !== undefined ? { profile } : {}
}

const decodeChildResourceType = (bytes: Uint8Array): string => {
  let resourceTypeId = ""
  readFields(bytes, (field, _wire, reader) => {
    if (field !== 1) return false
    resourceTypeId = reader.string()
    return true
  })
  return resourceTypeId
}

/** One annotation Any as a model annotation; `undefined` for a type the model does not carry. */
const decodeResourceAnnotation = (bytes: Uint8Array): ResourceAnnotation | undefined => {
  const any = decodeAny(bytes)
  switch (any.typeUrl) {
    case TypeUrls.UserTrait:
      return decodeUserTrait(any.value)
    case TypeUrls.GroupTrait:
      return { _tag: "GroupTrait", ...decodeProfileAt(any.value, 2) }
    case TypeUrls.RoleTrait:
      return { _tag: "RoleTrait", ...decodeProfileAt(any.value, 1) }
    case TypeUrls.SkipEntitlementsAndGrants:
      return { _tag: "SkipEntitlementsAndGrants" }
    case TypeUrls.ChildResourceType:
      return { _tag: "ChildResourceType", resourceTypeId: decodeChildResourceType(any.value) }
    default:
      return undefined
  }
}

export const decodeResourceType = (bytes: Uint8Array): ResourceType => {
  let id = ""
  let displayName = ""
  let description: string | undefined
  const traits: Array<Trait> = []
  const annotations: Array<ResourceType["annotations"][number]> = []
  const addTrait = (n: number) => traits.push(enumName(traitNames, n, "ResourceType.traits"))
  readFields(bytes, (field, wireType, reader) => {
    switch (field) {
      case 1:
        id = reader.string()
        return true
      case 2:
        displayName = reader.string()
        return true
      case 3:
        if (wireType === WireType.LengthDelimited) {
          const end = reader.uint32() + reader.pos
          while (reader.pos < end) addTrait(reader.int32())
        } else addTrait(reader.int32())
        return true
      case 4: {
        const annotation = decodeResourceAnnotation(reader.bytes())
        if (annotation?._tag === "SkipEntitlementsAndGrants" || annotation?._tag === "ChildResourceType") {
          annotations.push(annotation)
        }
        return true
      }
      case 5:
        description = reader.string()
        return true
      default:
        return false
    }
  })
  return { id, displayName, traits, ...(description !== undefined ? { description } : {}), annotations }
}

export const decodeResource = (bytes: Uint8Array): Resource => {
  let id: ResourceId = { resourceType: "", resource: "" }
  let parentResourceId: ResourceId | undefined
  let displayName: string | undefined
  let description: string | undefined
  const annotations: Array<ResourceAnnotation> = []
  let profile: Profile | undefined
  let status: ResourceStatus | undefined
  let createdAt: string | undefined
  readFields(bytes, (field, _wire, reader) => {
    switch (field) {
      case 1:
        id = decodeResourceId(reader.bytes())
        return true
      case 2:
        parentResourceId = decodeResourceId(reader.bytes())
        return true
      case 3:
        displayName = reader.string()
        return true
      case 4: {
        const annotation = decodeResourceAnnotation(reader.bytes())
        if (annotation !== undefined) annotations.push(annotation)
        return true
      }
      case 5:
        description = reader.string()
        return true
      case 9:
        profile = decodeStruct(reader.bytes())
        return true
      case 11:
        status = decodeStatus(reader.bytes(), "Resource.status")
        return true
      case 12:
        createdAt = timestampText(reader)
        return true
      default:
        return false
    }
  })
  return {
    id,
    ...(parentResourceId !== undefined ? { parentResourceId } : {}),
    ...(displayName !== undefined ? { displayName } : {}),
    ...(description !== undefined ? { description } : {}),
    annotations,
    ...(profile !== undefined ? { profile } : {}),
    ...(status !== undefined ? { status } : {}),
    ...(createdAt !== undefined ? { createdAt } : {})
  }
}

const decodeExclusionGroup = (bytes: Uint8Array): EntitlementExclusionGroup => {
  let exclusionGroupId = ""
  let order: number | undefined
  let isDefault: boolean | undefined
  let scopeToResource: boolean | undefined
  readFields(bytes, (field, _wire, reader) => {
    if (field === 1) exclusionGroupId = reader.string()
    else if (field === 2) order = reader.uint32()
    else if (field === 3) isDefault = reader.bool()
    else if (field === 4) scopeToResource = reader.bool()
    else return false
    return true
  })
  return {
    _tag: "EntitlementExclusionGroup",
    exclusionGroupId,
    ...(order !== undefined ? { order } : {}),
    ...(isDefault !== undefined ? { isDefault } : {}),
    ...(scopeToResource !== undefined ? { scopeToResource } : {})
  }
}

export const decodeEntitlement = (bytes: Uint8Array): Entitlement => {
  let resource: Resource | undefined
  let id = ""
  let displayName = ""
  let description: string | undefined
  const grantableTo: Array<ResourceType> = []
  const annotations: Array<EntitlementExclusionGroup> = []
  let purpose = 0
  let slug = ""
  readFields(bytes, (field, _wire, reader) => {
    switch (field) {
      case 1:
        resource = decodeResource(reader.bytes())
        return true
      case 2:
        id = reader.string()
        return true
      case 3:
        displayName = reader.string()
        return true
      case 4:
        description = reader.string()
        return true
      case 5:
        grantableTo.push(decodeResourceType(reader.bytes()))
        return true
      case 6: {
        const any = decodeAny(reader.bytes())
        if (any.typeUrl === TypeUrls.EntitlementExclusionGroup) annotations.push(decodeExclusionGroup(any.value))
        return true
      }
      case 7:
        purpose = reader.int32()
        return true
      case 8:
        slug = reader.string()
        return true
      default:
        return false
    }
  })
  if (resource === undefined) throw new DecodeFailure(`entitlement ${id} has no resource`)
  return {
    id,
    resource,
    displayName,
    ...(description !== undefined ? { description } : {}),
    grantableTo,
    purpose: enumName(purposeNames, purpose, `entitlement ${id} purpose`),
    slug,
    annotations
  }
}

export const decodeGrantExpandable = (bytes: Uint8Array): GrantExpandable => {
  const entitlementIds: Array<string> = []
  const resourceTypeIds: Array<string> = []
  let shallow: boolean | undefined
  readFields(bytes, (field, _wire, reader) => {
    if (field === 1) return readStrings(reader, entitlementIds)
    if (field === 2) shallow = reader.bool()
    else if (field === 3) return readStrings(reader, resourceTypeIds)
    else return false
    return true
  })
  return {
    _tag: "GrantExpandable",
    entitlementIds,
    ...(shallow !== undefined ? { shallow } : {}),
    ...(resourceTypeIds.length > 0 ? { resourceTypeIds } : {})
  }
}

const decodeGrantAnnotation = (bytes: Uint8Array): GrantAnnotation | undefined => {
  const any = decodeAny(bytes)
  if (any.typeUrl === TypeUrls.GrantExpandable) return decodeGrantExpandable(any.value)
  if (any.typeUrl !== TypeUrls.GrantImmutable) return undefined
  let sourceId: string | undefined
  readFields(any.value, (field, _wire, reader) => {
    if (field !== 1) return false
    sourceId = reader.string()
    return true
  })
  return { _tag: "GrantImmutable", ...(sourceId !== undefined ? { sourceId } : {}) }
}

const decodeGrantSources = (bytes: Uint8Array): GrantSources => {
  const sources: Record<string, { isDirect: boolean }> = {}
  readFields(bytes, (field, _wire, reader) => {
    if (field !== 1) return false
    let key = ""
    let isDirect = false
    readFields(reader.bytes(), (f, _w, r) => {
      if (f === 1) key = r.string()
      else if (f === 2) {
        readFields(r.bytes(), (g, _x, s) => {
          if (g !== 1) return false
          isDirect = s.bool()
          return true
        })
      } else return false
      return true
    })
    setOwnKey(sources, key, { isDirect })
    return true
  })
  return sources
}

/**
 * Decodes entitlement messages, each distinct one once: the grants of an entitlement each embed the
 * same copy of it, and that copy is most of a grant's bytes. Copies are told apart by their exact
 * bytes, so a file whose copies differ still reads exactly. Meant for one batch of rows (nothing is
 * ever dropped); the grants decoded through one share their Entitlement objects.
 */
export const entitlementDecoder = (): (bytes: Uint8Array) => Entitlement => {
  const decoded = new Map<string, Entitlement>()
  return (bytes) => {
    const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1")
    const known = decoded.get(key)
    if (known !== undefined) return known
    const entitlement = decodeEntitlement(bytes)
    decoded.set(key, entitlement)
    return entitlement
  }
}

/** A grant row back to the model: `expansion` (the column) is re-attached as the last annotation. */
export const decodeGrant = (
  bytes: Uint8Array,
  expansion: Uint8Array | null,
  entitlementOf: (bytes: Uint8Array) => Entitlement = decodeEntitlement
): Grant => {
  let entitlement: Entitlement | undefined
  let principal: Resource | undefined
  let id = ""
  const annotations: Array<GrantAnnotation> = []
  let sources: GrantSources | undefined
  readFields(bytes, (field, _wire, reader) => {
    switch (field) {
      case 1:
        entitlement = entitlementOf(reader.bytes())
        return true
      case 2:
        principal = decodeResource(reader.bytes())
        return true
      case 3:
        id = reader.string()
        return true
      case 4: {
        const annotation = decodeGrantAnnotation(reader.bytes())
        if (annotation !== undefined) annotations.push(annotation)
        return true
      }
      case 5:
        sources = decodeGrantSources(reader.bytes())
        return true
      default:
        return false
    }
  })
  if (entitlement === undefined || principal === undefined) {
    throw new DecodeFailure(`grant ${id} lacks its entitlement or principal`)
  }
  if (expansion !== null) annotations.push(decodeGrantExpandable(expansion))
  return { id, entitlement, principal, annotations, ...(sources !== undefined ? { sources } : {}) }
}
