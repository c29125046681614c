package dev.tokenbroker.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An embedded PostgreSQL (the zonky binaries) on a fixed port and data directory, so that it can
 * be stopped and started again with its data (an outage), or paused with SIGSTOP (a database that
 * accepts connections but never answers).
 */
final class EmbeddedPg implements AutoCloseable {
  private final Path data;
  private final int port;
  private EmbeddedPostgres pg;

  EmbeddedPg(Path data) throws IOException {
    this.data = data;
    this.pg = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).start();
    this.port = pg.getPort();
  }

  int port() {
    return port;
  }

  EmbeddedPostgres server() {
    return pg;
  }

  JsonObject storeConfig(String key) {
    return new JsonObject().put("type", "postgres").put("url", "postgresql://127.0.0.1:" + port + "/postgres")
        .put("user", "postgres").put("password", "unused").put("encryption-key", key)
        .put("query-timeout-seconds", 2).put("connect-timeout-seconds", 5); // a first connection on a loaded machine can take seconds
  }

  void stop() throws IOException {
    pg.close();
    pg = null;
  }

  void restart() throws IOException {
    pg = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port).start();
  }

  /** SIGSTOP (pause) or SIGCONT (resume) to the postmaster and every backend. */
  void signal(String signal) throws IOException, InterruptedException {
    long postmaster = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
    List<Long> pids = new ArrayList<>();
    pids.add(postmaster);
    ProcessHandle.of(postmaster).ifPresent(p -> p.descendants().forEach(d -> pids.add(d.pid())));
    List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
    pids.forEach(p -> command.add(Long.toString(p)));
    Process kill = new ProcessBuilder(command).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IOException("kill -" + signal + " failed for " + pids);
    }
  }

  @Override
  public void close() throws IOException {
    if (pg != null) {
      pg.close();
    }
  }
}
