import type {
  Entitlement,
  EntitlementExclusionGroup,
  Grant,
  GrantExpandable,
  GrantImmutable,
  GrantSources,
  Resource,
  ResourceAnnotation,
  ResourceId,
  ResourceStatus,
  ResourceType,
  SyncRow,
  UserTrait
} from "@baton-fivetran/connector-core"
import type { BinaryWriter } from "@bufbuild/protobuf/wire"
import { WireType } from "@bufbuild/protobuf/wire"
import { accountTypeNumbers, purposeNumbers, statusNumbers, traitNumbers, TypeUrls } from "./Messages.js"
import { encodeAny, encodeStruct, encodeTimestamp, parseTimestamp } from "./WellKnown.js"
import { compareUtf8, type Encoder, toBytes, writeBool, writeEnum, writeMessage, writeString, writeUint32 } from "./Wire.js"

/**
 * Model -> `c1.connector.v2` protobuf, by hand. Fields go in ascending number order; proto3
 * defaults are omitted; map keys are sorted; so equal input always gives equal bytes.
 */

const writeTimestamp = (writer: BinaryWriter, field: number, text: string | undefined, what: string): void => {
  if (text !== undefined) writeMessage(writer, field, encodeTimestamp, parseTimestamp(text, what))
}

const encodeNothing: Encoder<unknown> = () => {}

// ResourceId: 1 resource_type, 2 resource
const encodeResourceId: Encoder<ResourceId> = (writer, id) => {
  writeString(writer, 1, id.resourceType)
  writeString(writer, 2, id.resource)
}

// ChildResourceType: 1 resource_type_id
const encodeChildResourceType: Encoder<{ readonly resourceTypeId: string }> = (writer, child) =>
  writeString(writer, 1, child.resourceTypeId)

// Status (Resource.status and UserTrait.status): 1 status enum, 2 details
const encodeStatus: Encoder<ResourceStatus> = (writer, status) => {
  writeEnum(writer, 1, statusNumbers[status.status])
  writeString(writer, 2, status.details)
}

// UserTrait: 1 emails{1 address, 2 is_primary}, 2 status, 3 profile, 5 account_type, 6 login,
// 8 created_at, 9 last_login, 12 structured_name{1 given_name, 2 family_name}
const encodeUserTrait: Encoder<UserTrait> = (writer, trait) => {
  for (const email of trait.emails) {
    writeMessage(writer, 1, (w, e) => {
      writeString(w, 1, e.address)
      writeBool(w, 2, e.isPrimary)
    }, email)
  }
  writeMessage(writer, 2, encodeStatus, trait.status)
  if (trait.profile !== undefined) writeMessage(writer, 3, encodeStruct, trait.profile)
  writeEnum(writer, 5, accountTypeNumbers[trait.accountType])
  writeString(writer, 6, trait.login)
  writeTimestamp(writer, 8, trait.createdAt, "UserTrait.createdAt")
  writeTimestamp(writer, 9, trait.lastLogin, "UserTrait.lastLogin")
  if (trait.structuredName !== undefined) {
    writeMessage(writer, 12, (w, name) => {
      writeString(w, 1, name.givenName)
      writeString(w, 2, name.familyName)
    }, trait.structuredName)
  }
}

// EntitlementExclusionGroup: 1 exclusion_group_id, 2 order (uint32), 3 is_default, 4 scope_to_resource
const encodeExclusionGroup: Encoder<EntitlementExclusionGroup> = (writer, group) => {
  writeString(writer, 1, group.exclusionGroupId)
  writeUint32(writer, 2, group.order)
  writeBool(writer, 3, group.isDefault)
  writeBool(writer, 4, group.scopeToResource)
}

// GrantExpandable: 1 entitlement_ids, 2 shallow, 3 resource_type_ids
const encodeGrantExpandable: Encoder<GrantExpandable> = (writer, expandable) => {
  for (const id of expandable.entitlementIds) writer.tag(1, WireType.LengthDelimited).string(id)
  writeBool(writer, 2, expandable.shallow)
  for (const id of expandable.resourceTypeIds ?? []) writer.tag(3, WireType.LengthDelimited).string(id)
}

// GrantImmutable: 1 source_id (2 metadata is not in our model)
const encodeGrantImmutable: Encoder<GrantImmutable> = (writer, immutable) => writeString(writer, 1, immutable.sourceId)

// GrantSources: 1 map<string, GrantSource{1 is_direct}>; map entries: 1 key, 2 value
const encodeGrantSources: Encoder<GrantSources> = (writer, sources) => {
  for (const key of Object.keys(sources).sort(compareUtf8)) {
    writer.tag(1, WireType.LengthDelimited).fork()
    writer.tag(1, WireType.LengthDelimited).string(key)
    writeMessage(writer, 2, (w, source) => writeBool(w, 1, source.isDirect), sources[key]!)
    writer.join()
  }
}

/** The encoders of one writer; they emit only the annotation types in `writable` (AnnotationSupport.ts). */
export interface Encoders {
  readonly resourceType: Encoder<ResourceType>
  readonly resource: Encoder<Resource>
  readonly entitlement: Encoder<Entitlement>
  /**
   * The `data` blob of a row's table: its value's message, and for a grant that message without its
   * GrantExpandable annotation, which goes, serialized on its own (`expansion`), into the
   * `expansion` column (docs/c1z-format.md §2).
   */
  readonly rowData: Encoder<SyncRow>
  /** The GrantExpandable annotation a grant row's `expansion` column holds, if it has one. */
  readonly expandable: (row: SyncRow) => GrantExpandable | undefined
  readonly expansion: Encoder<GrantExpandable>
}

