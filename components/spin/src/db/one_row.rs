//! Every query sent as a statement that returns at least one row.
//!
//! Spin 4.0.0–4.0.2 never answer a synchronous `query` whose result has no rows: the host waits
//! for column information that only arrives with the first row (`crates/factor-outbound-pg/src/
//! client.rs`; fixed upstream by spinframework/spin PR #3673, commit f0256b37, in no release as
//! of 4.0.2). Until the oldest Spin this app supports has that fix, each query is rewritten so
//! that Postgres always returns a row — the statement's own rows, each numbered, or one row of
//! NULLs when it has none — and the marker column is taken off again here. Remove this module
//! (and its call in `db.rs`) once that is so.
//!
//! The statement becomes a CTE of its own. Postgres allows data-modifying statements only in a
//! top-level WITH, so a statement that starts with WITH has its CTE list hoisted and ours
//! appended to it.

use mirror_core::ports::{DbError, Rows, SqlValue};

/// The marker column: a row number, NULL on the one row that stands for "no rows".
const MARKER: &str = "__spin_pr3673_row";

/// `sql` rewritten to return its rows numbered in order, or one row of NULLs for none.
pub fn wrap(sql: &str) -> Result<String, DbError> {
    let sql = sql.trim_end().trim_end_matches(';').trim_end();
    let (prefix, main) = match split_with(sql)? {
        Some((ctes, main)) => (format!("{ctes},"), main),
        None => ("WITH".to_string(), sql),
    };
    Ok(format!(
        "{prefix} __spin_pr3673_q AS ({main}\n), \
         __spin_pr3673_r AS (SELECT row_number() OVER () AS {MARKER}, __spin_pr3673_q.* FROM __spin_pr3673_q) \
         SELECT __spin_pr3673_r.* FROM (SELECT) AS __spin_pr3673_one \
         LEFT JOIN __spin_pr3673_r ON true ORDER BY __spin_pr3673_r.{MARKER}"
    ))
}

/// The statement's own rows, from the rows of its wrapped form.
pub fn unwrap(mut rows: Rows) -> Result<Rows, DbError> {
    let Some(MARKER) = rows.columns.first().map(String::as_str) else {
        return Err(DbError::Conversion(format!("wrapped query returned no `{MARKER}` column")));
    };
    rows.columns.remove(0);
    let empty = matches!(rows.rows.as_slice(), [only] if only.first() == Some(&SqlValue::Null));
    if empty {
        rows.rows.clear();
    } else {
        for row in &mut rows.rows {
            row.remove(0);
        }
    }
    Ok(rows)
}

/// For a statement starting with WITH: its CTE list (`WITH [RECURSIVE] a AS (...), ...`) and
/// the statement after it. `None` for any other statement.
fn split_with(sql: &str) -> Result<Option<(&str, &str)>, DbError> {
    let mut lexer = Lexer { sql, at: 0 };
    if !lexer.keyword("WITH")? {
        return Ok(None);
    }
    lexer.keyword("RECURSIVE")?;
    loop {
        lexer.name()?;
        if lexer.peek()? == Some('(') {
            lexer.parenthesized()?;
        }
        if !lexer.keyword("AS")? {
            return Err(unsupported("a CTE without AS"));
        }
        if lexer.keyword("NOT")? && !lexer.keyword("MATERIALIZED")? {
            return Err(unsupported("NOT without MATERIALIZED"));
        }
        lexer.keyword("MATERIALIZED")?;
        if lexer.peek()? != Some('(') {
            return Err(unsupported("a CTE body not in parentheses"));
        }
        lexer.parenthesized()?;
        let end = lexer.at;
        if lexer.keyword("SEARCH")? || lexer.keyword("CYCLE")? {
            return Err(unsupported("SEARCH or CYCLE clauses"));
        }
        if lexer.peek()? == Some(',') {
            lexer.at += 1;
            continue;
        }
        return Ok(Some((&sql[..end], &sql[lexer.at..])));
    }
}

fn unsupported(what: &str) -> DbError {
    DbError::Conversion(format!("query shape not supported by the empty-result workaround: {what}"))
}

/// Just enough of Postgres's lexical rules to find where the CTE list ends: whitespace,
/// comments, quoted strings and identifiers, dollar quoting and parentheses.
struct Lexer<'a> {
    sql: &'a str,
    at: usize,
}

