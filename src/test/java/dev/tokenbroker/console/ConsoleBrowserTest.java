package dev.tokenbroker.console;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.Http;
import dev.tokenbroker.support.MutableClock;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.TestConfigs;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operator console in a real browser: headless Chromium from the Debian packages, driven by
 * Selenium through {@code /usr/bin/chromedriver} (never a downloaded driver), against a broker in
 * this JVM whose providers are WireMock doubles. Skipped when Chromium or its driver is not
 * installed ({@code .ci/run} installs both). Screenshots go to {@code target/console/}.
 */
class ConsoleBrowserTest {
  /** Debian's packages put them here; -Dtokenbroker.chromium= / -Dtokenbroker.chromedriver= name others. */
  private static final Path CHROMIUM = Path.of(System.getProperty("tokenbroker.chromium", "/usr/bin/chromium"));
  private static final Path CHROMEDRIVER = Path.of(System.getProperty("tokenbroker.chromedriver", "/usr/bin/chromedriver"));
  private static final Path SHOTS = Path.of("target", "console");
  private static final String RS_TOKEN = ProviderDouble.RIGHTSIGNATURE_PATH;
  private static final Duration PATIENCE = Duration.ofSeconds(20);
  /** A valid key without the admin action. */
  private static final String READER_KEY = "reader-key-789";

  @RegisterExtension final BrokerExtension broker = new BrokerExtension();
  private final ProviderDouble provider = broker.provider();
  private BrokerNode node;
  private Http http;
  private WebDriver browser;
  private WebDriverWait wait;
  private String base;

