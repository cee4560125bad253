//! CSV for spreadsheets: the one writer of the records' `data.csv` and the supervisors' report
//! files. UTF-8 with a byte-order mark (so Excel on Chinese Windows reads it as UTF-8), CRLF line
//! ends, fields quoted when they hold a comma, a quote or a line break, and text that Excel would
//! run as a formula kept as text.

/// A CSV file being written, a row at a time.
pub(crate) struct Csv {
    out: String,
}

impl Default for Csv {
    fn default() -> Csv {
        Csv {
            out: String::from("\u{feff}"),
        }
    }
}

impl Csv {
    pub(crate) fn new() -> Csv {
        Csv::default()
    }

    /// Appends one row.
    pub(crate) fn row<S: AsRef<str>>(&mut self, fields: impl IntoIterator<Item = S>) {
        let mut first = true;
        for field in fields {
            if !first {
                self.out.push(',');
            }
            first = false;
            let field = defuse_formula(field.as_ref());
            if field.contains([',', '"', '\n', '\r']) {
                self.out.push('"');
                self.out.push_str(&field.replace('"', "\"\""));
                self.out.push('"');
            } else {
                self.out.push_str(&field);
            }
        }
        self.out.push_str("\r\n");
    }

    pub(crate) fn finish(self) -> String {
        self.out
    }
}

/// A field starting with `=`, `+`, `-` or `@` would run as a formula in Excel (`=HYPERLINK(…)`,
/// `-2+3`): a leading `'` keeps it text. A plain number (`-12.50`, an amount with fen) stays as it
/// is, so it is still summed as a number.
fn defuse_formula(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@']) && !is_plain_number(text) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

/// `-12.50`, `+3`, `42`: an optional sign, digits, an optional decimal part.
fn is_plain_number(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_in_excel_as_utf8_with_fields_quoted_where_needed() {
        let mut csv = Csv::new();
        csv.row(["姓名", "金额"]);
        csv.row(["张*", "1,200.50"]);
        csv.row(["说\"明\"", "第一行\n第二行"]);
        assert_eq!(
            csv.finish(),
            "\u{feff}姓名,金额\r\n张*,\"1,200.50\"\r\n\"说\"\"明\"\"\",\"第一行\n第二行\"\r\n"
        );
    }

    #[test]
    fn formulas_stay_text_and_numbers_stay_numbers() {
        let mut csv = Csv::new();
        csv.row(["=HYPERLINK(\"http://x\")", "-2+3", "@SUM(A1)", "+86 138"]);
        csv.row(["-12.50", "+3", "1200.00", "-"]);
        assert_eq!(
            csv.finish(),
            "\u{feff}\"'=HYPERLINK(\"\"http://x\"\")\",'-2+3,'@SUM(A1),'+86 138\r\n-12.50,+3,1200.00,'-\r\n"
        );
    }
}
