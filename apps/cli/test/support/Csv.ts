/**
 * An RFC 4180 reader for the tests, written apart from the CLI's writer: records end in CRLF,
 * quoted fields may hold commas, CR, LF and doubled quotes.
 */
export const parseCsv = (text: string): ReadonlyArray<ReadonlyArray<string>> => {
  const records: Array<Array<string>> = []
  let record: Array<string> = []
  let field = ""
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === "\"" && text[i + 1] === "\"") {
        field += "\""
        i++
      } else if (c === "\"") {
        quoted = false
      } else {
        field += c
      }
    } else if (c === "\"") {
      quoted = true
    } else if (c === ",") {
      record.push(field)
      field = ""
    } else if (c === "\r" && text[i + 1] === "\n") {
      record.push(field)
      records.push(record)
      record = []
      field = ""
      i++
    } else {
      field += c
    }
  }
  if (field !== "" || record.length > 0) throw new Error("the CSV does not end with CRLF")
  return records
}
