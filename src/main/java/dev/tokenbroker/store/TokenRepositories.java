package dev.tokenbroker.store;

import dev.tokenbroker.config.StoreConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.sql.DriverManager;
import java.util.Properties;

/** Opens the repository a durable store configuration names. */
public final class TokenRepositories {
  private TokenRepositories() {
  }

  public static Future<TokenRepository> open(Vertx vertx, StoreConfig cfg, TokenCipher cipher) {
    return switch (cfg.type()) {
      case POSTGRES -> PgTokenRepository.open(vertx, cfg, cipher).map(r -> (TokenRepository) r);
      case FILE -> {
        Properties props = new Properties();
        if (cfg.user() != null) {
          props.setProperty("user", cfg.user());
        }
        if (cfg.password() != null) {
          props.setProperty("password", cfg.password().reveal());
        }
        yield H2TokenRepository.open(vertx, () -> DriverManager.getConnection(cfg.jdbcUrl(), props), cipher,
            cfg.limits().queryTimeoutMs()).map(r -> (TokenRepository) r);
      }
      case MEMORY -> Future.failedFuture(new IllegalArgumentException("the memory store has no repository"));
    };
  }
}
