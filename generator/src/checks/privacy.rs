//! The privacy guard: finds unmasked personal identifiers in text that is about to be published.
//!
//! It owns the rules for what counts as a resident ID number (身份证号), a mainland mobile number
//! (手机号) and a bank card number (银行卡号), which written forms are masked well enough to pass,
//! which numbers a site lists as public, and whether a payout recipient's name is masked.
//!
//! It does not own where text comes from, line and column numbers (callers turn the byte ranges
//! of a [`Finding`] into positions in their source file), nor whether a record is allowed to
//! publish full names: it only answers questions about strings.
//!
//! Text is read the way a resident reads it: full-width digits (`１３９…`) count as digits, and
//! whatever a clerk types between the digits of one number — spaces of every width, no-break
//! spaces, dashes and long dashes, dots, parentheses — is read through (`139—5678—1234`,
//! `(139)56781234`, `3401 0419 8001 0112 34`). A digit run that is part of a longer run, or of a
//! decimal amount (`1234.50`), is never read as an identifier.
//!
//! It also owns the one rule for masking: [`mask_name`] and [`mask_id`] are what `ydt import`
//! writes, what the checks suggest, and what docs/clerks.md quotes.

use std::collections::HashSet;
use std::ops::Range;

use ydt_function::clock::days_in_month;

/// What kind of personal identifier a [`Finding`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdentifierKind {
    /// A resident ID number: 18 digits with a valid check digit, or the first-generation 15
    /// digits (area code, YYMMDD birth date, sequence).
    ResidentId,
    /// A mainland mobile number, `1[3-9]` and nine more digits, with or without `+86`.
    Mobile,
    /// A 16–19 digit number that passes the Luhn check.
    BankCard,
}

impl IdentifierKind {
    /// A short description for error messages.
    pub fn describe(self) -> &'static str {
        match self {
            IdentifierKind::ResidentId => "unmasked resident ID number (身份证号)",
            IdentifierKind::Mobile => "unmasked mobile number (手机号)",
            IdentifierKind::BankCard => "unmasked bank card number (银行卡号)",
        }
    }

    /// The same, in the words of a message to a clerk.
    pub fn describe_zh(self) -> &'static str {
        match self {
            IdentifierKind::ResidentId => "未打码的身份证号",
            IdentifierKind::Mobile => "未打码的手机号",
            IdentifierKind::BankCard => "未打码的银行卡号",
        }
    }

    /// One sentence of help: how to write this identifier so that it may be published.
    pub fn mask_hint(self) -> &'static str {
        match self {
            IdentifierKind::ResidentId => {
                "mask the middle digits with `*`, e.g. `340104********1234` (身份证号须隐去中间位)"
            }
            IdentifierKind::Mobile => {
                "mask the middle four digits, e.g. `138****1234`, or list the number as public in site.yaml or community.yaml (手机号须隐去中间四位)"
            }
            IdentifierKind::BankCard => {
                "mask all but the last four digits, e.g. `6222 **** **** 1234` (银行卡号须隐去)"
            }
        }
    }
}

/// An unmasked identifier found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Byte range in the text that was scanned (the original text, full-width digits and all).
    pub range: Range<usize>,
    pub kind: IdentifierKind,
}

/// Phone numbers (and any other numbers) a site lists as public, so the guard lets them through.
///
/// Numbers are stored as their digits only, with a `+86`/`0086` country prefix of a mobile
/// dropped, so `+86 139-5512-3456`, `13955123456` and `０５５１－６３５２１２３４` match
/// however the listing and the page write them.
#[derive(Debug, Clone, Default)]
pub struct PublicNumbers {
    digits: HashSet<String>,
}

impl PublicNumbers {
    pub fn new<I, S>(numbers: I) -> PublicNumbers
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let digits = numbers
            .into_iter()
            .map(|n| canonical_number(n.as_ref()))
            .filter(|d| !d.is_empty())
            .collect();
        PublicNumbers { digits }
    }

    /// Whether `written` is one of the listed numbers, in whatever format it is written.
    pub fn contains(&self, written: &str) -> bool {
        self.digits.contains(&canonical_number(written))
    }

    pub fn is_empty(&self) -> bool {
        self.digits.is_empty()
    }
}

/// Every unmasked identifier in `text` that is not listed in `public`, in text order.
///
/// Where candidates overlap, a resident ID wins over a bank card, and a bank card over a mobile.
pub fn scan(text: &str, public: &PublicNumbers) -> Vec<Finding> {
    let chars = normalise(text);
    let groups = digit_groups(&chars);

    let mut candidates = Vec::new();
    for chain in chains(&groups, &chars) {
        collect_candidates(chain, &chars, &mut candidates);
    }

    // Precedence first, then text order, then the longest reading of the same start. A public
    // number still claims its span, so a listed card cannot be re-read as a mobile inside it.
    candidates.sort_by_key(|c| (precedence(c.kind), c.chars.start, usize::MAX - c.chars.end));
    let mut taken: Vec<Candidate> = Vec::new();
    for candidate in candidates {
        let overlaps = taken
            .iter()
            .any(|t| t.chars.start < candidate.chars.end && candidate.chars.start < t.chars.end);
        if !overlaps {
            taken.push(candidate);
        }
    }

    let mut findings: Vec<Finding> = taken
        .into_iter()
        .filter(|c| !public.digits.contains(&c.canonical))
        .map(|c| Finding {
            range: chars[c.chars.start].bytes.start..chars[c.chars.end - 1].bytes.end,
            kind: c.kind,
        })
        .collect();
    findings.sort_by_key(|f| f.range.start);
    findings
}

