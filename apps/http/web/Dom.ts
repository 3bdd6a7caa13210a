/** A few DOM helpers: elements are built, never parsed from strings, so no value can inject markup. */

export type Child = Node | string

export const el = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Readonly<Record<string, string>> = {},
  ...children: ReadonlyArray<Child>
): HTMLElementTagNameMap[K] => {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value)
  element.append(...children)
  return element
}

/**
 * Text from the Fivetran account (a name, an email, an id holding a role's name), isolated from the
 * text around it: a right-to-left override or letters in a name reorder that name only. Run on with
 * its neighbours, a name ending in U+202E showed the email and id after it backwards, so a user could
 * show a reviewer another address than theirs.
 */
export const isolated = (text: string) => el("bdi", {}, text)

export const byId = <E extends HTMLElement>(id: string): E => {
  const element = document.getElementById(id)
  if (element === null) throw new Error(`the page has no #${id}`)
  return element as E
}

/**
 * A word this long (an id, a name without spaces) may be broken anywhere in a table cell. An email
 * breaks after its `@` already (a `<wbr>`): its halves are the words measured.
 */
const longWord = /[^\s@]{18,}/

/**
 * A table cell. One holding a long word may break it anywhere (explorer.css's `.breakable`), so that
 * its column can shrink: one unbroken 200-character name pushed Email, Status and How out of a
 * 1280-pixel window's panel, and three words of 16-24 characters in one row (a name, an id, a team
 * id) did so too. Only such cells: allowed everywhere, short words ("enabled") broke as well once the
 * table was squeezed.
 */
export const cell = (content: Child) =>
  el("td", longWord.test(typeof content === "string" ? content : content.textContent ?? "") ? { class: "breakable" } : {}, content)

/** A table with a caption (read by screen readers, not shown: the heading above says it) and a header row; `cells` may be text or nodes (links). */
export const table = (
  testId: string,
  caption: string,
  headers: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<Child>>
) =>
  el(
    "table",
    { "data-testid": testId },
    el("caption", { class: "visually-hidden" }, caption),
    el("thead", {}, el("tr", {}, ...headers.map((header) => el("th", { scope: "col" }, header)))),
    el("tbody", {}, ...rows.map((cells) => el("tr", {}, ...cells.map(cell))))
  )

/**
 * A link to a view of the page (`#principal=…`): a link, since it goes somewhere (a screen reader
 * says so, and it opens in a new tab). Following the link already open shows its view again
 * (`again`), as there is no hashchange to do it.
 */
export const link = (
  content: ReadonlyArray<Child>,
  hash: string,
  again: () => void,
  attributes: Readonly<Record<string, string>> = {}
) => {
  const anchor = el("a", { href: hash, class: "link", ...attributes }, ...content)
  anchor.addEventListener("click", (event) => {
    // Another hash, or opened in a new tab or window: the browser does it.
    if (location.hash !== hash || event.ctrlKey || event.metaKey || event.shiftKey) return
    event.preventDefault()
    again()
  })
  return anchor
}
