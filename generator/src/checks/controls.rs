//! Invisible characters that must not be published: direction controls and zero-width characters.
//!
//! A direction override or isolate (U+202A–U+202E, U+2066–U+2069) makes a browser show text in
//! another order than it is stored: `\u{202E}1234-56021` reads as a different number than the one the
//! clerk checked ("Trojan Source"). A zero-width character hides inside a word or a number:
//! `139\u{200B}5512\u{200B}3456` shows as one mobile number but is three digit runs to the privacy guard.
//! Neither has a use in a disclosure, so both are refused wherever they appear.
//!
//! The marks and joiners (U+200E/U+200F, U+061C, U+200C/U+200D) have real uses in text (an
//! emoji sequence, a mixed-script name) and cannot reorder strong characters, but next to a digit
//! they only hide a break in a number: there they are refused too.
//!
//! It owns which characters are refused and their names; where text comes from and positions are
//! its caller's business, as for the privacy guard.

use std::ops::Range;

/// Why a character is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ControlKind {
    /// An embedding, override or isolate: changes the order text is shown in.
    Direction,
    /// Shows as nothing: a zero-width space, word joiner, soft hyphen or invisible operator.
    Invisible,
    /// A mark or joiner next to a digit.
    InNumber,
}

/// A refused character found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Control {
    /// Byte range of the character in the text.
    pub range: Range<usize>,
    pub char: char,
    pub kind: ControlKind,
}

impl Control {
    /// `U+202E RIGHT-TO-LEFT OVERRIDE (文字方向控制符)`, for error messages.
    pub(crate) fn describe(&self) -> String {
        let class = match self.kind {
            ControlKind::Direction => "文字方向控制符",
            ControlKind::Invisible | ControlKind::InNumber => "不可见字符",
        };
        format!(
            "U+{:04X} {} ({class})",
            self.char as u32,
            name(self.char).unwrap_or("FORMAT CHARACTER")
        )
    }

    /// One sentence of help.
    pub(crate) fn help(&self) -> &'static str {
        match self.kind {
            ControlKind::Direction => {
                "delete it: it makes the page show the text in another order than it is written (请删除：它会打乱文字的显示顺序)"
            }
            ControlKind::Invisible => {
                "delete it: it shows as nothing and can hide what the text says, such as a split phone number (请删除这个看不见的字符)"
            }
            ControlKind::InNumber => {
                "delete it: next to a digit it only hides a break in the number (请删除数字旁看不见的字符)"
            }
        }
    }
}

/// The Unicode name of a character this module knows, direction controls first.
fn name(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{202A}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202B}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202C}' => "POP DIRECTIONAL FORMATTING",
        '\u{202D}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202E}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        '\u{200B}' => "ZERO WIDTH SPACE",
        '\u{2060}' => "WORD JOINER",
        '\u{2061}' => "FUNCTION APPLICATION",
        '\u{2062}' => "INVISIBLE TIMES",
        '\u{2063}' => "INVISIBLE SEPARATOR",
        '\u{2064}' => "INVISIBLE PLUS",
        '\u{FEFF}' => "ZERO WIDTH NO-BREAK SPACE",
        '\u{00AD}' => "SOFT HYPHEN",
        '\u{200C}' => "ZERO WIDTH NON-JOINER",
        '\u{200D}' => "ZERO WIDTH JOINER",
        '\u{200E}' => "LEFT-TO-RIGHT MARK",
        '\u{200F}' => "RIGHT-TO-LEFT MARK",
        '\u{061C}' => "ARABIC LETTER MARK",
        _ => return None,
    })
}

/// Whether `c` is one of the characters this module knows: shown as nothing, or moving other
/// text. Diagnostics print these as `<U+XXXX>` so that the error itself reads as stored.
pub(crate) fn is_hidden(c: char) -> bool {
    name(c).is_some()
}

fn kind_alone(c: char) -> Option<ControlKind> {
    match c {
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => Some(ControlKind::Direction),
        '\u{200B}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}' => {
            Some(ControlKind::Invisible)
        }
        _ => None,
    }
}

fn is_mark_or_joiner(c: char) -> bool {
    matches!(c, '\u{200C}'..='\u{200F}' | '\u{061C}')
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

/// The character an HTML character reference at the start of `text` stands for, and the
/// reference's length: `&#x202E;`, `&#8238;`, or one of the named references of the characters
/// above. Markdown turns references into characters, so a notice could publish one that way.
fn reference(text: &str) -> Option<(char, usize)> {
    let body = text.strip_prefix('&')?;
    let end = body.find(';')?;
    let (name, len) = (&body[..end], end + 2);
    let code = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
        u32::from_str_radix(hex, 16).ok()?
    } else if let Some(decimal) = name.strip_prefix('#') {
        decimal.parse().ok()?
    } else {
        match name {
            "shy" => 0xAD,
            "lrm" => 0x200E,
            "rlm" => 0x200F,
            "zwj" => 0x200D,
            "zwnj" => 0x200C,
            "ZeroWidthSpace"
            | "NegativeVeryThinSpace"
            | "NegativeThinSpace"
            | "NegativeMediumSpace"
            | "NegativeThickSpace" => 0x200B,
            "NoBreak" => 0x2060,
            "af" | "ApplyFunction" => 0x2061,
            "it" | "InvisibleTimes" => 0x2062,
            "ic" | "InvisibleComma" => 0x2063,
            _ => return None,
        }
    };
    char::from_u32(code).map(|c| (c, len))
}