  @BeforeEach
  void start() throws IOException {
    // reported as skipped, not failed, where the browser is not installed
    assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "needs the Debian packages chromium and chromium-driver (" + CHROMIUM + ", " + CHROMEDRIVER + ")");
    stubProvider();
    int port = freePort();
    base = "http://127.0.0.1:" + port;
    JsonObject rightsignature = TestConfigs.rightsignature(provider.baseUrl())
        .put("redirect-uri", base + "/v1/oauth/rightsignature/callback").put("timeout-seconds", 10);
    // a browser starting on two shared cores can slow the double's first answers: a generous timeout
    JsonObject esignglobal = TestConfigs.esignglobal(provider.baseUrl()).put("timeout-seconds", 10)
        .put("accounts", new JsonObject().put("eu-tenant", new JsonObject().put("client-id", "eu-id").put("client-secret", "eu-secret")));
    JsonObject config = TestConfigs.broker(new JsonObject().put("rightsignature", rightsignature).put("esignglobal", esignglobal));
    config.getJsonObject("http").put("port", port).getJsonArray("api-keys").add(new JsonObject().put("name", "reader")
        .put("sha256", Secret.sha256Hex(READER_KEY)).put("actions", new JsonArray().add("read").add("events")));
    node = broker.start(config, MutableClock.startingNow());
    http = broker.http(node);
    browser = startBrowser();
    wait = new WebDriverWait(browser, PATIENCE, Duration.ofMillis(100));
    Files.createDirectories(SHOTS);
  }

  @AfterEach
  void stop() throws IOException {
    if (browser != null) {
      // what the browser showed last, to read when a step failed
      Files.writeString(SHOTS.resolve("last.html"), browser.getPageSource());
      screenshot("last");
      browser.quit();
    }
  }

  /**
   * The provider double: RightSignature's authorize page sends the browser straight back to the
   * broker's callback with a code; the token endpoint answers every grant with fresh tokens, except
   * the refresh token of initech, which it no longer accepts.
   */
  private void stubProvider() {
    provider.stub(get(urlPathEqualTo("/oauth/authorize")).willReturn(aResponse().withStatus(302)
        .withHeader("Location", "{{request.query.redirect_uri}}?code=code-from-console&state={{urlEncode request.query.state}}")
        .withTransformers("response-template")));
    String fresh = "{\"access_token\":\"at-{{randomValue length=12 type='ALPHANUMERIC'}}\",\"token_type\":\"bearer\","
        + "\"expires_in\":7200,\"refresh_token\":\"rt-{{randomValue length=12 type='ALPHANUMERIC'}}\",\"scope\":\"read write\"}";
    provider.stub(post(urlPathEqualTo(RS_TOKEN)).atPriority(5).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "application/json").withBody(fresh).withTransformers("response-template")));
    provider.stub(post(urlPathEqualTo(RS_TOKEN)).atPriority(1).withRequestBody(containing("code=code-initech"))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
            .withBody("{\"access_token\":\"at-initech\",\"token_type\":\"bearer\",\"expires_in\":7200,\"refresh_token\":\"rt-initech\"}")));
    provider.stub(post(urlPathEqualTo(RS_TOKEN)).atPriority(1).withRequestBody(containing("refresh_token=rt-initech"))
        .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
            .withBody("{\"error\":\"invalid_grant\",\"error_description\":\"the refresh token was revoked by the user\"}")));
    provider.stub(post(urlPathEqualTo(ProviderDouble.ESIGNGLOBAL_PATH)).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "application/json")
        .withBody("{\"access_token\":\"esg-{{randomValue length=12 type='ALPHANUMERIC'}}\",\"token_type\":\"bearer\",\"expires_in\":86398}")
        .withTransformers("response-template")));
  }

  private static WebDriver startBrowser() throws IOException {
    // Selenium Manager must never fetch a driver or a browser: both are named explicitly, so it is not
    // called; should it ever be, SE_* system properties reach it as its environment: offline
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    System.setProperty("SE_OFFLINE", "true");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toString());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
        "--window-size=1440,900", "--force-device-scale-factor=1", "--lang=en-US",
        "--user-data-dir=" + Files.createTempDirectory("console-chromium").toAbsolutePath());
    // the page's console messages, where a Content-Security-Policy violation or a script error shows
    options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
    return new ChromeDriver(service, options);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** Onboards an account the way a person would, but over plain HTTP: authorize, then the callback with the provider's code. */
  private void connectOverHttp(String account) {
    String url = http.post("/v1/oauth/rightsignature/authorize?account=" + account).bodyAsJsonObject().getString("authorize_url");
    String state = Http.query(url).get("state");
    HttpResponse<Buffer> page = http.send(io.vertx.core.http.HttpMethod.GET,
        "/v1/oauth/rightsignature/callback?code=code-" + account + "&state=" + Http.encode(state), null);
    assertEquals(200, page.statusCode(), page.bodyAsString());
  }

  private By row(String provider, String account) {
    return By.cssSelector("tr.account[data-provider='" + provider + "'][data-account='" + account + "']");
  }

  private String cell(String provider, String account, String column) {
    return browser.findElement(row(provider, account)).findElement(By.cssSelector("td." + column)).getText();
  }

  private void waitForCell(String provider, String account, String column, String text) {
    wait.withMessage(() -> provider + "/" + account + " " + column + " to read '" + text + "'")
        .until(d -> {
          List<WebElement> rows = d.findElements(row(provider, account));
          return !rows.isEmpty() && rows.get(0).findElement(By.cssSelector("td." + column)).getText().contains(text);
        });
  }

  private void screenshot(String name) throws IOException {
    Files.write(SHOTS.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
  }

  private Object js(String script) {
    return ((JavascriptExecutor) browser).executeScript(script);
  }

  private Set<String> storedAccounts() {
    JsonArray list = new JsonArray(http.get("/v1/tokens").bodyAsString());
    return list.stream().map(o -> ((JsonObject) o).getString("provider") + "/" + ((JsonObject) o).getString("account"))
        .collect(java.util.stream.Collectors.toSet());
  }

  @Test
  void anOperatorSignsInConnectsWatchesARefreshLiveAndDisconnects() throws IOException {
    // accounts that exist before the operator looks: one client-credentials token, two authorized accounts, one of them broken
    assertEquals(200, http.get("/v1/tokens/esignglobal").statusCode());
    connectOverHttp("globex");
    connectOverHttp("initech");
    assertEquals(401, http.post("/v1/tokens/rightsignature/refresh?account=initech").statusCode(),
        "the provider refuses initech's refresh token");

    // signing in: a wrong key is refused in words, the right one shows the accounts
    browser.get(base + "/console");
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("api-key"))).sendKeys("not-the-key");
    browser.findElement(By.id("sign-in-button")).click();
    WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("sign-in-error")));
    assertTrue(error.getText().contains("not accepted"), error.getText());
    screenshot("1-sign-in-refused");
    browser.findElement(By.id("api-key")).sendKeys(READER_KEY);
    browser.findElement(By.id("sign-in-button")).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("sign-in-error"), "valid but may not do this"));
    assertTrue(browser.findElement(By.id("sign-in-error")).getText().contains("admin"), browser.findElement(By.id("sign-in-error")).getText());
    assertEquals(null, js("return sessionStorage.getItem('token-broker.console.key')"), "a refused key is not kept");
    browser.findElement(By.id("api-key")).sendKeys(TestConfigs.API_KEY);
    browser.findElement(By.id("sign-in-button")).click();

    waitForCell("rightsignature", "globex", "col-state", "Valid");
    waitForCell("rightsignature", "initech", "col-state", "Authorization required");
    assertTrue(cell("rightsignature", "initech", "col-error").contains("the refresh token was revoked by the user"),
        cell("rightsignature", "initech", "col-error"));
    waitForCell("esignglobal", "default", "col-state", "Valid");
    waitForCell("esignglobal", "eu-tenant", "col-state", "No token yet");
    assertEquals("v1", cell("rightsignature", "globex", "col-version"));
    assertTrue(cell("rightsignature", "globex", "col-left").matches("(?s)(1 h 59 min|2 h 00 min) left.*"),
        "time left from expires_at: " + cell("rightsignature", "globex", "col-left"));
    wait.until(ExpectedConditions.textToBe(By.id("live-text"), "Live"));
    assertEquals(TestConfigs.API_KEY, js("return sessionStorage.getItem('token-broker.console.key')"));
    assertEquals(0L, js("return localStorage.length"), "the key is kept in sessionStorage only");
    assertEquals("", js("return document.cookie"));
    js("window.consoleNeverReloaded = true");
    screenshot("2-accounts");

    // connecting a new account: the console asks for an authorize URL, the provider sends the browser back to the callback
    browser.findElement(By.id("connect")).click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("connect-account"))).sendKeys("acme");
    new Select(browser.findElement(By.id("connect-provider"))).selectByValue("rightsignature");
    browser.findElement(By.id("connect-submit")).click();
    WebElement open = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("connect-open")));
    String authorizeUrl = open.getAttribute("href");
    assertTrue(authorizeUrl.startsWith(provider.baseUrl() + "/oauth/authorize?"), authorizeUrl);
    screenshot("3-connect-link");
    String console = browser.getWindowHandle();
    open.click();
    wait.until(d -> d.getWindowHandles().size() == 2);
    String providerTab = browser.getWindowHandles().stream().filter(h -> !h.equals(console)).findFirst().orElseThrow();
    browser.switchTo().window(providerTab);
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), "Account acme is connected to rightsignature"));
    browser.close();
    browser.switchTo().window(console);
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("connect-done"), "acme is connected to rightsignature"));
    Map<String, String> exchange = ProviderDouble.params(provider.requests(RS_TOKEN).get(provider.calls(RS_TOKEN) - 1));
    assertEquals("authorization_code", exchange.get("grant_type"));
    assertEquals("code-from-console", exchange.get("code"), "the code the provider gave the browser reached the token endpoint");
    browser.findElement(By.id("connect-cancel")).click();
    waitForCell("rightsignature", "acme", "col-state", "Valid");
    waitForCell("rightsignature", "acme", "col-version", "v1");

    // a refresh forced elsewhere (the event bus) changes the row live, without reloading the page
    int calls = provider.calls(RS_TOKEN);
    assertEquals(2L, node.request("token.refresh.rightsignature", new JsonObject().put("account", "acme")).getLong("version"));
    waitForCell("rightsignature", "acme", "col-version", "v2");
    assertEquals(calls + 1, provider.calls(RS_TOKEN));
    assertEquals(Boolean.TRUE, js("return window.consoleNeverReloaded === true"), "the page was not reloaded");
    screenshot("4-refreshed-live");

    // refresh now, from the console
    browser.findElement(row("rightsignature", "acme")).findElement(By.cssSelector("button[data-action='refresh']")).click();
    waitForCell("rightsignature", "acme", "col-version", "v3");
    assertEquals(calls + 2, provider.calls(RS_TOKEN));
    assertEquals("refresh_token", ProviderDouble.params(provider.requests(RS_TOKEN).get(calls + 1)).get("grant_type"));

    // filters: by state, then cleared
    new Select(browser.findElement(By.id("filter-state"))).selectByValue("authorization_required");
    wait.until(d -> d.findElements(By.cssSelector("tr.account")).size() == 1);
    assertEquals("initech", browser.findElement(By.cssSelector("tr.account")).getAttribute("data-account"));
    browser.findElement(By.id("clear-filters")).click();
    wait.until(d -> d.findElements(By.cssSelector("tr.account")).size() == 5);
    js("document.querySelectorAll('tr.flash').forEach(r => r.classList.remove('flash'))");
    screenshot("overview");

    // disconnecting asks first, then the row goes and the broker forgets the token
    browser.findElement(row("rightsignature", "acme")).findElement(By.cssSelector("button[data-action='disconnect']")).click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("disconnect-confirm")));
    assertTrue(browser.findElement(By.id("disconnect-text")).getText().contains("acme"));
    screenshot("5-disconnect-confirm");
    assertTrue(storedAccounts().contains("rightsignature/acme"), "nothing is deleted before the operator confirms");
    browser.findElement(By.id("disconnect-confirm")).click();
    wait.until(ExpectedConditions.invisibilityOfElementLocated(row("rightsignature", "acme")));
    assertFalse(storedAccounts().contains("rightsignature/acme"));
    assertEquals(null, Await.result(node.store().load(new TokenKey("rightsignature", "acme"))));
    assertTrue(storedAccounts().contains("rightsignature/globex"), "the other accounts stay");
    screenshot("6-disconnected");

    // a failure elsewhere shows live too: the provider now refuses globex's refresh token
    provider.stub(post(urlPathEqualTo(RS_TOKEN)).atPriority(0).withRequestBody(containing("grant_type=refresh_token"))
        .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
            .withBody("{\"error\":\"invalid_grant\",\"error_description\":\"globex revoked the app\"}")));
    node.requestFailure("token.refresh.rightsignature", new JsonObject().put("account", "globex"));
    waitForCell("rightsignature", "globex", "col-state", "Authorization required");
    waitForCell("rightsignature", "globex", "col-error", "globex revoked the app");
    assertEquals("v1", cell("rightsignature", "globex", "col-version"), "a failure keeps the stored version");
    screenshot("7-failed-live");
    assertEquals(Boolean.TRUE, js("return window.consoleNeverReloaded === true"));
    List<String> errors = pageErrors();
    assertTrue(errors.stream().anyMatch(m -> m.contains("status of 401")), "the refused sign-in is in the page's log: " + errors);
    assertEquals(List.of(), errors.stream().filter(m -> !m.contains("status of 401") && !m.contains("status of 403")).toList(),
        "no script error, no Content-Security-Policy violation");
    // the policy is in force in the browser: a string cannot become HTML (Trusted Types)
    assertEquals("TypeError", js("try { document.createElement('div').innerHTML = '<b>x</b>'; return 'allowed'; } catch (e) { return e.name; }"));
  }

  /**
   * The broker pages the list ({@code GET /v1/tokens?limit=&cursor=}, the next page named in
   * {@code Token-Broker-Next-Cursor}): the page's API module follows the cursor to the last page.
   * Five accounts in pages of two, against this broker.
   */
  @Test
  void theConsoleFollowsTheListsCursorToTheLastPage() {
    assertEquals(200, http.get("/v1/tokens/esignglobal").statusCode());
    assertEquals(200, http.get("/v1/tokens/esignglobal?account=eu-tenant").statusCode());
    for (String account : List.of("acme", "globex", "hooli")) {
      Await.result(node.accounts().authorize(new TokenKey("rightsignature", account), Secret.of("code-" + account), null));
    }
    browser.get(base + "/console/");
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("api-key")));
    Object result = ((JavascriptExecutor) browser).executeAsyncScript(String.join("\n",
        "const done = arguments[arguments.length - 1];",
        "const key = arguments[0];",
        "import('/console/api.js').then(async ({ Api }) => {",
        "  const asked = [];",
        "  const realFetch = window.fetch;",
        "  window.fetch = (url, init) => { asked.push(url); return realFetch(url, init); };",
        "  const list = await new Api(key).tokens(2);",
        "  done(JSON.stringify({ asked, accounts: list.tokens.map(t => t.provider + ':' + t.account), complete: list.complete }));",
        "}).catch(e => done('failed: ' + e));"), TestConfigs.API_KEY);
    JsonObject answer = new JsonObject(String.valueOf(result));
    assertEquals(3, answer.getJsonArray("asked").size(), answer.encode());
    assertTrue(answer.getJsonArray("asked").getString(1).contains("cursor="), answer.encode());
    assertEquals(new JsonArray().add("esignglobal:default").add("esignglobal:eu-tenant").add("rightsignature:acme")
        .add("rightsignature:globex").add("rightsignature:hooli"), answer.getJsonArray("accounts"));
    assertTrue(answer.getBoolean("complete"));
  }

  /** The errors in the page's console (script errors, CSP violations, failed requests). */
  private List<String> pageErrors() {
    return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::getMessage)
        .toList();
  }
}
