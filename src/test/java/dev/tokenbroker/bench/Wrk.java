package dev.tokenbroker.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP load from outside the JVM under test: {@code wrk} (Debian's package), so that the load
 * generator's own cost is not part of what is measured. One thread, a fixed number of keep-alive
 * connections, a fixed duration; the answer is its requests per second and 99th-percentile latency.
 */
final class Wrk {
  static final Path BINARY = Path.of("/usr/bin/wrk");
  private static final Pattern REQUESTS = Pattern.compile("([0-9]+) requests in");
  private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
  private static final Pattern P50 = percentile("50");
  private static final Pattern P90 = percentile("90");
  private static final Pattern P99 = percentile("99");
  private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+([0-9]+)");
  private static final Pattern SOCKET_ERRORS = Pattern.compile("Socket errors: connect ([0-9]+), read ([0-9]+), write ([0-9]+), timeout ([0-9]+)");

  /**
   * @param cpuMicrosPerRequest the server's CPU time during the load over the requests served: its
   *     cost per request, much less sensitive than throughput to what else the machine runs
   */
  record Result(double perSecond, double p50Micros, double p90Micros, double p99Micros, long errors, double cpuMicrosPerRequest) {}

  /**
   * One load: {@code connections} connections from one wrk thread for {@code seconds}, against a
   * server in the process {@code cpuOf} (whose CPU time is measured), or in this JVM when null.
   */
  record Load(String url, List<String> headers, int connections, int seconds, ProcessHandle cpuOf) {
    Load {
      headers = List.copyOf(headers);
    }

    Load(String url, List<String> headers, int connections, int seconds) {
      this(url, headers, connections, seconds, null);
    }

    Load lasting(int otherSeconds) {
      return new Load(url, headers, connections, otherSeconds, cpuOf);
    }

    private long cpuNanos() {
      if (cpuOf == null) {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime();
      }
      return cpuOf.info().totalCpuDuration()
          .orElseThrow(() -> new IllegalStateException("the CPU time of process " + cpuOf.pid() + " cannot be read"))
          .toNanos();
    }
  }

  private Wrk() {}

  static boolean available() {
    return Files.isExecutable(BINARY);
  }

  static Result run(Load load) {
    List<String> command = new ArrayList<>(List.of(BINARY.toString(), "-t1", "-c" + load.connections(), "-d" + load.seconds() + "s",
        "--latency", "--timeout", "5s"));
    for (String header : load.headers()) {
      command.add("-H");
      command.add(header);
    }
    command.add(load.url());
    try {
      long cpuBefore = load.cpuNanos();
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(load.seconds() + 30L, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IllegalStateException("wrk failed: " + new String(out, StandardCharsets.UTF_8));
      }
      long cpuNanos = load.cpuNanos() - cpuBefore;
      Result r = parse(new String(out, StandardCharsets.UTF_8));
      Matcher requests = REQUESTS.matcher(new String(out, StandardCharsets.UTF_8));
      double perRequest = requests.find() ? cpuNanos / 1e3 / Math.max(1, Long.parseLong(requests.group(1))) : 0;
      return new Result(r.perSecond(), r.p50Micros(), r.p90Micros(), r.p99Micros(), r.errors(), perRequest);
    } catch (IOException e) {
      throw new IllegalStateException("could not run " + BINARY + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while wrk ran", e);
    }
  }

  static Result parse(String output) {
    Matcher rate = RATE.matcher(output);
    if (!rate.find()) {
      throw new IllegalStateException("unexpected wrk output: " + output);
    }
    long errors = 0;
    Matcher non2xx = NON_2XX.matcher(output);
    if (non2xx.find()) {
      errors += Long.parseLong(non2xx.group(1));
    }
    Matcher socket = SOCKET_ERRORS.matcher(output);
    if (socket.find()) {
      for (int i = 1; i <= 4; i++) {
        errors += Long.parseLong(socket.group(i));
      }
    }
    return new Result(Double.parseDouble(rate.group(1)), micros(P50, output), micros(P90, output), micros(P99, output), errors, 0);
  }

  /** A line of wrk's latency distribution ({@code --latency}), such as {@code "    99%    1.23ms"}. */
  private static Pattern percentile(String percent) {
    return Pattern.compile("\\n\\s+" + percent + "(?:\\.000)?%\\s+([0-9.]+)(us|ms|s)\\b");
  }

  private static double micros(Pattern percentile, String output) {
    Matcher m = percentile.matcher(output);
    if (!m.find()) {
      throw new IllegalStateException("unexpected wrk output: " + output);
    }
    double value = Double.parseDouble(m.group(1));
    return switch (m.group(2)) {
      case "us" -> value;
      case "ms" -> value * 1_000;
      default -> value * 1_000_000;
    };
  }

  /**
   * Alternates baseline and subject {@code rounds} times (which goes first alternates too, so
   * neither always meets a warmer JIT or a quieter machine) after one warm-up of each (2 s, 15 s
   * for a server in another process);
   * returns the medians, baseline first. A round with errors fails the benchmark: a fast wrong
   * answer is not a result.
   */
  static Result[] alternate(Load baseline, Load subject, int rounds) {
    return alternate(List.of(baseline, subject), rounds);
  }

  /**
   * {@link #alternate(Load, Load, int)} for any number of loads: each round runs them all, in an
   * order rotated by one from the round before; returns the medians in the order given.
   */
  static Result[] alternate(List<Load> loads, int rounds) {
    for (Load load : loads) {
      // a server in a JVM of its own starts cold: its JIT needs longer under load than this JVM's
      run(load.lasting(load.cpuOf() == null ? 2 : 15));
    }
    List<List<Result>> results = new ArrayList<>();
    loads.forEach(l -> results.add(new ArrayList<>()));
    for (int round = 0; round < rounds; round++) {
      for (int j = 0; j < loads.size(); j++) {
        int which = (j + round) % loads.size();
        results.get(which).add(checked(loads.get(which)));
      }
    }
    return results.stream().map(Wrk::median).toArray(Result[]::new);
  }

  private static Result checked(Load load) {
    Result r = run(load);
    if (r.errors() > 0) {
      throw new AssertionError(String.format(Locale.ROOT, "%d failed requests against %s", r.errors(), load.url()));
    }
    return r;
  }

  private static Result median(List<Result> results) {
    double[] rates = results.stream().mapToDouble(Result::perSecond).sorted().toArray();
    double[] p50s = results.stream().mapToDouble(Result::p50Micros).sorted().toArray();
    double[] p90s = results.stream().mapToDouble(Result::p90Micros).sorted().toArray();
    double[] p99s = results.stream().mapToDouble(Result::p99Micros).sorted().toArray();
    double[] cpus = results.stream().mapToDouble(Result::cpuMicrosPerRequest).sorted().toArray();
    int m = results.size() / 2;
    return new Result(rates[m], p50s[m], p90s[m], p99s[m], 0, cpus[m]);
  }
}
