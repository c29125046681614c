package dev.tokenbroker;

import dev.tokenbroker.bus.BusTokenEvents;
import dev.tokenbroker.bus.RefreshVerticle;
import dev.tokenbroker.bus.TokenVerticle;
import dev.tokenbroker.cluster.ClusterParts;
import dev.tokenbroker.rotation.KeyOwnership;
import dev.tokenbroker.config.BrokerConfig;
import dev.tokenbroker.config.StoreConfig;
import dev.tokenbroker.store.DurableTokenStore;
import dev.tokenbroker.store.TokenRepositories;
import dev.tokenbroker.store.TokenCipher;
import dev.tokenbroker.http.HttpBridgeVerticle;
import dev.tokenbroker.proxy.RejectionBudget;
import dev.tokenbroker.http.HttpLimits;
import dev.tokenbroker.metrics.BrokerMetrics;
import dev.tokenbroker.onboarding.BoundedStateStore;
import dev.tokenbroker.onboarding.LocalStateStore;
import dev.tokenbroker.onboarding.OnboardingService;
import dev.tokenbroker.onboarding.StateStore;
import dev.tokenbroker.provider.TokenEndpointClient;
import dev.tokenbroker.sandbox.SandboxVerticle;
import dev.tokenbroker.rotation.LocalRotationLeases;
import dev.tokenbroker.rotation.RotationLeases;
import dev.tokenbroker.token.LocalTokenStore;
import dev.tokenbroker.token.TokenPolicy;
import dev.tokenbroker.service.BrokerServices;
import dev.tokenbroker.service.ProviderCatalog;
import dev.tokenbroker.service.TokenService;
import dev.tokenbroker.token.TokenStore;
import dev.tokenbroker.token.TokenEvents;
import dev.tokenbroker.webhook.WebhookDispatcher;
import dev.tokenbroker.log.Log;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.random.RandomGenerator;

/**
 * Wires a node: validates the configuration, picks the store (the Hazelcast map when
 * clustered, a local map otherwise), creates the shared {@link TokenService} and deploys the
 * token, refresh and HTTP verticles (and the sandbox provider when configured).
 */
public final class BrokerVerticle extends VerticleBase {
  private static final Log LOG = Log.of(BrokerVerticle.class);

  private final Clock clock;
  private final RandomGenerator random;
  private final List<HttpBridgeVerticle> httpVerticles = new CopyOnWriteArrayList<>();
  private HttpLimits httpLimits;
  private BrokerServices services;
  private TokenPolicy policy;
  private TokenEndpointClient endpoint;
  private RefreshVerticle refresher;
  private TokenStore store;
  private KeyOwnership ownership = KeyOwnership.SINGLE_NODE;
  private RotationLeases leases = new LocalRotationLeases();
  private StateStore states;
  private BrokerMetrics metrics;
  private OnboardingService onboarding;
  private WebhookDispatcher webhooks;

  public BrokerVerticle() {
    this(Clock.systemUTC(), new SecureRandom());
  }

  public BrokerVerticle(Clock clock, RandomGenerator random) {
    this.clock = clock;
    this.random = random;
  }

  @Override
  public Future<?> start() {
    BrokerConfig cfg = BrokerConfig.parse(config());
    httpLimits = new HttpLimits(cfg.http().limits());
    RejectionBudget rejections = new RejectionBudget();
    return startSandbox(cfg)
        .compose(v -> createStore(cfg))
        .compose(cache -> durable(cfg.store(), cache))
        .compose(s -> {
          store = s;
          endpoint = new TokenEndpointClient(vertx, clock, cfg.providerTrustPem());
          metrics = BrokerMetrics.create().watch(store);
          webhooks = new WebhookDispatcher(vertx, clock, cfg.webhooks(), WebhookDispatcher.INITIAL_BACKOFF_MS);
          // webhooks hear events here, on the node that produced them, so each is delivered once in the cluster
          policy = new TokenPolicy(cfg.refresh(), clock, random);
          services = BrokerServices.create(new ProviderCatalog(cfg.providers()), store, leases, endpoint, policy,
              TokenEvents.all(new BusTokenEvents(vertx.eventBus()), webhooks), metrics);
          onboarding = new OnboardingService(services.providers(), services.accounts(),
              new BoundedStateStore(states, cfg.http().limits().maxPendingAuthorizations(), clock));
          List<String> providers = List.copyOf(cfg.providers().keySet());
          return vertx.deployVerticle(() -> new TokenVerticle(services.tokens(), providers),
              new DeploymentOptions().setInstances(cfg.busInstances()));
        })
        .compose(id -> {
          refresher = new RefreshVerticle(services.tokens(), services.accounts(), store, policy, ownership);
          return vertx.deployVerticle(refresher);
        })
        .compose(id -> vertx.deployVerticle(() -> {
          HttpBridgeVerticle v = new HttpBridgeVerticle(services, onboarding, metrics, cfg.http(), httpLimits, rejections,
              cfg.providerTrustPem());
          httpVerticles.add(v);
          return v;
        }, new DeploymentOptions().setInstances(cfg.http().instances())))
        .onSuccess(id -> announce(cfg));
  }

