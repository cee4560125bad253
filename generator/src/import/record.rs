//! Writing the imported record as YAML in the clerks' own style: plain scalars where they read
//! back as the same text, double quotes elsewhere; money with fen, dates `YYYY-MM-DD`.

use ydt_function::clock::Date;

use super::RowOut;
use crate::model::{KindSchema, Money, Period};

/// Everything the record file says.
pub(crate) struct RecordText<'a> {
    pub schema: &'a KindSchema,
    pub period: Period,
    pub title: &'a str,
    pub published: Date,
    pub source: &'a str,
    pub sheet: &'a str,
    pub left_out: &'a [String],
    pub rows: &'a [RowOut],
    pub totals: &'a [(String, Money)],
}

impl RecordText<'_> {
    pub(crate) fn render(&self) -> String {
        let mut s = String::new();
        let from = if self.source == self.sheet {
            format!("“{}”", self.source)
        } else {
            format!("“{}”工作表“{}”", self.source, self.sheet)
        };
        s.push_str(&format!("# 由 ydt import 从{from}导入。\n"));
        if !self.left_out.is_empty() {
            s.push_str(&format!("# 没有写入的列：{}。\n", self.left_out.join("、")));
        }
        s.push_str(&format!("kind: {}\n", self.schema.kind));
        s.push_str(&format!("period: \"{}\"\n", self.period));
        s.push_str(&format!("title: {}\n", scalar(self.title)));
        s.push_str(&format!("published: {}\n", self.published));
        s.push_str("rows:\n");
        for row in self.rows {
            for (i, (key, value)) in row.cells.iter().enumerate() {
                let lead = if i == 0 { "  - " } else { "    " };
                s.push_str(&format!("{lead}{key}: {}\n", scalar(value)));
            }
        }
        if !self.totals.is_empty() {
            s.push_str("totals:\n");
            for (key, total) in self.totals {
                s.push_str(&format!("  {key}: {total}\n"));
            }
        }
        s
    }
}

/// A YAML scalar that reads back as exactly `text`: plain when that is safe (Chinese text,
/// numbers, dates, masked IDs), else double-quoted with JSON's escapes, which YAML shares.
pub(crate) fn scalar(text: &str) -> String {
    let plain_safe = !text.is_empty()
        && text == text.trim()
        && !text.chars().any(|c| c.is_control())
        && !text.starts_with([
            '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%',
            '@', '`',
        ])
        && !text.contains(": ")
        && !text.contains(" #")
        && !text.ends_with(':')
        && (!text.is_ascii()
            || text
                .bytes()
                .all(|b| b.is_ascii_digit() || b"-.*X".contains(&b)));
    if plain_safe {
        text.to_string()
    } else {
        serde_json::to_string(text).expect("a string serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_are_plain_only_when_they_read_back_the_same() {
        assert_eq!(scalar("张*"), "张*");
        assert_eq!(scalar("340104********1234"), "340104********1234");
        assert_eq!(scalar("1127.00"), "1127.00");
        assert_eq!(scalar("*明"), "\"*明\"");
        assert_eq!(scalar("yes"), "\"yes\"");
        assert_eq!(scalar("说明: 补发"), "\"说明: 补发\"");
        assert_eq!(scalar("- 补发"), "\"- 补发\"");
        assert_eq!(scalar("两行\n文字"), "\"两行\\n文字\"");
        assert_eq!(scalar("备注 #1"), "\"备注 #1\"");
    }
}
