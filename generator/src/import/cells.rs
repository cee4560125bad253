//! Turning a spreadsheet cell into a record's value: amounts to the fen, dates, whole numbers.
//!
//! This leniency is the importer's alone. A cell may hold a double (Excel stores every number
//! so), text such as `1,127.00`, `¥1127` or `1127元`, or a date as a serial, a date-formatted
//! cell or text (`2026/12/1`, `2026年12月1日`, `2026.12.1`). What is written to the record is
//! strict — digits with fen, `YYYY-MM-DD` — and YAML content stays strict when read.

use std::str::FromStr;

use rust_decimal::Decimal;
use ydt_function::clock::Date;

use super::sheet::Value;
use crate::model::Money;

/// The unit a money column's header names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    Yuan,
    /// 万元: ten thousand yuan.
    TenThousandYuan,
}

impl Unit {
    fn decimals(self) -> u32 {
        match self {
            Unit::Yuan => 2,
            Unit::TenThousandYuan => 6,
        }
    }
}

/// An amount in yuan with fen, exact. The error says what is wrong, for a message naming the cell.
pub(crate) fn money(value: &Value, unit: Unit) -> Result<Money, String> {
    let in_unit = match value {
        Value::Number(n) => exact_from_double(*n, unit.decimals())?,
        Value::Integer(n) => Decimal::from(*n),
        Value::Text(t) => money_text(t)?,
        Value::Date { .. } => return Err("这是日期，不是金额".to_string()),
        Value::Error(e) => return Err(format!("单元格是错误值 {e}")),
        Value::Empty => return Err("金额是空的".to_string()),
    };
    let yuan = match unit {
        Unit::Yuan => in_unit,
        Unit::TenThousandYuan => in_unit * Decimal::from(10_000),
    };
    let yuan = yuan.normalize();
    if yuan.scale() > 2 {
        return Err(format!("{yuan} 元不是精确到分的金额"));
    }
    if yuan.is_sign_negative() && !yuan.is_zero() {
        return Err("金额不能是负数：退款、更正请另起一行说明".to_string());
    }
    Money::parse(&yuan.to_string()).map_err(|_| format!("{yuan} 不是金额"))
}

/// A double to `decimals` places, only when it lies within a hair of such a value: Excel keeps
/// 1127.00 as 1127.0 and 0.1+0.2 as 0.30000000000000004, but 1127.005 is not an amount in fen.
fn exact_from_double(value: f64, decimals: u32) -> Result<Decimal, String> {
    if !value.is_finite() {
        return Err("不是一个数".to_string());
    }
    let scaled = value * 10f64.powi(decimals as i32);
    let whole = scaled.round();
    // A hair: far below a fen, and a few units in the last place of large figures.
    let hair = (scaled.abs() * 8.0 * f64::EPSILON).max(1e-6);
    if (scaled - whole).abs() > hair || whole.abs() > 1e17 {
        return Err(format!(
            "单元格里的数是 {value}，不是精确到分的金额（请把单元格设为两位小数并改正数值）"
        ));
    }
    Ok(Decimal::new(whole as i64, decimals))
}

/// `1,127.00`, `¥1127`, `￥ 1,127`, `1127元`, `1127.5`: read exactly. Thousands separators must
/// stand every three digits, so `1,12.7` is refused rather than guessed.
fn money_text(text: &str) -> Result<Decimal, String> {
    let folded: String = text
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' => '.',
            '，' => ',',
            c => c,
        })
        .filter(|c| !c.is_whitespace())
        .collect();
    let bare = folded
        .trim_start_matches(['¥', '￥'])
        .trim_start_matches("RMB")
        .trim_end_matches("万元")
        .trim_end_matches('元');
    let (whole, fraction) = bare.split_once('.').unwrap_or((bare, ""));
    let whole_digits = if whole.contains(',') {
        let groups: Vec<&str> = whole.split(',').collect();
        let well_grouped =
            (1..=3).contains(&groups[0].len()) && groups[1..].iter().all(|g| g.len() == 3);
        if !well_grouped {
            return Err(format!("“{text}”的千位分隔符位置不对"));
        }
        groups.concat()
    } else {
        whole.to_string()
    };
    let negative = whole_digits.starts_with('-');
    let digits = whole_digits.trim_start_matches('-');
    if digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
        || (bare.contains('.') && fraction.is_empty())
    {
        return Err(format!("“{text}”不是金额"));
    }
    let sign = if negative { "-" } else { "" };
    let number = if fraction.is_empty() {
        format!("{sign}{digits}")
    } else {
        format!("{sign}{digits}.{fraction}")
    };
    Decimal::from_str(&number).map_err(|_| format!("“{text}”不是金额"))
}

/// A date from a date cell, an Excel serial, or text in the ways clerks type it.
pub(crate) fn date(value: &Value) -> Result<Date, String> {
    match value {
        Value::Date { year, month, day } => Date::parse(&format!("{year:04}-{month:02}-{day:02}"))
            .map_err(|why| format!("日期不对：{why}")),
        Value::Number(n) if n.fract() == 0.0 => serial_date(*n as i64),
        Value::Integer(n) => serial_date(*n),
        Value::Text(t) => date_text(t),
        _ => Err(format!("“{}”不是日期", value.shown())),
    }
}

