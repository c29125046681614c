#!/usr/bin/env bash
# The demo in one command: builds target/token-broker.jar when it is missing or older than the
# sources (through the Maven wrapper: a JDK 17+ is all it needs), then starts one broker with the
# built-in sandbox provider (conf/demo.yaml: HTTP on 127.0.0.1:8080, sandbox on 127.0.0.1:8091).
# Ctrl-C stops it. Extra -D arguments go to the JVM (they override configuration keys, e.g.
# scripts/demo.sh -Dhttp.port=8081 -Dsandbox.port=8092), others to the broker's launcher.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=target/token-broker.jar
if [[ ! -f $jar ]] || [[ -n $(find pom.xml src/main -newer "$jar" -print -quit) ]]; then
  echo "demo: building $jar (./mvnw -B -q package -DskipTests) ..."
  ./mvnw -B -q package -DskipTests
fi
jvm=()
app=()
for arg in "$@"; do
  case $arg in
    -D*) jvm+=("$arg") ;;
    *) app+=("$arg") ;;
  esac
done
exec java ${jvm[@]+"${jvm[@]}"} -jar "$jar" -conf conf/demo.yaml ${app[@]+"${app[@]}"}
