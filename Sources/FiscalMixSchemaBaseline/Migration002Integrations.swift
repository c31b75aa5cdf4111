import FiscalMixDatabase

/// Secrets, policies, connectors and pipelines (processes).
/// Seeds: 000 connectors/connector_tokens/processes/process_versions/process_output_destinations,
/// 002 Connector/Policy/SecretRef/RequestLog, 003 submissions. See docs/data-model.md.
let migration002Integrations = Migration(
    2, "secrets_connectors_pipelines",
    tables: [
        // Envelope-encrypted payloads (docs/data-model.md's enc* columns plus the wrapped data key).
        Table(
            "sealed_secrets",
            [
                [
                    id(),
                    uuid("account_id").null().references("accounts", onDelete: .cascade),
                    varchar("owner_table", 64),
                    varchar("owner_id", 64),
                    integer("enc_version").defaulting(.int(1)).check("$ >= 1"),
                    varchar("enc_alg", 32).defaulting(.string("AES-256-GCM")).oneOf(["AES-256-GCM"]),
                    text("enc_nonce"),
                    text("enc_ciphertext"),
                    text("wrapped_dek"),
                    varchar("kek_id", 64),
                ],
                timestamps(),
            ]),
        Table(
            "secret_refs",
            [
                [
                    id(),
                    uuid("account_id").references("accounts", onDelete: .cascade),
                    varchar("provider", 10).oneOf(["db", "env", "file"]),
                    varchar("ref", 1024),
                    integer("version").defaulting(.int(1)).check("$ >= 1"),
                ],
                timestamps(),
            ]),
        Table(
            "policies", unique: [["account_id", "name", "version"]],
            [
                [
                    id(),
                    uuid("account_id").references("accounts", onDelete: .cascade),
                    varchar("name", 255),
                    integer("version").defaulting(.int(1)).check("$ >= 1"),
                    json("rate_limit").null(),
                    json("retry").null(),
                    json("timeout").null(),
                    json("circuit_breaker").null(),
                    json("concurrency").null(),
                ],
                timestamps(),
            ]),
        Table(
            "connectors", unique: [["account_id", "name"]],
            [
                [
                    id(),
                    uuid("account_id").references("accounts", onDelete: .cascade),
                    varchar("type", 50),
                    varchar("name", 255),
                    varchar("status", 20).defaulting(.string("active")).oneOf(["active", "disabled"]),
                    varchar("base_url", 2048),
                    varchar("auth_type", 40).defaulting(.string("none"))
                        .oneOf(["none", "bearer", "basic", "api_key_header", "api_key_query", "oauth2_client_credentials"]),
                    uuid("secret_ref_id").null().references("secret_refs", onDelete: .setNull),
                    uuid("policy_id").null().references("policies", onDelete: .setNull),
                    integer("timeout_seconds").defaulting(.int(30)).check("$ > 0 AND $ <= 600"),
                    json("settings").defaulting(.jsonObject),
                ],
                timestamps(),
            ]),
        // docs/data-model.md's 1:1 encrypted token table: holds the access token a connector obtained
        // (OAuth client credentials), sealed, with its expiry.
        Table(
            "connector_tokens",
            [
                [
                    uuid("connector_id").primaryKey().references("connectors", onDelete: .cascade),
                    integer("enc_version").defaulting(.int(1)),
                    varchar("enc_alg", 32).defaulting(.string("AES-256-GCM")).oneOf(["AES-256-GCM"]),
                    text("enc_nonce"),
                    text("enc_ciphertext"),
                    text("wrapped_dek"),
                    varchar("kek_id", 64),
                    timestamp("expires_at").null(),
                ],
                timestamps(),
            ]),
        Table(
            "request_logs", unique: [["account_id", "request_id"]],
            [
                [
                    id(),
                    uuid("account_id").null().references("accounts", onDelete: .cascade),
                    varchar("request_id", 128),
                    varchar("trace_id", 64).null(),
                    varchar("actor_type", 20).null(),
                    varchar("actor_id", 64).null(),
                    uuid("connector_id").null().references("connectors", onDelete: .setNull),
                    varchar("direction", 10).defaulting(.string("inbound")).oneOf(["inbound", "outbound"]),
                    varchar("method", 10).null(),
                    varchar("path", 2048).null(),
                    varchar("operation", 255),
                    varchar("status", 20).oneOf(["ok", "client_error", "server_error", "failed"]),
                    integer("http_status").null(),
                    integer("latency_ms"),
                    integer("retry_count").defaulting(.int(0)),
                    varchar("idempotency_key", 255).null(),
                    varchar("ip", 64).null(),
                    timestamp("created_at").defaulting(.now),
                ]
            ]),
        Table(
            "processes", unique: [["account_id", "name"]],
            [
                [
                    id(),
                    uuid("account_id").references("accounts", onDelete: .cascade),
                    varchar("name", 255),
                    text("description").null(),
                    varchar("status", 20).defaulting(.string("draft")).oneOf(["draft", "active", "disabled"]),
                    uuid("connector_id").references("connectors", onDelete: .restrict),
                    json("tags").null(),
                ],
                timestamps(),
            ]),
        Table(
            "process_versions", primaryKey: ["process_id", "version"],
            [
                [
                    uuid("process_id").references("processes", onDelete: .cascade),
                    integer("version").check("$ >= 1"),
                    boolean("enabled").defaulting(.bool(true)),
                    varchar("method", 10).oneOf(["GET", "POST", "PUT", "PATCH", "DELETE"]),
                    varchar("path", 2048),
                    json("headers").null(),
                    json("query_params").null(),
                    varchar("dsl_profile", 20).oneOf(["jsonata", "jmespath", "custom"]),
                    text("dsl_text"),
                    json("output_schema"),
                    json("sample_input").null(),
                ],
                timestamps(),
            ]),
        Table(
            "process_output_destinations", primaryKey: ["process_id", "idx"],
            [
                [
                    uuid("process_id").references("processes", onDelete: .cascade),
                    integer("idx").check("$ >= 0"),
                    varchar("type", 40).oneOf(["LocalFileSystem", "AzureBlobStorage", "S3"]),
                    json("config").defaulting(.jsonObject),
                ]
            ]),
    ],
    indexes: [
        Index("idx_sealed_secrets_owner", on: "sealed_secrets", ["owner_table", "owner_id"]),
        Index("idx_sealed_secrets_kek", on: "sealed_secrets", ["kek_id"]),
        Index("idx_secret_refs_account_provider", on: "secret_refs", ["account_id", "provider"]),
        Index("idx_policies_account_name", on: "policies", ["account_id", "name"]),
        Index("idx_connectors_account_type", on: "connectors", ["account_id", "type"]),
        Index("idx_request_logs_account_created", on: "request_logs", ["account_id", "created_at"]),
        Index("idx_request_logs_connector", on: "request_logs", ["connector_id", "created_at"]),
        Index("idx_processes_connector", on: "processes", ["connector_id"]),
    ])
