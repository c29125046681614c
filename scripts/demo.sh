#!/usr/bin/env bash
# The demo in one command: builds target/token-broker.jar when it is missing or older than the
# sources (through the Maven wrapper: a JDK 17+ is all it needs), then starts one broker with the
# built-in sandbox provider (conf/demo.yaml: HTTP on 127.0.0.1:8080, sandbox on 127.0.0.1:8091).
# Ctrl-C stops it. Extra arguments go to the broker, e.g. scripts/demo.sh -Dhttp.port=8081
set -euo pipefail
cd "$(dirname "$0")/.."
jar=target/token-broker.jar
if [[ ! -f $jar ]] || [[ -n $(find pom.xml src/main -newer "$jar" -print -quit) ]]; then
  echo "demo: building $jar (./mvnw -B -q package -DskipTests) ..."
  ./mvnw -B -q package -DskipTests
fi
exec java -jar "$jar" -conf conf/demo.yaml "$@"
