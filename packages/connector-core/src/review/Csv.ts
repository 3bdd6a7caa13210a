/**
 * CSV as RFC 4180 writes it: CRLF after every record, a field quoted when it holds a comma, a
 * quote, CR or LF, and quotes inside doubled. Values are written as they are (no formula
 * escaping), so the sheet parses back to exactly the rows.
 */

const needsQuotes = /[",\r\n]/

export const csvField = (value: string): string => needsQuotes.test(value) ? `"${value.replaceAll("\"", "\"\"")}"` : value

export const csvRecord = (fields: ReadonlyArray<string>): string => `${fields.map(csvField).join(",")}\r\n`