/// Whether the first character of `side` that is not a mark or joiner is a digit.
fn digit_beyond_marks(mut side: impl Iterator<Item = char>) -> bool {
    side.find(|&n| !is_mark_or_joiner(n)).is_some_and(is_digit)
}

/// Every refused character in `text`, in text order: written as is, or as an HTML character
/// reference (any of the characters above, since nothing needs them written that way).
pub(crate) fn scan(text: &str) -> Vec<Control> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut found = Vec::new();
    for (i, &(at, c)) in chars.iter().enumerate() {
        let kind = kind_alone(c).or_else(|| {
            // The digit may sit on the other side of a run of marks (`1\u{200E}\u{200D}2`).
            let before = chars[..i].iter().rev().map(|&(_, n)| n);
            let after = chars[i + 1..].iter().map(|&(_, n)| n);
            (is_mark_or_joiner(c) && (digit_beyond_marks(before) || digit_beyond_marks(after)))
                .then_some(ControlKind::InNumber)
        });
        if let Some(kind) = kind {
            found.push(Control {
                range: at..at + c.len_utf8(),
                char: c,
                kind,
            });
        }
        if c == '&'
            && let Some((referred, len)) = reference(&text[at..])
            && is_hidden(referred)
        {
            found.push(Control {
                range: at..at + len,
                char: referred,
                kind: kind_alone(referred).unwrap_or(ControlKind::Invisible),
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(char, ControlKind)> {
        scan(text).into_iter().map(|c| (c.char, c.kind)).collect()
    }

    #[test]
    fn direction_controls_are_found_with_their_byte_range() {
        let text = "账号\u{202E}1234-56021\u{202C}倒序";
        let found = scan(text);
        assert_eq!(found.len(), 2);
        assert_eq!(&text[found[0].range.clone()], "\u{202E}");
        assert_eq!(found[0].kind, ControlKind::Direction);
        assert_eq!(found[1].char, '\u{202C}');
        for c in [
            '\u{202A}', '\u{202B}', '\u{202D}', '\u{2066}', '\u{2067}', '\u{2068}',
        ] {
            assert_eq!(kinds(&format!("甲{c}乙")), [(c, ControlKind::Direction)]);
        }
        assert_eq!(
            kinds("甲\u{2069}乙"),
            [('\u{2069}', ControlKind::Direction)]
        );
    }

    #[test]
    fn zero_width_characters_are_found_anywhere() {
        for c in ['\u{200B}', '\u{2060}', '\u{FEFF}', '\u{00AD}', '\u{2062}'] {
            assert_eq!(kinds(&format!("楼道{c}灯")), [(c, ControlKind::Invisible)]);
        }
    }

    #[test]
    fn marks_and_joiners_pass_in_words_but_not_in_numbers() {
        assert!(kinds("family 👨\u{200D}👩\u{200D}👧").is_empty());
        assert!(kinds("abc\u{200F}שלום").is_empty());
        assert_eq!(
            kinds("139\u{200D}5512\u{200E}3456"),
            [
                ('\u{200D}', ControlKind::InNumber),
                ('\u{200E}', ControlKind::InNumber)
            ]
        );
        assert_eq!(
            kinds("电话１３９\u{200C}\u{200F}号"),
            [
                ('\u{200C}', ControlKind::InNumber),
                ('\u{200F}', ControlKind::InNumber)
            ]
        );
    }

    #[test]
    fn character_references_to_them_are_found() {
        let text = "账号&#x202E;1234&#8236; &ZeroWidthSpace;&shy;&amp;&#x4E00;";
        let found = scan(text);
        let written: Vec<&str> = found.iter().map(|c| &text[c.range.clone()]).collect();
        assert_eq!(
            written,
            ["&#x202E;", "&#8236;", "&ZeroWidthSpace;", "&shy;"]
        );
        assert_eq!(found[0].kind, ControlKind::Direction);
        assert_eq!(found[1].char, '\u{202C}');
        assert_eq!(found[3].kind, ControlKind::Invisible);
    }

    #[test]
    fn ordinary_chinese_text_passes() {
        assert!(kinds("翠竹园社区2026年11月高龄津贴发放名单公示，共计5,600.00元。").is_empty());
    }

    #[test]
    fn descriptions_name_the_character() {
        let found = &scan("a\u{202E}b")[0];
        assert_eq!(
            found.describe(),
            "U+202E RIGHT-TO-LEFT OVERRIDE (文字方向控制符)"
        );
        assert!(found.help().contains("请删除"));
    }
}
