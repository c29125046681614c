package dev.tokenbroker.error;

/** The failure codes of the contract: HTTP-like status plus the OAuth-style error name. */
public enum ErrorCode {
  INVALID_REQUEST(400, "invalid_request"),
  AUTHORIZATION_REQUIRED(401, "authorization_required"),
  /** The API key's providers, accounts or actions do not cover the request; nothing happened. */
  FORBIDDEN(403, "forbidden"),
  UNKNOWN_PROVIDER(404, "unknown_provider"),
  /** A client_credentials provider has no such account configured: no provider call, nothing stored. */
  UNKNOWN_ACCOUNT(404, "unknown_account"),
  /** A body over a limit (the proxy's http.proxy-max-body-bytes). */
  REQUEST_TOO_LARGE(413, "request_too_large"),
  RATE_LIMITED(429, "rate_limited"),
  INTERNAL_ERROR(500, "internal_error"),
  PROVIDER_ERROR(502, "provider_error"),
  PROVIDER_UNAVAILABLE(503, "provider_unavailable"),
  /** The proxy could not reach the provider's API (connection refused, reset, TLS failure). */
  UPSTREAM_UNAVAILABLE(502, "upstream_unavailable"),
  /** The provider's API did not answer within providers.<p>.proxy-timeout-seconds. */
  UPSTREAM_TIMEOUT(504, "upstream_timeout"),
  /** A limit of this node is reached (event streams, pending authorizations); retry_after says when to try again. */
  OVERLOADED(503, "overloaded");

  private final int status;
  private final String error;

  ErrorCode(int status, String error) {
    this.status = status;
    this.error = error;
  }

  public int status() {
    return status;
  }

  public String error() {
    return error;
  }
}