/// Whether a payout recipient's name is masked: at least one character replaced by `*` (or the
/// full-width `＊`), and not every character. `张*`, `欧*明`, `司马*`, `*明` pass; `张三` and `**`
/// do not.
pub fn is_masked_name(name: &str) -> bool {
    let name = name.trim();
    let stars = name.chars().filter(|&c| is_star(c)).count();
    stars > 0 && stars < name.chars().count()
}

/// Two-character surnames (复姓) that [`mask_name`] keeps whole.
pub const COMPOUND_SURNAMES: [&str; 30] = [
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "夏侯", "轩辕", "令狐", "端木", "澹台", "万俟", "闻人", "南宫", "西门", "独孤", "百里", "呼延",
    "申屠", "太史", "钟离", "公羊", "赫连", "完颜",
];

/// The masking rule for a name, as the open data's schema states it to whoever reads the data.
pub(crate) const NAME_MASK_STATEMENT: &str = "姓名已脱敏：保留姓（复姓保留两字），名字两字以上的保留最后一字，其余写作 *，如 张*、张*明、欧阳*、欧阳*辉。";

/// The masking rule for a resident ID number, likewise.
pub(crate) const ID_MASK_STATEMENT: &str =
    "身份证号已脱敏：只保留前 6 位和后 4 位，中间写作 *，如 340104********1234。";

/// The masking rule for a person's name, the one `ydt import` applies and the checks suggest:
/// keep the surname (one character, or a 复姓 from [`COMPOUND_SURNAMES`]); of the given name keep
/// its last character when it has two or more, and write `*` for the rest.
/// `张三` → `张*`, `张三明` → `张*明`, `欧阳明` → `欧阳*`, `欧阳明辉` → `欧阳*辉`.
pub fn mask_name(name: &str) -> String {
    let name = name.trim();
    let chars: Vec<char> = name.chars().collect();
    let compound = chars.len() > 2 && COMPOUND_SURNAMES.iter().any(|s| name.starts_with(s));
    let surname_len = match chars.len() {
        0 => return String::new(),
        1 => return "*".to_string(),
        _ if compound => 2,
        _ => 1,
    };
    let (surname, given) = chars.split_at(surname_len);
    let mut masked: String = surname.iter().collect();
    match given {
        [] => {}
        [_] => masked.push('*'),
        [.., last] => {
            masked.extend(std::iter::repeat_n('*', given.len() - 1));
            masked.push(*last);
        }
    }
    masked
}

/// The masking rule for a resident ID number: the first 6 digits (the area) and the last 4 kept,
/// `*` between: `340104********1234` (15-digit IDs: `340104*****1234`). Separators are dropped and
/// a lower-case check `x` is written `X`. `None` when `written` is not 15 or 18 characters of an
/// ID number (digits, and `X` last).
pub fn mask_id(written: &str) -> Option<String> {
    let id = compact_id(written);
    let n = id.len();
    let shaped = (n == 15 || n == 18)
        && id
            .bytes()
            .take(n - 1)
            .all(|b| b.is_ascii_digit() || b == b'*')
        && id
            .bytes()
            .last()
            .is_some_and(|b| b.is_ascii_digit() || b == b'X' || b == b'*');
    if !shaped {
        return None;
    }
    Some(format!(
        "{}{}{}",
        &id[..6],
        "*".repeat(n - 10),
        &id[n - 4..]
    ))
}

/// Whether a value of an ID-number column is written in the masked shape [`mask_id`] gives:
/// 15 or 18 characters, `*` in every place but the first 6 and the last 4.
pub fn is_masked_id(written: &str) -> bool {
    let id = compact_id(written);
    mask_id(&id).is_some_and(|masked| {
        id.bytes()
            .zip(masked.bytes())
            .all(|(written, rule)| rule != b'*' || written == b'*')
    })
}

/// An ID as its characters only: folded, separators dropped, `x` as `X`.
fn compact_id(written: &str) -> String {
    written
        .chars()
        .map(fold)
        .filter(|&c| !is_separator(c))
        .collect()
}

fn is_star(c: char) -> bool {
    c == '*' || c == '＊'
}

fn precedence(kind: IdentifierKind) -> u8 {
    match kind {
        IdentifierKind::ResidentId => 0,
        IdentifierKind::BankCard => 1,
        IdentifierKind::Mobile => 2,
    }
}

