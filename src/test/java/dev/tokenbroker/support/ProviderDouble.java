package dev.tokenbroker.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ScenarioMappingBuilder;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * WireMock playing an OAuth provider on a dynamic loopback port. In a test class, take it from a
 * {@link BrokerExtension} (started before each test, stopped after it); {@link #start()} is for
 * code that runs outside JUnit's lifecycle (the benchmarks).
 */
public final class ProviderDouble implements AutoCloseable {
  public static final String ESIGNGLOBAL_PATH = "/esignglobal/v1/oauth2/accessToken";
  public static final String RIGHTSIGNATURE_PATH = "/oauth/token";

  public final WireMockServer server;

  private ProviderDouble() {
    server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1").containerThreads(20).jettyAcceptors(1));
  }

  /** A started double, to close by the caller. */
  public static ProviderDouble start() {
    ProviderDouble provider = new ProviderDouble();
    provider.server.start();
    return provider;
  }

  /** A double {@link BrokerExtension} starts before each test. */
  static ProviderDouble notStarted() {
    return new ProviderDouble();
  }

  void begin() {
    server.start();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.port();
  }

  public void stub(MappingBuilder mapping) {
    server.stubFor(mapping);
  }

  /**
   * Answers the n-th call to {@code path} with a new random access token valid for
   * {@code lifetimes[n]} seconds, and every call after the last one like the last one (a WireMock
   * scenario: stubs that move it from state to state). Short lifetimes then a long one make
   * scheduled renewals stop at a known version.
   */
  public void stubLifetimes(String path, long... lifetimes) {
    String scenario = "lifetimes of " + path;
    for (int i = 0; i < lifetimes.length; i++) {
      ScenarioMappingBuilder answer = post(urlPathEqualTo(path)).inScenario(scenario)
          .whenScenarioStateIs(i == 0 ? Scenario.STARTED : "answered " + i)
          .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withTransformers("response-template")
              .withBody("{\"access_token\":\"t" + (i + 1) + "-{{randomValue length=10 type='ALPHANUMERIC'}}\",\"expires_in\":"
                  + lifetimes[i] + ",\"token_type\":\"bearer\"}"));
      stub(i < lifetimes.length - 1 ? answer.willSetStateTo("answered " + (i + 1)) : answer);
    }
  }

  /** The requests to {@code path}, oldest first. */
  public List<LoggedRequest> requests(String path) {
    return server.findAll(postRequestedFor(urlPathEqualTo(path)));
  }

  /** The calls to {@code path} with the answers they got, oldest first. */
  public List<ServeEvent> exchanges(String path) {
    return server.getAllServeEvents().stream().filter(e -> path.equals(e.getRequest().getUrl().split("\\?")[0]))
        .sorted(Comparator.comparing(e -> e.getRequest().getLoggedDate())).toList();
  }

  /** The refresh tokens sent to {@code path} with the refresh_token grant, oldest first. */
  public List<String> refreshTokensSent(String path) {
    return requests(path).stream().map(ProviderDouble::params)
        .filter(p -> "refresh_token".equals(p.get("grant_type"))).map(p -> p.get("refresh_token")).toList();
  }

  public int calls(String path) {
    return requests(path).size();
  }

  /** The parameters of a request, whether sent as multipart or as a form. */
  public static Map<String, String> params(LoggedRequest request) {
    Map<String, String> out = new LinkedHashMap<>();
    if (request.isMultipart()) {
      for (Request.Part part : request.getParts()) {
        out.put(part.getName(), part.getBody().asString());
      }
    } else {
      request.formParameters().forEach((k, v) -> out.put(k, v.firstValue()));
    }
    return out;
  }

  @Override
  public void close() {
    server.stop();
  }
}
