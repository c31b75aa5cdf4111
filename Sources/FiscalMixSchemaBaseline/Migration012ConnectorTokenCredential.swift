import FiscalMixDatabase

/// `connector_tokens.secret_ref_id`: the credential an access token was obtained with. A token
/// is used only while its connector still points at that credential, so changing a
/// connector's OAuth client never reuses a token of the old one (even one another process
/// stored after the change).
let migration012ConnectorTokenCredential = Migration(12, "connector_token_credential", tables: []) { dialect in
    ["ALTER TABLE connector_tokens ADD COLUMN secret_ref_id \(dialect.render(.uuid))"]
}
