package dev.tokenbroker.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The client speaks the bus contract only: its classes name no broker class ({@code dev/tokenbroker/}
 * outside {@code client/}) and no Hazelcast class, so its jar runs beside any broker version.
 * Class names sit in the constant pool as plain ASCII, so a byte search finds every reference.
 */
class ClientJarTest {

  @Test
  void clientClassesReferenceNoBrokerOrHazelcastClass() throws IOException, URISyntaxException {
    Path classes = Path.of(TokenClient.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path client = classes.resolve("dev/tokenbroker/client");
    List<String> offences = new ArrayList<>();
    int scanned = 0;
    try (Stream<Path> files = Files.walk(client)) {
      // RunExample starts a broker beside the example verticle: it is not in the client jar.
      for (Path file : files.filter(f -> f.toString().endsWith(".class") && !f.endsWith("RunExample.class")).toList()) {
        scanned++;
        offences.addAll(foreignReferences(classes.relativize(file).toString(), Files.readAllBytes(file)));
      }
    }
    assertTrue(scanned >= 5, "found the client's classes under " + client);
    assertEquals(List.of(), offences);
  }

  /** After {@code package}: the client jar holds the client's classes and nothing else of ours. */
  @Test
  void clientJarHoldsOnlyClientClasses() throws IOException {
    Path target = Path.of("target");
    List<Path> jars;
    try (Stream<Path> files = Files.list(target)) {
      jars = files.filter(f -> f.getFileName().toString().matches("token-broker-client-.+\\.jar")).toList();
    } catch (IOException e) {
      jars = List.of();
    }
    org.junit.jupiter.api.Assumptions.assumeFalse(jars.isEmpty(), "no client jar yet (runs after package)");
    for (Path jar : jars) {
      List<String> offences = new ArrayList<>();
      try (JarFile file = new JarFile(jar.toFile())) {
        Enumeration<JarEntry> entries = file.entries();
        while (entries.hasMoreElements()) {
          JarEntry entry = entries.nextElement();
          String name = entry.getName();
          if (name.endsWith(".class")) {
            if (!name.startsWith("dev/tokenbroker/client/") || name.startsWith("dev/tokenbroker/client/example/")) {
              offences.add(name);
            }
            offences.addAll(foreignReferences(name, file.getInputStream(entry).readAllBytes()));
          }
        }
      }
      assertEquals(List.of(), offences, jar.toString());
    }
  }

  private static List<String> foreignReferences(String name, byte[] bytes) {
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    List<String> found = new ArrayList<>();
    for (int i = text.indexOf("dev/tokenbroker/"); i >= 0; i = text.indexOf("dev/tokenbroker/", i + 1)) {
      if (!text.startsWith("client/", i + "dev/tokenbroker/".length())) {
        found.add(name + " -> " + text.substring(i, Math.min(text.length(), i + 60)).split("[;\\x00-\\x1f]")[0]);
      }
    }
    for (String forbidden : List.of("com/hazelcast", "dev.tokenbroker.", "io/vertx/spi/cluster")) {
      int i = text.indexOf(forbidden);
      if (i >= 0 && !(forbidden.equals("dev.tokenbroker.") && text.startsWith("client", i + forbidden.length()))) {
        found.add(name + " -> " + forbidden);
      }
    }
    return found;
  }
}
