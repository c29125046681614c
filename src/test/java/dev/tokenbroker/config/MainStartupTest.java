package dev.tokenbroker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starts the real entry point in a child JVM: bad configuration ends it with one line and exit code 2. */
class MainStartupTest {

  @Test
  void invalidConfigurationStopsTheProcessWithOneLineNamingTheKey(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("bad.yaml");
    Files.writeString(conf, """
        providers:
          esignglobal:
            preset: esignglobal
            client-id: abc
            client-secret: def
        """);
    Result r = run(conf.toString());
    assertEquals(2, r.exit);
    assertEquals(List.of("token-broker: invalid configuration: providers.esignglobal.base-url: is required for preset "
        + "esignglobal (it differs per data centre), or set token-url"), r.stderr);
  }

  @Test
  void aMisspeltKeyStopsTheProcessNamingTheClosestKnownKey(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("typo.yaml");
    Files.writeString(conf, """
        refresh:
          skew-second: 60
        providers:
          esignglobal:
            preset: esignglobal
            base-url: https://openapi.example.com
            client-id: abc
            client-secret: def
        """);
    Result r = run(conf.toString());
    assertEquals(2, r.exit);
    assertEquals(List.of("token-broker: invalid configuration: refresh.skew-second: unknown key; did you mean skew-seconds?"), r.stderr);
  }

  @Test
  void unreadableYamlIsReportedWithThePath(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("broken.yaml");
    Files.writeString(conf, "providers: [unclosed\n");
    Result r = run(conf.toString());
    assertEquals(2, r.exit);
    assertEquals(1, r.stderr.size(), r.stderr.toString());
    assertTrue(r.stderr.get(0).startsWith("token-broker: invalid configuration: " + conf + ": cannot read the configuration file"),
        r.stderr.get(0));
  }

  @Test
  void aBusyPortStopsTheProcessWithOneLineNamingThePortAndItsKey(@TempDir Path dir) throws Exception {
    try (java.net.ServerSocket busy = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
      Path conf = dir.resolve("busy.yaml");
      Files.writeString(conf, """
          http:
            host: 127.0.0.1
            port: %d
          providers:
            esignglobal:
              preset: esignglobal
              base-url: https://openapi.example.com
              client-id: abc
              client-secret: def
          """.formatted(busy.getLocalPort()));
      Result r = run(conf.toString());
      assertEquals(2, r.exit);
      assertEquals(1, r.stderr.size(), r.stderr.toString());
      assertTrue(r.stderr.get(0).startsWith("token-broker: cannot start: http.port: 127.0.0.1:" + busy.getLocalPort()
          + " is already in use"), r.stderr.get(0));
    }
  }

  /** A start-up failure past configuration: one line, exit 2, no stack trace and no launcher report. */
  @Test
  void aDatabaseThatNeverAnswersStopsTheProcessWithOneLineSayingWhy(@TempDir Path dir) throws Exception {
    try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
      Thread acceptor = new Thread(() -> {
        List<java.net.Socket> held = new java.util.ArrayList<>();
        try {
          while (true) {
            held.add(silent.accept()); // accepted, never answered
          }
        } catch (java.io.IOException closed) {
          held.forEach(socket -> {
            try {
              socket.close();
            } catch (java.io.IOException ignored) {
              // closing anyway
            }
          });
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      Path conf = dir.resolve("silent-db.yaml");
      Files.writeString(conf, """
          http:
            host: 127.0.0.1
            port: 0
          store:
            type: postgres
            url: postgresql://127.0.0.1:%d/tokenbroker
            user: broker
            password: secret
            encryption: none
            connect-timeout-seconds: 1
            query-timeout-seconds: 1
          providers:
            esignglobal:
              preset: esignglobal
              base-url: https://openapi.example.com
              client-id: abc
              client-secret: def
          """.formatted(silent.getLocalPort()));
      Result r = run(conf.toString());
      assertEquals(2, r.exit, r.stderr.toString());
      List<String> ours = r.stderr.stream().filter(l -> l.startsWith("token-broker:")).toList();
      assertEquals(1, ours.size(), r.stderr.toString());
      assertTrue(ours.get(0).startsWith("token-broker: could not start: the durable token store (POSTGRES) cannot be opened"),
          ours.get(0));
      assertTrue(r.stderr.stream().noneMatch(l -> l.startsWith("\tat ") || l.contains("Failed in deploying")), r.stderr.toString());
      assertTrue(r.stderr.stream().noneMatch(l -> l.contains("secret")), "no password in the output");
    }
  }

  private record Result(int exit, List<String> stderr) {}

  private static Result run(String confPath) throws Exception {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    // the jar's classpath: without the test-only libraries (embedded PostgreSQL brings SLF4J, which
    // would print its own start-up warning)
    String classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !entry.contains("slf4j") && !entry.contains("zonky"))
        .collect(Collectors.joining(File.pathSeparator));
    Process p = new ProcessBuilder(java, "-cp", classpath, "dev.tokenbroker.Main", "-conf", confPath)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the broker did not exit on bad configuration");
    }
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(p.exitValue(), err.lines().filter(l -> !l.isBlank()).toList());
  }
}