/// One character of the text as the guard reads it, with its byte span in the original.
struct Char {
    c: char,
    bytes: Range<usize>,
}

fn normalise(text: &str) -> Vec<Char> {
    text.char_indices()
        .map(|(i, c)| Char {
            c: fold(c),
            bytes: i..i + c.len_utf8(),
        })
        .collect()
}

/// Reads full-width and look-alike characters as the ASCII ones a reader takes them for.
fn fold(c: char) -> char {
    match c {
        '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
        '＋' => '+',
        'Ｘ' | 'ｘ' | 'x' => 'X',
        '＊' => '*',
        '．' => '.',
        // A middle dot is never a decimal point: read it as a space.
        '·' | '・' | '･' => ' ',
        '（' | '﹙' => '(',
        '）' | '﹚' => ')',
        c if is_dash(c) => '-',
        c if c.is_whitespace() => ' ',
        _ => c,
    }
}

/// Hyphens, dashes and minus signs of every width, as typed by an input method or pasted from
/// Word: `-` `‐` `‑` `‒` `–` `—` `―` `−` `－` `﹣` `﹘` `⸺`.
fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'
            ..='\u{2015}'
                | '\u{2212}'
                | '\u{fe58}'
                | '\u{fe63}'
                | '\u{ff0d}'
                | '\u{2e3a}'
                | '\u{2e3b}'
    )
}

/// After [`fold`]: what a clerk types between the digit groups of one number.
fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '.' | '(' | ')')
}

/// Digits only, with a mobile's country prefix dropped: the form public numbers are compared in.
/// (Labels such as `Fax`, `电话` or `(办公室)` in a listing are ignored.)
fn canonical_number(written: &str) -> String {
    let digits: String = written
        .chars()
        .map(fold)
        .filter(char::is_ascii_digit)
        .collect();
    strip_country_prefix(&digits).to_string()
}

fn strip_country_prefix(digits: &str) -> &str {
    for prefix in ["0086", "86"] {
        if let Some(rest) = digits.strip_prefix(prefix)
            && is_mobile(rest)
        {
            return rest;
        }
    }
    digits
}

/// A maximal run of ASCII digits (after folding), as indices into the char list.
struct Group {
    chars: Range<usize>,
    /// Followed by `X`/`x` that is not itself followed by a Latin letter or digit (a Chinese
    /// character may follow: `…002X号`): an ID's check digit.
    x_after: bool,
    /// Part of a decimal number (`1234.50`): never an identifier, never joined to neighbours.
    decimal: bool,
}

impl Group {
    fn len(&self) -> usize {
        self.chars.len()
    }
}

fn digit_groups(chars: &[Char]) -> Vec<Group> {
    let is_digit = |i: usize| chars.get(i).is_some_and(|ch| ch.c.is_ascii_digit());
    let mut groups: Vec<Group> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !is_digit(i) {
            i += 1;
            continue;
        }
        let start = i;
        while is_digit(i) {
            i += 1;
        }
        let x_after = chars.get(i).is_some_and(|ch| ch.c == 'X')
            && !chars
                .get(i + 1)
                .is_some_and(|ch| ch.c.is_ascii_alphanumeric());
        groups.push(Group {
            chars: start..i,
            x_after,
            decimal: false,
        });
    }
    // A lone dot between two groups that nothing else joins is a decimal point (`1234.50`,
    // `13955123456.78`): both stand alone. Dots in a longer chain (`139.5678.1234`,
    // `(139)5678.1234`) are separators.
    let joints: Vec<Joint> = groups
        .windows(2)
        .map(|pair| joint(chars, &pair[0], &pair[1]))
        .collect();
    for k in 0..joints.len() {
        let lone_dot = joints[k] == Joint::Dot
            && (k == 0 || joints[k - 1] == Joint::None)
            && joints.get(k + 1).is_none_or(|j| *j == Joint::None);
        if lone_dot {
            groups[k].decimal = true;
            groups[k + 1].decimal = true;
        }
    }
    groups
}

/// What lies between two digit groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Joint {
    /// Nothing that joins them: letters, commas, a long run.
    None,
    /// Exactly one dot.
    Dot,
    /// A short run of separators.
    Separators,
}

fn joint(chars: &[Char], a: &Group, b: &Group) -> Joint {
    let gap = &chars[a.chars.end..b.chars.start];
    if gap.len() == 1 && gap[0].c == '.' {
        Joint::Dot
    } else if (1..=MAX_SEPARATOR_RUN).contains(&gap.len())
        && gap.iter().all(|ch| is_separator(ch.c))
    {
        Joint::Separators
    } else {
        Joint::None
    }
}

/// Most separator characters between two groups of one number: `) ` and ` - ` are typed, longer
/// runs separate different things.
const MAX_SEPARATOR_RUN: usize = 3;