  @Override
  public Future<?> stop() {
    // child verticles (HTTP bridge, token and refresh verticles) are undeployed before stop(): no
    // rotation starts any more. Rotations already running finish first (each provider call ends at
    // its deadline): cutting one short would lose a rotating refresh token's answer.
    LOG.info("token-broker stopping: letting rotations in progress finish");
    Future<Void> drained = services == null ? Future.succeededFuture() : services.tokens().drain();
    return drained.compose(d -> {
      Future<Void> endpointClosed = endpoint == null ? Future.succeededFuture() : endpoint.close();
      Future<Void> webhooksClosed = webhooks == null ? Future.succeededFuture() : webhooks.close();
      Future<Void> leasesClosed = leases.close();
      Future<Void> storeClosed = store == null ? Future.succeededFuture() : store.close();
      return vertx.executeBlocking(() -> {
        ownership.close();
        return null;
      }).compose(v -> Future.join(leasesClosed, storeClosed, endpointClosed, webhooksClosed));
    }).onComplete(ar -> LOG.info("token-broker stopped"));
  }

  /** The node's services: providers, tokens, accounts (for tests and embedding). */
  public BrokerServices services() {
    return services;
  }

  /** The node's token service (for tests and embedding). */
  public TokenService service() {
    return services == null ? null : services.tokens();
  }

  /** The node's token store (for tests). */
  public TokenStore store() {
    return store;
  }

  /** The node's timing decisions (for tests). */
  public TokenPolicy policy() {
    return policy;
  }

  /** The node's webhook deliveries (for tests: how many are pending). */
  public WebhookDispatcher webhooks() {
    return webhooks;
  }

  /** The node's refresh verticle (for tests: which tokens this node has timers for). */
  public RefreshVerticle refresher() {
    return refresher;
  }

  /** The node's HTTP limits and what they count now (for tests). */
  public HttpLimits httpLimits() {
    return httpLimits;
  }

  /** The HTTP bridge's bound port. */
  public int httpPort() {
    return httpVerticles.isEmpty() ? -1 : httpVerticles.get(0).actualPort();
  }

  private Future<Void> startSandbox(BrokerConfig cfg) {
    if (cfg.sandbox().isEmpty()) {
      return Future.succeededFuture();
    }
    return vertx.deployVerticle(new SandboxVerticle(cfg.sandbox().get())).mapEmpty();
  }

  /** Puts the durable store in front of the cache when one is configured. */
  private Future<TokenStore> durable(StoreConfig cfg, TokenStore cache) {
    if (!cfg.durable()) {
      return Future.succeededFuture(cache);
    }
    TokenCipher cipher = cfg.encryptionKey() == null ? TokenCipher.NONE : TokenCipher.aesGcm(cfg.encryptionKey(), cfg.oldKeys());
    if (cfg.encryptionKey() == null) {
      LOG.warn("Durable token store without encryption (store.encryption: none)");
    }
    return TokenRepositories.open(vertx, cfg, cipher)
        .compose(repository -> DurableTokenStore.start(vertx, cache, repository))
        .map(store -> (TokenStore) store)
        .recover(t -> Future.failedFuture(new IllegalStateException("the durable token store (" + cfg.type() + ") cannot be opened: "
            + t.getMessage())));
  }

  private Future<TokenStore> createStore(BrokerConfig cfg) {
    if (!vertx.isClustered()) {
      states = new LocalStateStore(clock);
      return Future.succeededFuture(new LocalTokenStore());
    }
    return ClusterParts.start(vertx, clock, cfg.cluster()).map(parts -> {
      ownership = parts.ownership();
      leases = parts.leases();
      states = parts.states();
      return parts.tokens();
    });
  }

  private void announce(BrokerConfig cfg) {
    LOG.info("token-broker ready: providers " + cfg.providers().keySet() + ", HTTP on http://" + cfg.http().host()
        + ":" + httpPort() + ", store " + (vertx.isClustered() ? "Hazelcast cluster map" : "local memory"));
    if (vertx.isClustered() && cfg.cluster().minMembers() <= 1) {
      LOG.warn("cluster.min-members is 1: a node cut off from the others keeps rotating tokens on its own (a split"
          + " brain can send a rotating refresh token twice); set it to a majority of the cluster (2 of 3, 3 of 5)");
    }
    if (cfg.http().apiKeys().isEmpty()) {
      LOG.warn("No API keys are configured: every /v1 request will be refused (set http.api-keys, TOKEN_BROKER_API_KEY_SHA256 or TOKEN_BROKER_ADMIN_KEY_SHA256)");
    }
    cfg.sandbox().ifPresent(s -> {
      if (s.demoApiKey() != null) {
        String key = s.demoApiKey().reveal();
        LOG.info("Sandbox demo API key: " + key + "  (try: curl -s -H 'Authorization: Bearer " + key + "' http://"
            + cfg.http().host() + ":" + httpPort() + "/v1/tokens/" + cfg.providers().keySet().iterator().next() + ")");
      }
    });
  }
}
