/**
 * Text bound for a log line, a span or a log record, with every email address in it replaced by
 * `<email>`. Logs and traces go to shared stores kept for long and read by many, where a person's
 * address is personal data that the sync file, the review sheets and the answers to the caller who
 * sent it hold already; an id (`user:violet_reef`) identifies without it. The addresses come from
 * what a caller gave (an invitation's email, an email given where an id belongs, a query's path)
 * and from Fivetran's own messages, which quote them ("A user with email '...' already exists").
 */

export const EmailPlaceholder = "<email>"

/**
 * An address as it appears in running text: no whitespace, quote, bracket or separator around its
 * '@' (written `%40` in a percent-encoded path), and a dot in its domain. Bounded parts keep a long
 * line from backtracking.
 */
const EmailInText =
  /[^\s@"'`<>()[\]{},;:/?#=&|]{1,256}(?:@|%40)[^\s@"'`<>()[\]{},;:/?#=&|.]{1,253}(?:\.[^\s@"'`<>()[\]{},;:/?#=&|.]{1,63})+/gi

/** `text` with every email address in it replaced by `<email>`. */
export const withoutEmails = (text: string): string =>
  text.includes("@") || /%40/i.test(text) ? text.replace(EmailInText, EmailPlaceholder) : text
