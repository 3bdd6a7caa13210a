/** What every group-users page filter must agree with: parse everything, then keep the items holding a group role. */
export const parsedThenFiltered = (text: string): unknown => {
  const body = JSON.parse(text) as { data: { items: Array<unknown> } }
  const holdsRole = (row: unknown) =>
    typeof row === "object" && row !== null && !Array.isArray(row) && "role" in row && row.role !== null &&
    row.role !== ""
  return { ...body, data: { ...body.data, items: body.data.items.filter(holdsRole) } }
}
