/**
 * 1234567 as "1,234,567", what `toLocaleString("en-US")` gives, without its first call's ~20 ms of
 * loading ICU's number formatting (paid on the main thread as a sync started, while its first
 * requests waited).
 */
export const withThousands = (n: number): string => {
  const [whole = "", fraction] = String(Math.abs(n)).split(".")
  const grouped = whole.replace(/\B(?=(\d{3})+$)/g, ",")
  return `${n < 0 ? "-" : ""}${grouped}${fraction === undefined ? "" : `.${fraction}`}`
}