impl<'a> Lexer<'a> {
    fn rest(&self) -> &'a str {
        &self.sql[self.at..]
    }

    /// Skips whitespace and comments.
    fn skip_trivia(&mut self) -> Result<(), DbError> {
        loop {
            let rest = self.rest();
            let trimmed = rest.trim_start();
            self.at += rest.len() - trimmed.len();
            if trimmed.starts_with("--") {
                self.at += trimmed.find('\n').unwrap_or(trimmed.len());
            } else if trimmed.starts_with("/*") {
                self.block_comment()?;
            } else {
                return Ok(());
            }
        }
    }

    /// A block comment, which nests in Postgres.
    fn block_comment(&mut self) -> Result<(), DbError> {
        let mut depth = 0usize;
        while !self.rest().is_empty() {
            if self.rest().starts_with("/*") {
                depth += 1;
                self.at += 2;
            } else if self.rest().starts_with("*/") {
                depth -= 1;
                self.at += 2;
                if depth == 0 {
                    return Ok(());
                }
            } else {
                self.at += self.rest().chars().next().map_or(1, char::len_utf8);
            }
        }
        Err(unsupported("an unterminated comment"))
    }

    fn peek(&mut self) -> Result<Option<char>, DbError> {
        self.skip_trivia()?;
        Ok(self.rest().chars().next())
    }

    /// Consumes `word` (case-insensitive, whole word) if it comes next.
    fn keyword(&mut self, word: &str) -> Result<bool, DbError> {
        self.skip_trivia()?;
        let rest = self.rest();
        let matches = rest.len() >= word.len()
            && rest.as_bytes()[..word.len()].eq_ignore_ascii_case(word.as_bytes())
            && !rest[word.len()..].starts_with(is_identifier_char);
        if matches {
            self.at += word.len();
        }
        Ok(matches)
    }

    /// A CTE name: a plain or a double-quoted identifier.
    fn name(&mut self) -> Result<(), DbError> {
        self.skip_trivia()?;
        if self.rest().starts_with('"') {
            return self.quoted('"');
        }
        let len = self.rest().find(|c: char| !is_identifier_char(c)).unwrap_or(self.rest().len());
        if len == 0 {
            return Err(unsupported("a CTE without a name"));
        }
        self.at += len;
        Ok(())
    }

    /// A balanced `( ... )`, skipping over everything quoted inside it.
    fn parenthesized(&mut self) -> Result<(), DbError> {
        let mut depth = 0usize;
        loop {
            self.skip_trivia()?;
            let Some(c) = self.rest().chars().next() else {
                return Err(unsupported("unbalanced parentheses"));
            };
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        self.at += 1;
                        return Ok(());
                    }
                }
                '\'' => {
                    self.string(self.after_escape_prefix())?;
                    continue;
                }
                '"' => {
                    self.quoted('"')?;
                    continue;
                }
                '$' if self.dollar_quoted()? => continue,
                _ => {}
            }
            self.at += c.len_utf8();
        }
    }

    /// Whether the string starting here is an `E'...'` one: an `E` that is a word of its own.
    fn after_escape_prefix(&self) -> bool {
        let before = &self.sql[..self.at];
        before.ends_with(['E', 'e']) && !before[..before.len() - 1].ends_with(is_identifier_char)
    }

    /// `'...'` with `''` escapes, and backslash escapes in an `E'...'` string.
    fn string(&mut self, backslash_escapes: bool) -> Result<(), DbError> {
        let bytes = self.sql.as_bytes();
        let mut i = self.at + 1;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' if backslash_escapes => i += 2,
                b'\'' if bytes.get(i + 1) == Some(&b'\'') => i += 2,
                b'\'' => {
                    self.at = i + 1;
                    return Ok(());
                }
                _ => i += 1,
            }
        }
        Err(unsupported("an unterminated string"))
    }

    /// `"..."` (or another quote character) with doubled-quote escapes.
    fn quoted(&mut self, quote: char) -> Result<(), DbError> {
        let mut i = self.at + 1;
        let bytes = self.sql.as_bytes();
        let q = quote as u8;
        while i < bytes.len() {
            if bytes[i] == q {
                if bytes.get(i + 1) == Some(&q) {
                    i += 2;
                    continue;
                }
                self.at = i + 1;
                return Ok(());
            }
            i += 1;
        }
        Err(unsupported("an unterminated quoted identifier"))
    }

    /// A `$tag$ ... $tag$` string, if one starts here (`$1` is a parameter, not a quote).
    fn dollar_quoted(&mut self) -> Result<bool, DbError> {
        let rest = self.rest();
        let is_tag_char = |c: char| c.is_alphanumeric() || c == '_';
        let tag_len = rest[1..].find(|c: char| !is_tag_char(c)).unwrap_or(rest.len() - 1);
        let tag_is_quote = rest[1 + tag_len..].starts_with('$') && !rest[1..].starts_with(|c: char| c.is_ascii_digit());
        if !tag_is_quote {
            return Ok(false);
        }
        let delimiter = &rest[..tag_len + 2];
        let body = &rest[delimiter.len()..];
        let Some(end) = body.find(delimiter) else {
            return Err(unsupported("an unterminated dollar-quoted string"));
        };
        self.at += delimiter.len() + end + delimiter.len();
        Ok(true)
    }
}

