package dev.tokenbroker.provider;


/**
 * Vendor defaults, taken from the providers' own token-endpoint documentation. Anything set
 * explicitly in the configuration wins over these.
 */
public enum Preset {
  /**
   * eSignGlobal: {@code POST {base-url}/esignglobal/v1/oauth2/accessToken}, multipart/form-data
   * with client_id, client_secret, grant_type; tokens live about 24 h; refresh tokens (code grant
   * only) 30 days. The base URL differs per data centre, so it has no default.
   */
  ESIGNGLOBAL("esignglobal", null, "/esignglobal/v1/oauth2/accessToken", null,
      GrantType.CLIENT_CREDENTIALS, BodyEncoding.MULTIPART, false, 30L * 24 * 3600, "/esignglobal/v1", null),
  /**
   * RightSignature: form-urlencoded to {@code /oauth/token}, authorize at {@code /oauth/authorize},
   * tokens live 2 h and refresh tokens rotate.
   */
  RIGHTSIGNATURE("rightsignature", "https://api.rightsignature.com", "/oauth/token", "/oauth/authorize",
      GrantType.AUTHORIZATION_CODE, BodyEncoding.FORM, true, null, null, "https://api.rightsignature.com/public/v1");

  private final String configName;
  private final String defaultBaseUrl;
  private final String tokenPath;
  private final String authorizePath;
  private final GrantType defaultGrant;
  private final BodyEncoding body;
  private final boolean rotatesRefreshTokens;
  private final Long refreshTokenLifetimeSeconds;
  /** The API's path under the base URL (the proxy's target), or null. */
  private final String apiPath;
  /** The API's own fixed base, when it does not live under the base URL, or null. */
  private final String apiBaseUrl;

  Preset(String configName, String defaultBaseUrl, String tokenPath, String authorizePath,
         GrantType defaultGrant, BodyEncoding body, boolean rotatesRefreshTokens,
         Long refreshTokenLifetimeSeconds, String apiPath, String apiBaseUrl) {
    this.apiPath = apiPath;
    this.apiBaseUrl = apiBaseUrl;
    this.configName = configName;
    this.defaultBaseUrl = defaultBaseUrl;
    this.tokenPath = tokenPath;
    this.authorizePath = authorizePath;
    this.defaultGrant = defaultGrant;
    this.body = body;
    this.rotatesRefreshTokens = rotatesRefreshTokens;
    this.refreshTokenLifetimeSeconds = refreshTokenLifetimeSeconds;
  }

  public static Preset byName(String name) {
    for (Preset p : values()) {
      if (p.configName.equals(name)) {
        return p;
      }
    }
    return null;
  }

  public String configName() {
    return configName;
  }

  public String defaultBaseUrl() {
    return defaultBaseUrl;
  }

  public String tokenUrl(String baseUrl) {
    return trimSlash(baseUrl) + tokenPath;
  }

  public String authorizeUrl(String baseUrl) {
    return authorizePath == null ? null : trimSlash(baseUrl) + authorizePath;
  }

  /**
   * Where the proxy forwards: eSignGlobal {@code {base-url}/esignglobal/v1} (null without a base
   * URL), RightSignature {@code https://api.rightsignature.com/public/v1}.
   */
  public String apiBaseUrl(String baseUrl) {
    if (apiBaseUrl != null) {
      return apiBaseUrl;
    }
    return apiPath == null || baseUrl == null ? null : trimSlash(baseUrl) + apiPath;
  }

  public GrantType defaultGrant() {
    return defaultGrant;
  }

  public BodyEncoding body() {
    return body;
  }

  public boolean rotatesRefreshTokens() {
    return rotatesRefreshTokens;
  }

  public Long refreshTokenLifetimeSeconds() {
    return refreshTokenLifetimeSeconds;
  }

  private static String trimSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
