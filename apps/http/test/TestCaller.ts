/**
 * The `caller` the service logs for the harness's TestToken (Harness.ts), as an operator computes it:
 * `printf %s test-token-for-the-http-service | sha256sum | cut -c1-12`.
 */
export const TestCaller = "token:0ef6f163eb57"
