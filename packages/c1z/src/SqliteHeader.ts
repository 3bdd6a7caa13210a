import { Data, Option } from "effect"

/**
 * What the 100-byte header of a SQLite database file says about the file's size
 * (sqlite.org/fileformat.html, §1.3): the page size at offset 16 and the "in-header database size"
 * in pages at offset 28. The page count is valid only when it is not zero and the file change
 * counter (offset 24) equals the version-valid-for number (offset 92): SQLite since 3.7.0 (2010)
 * keeps them so on every commit, in rollback and WAL mode alike; an older writer left a stale count
 * and an unchanged version-valid-for number, which is how a reader tells. SQLite reads no page past
 * a valid count, so a database that decompresses to more is not one SQLite wrote.
 */

/** The bytes of the header that say the size. */
export const sqliteHeaderBytes = 100

export type DatabaseSize = Data.TaggedEnum<{
  /** pageBytes × pages is the whole file. */
  Declared: { readonly pageBytes: number; readonly pages: number }
  /** A valid page size, but no valid page count: the file's size is not said. */
  Undeclared: { readonly pageBytes: number }
}>

export const DatabaseSize = Data.taggedEnum<DatabaseSize>()

/**
 * The size `header` (at least `sqliteHeaderBytes` long) declares; none when its page size is not
 * one SQLite writes (a power of two from 512 to 32768, or 1 for 65536), which SQLite refuses as
 * "file is not a database".
 */
export const declaredDatabaseSize = (header: Uint8Array): Option.Option<DatabaseSize> => {
  const view = new DataView(header.buffer, header.byteOffset, sqliteHeaderBytes)
  const field = view.getUint16(16)
  const pageBytes = field === 1 ? 65536 : field
  if (pageBytes < 512 || pageBytes > 65536 || (pageBytes & (pageBytes - 1)) !== 0) return Option.none()
  const pages = view.getUint32(28)
  return Option.some(
    pages !== 0 && view.getUint32(24) === view.getUint32(92)
      ? DatabaseSize.Declared({ pageBytes, pages })
      : DatabaseSize.Undeclared({ pageBytes })
  )
}
