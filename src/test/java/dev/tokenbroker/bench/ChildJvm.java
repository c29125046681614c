package dev.tokenbroker.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A server the benchmarks load in a JVM of its own, as users run it: its CPU time is its own
 * (not shared with the other servers of the benchmark, nor their JIT), and it is closed with the
 * benchmark. Runs a main class from this build's classpath (the broker's {@code dev.tokenbroker.Main}
 * or a baseline's), its output in {@code target/bench/<name>.log}.
 */
final class ChildJvm implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final String name;
  private final Process process;

  private ChildJvm(String name, Process process) {
    this.name = name;
    this.process = process;
  }

  /**
   * Starts {@code mainClass} with {@code args} and returns once its output has a line containing
   * {@code ready}; fails when it exits first or takes longer than a minute.
   */
  static ChildJvm start(String name, String ready, String mainClass, String... args) {
    Path log = Path.of("target", "bench", name + ".log");
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g", "-cp", classpath(), mainClass));
    command.addAll(Arrays.asList(args));
    try {
      Files.createDirectories(log.getParent());
      Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      ChildJvm child = new ChildJvm(name, process);
      long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
      while (!Files.readString(log, StandardCharsets.UTF_8).contains(ready)) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          child.close();
          throw new IllegalStateException(name + " did not start (" + (process.isAlive() ? "timed out" : "exit "
              + process.exitValue()) + "): " + Files.readString(log, StandardCharsets.UTF_8));
        }
        process.waitFor(100, TimeUnit.MILLISECONDS);
      }
      return child;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while " + name + " started", e);
    }
  }

  /** This build's classpath without the test-only SLF4J libraries (they would print their own start-up notices). */
  private static String classpath() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !entry.contains("slf4j") && !entry.contains("zonky"))
        .collect(Collectors.joining(File.pathSeparator));
  }

  /** The process, for the CPU time it spends under load ({@link Wrk.Load#cpuOf}). */
  ProcessHandle handle() {
    return process.toHandle();
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ")";
  }
}
