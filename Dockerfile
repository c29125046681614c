# token-broker image: built with Maven, run on a Java 17 runtime as a non-root user.
#   docker build -t token-broker .
#   docker run --rm -p 8080:8080 -v "$PWD/conf:/app/conf:ro" \
#     -e TOKEN_BROKER_ESIGNGLOBAL_CLIENT_ID=... -e TOKEN_BROKER_ESIGNGLOBAL_CLIENT_SECRET=... \
#     -e TOKEN_BROKER_API_KEY_SHA256=... token-broker
#   clustered (-cluster), every node also needs the same -e TOKEN_BROKER_CLUSTER_KEY=$(openssl rand -base64 32)
# See docs/operations.md ("Docker") for the demo and a three-node compose file.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
COPY conf ./conf
COPY cluster.xml .
RUN mvn -B -q package -DskipTests

FROM eclipse-temurin:17-jre
RUN groupadd --system broker && useradd --system --gid broker --home /app broker \
    && apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /build/target/token-broker.jar /app/token-broker.jar
COPY conf /app/conf
COPY cluster.xml /app/cluster.xml
USER broker
# 8080: HTTP bridge; 5701: Hazelcast (clustered deployments)
EXPOSE 8080 5701
# In a container the bridge must listen on all interfaces to be reachable.
ENV JAVA_TOOL_OPTIONS="-Dhttp.host=0.0.0.0"
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fs -o /dev/null http://127.0.0.1:8080/health || exit 1
ENTRYPOINT ["java", "-jar", "/app/token-broker.jar"]
CMD ["-conf", "conf/config.yaml"]
