/** The rows a listing prints with `-o json`: one JSON object a line, its values strings. */
export const jsonRows = (stdout: string): ReadonlyArray<Record<string, string>> =>
  stdout.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as Record<string, string>)
