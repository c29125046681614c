package dev.tokenbroker.provider;

/** Where the client credentials go. */
public enum ClientAuth {
  /** client_id and client_secret as body parameters. */
  BODY,
  /** HTTP Basic (RFC 6749 section 2.3.1), client_id still omitted from the body. */
  BASIC
}
