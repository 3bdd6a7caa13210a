/**
 * Sync files crafted against the reader: `craft(file, target, edit)` gives a real sync's database
 * to `edit` (better-sqlite3), packs it again in the .c1z envelope as `target` and returns what
 * `edit` returned; the c1z package's tests craft theirs with the same function.
 */
export { repackEdited as craft } from "../../../../packages/c1z/test/RepackedFile.js"
