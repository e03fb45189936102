//! The SQLSTATE of a failed statement, whichever form Spin reports it in.
//!
//! Spin reports an error Postgres raises while a `query`'s rows are read (a unique violation
//! from `INSERT … RETURNING`, a deadlock, a check violation) as `query-error::text`, not as
//! `db-error` with its code: Spin 4.x as the Debug form of its own `db-error` record
//! (`… DbError { as-text: "…", severity: "ERROR", code: "23505", … }`), Spin 3.x as the
//! driver's error alone (`db error\n\nCaused by:\n    ERROR: duplicate key value violates
//! unique constraint …`), with no code in it. Errors from `execute`, and from preparing a statement, carry the code.

/// The SQLSTATE Spin 4.x writes into the text, or for Spin 3.x's text the code of the few
/// messages the app acts on (the server's English messages, as Debian's clusters send them).
pub fn from_text(text: &str) -> Option<String> {
    code_field(text).or_else(|| {
        SPIN3_MESSAGES
            .iter()
            .find(|(_, message)| {
                text.starts_with("db error") && text.contains(&format!("Caused by:\n    ERROR: {message}"))
            })
            .map(|(code, _)| code.to_string())
    })
}

/// The primary messages of the SQLSTATEs core acts on, as Postgres words them.
const SPIN3_MESSAGES: [(&str, &str); 4] = [
    ("23505", "duplicate key value violates unique constraint"),
    ("23P01", "conflicting key value violates exclusion constraint"),
    ("40P01", "deadlock detected"),
    ("40001", "could not serialize access"),
];

/// The value of the first unescaped `code: "…"` field: fields Debug-printed as strings have
/// their own quotes escaped, so only the record's own field matches.
fn code_field(text: &str) -> Option<String> {
    const FIELD: &str = "code: \"";
    let start = text.find(FIELD)? + FIELD.len();
    let code = text.get(start..start + 5)?;
    let well_formed =
        code.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()) && text[start + 5..].starts_with('"');
    well_formed.then(|| code.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What Spin 4.0.2 answered to an insert of an out-of-range integer (backtrace shortened).
    const SPIN4_TEXT: &str = r#"Error::QueryFailed(QueryError::DbError(DbError { as-text: "Error { kind: Db, cause: Some(DbError { severity: \"ERROR\", parsed_severity: Some(Error), code: SqlState(E22003), message: \"value \\\"2147483648\\\" is out of range for type integer\", detail: None, hint: None, position: None, where_: None, schema: None, table: None, column: None, datatype: None, constraint: None, file: Some(\"numutils.c\"), line: Some(226), routine: Some(\"pg_strtoint32\") }) }", severity: "ERROR", code: "22003", message: "value \"2147483648\" is out of range for type integer", detail: None, extras: [("routine", "pg_strtoint32"), ("file", "numutils.c"), ("line", "226")] }))

Stack backtrace:
   0: <unknown>"#;

    #[test]
    fn spin4_text_gives_the_code_of_its_db_error_record() {
        assert_eq!(from_text(SPIN4_TEXT).as_deref(), Some("22003"));
    }

    #[test]
    fn an_escaped_code_inside_a_quoted_field_is_not_taken() {
        let text = r#"Error::QueryFailed(QueryError::Text("note: \"code: \\\"99999\\\"\" elsewhere"))"#;
        assert_eq!(from_text(text), None);
    }

    #[test]
    fn spin3_text_gives_the_code_of_known_messages_only() {
        let unique = "db error\n\nCaused by:\n    ERROR: duplicate key value violates unique constraint \"x\"\n    DETAIL: Key (id)=(1) already exists.";
        assert_eq!(from_text(unique).as_deref(), Some("23505"));
        assert_eq!(from_text("db error\n\nCaused by:\n    ERROR: deadlock detected").as_deref(), Some("40P01"));
        assert_eq!(from_text("db error\n\nCaused by:\n    ERROR: value too long for type character varying(5)"), None);
        let quoted = "db error\n\nCaused by:\n    ERROR: value too long\n    DETAIL: ERROR: deadlock detected";
        assert_eq!(from_text(quoted), None, "only the primary message counts");
        assert_eq!(from_text("error communicating with the server"), None);
    }
}
