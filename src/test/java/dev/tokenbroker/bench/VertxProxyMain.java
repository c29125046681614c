package dev.tokenbroker.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyRequest;
import io.vertx.httpproxy.ProxyResponse;

/**
 * Vert.x's own reverse proxy in a process of its own, doing per request what the broker's API
 * proxy does: {@code /v1/proxy/<provider>/x} becomes {@code /api/x} on the upstream, and the
 * caller's {@code Authorization} is replaced by the token's. The proxy benchmark's baseline: what
 * any proxy built on Vert.x reaches on the machine. Arguments: port, instances, upstream port,
 * Authorization value. Prints {@code listening} once it is.
 */
public final class VertxProxyMain {
  private VertxProxyMain() {}

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    int instances = Integer.parseInt(args[1]);
    int upstreamPort = Integer.parseInt(args[2]);
    String authorization = args[3];
    Vertx vertx = Vertx.vertx();
    vertx.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() {
        HttpProxy proxy = HttpProxy.reverseProxy(
            vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(64)));
        proxy.origin(upstreamPort, "127.0.0.1").addInterceptor(new ProxyInterceptor() {
          @Override
          public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
            ProxyRequest request = context.request();
            String uri = request.getURI();
            request.setURI("/api/" + uri.substring(uri.indexOf('/', "/v1/proxy/".length()) + 1));
            request.headers().set("Authorization", authorization);
            return context.sendRequest();
          }
        });
        return vertx.createHttpServer().requestHandler(proxy).listen(port, "127.0.0.1");
      }
    }, new DeploymentOptions().setInstances(instances))
        .onSuccess(id -> System.out.println("listening"))
        .onFailure(t -> {
          t.printStackTrace();
          System.exit(1);
        });
  }
}
