package dev.tokenbroker.provider;

/** How the token request's parameters are sent. */
public enum BodyEncoding {
  /** multipart/form-data (eSignGlobal). */
  MULTIPART,
  /** application/x-www-form-urlencoded (RFC 6749, RightSignature). */
  FORM,
  /** application/json. */
  JSON
}