/// Splits groups into chains of groups joined by a short run of separators (spaces, dashes,
/// dots, parentheses): the ways people write a number in parts. Decimal groups stand alone; a
/// decimal number is dropped.
fn chains<'g>(groups: &'g [Group], chars: &[Char]) -> Vec<&'g [Group]> {
    let mut chains = Vec::new();
    let mut start = 0;
    for i in 0..groups.len() {
        let joined_to_next = groups.get(i + 1).is_some_and(|next| {
            !groups[i].decimal && !next.decimal && joint(chars, &groups[i], next) != Joint::None
        });
        if !joined_to_next {
            let chain = &groups[start..=i];
            if !(chain.len() == 1 && chain[0].decimal) {
                chains.push(chain);
            }
            start = i + 1;
        }
    }
    chains
}

struct Candidate {
    /// Char indices covered, from the first digit (or `+`) to the last digit (or check `X`).
    chars: Range<usize>,
    kind: IdentifierKind,
    /// The digits, country prefix dropped: what is looked up in [`PublicNumbers`].
    canonical: String,
}

/// Longest possible identifier, in digits (a bank card; `0086` + mobile is 15).
const MAX_DIGITS: usize = 19;

fn collect_candidates(chain: &[Group], chars: &[Char], out: &mut Vec<Candidate>) {
    for s in 0..chain.len() {
        let mut total = 0;
        for e in s..chain.len() {
            total += chain[e].len();
            if total > MAX_DIGITS {
                break;
            }
            let parts = &chain[s..=e];
            let digits: String = parts
                .iter()
                .flat_map(|g| chars[g.chars.clone()].iter().map(|ch| ch.c))
                .collect();
            let span = parts[0].chars.start..parts[parts.len() - 1].chars.end;
            let lens: Vec<usize> = parts.iter().map(Group::len).collect();

            let whole = s == 0 && e == chain.len() - 1;
            if let Some(candidate) = resident_id(&digits, &lens, parts, whole, span.clone()) {
                out.push(candidate);
            }
            if is_card_shape(&lens) && is_luhn_valid(&digits) {
                out.push(Candidate {
                    chars: span.clone(),
                    kind: IdentifierKind::BankCard,
                    canonical: digits.clone(),
                });
            }
            if let Some(candidate) = mobile(&digits, &lens, span, chars) {
                out.push(candidate);
            }
        }
    }
}

fn resident_id(
    digits: &str,
    lens: &[usize],
    parts: &[Group],
    whole: bool,
    span: Range<usize>,
) -> Option<Candidate> {
    let with_x = digits.len() == 17 && parts[parts.len() - 1].x_after;
    // Written in one run or in groups of three digits or more (6+12, 14+4, 6-8-4, fours); the
    // last group may be short (`… 1231 002 X`). Ones and twos are dates and list numbers.
    let (_, leading) = lens.split_last().expect("a chain has at least one group");
    if !leading.iter().all(|&l| l >= 3) {
        return None;
    }
    if digits.len() == 15 {
        // First generation: no check digit, so only a whole chain counts, with a real area code
        // and birth date.
        return (whole && has_plausible_area(digits) && has_plausible_short_birth_date(digits))
            .then(|| Candidate {
                chars: span,
                kind: IdentifierKind::ResidentId,
                canonical: digits.to_string(),
            });
    }
    if !(digits.len() == 18 || with_x) {
        return None;
    }
    let mut id = digits.to_string();
    let mut chars = span;
    if with_x {
        id.push('X');
        chars.end += 1;
    }
    if !has_valid_id_check_digit(&id) || !has_plausible_birth_date(&id) {
        return None;
    }
    Some(Candidate {
        chars,
        kind: IdentifierKind::ResidentId,
        canonical: id,
    })
}

/// The first two digits of an ID are a province (GB/T 2260): 11–15, 21–23, 31–37, 41–46,
/// 50–54, 61–65, and 71, 81, 82 (Taiwan, Hong Kong, Macao).
fn has_plausible_area(id: &str) -> bool {
    let Ok(province) = id[..2].parse::<u32>() else {
        return false;
    };
    matches!(province, 11..=15 | 21..=23 | 31..=37 | 41..=46 | 50..=54 | 61..=65 | 71 | 81 | 82)
}

/// Digits 7–12 of a 15-digit ID are the birth date YYMMDD, in the 1900s.
fn has_plausible_short_birth_date(id: &str) -> bool {
    let number = |r: Range<usize>| id[r].parse::<u32>().ok();
    let (Some(yy), Some(month), Some(day)) = (number(6..8), number(8..10), number(10..12)) else {
        return false;
    };
    is_calendar_date(1900 + yy, month, day)
}

