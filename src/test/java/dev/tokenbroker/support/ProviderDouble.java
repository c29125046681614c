package dev.tokenbroker.support;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** WireMock playing an OAuth provider on a dynamic loopback port. */
public final class ProviderDouble implements AutoCloseable {
  public static final String ESIGNGLOBAL_PATH = "/esignglobal/v1/oauth2/accessToken";
  public static final String RIGHTSIGNATURE_PATH = "/oauth/token";

  public final WireMockServer server;

  private ProviderDouble() {
    server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1").containerThreads(20).jettyAcceptors(1));
    server.start();
  }

  public static ProviderDouble start() {
    return new ProviderDouble();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.port();
  }

  public void stub(MappingBuilder mapping) {
    server.stubFor(mapping);
  }

  public List<LoggedRequest> requests(String path) {
    return server.findAll(postRequestedFor(urlPathEqualTo(path)));
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
