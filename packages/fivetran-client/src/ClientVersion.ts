/** Sent in `User-Agent`; kept equal to package.json's version (a test checks). */
export const ClientVersion = "0.1.0"

export const UserAgent = `baton-fivetran/${ClientVersion}`
