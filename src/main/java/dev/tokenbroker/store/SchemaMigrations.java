package dev.tokenbroker.store;

import java.util.List;

/**
 * The versions of the store's schema. The database records the versions applied in
 * {@code tb_schema_version}; at start-up the broker applies the newer ones in order, each in a
 * transaction with its version row. Every migration is idempotent, so a database made before the
 * version table existed (it has {@code tb_tokens} but no versions) upgrades by running them all.
 * A database with a version this broker does not know (made by a newer one) is refused.
 */
final class SchemaMigrations {
  static final String VERSION_TABLE = "CREATE TABLE IF NOT EXISTS tb_schema_version ("
      + "version INT PRIMARY KEY, description VARCHAR(200) NOT NULL, applied_at BIGINT NOT NULL)";
  static final String CURRENT_VERSION = "SELECT COALESCE(MAX(version), 0) FROM tb_schema_version";

  /** One step; the same SQL serves H2 and PostgreSQL. */
  record Migration(int version, String description, List<String> statements) {}

  static final List<Migration> ALL = List.of(
      new Migration(1, "tokens table", List.of("CREATE TABLE IF NOT EXISTS tb_tokens ("
          + "id VARCHAR(200) PRIMARY KEY, provider VARCHAR(32) NOT NULL, account VARCHAR(64) NOT NULL, "
          + "version BIGINT NOT NULL, key_id VARCHAR(16) NOT NULL, payload VARCHAR(32000) NOT NULL, updated_at BIGINT NOT NULL)")));

  static int latest() {
    return ALL.get(ALL.size() - 1).version();
  }

  /** The migrations after {@code current}; fails when the database is newer than this broker. */
  static List<Migration> after(int current) {
    if (current > latest()) {
      throw new IllegalStateException("the database has schema version " + current + " but this broker knows versions up to "
          + latest() + " (it was upgraded by a newer broker); run that version or newer");
    }
    return ALL.stream().filter(m -> m.version() > current).toList();
  }

  private SchemaMigrations() {
  }
}
