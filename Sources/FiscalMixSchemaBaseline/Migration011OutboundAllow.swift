import FiscalMixDatabase

/// `accounts.outbound_allow`: the internal address blocks an account lets its own outside calls
/// reach (connectors, webhooks), on top of the deployment's list; a JSON array of CIDR blocks,
/// NULL for none.
let migration011OutboundAllow = Migration(11, "account_outbound_allow", tables: []) { dialect in
    ["ALTER TABLE accounts ADD COLUMN outbound_allow \(dialect.render(.json))"]
}