/// Excel's 1900 date system: serial 1 is 1900-01-01, and 60 the 1900-02-29 that never was.
fn serial_date(serial: i64) -> Result<Date, String> {
    if !(61..=2_958_465).contains(&serial) {
        return Err(format!("{serial} 不像是日期"));
    }
    // Serial 25569 is 1970-01-01.
    Ok(Date::from_days(serial - 25_569))
}

/// `2026-12-01`, `2026/12/1`, `2026.12.1`, `2026年12月1日`, and an ISO date-time from .ods.
fn date_text(text: &str) -> Result<Date, String> {
    let t = text.trim();
    let t = t.split_once('T').map_or(t, |(d, _)| d);
    let parts: Vec<&str> = t
        .split(['-', '/', '.', '年', '月', '日'])
        .filter(|p| !p.is_empty())
        .collect();
    let [y, m, d] = parts[..] else {
        return Err(format!("“{text}”不是日期，请写成 2026-12-01"));
    };
    let (Ok(year), Ok(month), Ok(day)) = (y.parse::<u16>(), m.parse::<u8>(), d.parse::<u8>())
    else {
        return Err(format!("“{text}”不是日期，请写成 2026-12-01"));
    };
    Date::parse(&format!("{year:04}-{month:02}-{day:02}"))
        .map_err(|why| format!("“{text}”不是日期：{why}"))
}

/// A whole number from a number cell or text.
pub(crate) fn integer(value: &Value) -> Result<i64, String> {
    match value {
        Value::Integer(n) => Ok(*n),
        Value::Number(n) if n.fract() == 0.0 && n.abs() < 9e15 => Ok(*n as i64),
        Value::Text(t) => t
            .trim()
            .replace(',', "")
            .parse()
            .map_err(|_| format!("“{t}”不是整数")),
        _ => Err(format!("“{}”不是整数", value.shown())),
    }
}

/// A text cell as it should be written: numbers without a float's tail (`12` not `12.0`),
/// dates as `YYYY-MM-DD`.
pub(crate) fn text(value: &Value) -> String {
    match value {
        Value::Number(n) if n.fract() == 0.0 && n.abs() < 1e18 => format!("{}", *n as i64),
        other => other.shown(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yuan(value: Value) -> Result<String, String> {
        money(&value, Unit::Yuan).map(|m| m.to_string())
    }

    #[test]
    fn doubles_within_a_hair_of_a_fen_are_read_exactly() {
        assert_eq!(yuan(Value::Number(1127.0)).unwrap(), "1127.00");
        assert_eq!(yuan(Value::Number(0.1 + 0.2)).unwrap(), "0.30");
        assert_eq!(yuan(Value::Number(1234.56)).unwrap(), "1234.56");
        assert_eq!(yuan(Value::Number(98_765_432.1)).unwrap(), "98765432.10");
        assert_eq!(yuan(Value::Integer(600)).unwrap(), "600.00");
    }

    #[test]
    fn doubles_that_are_not_a_fen_value_are_refused() {
        for v in [1127.005, 0.001, 1_127.333_333, f64::NAN] {
            assert!(yuan(Value::Number(v)).is_err(), "{v}");
        }
        assert!(yuan(Value::Number(-5.0)).is_err());
    }

    #[test]
    fn text_amounts_are_read_exactly() {
        for (text, expected) in [
            ("1,127.00", "1127.00"),
            ("¥1127", "1127.00"),
            ("￥ 1,127.5", "1127.50"),
            ("1127元", "1127.00"),
            ("１１２７．００", "1127.00"),
            ("12,345,678.90", "12345678.90"),
        ] {
            assert_eq!(yuan(Value::Text(text.into())).unwrap(), expected, "{text}");
        }
        for bad in ["1,12.7", "12.345", "约1000", "1127.", "", "-"] {
            assert!(yuan(Value::Text(bad.into())).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_column_in_ten_thousand_yuan_is_converted_exactly() {
        let m = |v| money(&v, Unit::TenThousandYuan).map(|m| m.to_string());
        assert_eq!(m(Value::Number(12.5)).unwrap(), "125000.00");
        assert_eq!(m(Value::Number(0.123456)).unwrap(), "1234.56");
        assert_eq!(m(Value::Text("3.2万元".into())).unwrap(), "32000.00");
        assert!(m(Value::Number(0.1234567)).is_err());
        assert!(m(Value::Text("0.1234567".into())).is_err());
    }

    #[test]
    fn dates_from_serials_cells_and_the_ways_clerks_type_them() {
        for value in [
            Value::Number(46357.0),
            Value::Integer(46357),
            Value::Date {
                year: 2026,
                month: 12,
                day: 1,
            },
            Value::Text("2026/12/1".into()),
            Value::Text("2026年12月1日".into()),
            Value::Text("2026.12.1".into()),
            Value::Text("2026-12-01".into()),
            Value::Text("2026-12-01T00:00:00".into()),
        ] {
            assert_eq!(date(&value).unwrap().to_string(), "2026-12-01", "{value:?}");
        }
        for bad in ["2026/13/1", "12月1日", "明天"] {
            assert!(date(&Value::Text(bad.into())).is_err(), "{bad}");
        }
        // Excel's phantom 1900-02-29 and what comes before it are not dates of a record.
        assert!(date(&Value::Number(60.0)).is_err());
    }
}