export const makeEncoders = (writable: ReadonlySet<string>): Encoders => {
  const writeAnnotation = <A>(writer: BinaryWriter, field: number, typeUrl: string, encode: Encoder<A>, value: A) => {
    if (writable.has(typeUrl)) writeMessage(writer, field, encodeAny, { typeUrl, value: toBytes(encode, value) })
  }

  const writeResourceAnnotation = (writer: BinaryWriter, field: number, annotation: ResourceAnnotation): void => {
    switch (annotation._tag) {
      case "UserTrait":
        return writeAnnotation(writer, field, TypeUrls.UserTrait, encodeUserTrait, annotation)
      case "GroupTrait": // GroupTrait: 2 profile
        return writeAnnotation(writer, field, TypeUrls.GroupTrait, (w, t) => {
          if (t.profile !== undefined) writeMessage(w, 2, encodeStruct, t.profile)
        }, annotation)
      case "RoleTrait": // RoleTrait: 1 profile
        return writeAnnotation(writer, field, TypeUrls.RoleTrait, (w, t) => {
          if (t.profile !== undefined) writeMessage(w, 1, encodeStruct, t.profile)
        }, annotation)
      case "SkipEntitlementsAndGrants":
        return writeAnnotation(writer, field, TypeUrls.SkipEntitlementsAndGrants, encodeNothing, annotation)
      case "ChildResourceType":
        return writeAnnotation(writer, field, TypeUrls.ChildResourceType, encodeChildResourceType, annotation)
    }
  }

  // ResourceType: 1 id, 2 display_name, 3 traits (packed enum), 4 annotations, 5 description
  const resourceType: Encoder<ResourceType> = (writer, type) => {
    writeString(writer, 1, type.id)
    writeString(writer, 2, type.displayName)
    if (type.traits.length > 0) {
      writer.tag(3, WireType.LengthDelimited).fork()
      for (const trait of type.traits) writer.int32(traitNumbers[trait])
      writer.join()
    }
    for (const annotation of type.annotations) writeResourceAnnotation(writer, 4, annotation)
    writeString(writer, 5, type.description)
  }

  // Resource: 1 id, 2 parent_resource_id, 3 display_name, 4 annotations, 5 description,
  // 9 profile, 11 status, 12 created_at
  const resource: Encoder<Resource> = (writer, value) => {
    writeMessage(writer, 1, encodeResourceId, value.id)
    if (value.parentResourceId !== undefined) writeMessage(writer, 2, encodeResourceId, value.parentResourceId)
    writeString(writer, 3, value.displayName)
    for (const annotation of value.annotations) writeResourceAnnotation(writer, 4, annotation)
    writeString(writer, 5, value.description)
    if (value.profile !== undefined) writeMessage(writer, 9, encodeStruct, value.profile)
    if (value.status !== undefined) writeMessage(writer, 11, encodeStatus, value.status)
    writeTimestamp(writer, 12, value.createdAt, "Resource.createdAt")
  }

  // Entitlement: 1 resource, 2 id, 3 display_name, 4 description, 5 grantable_to, 6 annotations,
  // 7 purpose, 8 slug
  const entitlement: Encoder<Entitlement> = (writer, value) => {
    writeMessage(writer, 1, resource, value.resource)
    writeString(writer, 2, value.id)
    writeString(writer, 3, value.displayName)
    writeString(writer, 4, value.description)
    for (const type of value.grantableTo) writeMessage(writer, 5, resourceType, type)
    for (const group of value.annotations) {
      writeAnnotation(writer, 6, TypeUrls.EntitlementExclusionGroup, encodeExclusionGroup, group)
    }
    writeEnum(writer, 7, purposeNumbers[value.purpose])
    writeString(writer, 8, value.slug)
  }

  // The sync shares one Entitlement object among all its grants, so each is encoded once instead
  // of once per grant. Weak, so it holds nothing alive.
  const encodedEntitlements = new WeakMap<Entitlement, Uint8Array>()
  const entitlementBytes = (value: Entitlement): Uint8Array => {
    const cached = encodedEntitlements.get(value)
    if (cached !== undefined) return cached
    const bytes = toBytes(entitlement, value)
    encodedEntitlements.set(value, bytes)
    return bytes
  }

  // Grant: 1 entitlement, 2 principal, 3 id, 4 annotations (GrantImmutable; GrantExpandable goes to
  // the `expansion` column), 5 sources
  const grant: Encoder<Grant> = (writer, value) => {
    writer.tag(1, WireType.LengthDelimited).bytes(entitlementBytes(value.entitlement))
    writeMessage(writer, 2, resource, value.principal)
    writeString(writer, 3, value.id)
    for (const annotation of value.annotations) {
      if (annotation._tag === "GrantImmutable") {
        writeAnnotation(writer, 4, TypeUrls.GrantImmutable, encodeGrantImmutable, annotation)
      }
    }
    if (value.sources !== undefined) writeMessage(writer, 5, encodeGrantSources, value.sources)
  }

  const rowData: Encoder<SyncRow> = (writer, row) => {
    switch (row._tag) {
      case "ResourceTypeRow":
        return resourceType(writer, row.value)
      case "ResourceRow":
        return resource(writer, row.value)
      case "EntitlementRow":
        return entitlement(writer, row.value)
      case "GrantRow":
        return grant(writer, row.value)
    }
  }

  const expandable = (row: SyncRow) =>
    row._tag === "GrantRow"
      ? row.value.annotations.find((a): a is GrantExpandable => a._tag === "GrantExpandable")
      : undefined

  return { resourceType, resource, entitlement, rowData, expandable, expansion: encodeGrantExpandable }
}
