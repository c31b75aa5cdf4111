import FiscalMixCore
import FiscalMixDatabase

/// Tenants, people, sessions, keys, throttling, audit and request logs.
/// Seeds: 002 Workspace/WorkspaceInvite/EventLog/RequestLog/OperatorAuditLog, 003 sessions/audits,
/// 004 accounts/users/audit_logs, 001 api_keys/rate_limits. See docs/data-model.md.
let migration001Identity = Migration(
    1, "identity_and_access",
    tables: [
        Table(
            "accounts",
            [
                [
                    id(),
                    varchar("name", 255).unique(),
                    varchar("plan", 50).defaulting(.string("free")).oneOf(Account.Plan.allCases.map(\.rawValue)),
                    varchar("env", 50).defaulting(.string("production")).oneOf(["production", "sandbox", "development"]),
                    varchar("status", 50).defaulting(.string("active")).oneOf(Account.Status.allCases.map(\.rawValue)),
                    varchar("time_zone", 64).defaulting(.string("UTC")),
                ],
                timestamps(),
            ]),
        Table(
            "users",
            [
                [
                    id(),
                    uuid("account_id").references("accounts", onDelete: .cascade),
                    varchar("name", 255),
                    varchar("email", 255).unique(),
                    varchar("password_hash", 255),
                    varchar("role", 20).defaulting(.string("member")).oneOf(AccountRole.allCases.map(\.rawValue)),
                    varchar("status", 20).defaulting(.string("active")).oneOf(User.Status.allCases.map(\.rawValue)),
                    boolean("is_staff").defaulting(.bool(false)),
                    boolean("mfa_enabled").defaulting(.bool(false)),
                    text("mfa_secret").null(),
                    bigint("mfa_last_used_step").null(),
                    timestamp("email_verified_at").null(),
                    timestamp("last_login_at").null(),
                ],
                timestamps(),
            ]),
        Table(
            "user_recovery_codes",
            [
                [
                    id(),
                    uuid("user_id").references("users", onDelete: .cascade),
                    varchar("code_hash", 64).unique(),
                    timestamp("used_at").null(),
                    timestamp("created_at").defaulting(.now),
                ]
            ]),
        Table(
            "account_invites",
            [
                [
                    id(),
                    uuid("account_id").references("accounts", onDelete: .cascade),
                    varchar("email", 255),
                    varchar("role", 20).oneOf(AccountRole.allCases.map(\.rawValue)),
                    varchar("token_hash", 64).unique(),
                    timestamp("expires_at"),
                    timestamp("used_at").null(),
                    uuid("used_by_user_id").null().references("users", onDelete: .setNull),
                    uuid("created_by").null().references("users", onDelete: .setNull),
                    timestamp("created_at").defaulting(.now),
                ]
            ]),
        Table(
            "sessions",
            [
                [
                    id(),
                    uuid("user_id").references("users", onDelete: .cascade),
                    uuid("account_id").references("accounts", onDelete: .cascade),
                    varchar("token_hash", 64).unique(),
                    json("roles").defaulting(.jsonArray),
                    varchar("ip", 64).null(),
                    text("user_agent").null(),
                    boolean("mfa_pending").defaulting(.bool(false)),
                    timestamp("created_at").defaulting(.now),
                    timestamp("last_seen_at").defaulting(.now),
                    timestamp("idle_expires_at"),
                    timestamp("expires_at"),
                    boolean("revoked").defaulting(.bool(false)),
                    timestamp("revoked_at").null(),
                    varchar("revoked_reason", 50).null(),
                ]
            ]),
        Table(
            "api_keys",
            [
                [
                    id(),
                    uuid("account_id").references("accounts", onDelete: .cascade),
                    varchar("name", 255),
                    varchar("prefix", 32),
                    varchar("key_hash", 64).unique(),
                    json("permissions").defaulting(.jsonArray),
                    varchar("status", 20).defaulting(.string("active")).oneOf(["active", "revoked"]),
                    uuid("created_by_user_id").null().references("users", onDelete: .setNull),
                    timestamp("last_used_at").null(),
                    timestamp("expires_at").null(),
                    timestamp("revoked_at").null(),
                    timestamp("created_at").defaulting(.now),
                ]
            ]),
        Table(
            "login_attempts",
            [
                [
                    id(),
                    varchar("email", 255),
                    varchar("ip", 64),
                    boolean("succeeded"),
                    timestamp("created_at").defaulting(.now),
                ]
            ]),
        Table(
            "rate_limits", unique: [["client_key", "window_start"]],
            [
                [
                    id(),
                    uuid("account_id").null().references("accounts", onDelete: .cascade),
                    varchar("client_key", 255),
                    timestamp("window_start"),
                    integer("count").defaulting(.int(0)).check("$ >= 0"),
                ]
            ]),
        Table(
            "audit_logs",
            [
                [
                    id(),
                    uuid("account_id").null().references("accounts", onDelete: .cascade),
                    varchar("actor_type", 20).oneOf(["user", "api_key", "operator", "system", "anonymous"]),
                    uuid("user_id").null().references("users", onDelete: .setNull),
                    uuid("api_key_id").null().references("api_keys", onDelete: .setNull),
                    uuid("session_id").null().references("sessions", onDelete: .setNull),
                    varchar("action", 100),
                    varchar("status", 20).defaulting(.string("success")).oneOf(["success", "failure"]),
                    varchar("entity_type", 50).null(),
                    varchar("entity_id", 255).null(),
                    json("metadata").defaulting(.jsonObject),
                    json("diff").null(),
                    text("reason").null(),
                    varchar("ip_address", 64).null(),
                    text("user_agent").null(),
                    varchar("request_id", 128).null(),
                    varchar("trace_id", 64).null(),
                    timestamp("created_at").defaulting(.now),
                ]
            ], checks: ["actor_type <> 'operator' OR (reason IS NOT NULL AND user_id IS NOT NULL)"]),
        Table(
            "idempotency_keys", unique: [["account_id", "actor_id", "key"]],
            [
                [
                    id(),
                    uuid("account_id").references("accounts", onDelete: .cascade),
                    varchar("actor_id", 64),
                    varchar("key", 255),
                    varchar("method", 10),
                    varchar("path", 1024),
                    varchar("request_hash", 64),
                    varchar("state", 20).oneOf(["in_progress", "completed"]),
                    integer("response_status").null(),
                    json("response_headers").null(),
                    text("response_body").null(),
                    timestamp("created_at").defaulting(.now),
                    timestamp("expires_at"),
                ]
            ]),
        Table(
            "event_logs",
            [
                [
                    id(),
                    uuid("account_id").null().references("accounts", onDelete: .cascade),
                    varchar("severity", 10).oneOf(["debug", "info", "warning", "error", "critical"]),
                    varchar("type", 100),
                    text("message"),
                    json("data").defaulting(.jsonObject),
                    varchar("correlation_id", 128).null(),
                    varchar("trace_id", 64).null(),
                    timestamp("created_at").defaulting(.now),
                ]
            ]),
    ],
    indexes: [
        Index("idx_accounts_status", on: "accounts", ["status"]),
        Index("idx_accounts_env_status", on: "accounts", ["env", "status"]),
        Index("idx_users_account_id", on: "users", ["account_id"]),
        Index("idx_user_recovery_codes_user", on: "user_recovery_codes", ["user_id"]),
        Index("idx_account_invites_account", on: "account_invites", ["account_id"]),
        Index("idx_sessions_user", on: "sessions", ["user_id"]),
        Index("idx_sessions_expires_at", on: "sessions", ["expires_at"]),
        Index("idx_api_keys_account", on: "api_keys", ["account_id"]),
        Index("idx_login_attempts_email", on: "login_attempts", ["email", "created_at"]),
        Index("idx_login_attempts_ip", on: "login_attempts", ["ip", "created_at"]),
        Index("idx_audit_logs_account_created", on: "audit_logs", ["account_id", "created_at DESC"]),
        Index("idx_audit_logs_user_created", on: "audit_logs", ["user_id", "created_at DESC"]),
        Index("idx_audit_logs_action", on: "audit_logs", ["action"]),
        Index("idx_audit_logs_created_at", on: "audit_logs", ["created_at DESC"]),
        Index("idx_audit_logs_trace", on: "audit_logs", ["trace_id"]),
        Index("idx_audit_logs_operator", on: "audit_logs", ["user_id", "created_at"], where: "actor_type = 'operator'"),
        Index("idx_idempotency_keys_expires", on: "idempotency_keys", ["expires_at"]),
        Index("idx_event_logs_account_created", on: "event_logs", ["account_id", "created_at"]),
        Index("idx_event_logs_account_type_created", on: "event_logs", ["account_id", "type", "created_at"]),
        Index("idx_event_logs_trace", on: "event_logs", ["trace_id"]),
    ])