/// GB 11643: the 18th character is the ISO 7064 MOD 11-2 check of the first 17 digits.
fn has_valid_id_check_digit(id: &str) -> bool {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let bytes = id.as_bytes();
    if bytes.len() != 18 || !bytes[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = bytes[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    bytes[17] == CHECK[(sum % 11) as usize]
}

/// Digits 7–14 are the birth date, YYYYMMDD. A serial number that happens to pass the check
/// digit but cannot be a birth date is not an ID number.
fn has_plausible_birth_date(id: &str) -> bool {
    let number = |r: Range<usize>| id[r].parse::<u32>().ok();
    let (Some(year), Some(month), Some(day)) = (number(6..10), number(10..12), number(12..14))
    else {
        return false;
    };
    (1850..=2199).contains(&year) && is_calendar_date(year, month, day)
}

/// A day that exists: month 1–12, day within that month.
fn is_calendar_date(year: u32, month: u32, day: u32) -> bool {
    (1..=12).contains(&month)
        && u16::try_from(year)
            .is_ok_and(|y| (1..=u32::from(days_in_month(y, month as u8))).contains(&day))
}

/// One run of 16–19 digits, or groups of four with a last group of one to four.
fn is_card_shape(lens: &[usize]) -> bool {
    let total: usize = lens.iter().sum();
    if !(16..=19).contains(&total) {
        return false;
    }
    let (last, rest) = lens.split_last().expect("a chain has at least one group");
    rest.is_empty() || (rest.iter().all(|&l| l == 4) && (1..=4).contains(last))
}

fn is_luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

fn is_mobile(digits: &str) -> bool {
    let b = digits.as_bytes();
    b.len() == 11
        && b.iter().all(u8::is_ascii_digit)
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
}

fn mobile(digits: &str, lens: &[usize], span: Range<usize>, chars: &[Char]) -> Option<Candidate> {
    // The number may carry a country prefix as its own group (`+86 139…`) or glued on (`86139…`).
    let (number, number_lens, prefixed) = match lens {
        [prefix, rest @ ..]
            if !rest.is_empty() && matches!(digits.get(..*prefix), Some("86" | "0086")) =>
        {
            (&digits[*prefix..], rest, true)
        }
        [_] => {
            let number = strip_country_prefix(digits);
            (number, lens, number.len() != digits.len())
        }
        _ => (digits, lens, false),
    };
    if !is_mobile(number) {
        return None;
    }
    // Parts of at least three digits (`139 5512 3456`, `139-55123456`): dates and list numbers
    // are written in ones and twos and must not add up to a mobile.
    let number_lens_ok = number_lens.len() == 1 || number_lens.iter().all(|&l| l >= 3);
    if !number_lens_ok {
        return None;
    }
    let mut span = span;
    if prefixed && span.start > 0 && chars[span.start - 1].c == '+' {
        span.start -= 1;
    }
    Some(Candidate {
        chars: span,
        kind: IdentifierKind::Mobile,
        canonical: number.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none() -> PublicNumbers {
        PublicNumbers::default()
    }

    /// The flagged substrings and their kinds.
    fn found(text: &str) -> Vec<(&str, IdentifierKind)> {
        found_with(text, &none())
    }

    fn found_with<'t>(text: &'t str, public: &PublicNumbers) -> Vec<(&'t str, IdentifierKind)> {
        scan(text, public)
            .into_iter()
            .map(|f| (&text[f.range], f.kind))
            .collect()
    }

    use IdentifierKind::{BankCard, Mobile, ResidentId};

    /// ISO 7064 MOD 11-2 in its recursive form, written independently of the weighted sum the
    /// guard uses: p ← 2·(p + d) mod 11 for each digit, check = (12 − p) mod 11, 10 written `X`.
    fn id_check_char(first17: &str) -> char {
        assert_eq!(first17.len(), 17);
        let p = first17
            .bytes()
            .fold(0u32, |p, b| ((p + u32::from(b - b'0')) * 2) % 11);
        match (12 - p) % 11 {
            10 => 'X',
            c => char::from_digit(c, 10).unwrap(),
        }
    }

    fn id(first17: &str) -> String {
        format!("{first17}{}", id_check_char(first17))
    }

    /// An ID with the wrong check character.
    fn id_with_bad_check(first17: &str) -> String {
        let good = id_check_char(first17);
        let bad = if good == '0' { '1' } else { '0' };
        format!("{first17}{bad}")
    }

    /// Appends the Luhn check digit: the digit that makes the doubled-every-second sum end in 0.
    fn with_luhn_digit(payload: &str) -> String {
        (0..10)
            .map(|d| format!("{payload}{d}"))
            .find(|n| {
                let sum: u32 = n
                    .chars()
                    .rev()
                    .enumerate()
                    .map(|(i, c)| {
                        let d = c.to_digit(10).unwrap();
                        if i % 2 == 1 {
                            (d * 2) / 10 + (d * 2) % 10
                        } else {
                            d
                        }
                    })
                    .sum();
                sum.is_multiple_of(10)
            })
            .unwrap()
    }

    fn in_groups_of_four(digits: &str) -> String {
        let groups: Vec<&str> = digits
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        groups.join(" ")
    }

    fn full_width(ascii: &str) -> String {
        ascii
            .chars()
            .map(|c| match c {
                '0'..='9' => char::from_u32('０' as u32 + (c as u32 - '0' as u32)).unwrap(),
                '+' => '＋',
                '-' => '－',
                ' ' => '\u{3000}',
                c => c,
            })
            .collect()
    }

    #[test]
    fn the_commonly_cited_example_id_is_valid_by_the_independent_algorithm() {
        assert_eq!(id("11010519491231002"), "11010519491231002X");
        assert_eq!(
            found("身份证 11010519491231002X。"),
            [("11010519491231002X", ResidentId)]
        );
    }

    #[test]
    fn ids_with_a_valid_check_digit_are_found() {
        for first17 in [
            "34010419800101123",
            "34012219951231002",
            "34260119700615461",
            "11010519491231002",
            "44030420000229051",
        ] {
            let number = id(first17);
            assert_eq!(found(&number), [(number.as_str(), ResidentId)], "{number}");
            let in_text = format!("户主:张*,证件号码{number},住址…");
            assert_eq!(
                found(&in_text),
                [(number.as_str(), ResidentId)],
                "{in_text}"
            );
        }
    }

    #[test]
    fn ids_with_an_invalid_check_digit_are_not_flagged_as_ids() {
        for first17 in [
            "34010419800101123",
            "11010519491231002",
            "34260119700615461",
        ] {
            let number = id_with_bad_check(first17);
            assert!(
                !found(&number).iter().any(|(_, k)| *k == ResidentId),
                "{number}"
            );
        }
        assert!(found("11010519491231002Y").is_empty());
    }

    #[test]
    fn a_check_digit_valid_serial_that_has_no_birth_date_is_not_an_id() {
        // Month 13: a serial number, whatever its check character says.
        let serial = id("34010419801301123");
        assert!(!found(&serial).iter().any(|(_, k)| *k == ResidentId));
    }

    #[test]
    fn a_lowercase_or_full_width_x_counts_as_the_check_digit() {
        assert_eq!(
            found("110105194912310021 与 11010519491231002x"),
            [("11010519491231002x", ResidentId)]
        );
        assert_eq!(
            found("11010519491231002ｘ"),
            [("11010519491231002ｘ", ResidentId)]
        );
        // Chinese text may follow the check digit directly.
        assert_eq!(
            found("证号11010519491231002X号码"),
            [("11010519491231002X", ResidentId)]
        );
        // An `x` that starts a word is not a check digit.
        assert!(found("11010519491231002xyz").is_empty());
    }

    #[test]
    fn full_width_digits_are_read_as_digits_and_ranges_stay_in_the_original_bytes() {
        let number = full_width(&id("34010419800101123"));
        let text = format!("证号:{number}。");
        let findings = scan(&text, &none());
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].kind, ResidentId);
        assert_eq!(&text[findings[0].range.clone()], number);
        assert_eq!(findings[0].range.len(), 18 * 3);

        let mobile = full_width("＋86 139-5512-3456");
        assert_eq!(found(&format!("电话{mobile}")), [(mobile.as_str(), Mobile)]);
        let mobile = full_width("13955123456");
        assert_eq!(found(&mobile), [(mobile.as_str(), Mobile)]);
    }

    #[test]
    fn an_id_written_in_region_birth_sequence_groups_is_found() {
        let number = id("34010419800101123");
        let grouped = format!("{} {} {}", &number[..6], &number[6..14], &number[14..]);
        assert_eq!(found(&grouped), [(grouped.as_str(), ResidentId)]);
    }

    #[test]
    fn masked_ids_pass() {
        for masked in [
            "340104********1234",
            "3401**********123X",
            "340104**********34",
            "1101051949****002X",
        ] {
            assert!(found(masked).is_empty(), "{masked}");
        }
    }

    #[test]
    fn mobiles_are_found_however_written() {
        for written in [
            "13955123456",
            "139 5512 3456",
            "139-5512-3456",
            "139-55123456",
            "+86 139-5512-3456",
            "+86 13955123456",
            "+8613955123456",
            "+86-139-5512-3456",
            "86 139 5512 3456",
            "8613955123456",
            "0086 139 5512 3456",
            "19912345678",
            "15055123456",
        ] {
            let text = format!("联系电话:{written},欢迎来电");
            assert_eq!(found(&text), [(written, Mobile)], "{written}");
        }
    }

    #[test]
    fn a_mobile_range_covers_the_country_prefix() {
        let text = "电话 +86 139 5512 3456 ";
        let findings = scan(text, &none());
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].range, 7..24);
    }

    #[test]
    fn numbers_that_are_not_mobiles_are_not_flagged() {
        for text in [
            "12955123456",          // 12x is not a mobile prefix
            "1395512345",           // ten digits
            "139551234567",         // twelve digits
            "12345678901234567890", // a long run holds no mobile
            "913955123456",         // a digit before
            "139551234560",         // a digit after
            "0551-63521234",        // a landline
            "(0551)63521234",
            "0551 6352 1234",
            "1234.50",
            "13955123456.78", // an amount, however large
            "2026-10-01",
            "2026-10-13 至 2026-10-14",
            "记-2026-10-015",
            "记-2026-10-015 记-2026-10-016",
            "1 3 9 5 5 1 2 3 4 5 6", // digits in a list
            "13-95-51-23-45-6",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }

    #[test]
    fn masked_mobiles_pass() {
        for masked in [
            "138****1234",
            "138 **** 1234",
            "138-****-1234",
            "+86 138****1234",
            "１３８＊＊＊＊１２３４",
        ] {
            assert!(found(masked).is_empty(), "{masked}");
        }
    }

    #[test]
    fn identifiers_separated_by_non_digits_are_each_found() {
        assert_eq!(
            found("13955123456,13855123456"),
            [("13955123456", Mobile), ("13855123456", Mobile)]
        );
        assert_eq!(found("2026-10-01 13955123456"), [("13955123456", Mobile)]);
        let number = id("34010419800101123");
        let text = format!("{number}/13955123456");
        assert_eq!(
            found(&text),
            [(number.as_str(), ResidentId), ("13955123456", Mobile)]
        );
        let text = "张*13955123456李*13855123456";
        assert_eq!(found(text).len(), 2);
    }

    #[test]
    fn luhn_valid_cards_are_found() {
        // Built with the independent check-digit helper above.
        let card19 = with_luhn_digit("622202020011223344");
        let card16 = with_luhn_digit("622848001234567");
        assert_eq!(card19.len(), 19);
        assert_eq!(found(&card19), [(card19.as_str(), BankCard)]);
        assert_eq!(found(&card16), [(card16.as_str(), BankCard)]);
        // The classic test card number.
        assert_eq!(found("4111111111111111"), [("4111111111111111", BankCard)]);

        let grouped = in_groups_of_four(&card19);
        let text = format!("收款账号:{grouped}(农行)");
        assert_eq!(found(&text), [(grouped.as_str(), BankCard)]);
        let dashed = grouped.replace(' ', "-");
        assert_eq!(found(&dashed), [(dashed.as_str(), BankCard)]);
        let wide = full_width(&grouped);
        assert_eq!(found(&wide), [(wide.as_str(), BankCard)]);
    }

    #[test]
    fn luhn_invalid_card_shaped_numbers_are_not_cards() {
        let card = with_luhn_digit("622202020011223344");
        let last = card.as_bytes()[18] - b'0';
        let broken = format!("{}{}", &card[..18], (last + 1) % 10);
        assert!(found(&broken).is_empty(), "{broken}");
        assert!(found("4111111111111112").is_empty());
        // A Luhn-valid card inside a longer run of digits is not a card.
        assert!(found(&format!("{card}0")).is_empty());
        assert!(found(&format!("9{card}")).is_empty());
    }

    #[test]
    fn masked_cards_pass() {
        for masked in [
            "6222 **** **** 1234",
            "6222 **** **** **** 123",
            "6222-****-****-1234",
            "622202******1234",
        ] {
            assert!(found(masked).is_empty(), "{masked}");
        }
    }

    #[test]
    fn an_id_wins_over_a_card_and_a_card_over_a_mobile() {
        // Find an ID that also passes Luhn: both readings cover the same digits.
        let both = (0..1000)
            .map(|seq| id(&format!("34010419800101{seq:03}")))
            .find(|n| n.bytes().all(|b| b.is_ascii_digit()) && is_luhn_valid(n))
            .expect("one ID in ten passes Luhn");
        assert_eq!(found(&both), [(both.as_str(), ResidentId)]);

        // A card whose last three groups read as a mobile: `1395 5123 45?`.
        let card = with_luhn_digit("622202021395512345");
        let grouped = in_groups_of_four(&card);
        assert_eq!(&grouped[10..], "1395 5123 45".to_string() + &card[18..]);
        assert_eq!(found(&grouped), [(grouped.as_str(), BankCard)]);
    }

    #[test]
    fn public_numbers_pass_in_any_format() {
        let public = PublicNumbers::new(["+86 139-5512-3456", "0551-63521234"]);
        for written in [
            "13955123456",
            "139 5512 3456",
            "+86 13955123456",
            "１３９５５１２３４５６",
        ] {
            assert!(found_with(written, &public).is_empty(), "{written}");
        }
        assert!(public.contains("(0551) 6352 1234"));
        assert!(public.contains("Fax: 0551-63521234"));
        assert!(!public.contains("0551-63521235"));
        // An unlisted mobile next to a listed one is still found.
        assert_eq!(
            found_with("办公室 13955123456,个人 13855123456", &public),
            [("13855123456", Mobile)]
        );
    }

    #[test]
    fn a_listed_card_is_not_re_read_as_a_mobile_inside_it() {
        let card = with_luhn_digit("622202021395512345");
        let grouped = in_groups_of_four(&card);
        let public = PublicNumbers::new([grouped.as_str()]);
        assert!(found_with(&grouped, &public).is_empty(), "{grouped}");
        assert_eq!(found(&grouped), [(grouped.as_str(), BankCard)]);
    }

    #[test]
    fn masked_names() {
        for name in ["张*", "欧*明", "张**", "司马*", "*明", "张＊", " 李* "] {
            assert!(is_masked_name(name), "{name}");
        }
        for name in ["张三", "欧阳明", "*", "**", "", "＊＊"] {
            assert!(!is_masked_name(name), "{name}");
        }
    }

    #[test]
    fn names_are_masked_by_the_one_rule() {
        for (name, masked) in [
            ("张三", "张*"),
            ("张三明", "张*明"),
            ("欧阳明", "欧阳*"),
            ("欧阳明辉", "欧阳*辉"),
            ("司马相如", "司马*如"),
            ("欧阳", "欧*"),
            ("李", "*"),
            (" 王小二 ", "王*二"),
            ("阿依古丽", "阿**丽"),
        ] {
            assert_eq!(mask_name(name), masked, "{name}");
        }
        for name in ["张三", "欧阳明", "司马相如", "阿依古丽·买买提", "欧阳"] {
            assert!(is_masked_name(&mask_name(name)), "{name}");
        }
    }

    #[test]
    fn ids_are_masked_to_the_first_six_and_last_four() {
        assert_eq!(
            mask_id("340104198001011234").as_deref(),
            Some("340104********1234")
        );
        assert_eq!(
            mask_id("34010419800101123x").as_deref(),
            Some("340104********123X")
        );
        assert_eq!(
            mask_id("340104 1980 0101 1234").as_deref(),
            Some("340104********1234")
        );
        assert_eq!(
            mask_id("340104800101123").as_deref(),
            Some("340104*****1123")
        );
        assert_eq!(mask_id("12345"), None);
        assert_eq!(mask_id("张三"), None);
    }

    #[test]
    fn an_id_column_takes_only_the_masked_shape() {
        for ok in [
            "340104********1234",
            "340104********123X",
            "340104*****1123",
            "34010*********1234",
        ] {
            assert!(is_masked_id(ok), "{ok}");
        }
        for bad in [
            "340104198001011234",
            "3401041980****1234",
            "1101051949****002X",
            "340104*******1234",
            "待补",
        ] {
            assert!(!is_masked_id(bad), "{bad}");
        }
    }

    #[test]
    fn separators_a_clerk_types_between_digits_are_read_through() {
        let number = id("34010419800101123");
        for grouped in [
            format!("{} {}", &number[..6], &number[6..]),
            format!("{} {}", &number[..14], &number[14..]),
            format!("{}\u{3000}{}", &number[..14], &number[14..]),
            in_groups_of_four(&number),
            format!("{}-{}-{}", &number[..6], &number[6..14], &number[14..]),
            format!("{}—{}—{}", &number[..6], &number[6..14], &number[14..]),
            format!("({}){}", &number[..6], &number[6..]),
            format!("{}.{}.{}", &number[..6], &number[6..14], &number[14..]),
            format!(
                "{}\u{2009}{}\u{202f}{}",
                &number[..6],
                &number[6..14],
                &number[14..]
            ),
        ] {
            let text = format!("证件号码:{grouped},");
            // The finding runs from the first digit to the last.
            let digits = grouped.trim_start_matches('(');
            assert_eq!(found(&text), [(digits, ResidentId)], "{grouped}");
        }
        for written in [
            "139—5678—1234",
            "139–5678–1234",
            "139 - 5678 - 1234",
            "(139)56781234",
            "（139）5678 1234",
            "139.5678.1234",
            "139\u{2002}5678\u{2002}1234",
            "+86 (139) 5678-1234",
        ] {
            let text = format!("联系电话:{written}。");
            let digits = written.trim_start_matches(['(', '（']);
            assert_eq!(found(&text), [(digits, Mobile)], "{written}");
        }
    }

    #[test]
    fn first_generation_fifteen_digit_ids_are_found() {
        for written in ["340104800101123", "110105491231002", "340104 800101 123"] {
            let text = format!("原身份证号{written}(一代证)");
            assert_eq!(found(&text), [(written, ResidentId)], "{written}");
        }
        // Not a province, not a date: order and batch numbers pass.
        for benign in [
            "202612010001234",
            "341104801301123",
            "340104800230123",
            "3401048001011234",
        ] {
            assert!(
                !found(benign).iter().any(|(_, k)| *k == ResidentId),
                "{benign}: {:?}",
                found(benign)
            );
        }
    }

    #[test]
    fn benign_look_alikes_still_pass() {
        for text in [
            "340104********1234",
            "办公电话 (0551) 6352-1234",
            "0551—63521234",
            "订单号 2026120100012346",
            "批次号 PC-2026-1201-0042",
            "合计 1,127,000.00 元",
            "金额 12 345.50",
            "13955123456.78",
            "弋纪〔2026〕15号",
            "第1.2.3条",
            "2026.12.01 至 2026.12.31",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }

    #[test]
    fn descriptions_name_the_identifier_in_both_languages() {
        assert_eq!(
            ResidentId.describe(),
            "unmasked resident ID number (身份证号)"
        );
        assert!(Mobile.describe().contains("手机号"));
        assert!(BankCard.describe().contains("银行卡号"));
    }
}
