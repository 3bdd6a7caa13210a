/**
 * CSV as RFC 4180 writes it: CRLF after every record, a field quoted when it holds a comma, a
 * quote, CR or LF, and quotes inside doubled. A field that a spreadsheet would run as a formula
 * (it starts with =, +, -, @, tab, CR or NUL) gets a leading `'`, as OWASP advises against CSV
 * injection: a reviewer opens the sheet, and names and emails come from the Fivetran account.
 * A field holding a semicolon is quoted too: a spreadsheet whose locale separates by semicolons
 * (Excel in much of Europe) would otherwise start a cell after it, where `x;=1+1` runs `=1+1`.
 * Every other value is written as it is, so the sheet parses back to the rows: a line break,
 * quoted, stays inside its cell, and a bidi override reorders only its own cell. The one cell that
 * joins two names, a diff grant's `name`, escapes them (SyncDiff.ts).
 */

const needsQuotes = /[",;\r\n]/

const formulaStart = /^[=+\-@\t\r\0]/

export const csvField = (value: string): string => {
  const text = formulaStart.test(value) ? `'${value}` : value
  return needsQuotes.test(text) ? `"${text.replaceAll("\"", "\"\"")}"` : text
}

export const csvRecord = (fields: ReadonlyArray<string>): string => `${fields.map(csvField).join(",")}\r\n`