fn is_identifier_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_statement_becomes_one_cte() {
        let wrapped = wrap("SELECT id FROM users WHERE id = $1;  ").unwrap();
        assert!(wrapped.starts_with("WITH __spin_pr3673_q AS (SELECT id FROM users WHERE id = $1\n), "), "{wrapped}");
    }

    #[test]
    fn a_leading_cte_list_is_hoisted_and_ours_appended() {
        let sql = "WITH RECURSIVE \"a b\"(x) AS NOT MATERIALIZED (SELECT ')' FROM t), c AS MATERIALIZED ( \
                   UPDATE t SET v = $$ ( $$ RETURNING v ) -- ) comment\n SELECT * FROM c";
        let wrapped = wrap(sql).unwrap();
        let expected_prefix = "WITH RECURSIVE \"a b\"(x) AS NOT MATERIALIZED (SELECT ')' FROM t), c AS MATERIALIZED ( \
                               UPDATE t SET v = $$ ( $$ RETURNING v ), __spin_pr3673_q AS (SELECT * FROM c\n), ";
        assert!(wrapped.starts_with(expected_prefix), "{wrapped}");
    }

    #[test]
    fn quotes_comments_and_parameters_inside_ctes_are_skipped() {
        let sql =
            "with a as (select 'it''s (' as s, E'\\' (' as e, \"q\"\")\" , $1, $tag$ ) $tag$ /* ) /* ) */ */ from t) \
                   insert into x select * from a returning id";
        let (ctes, main) = split_with(sql).unwrap().unwrap();
        assert!(ctes.ends_with("from t)"), "{ctes}");
        assert_eq!(main, "insert into x select * from a returning id");
    }

    #[test]
    fn a_word_that_only_starts_with_with_is_not_a_cte_list() {
        assert_eq!(split_with("WITHDRAW").unwrap(), None);
        assert_eq!(split_with("SELECT 1").unwrap(), None);
    }

    #[test]
    fn shapes_it_cannot_follow_are_errors_not_guesses() {
        for sql in [
            "WITH a AS (SELECT 1",
            "WITH a (SELECT 1) SELECT 1",
            "WITH a AS SELECT 1",
            "WITH RECURSIVE a AS (SELECT 1) SEARCH DEPTH FIRST BY x SET o SELECT 1",
            "WITH a AS (SELECT 'x) SELECT 1",
        ] {
            assert!(matches!(wrap(sql), Err(DbError::Conversion(_))), "{sql}");
        }
    }

    fn rows(columns: &[&str], rows: Vec<Vec<SqlValue>>) -> Rows {
        Rows { columns: columns.iter().map(|c| c.to_string()).collect(), rows }
    }

    #[test]
    fn the_row_of_nulls_means_no_rows_and_keeps_the_columns() {
        let wrapped = rows(&[MARKER, "id"], vec![vec![SqlValue::Null, SqlValue::Null]]);
        assert_eq!(unwrap(wrapped).unwrap(), rows(&["id"], vec![]));
    }

    #[test]
    fn numbered_rows_lose_their_number_only() {
        let wrapped = rows(
            &[MARKER, "id"],
            vec![vec![SqlValue::Int(1), SqlValue::Null], vec![SqlValue::Int(2), SqlValue::Text("b".into())]],
        );
        let expected = rows(&["id"], vec![vec![SqlValue::Null], vec![SqlValue::Text("b".into())]]);
        assert_eq!(unwrap(wrapped).unwrap(), expected);
    }

    #[test]
    fn rows_without_the_marker_are_an_error() {
        assert!(unwrap(rows(&["id"], vec![vec![SqlValue::Int(1)]])).is_err());
    }
}
