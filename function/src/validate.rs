//! Turning a request body into a checked submission or lookup, or into the message a resident
//! reads. Both the JSON API and the no-JavaScript form come through here, so the rules are one.
//!
//! Messages are Chinese (residents read them); `field` names the form field the message is about,
//! the same name in JSON and in the form (`contact_name`, `contact_phone` for the JSON `contact`).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::manifest::{Category, Community, Manifest, RecordRef, Scope, SubmissionType};
use crate::store::OnBehalf;
use crate::table::rating;

pub const BODY_MIN_CHARS: usize = 5;
pub const BODY_MAX_CHARS: usize = 2000;
pub const NAME_MAX_CHARS: usize = 20;
/// A rating's comment.
pub const COMMENT_MAX_CHARS: usize = 500;
const KEY_MIN_CHARS: usize = 8;
const KEY_MAX_CHARS: usize = 128;

/// What may stand between the digits of a phone number as residents type it.
pub const PHONE_SEPARATORS: &str = " -－()（）";
/// A mainland mobile, digits only: 1, then 3–9, then nine digits.
pub const MOBILE_PATTERN: &str = "^1[3-9][0-9]{9}$";
/// A landline with its area code, digits only: 010 and 02x with an 8-digit number, 0xxx with 7 or
/// 8 digits; a local number never starts with 0 or 1. Groups: area code, number.
pub const LANDLINE_PATTERN: &str =
    "^(0[12][0-9])([2-9][0-9]{7})$|^(0[3-9][0-9]{2})([2-9][0-9]{6,7})$";

/// What a resident reads when a field is refused. The server answers with these, and the form's
/// own checks in the browser show the same words: the generator writes them into the form page
/// (see [`FormRules`]), so the two cannot drift apart. `{min}`, `{max}` and `{n}` (the count
/// typed so far) are filled in where they are shown.
pub mod message {
    pub const TYPE_MISSING: &str = "请选择类型：投诉、举报或建议";
    pub const CATEGORY_MISSING: &str = "请选择问题类别";
    pub const BODY_MISSING: &str = "请填写内容";
    pub const BODY_CONTROL: &str = "内容里有无法显示的控制字符，请删除后再提交";
    pub const BODY_TOO_SHORT: &str = "内容太短：请至少写 {min} 个字，说清楚事情";
    pub const BODY_TOO_LONG: &str = "内容太长：最多 {max} 个字，现在是 {n} 个字";
    pub const NAME_TOO_LONG: &str = "姓名太长：最多 {max} 个字";
    /// What a resident is told about losing the query code, on every receipt and the lookup page.
    pub const QUERY_CODE_LOST: &str = "查询码只显示这一次，系统也不保存原码，丢了无法找回。匿名提交的，丢了查询码就不能再查询；留了姓名和电话的，可以打电话给办理单位，核实身份后询问办理情况。";
    pub const PHONE_WRONG: &str =
        "电话号码不对：请填写 11 位手机号，或带区号的固定电话（如 0551-65551234）";
    pub const RECORD_MISSING: &str = "缺少要提异议的公开事项，请从该项公开的页面进入";
    pub const RECORD_UNKNOWN: &str = "本社区没有这项公开，请从该项公开的页面进入后提交";
    pub const SMS_NEEDS_MOBILE: &str = "要收短信通知，请填写 11 位手机号（匿名提交不能收短信）";
    pub const ON_BEHALF_ROLE: &str = "代办人身份不对：请选择网格员、监督员或服务大厅工作人员";
    pub const ON_BEHALF_NAME: &str = "请填写代办人姓名（最多 {max} 个字）";
    pub const RATING_WRONG: &str = "请选择评价：满意、基本满意或不满意";
    pub const COMMENT_TOO_LONG: &str = "意见太长：最多 {max} 个字，现在是 {n} 个字";
}

/// Who may file for a resident: the form's value and the role as stored and shown.
pub const ON_BEHALF_ROLES: [(&str, &str); 3] = [
    ("grid", "网格员"),
    ("monitor", "监督员"),
    ("hall", "服务大厅工作人员"),
];

/// `template` with `{min}`, `{max}` and `{n}` filled in (those it has).
fn fill(template: &str, min: usize, max: usize, n: usize) -> String {
    template
        .replace("{min}", &min.to_string())
        .replace("{max}", &max.to_string())
        .replace("{n}", &n.to_string())
}

/// The checks the submission form runs in the browser before it posts, as data: the limits, the
/// phone rule and the messages of this module, written by the generator into the form page's
/// `data-*` attributes for `form.js`. The server still checks everything itself.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FormRules {
    pub body_min: usize,
    pub body_max: usize,
    pub name_max: usize,
    pub phone_separators: &'static str,
    pub mobile_pattern: &'static str,
    pub landline_pattern: &'static str,
    /// By the name the script asks for (`data-msg-<name>`), with `{min}` and `{max}` filled in;
    /// `{n}`, the count typed so far, is left for the script.
    pub messages: BTreeMap<&'static str, String>,
}

impl Default for FormRules {
    fn default() -> FormRules {
        let messages = [
            ("type-missing", message::TYPE_MISSING),
            ("category-missing", message::CATEGORY_MISSING),
            ("body-control", message::BODY_CONTROL),
            ("body-too-short", message::BODY_TOO_SHORT),
            ("body-too-long", message::BODY_TOO_LONG),
            ("name-too-long", message::NAME_TOO_LONG),
            ("phone-wrong", message::PHONE_WRONG),
            ("query-code-lost", message::QUERY_CODE_LOST),
        ];
        FormRules {
            body_min: BODY_MIN_CHARS,
            body_max: BODY_MAX_CHARS,
            name_max: NAME_MAX_CHARS,
            phone_separators: PHONE_SEPARATORS,
            mobile_pattern: MOBILE_PATTERN,
            landline_pattern: LANDLINE_PATTERN,
            messages: messages
                .into_iter()
                .map(|(name, template)| {
                    let max = if name == "name-too-long" {
                        NAME_MAX_CHARS
                    } else {
                        BODY_MAX_CHARS
                    };
                    let text = template
                        .replace("{min}", &BODY_MIN_CHARS.to_string())
                        .replace("{max}", &max.to_string());
                    (name, text)
                })
                .collect(),
        }
    }
}

/// Why input was refused: one message, and the field it is about (`None` for the whole request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub message: String,
    pub field: Option<&'static str>,
}

impl Invalid {
    pub fn field(field: &'static str, message: impl Into<String>) -> Invalid {
        Invalid {
            message: message.into(),
            field: Some(field),
        }
    }

    pub fn request(message: impl Into<String>) -> Invalid {
        Invalid {
            message: message.into(),
            field: None,
        }
    }
}

/// A parsed request body: a JSON object, or the pairs of a url-encoded form.
pub enum Input {
    Json(Map<String, Value>),
    Form(Vec<(String, String)>),
}

impl Input {
    /// Parses a JSON body; it must be an object.
    pub fn json(body: &str) -> Result<Input, Invalid> {
        match serde_json::from_str::<Value>(body) {
            Ok(Value::Object(map)) => Ok(Input::Json(map)),
            Ok(_) => Err(Invalid::request("提交的数据格式不对：应为一个 JSON 对象")),
            Err(_) => Err(Invalid::request("提交的数据格式不对，无法读取")),
        }
    }

    /// Parses `application/x-www-form-urlencoded`; percent-escapes must decode to UTF-8.
    pub fn form(body: &str) -> Result<Input, Invalid> {
        parse_pairs(body).map(Input::Form)
    }

    pub fn is_form(&self) -> bool {
        matches!(self, Input::Form(_))
    }

    /// A text field: `None` when missing, null or empty.
    pub fn text(&self, name: &'static str) -> Result<Option<String>, Invalid> {
        match self {
            Input::Json(map) => match map.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) if s.is_empty() => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(Invalid::field(name, "应为文字")),
            },
            Input::Form(pairs) => Ok(pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty())),
        }
    }

    /// A yes/no field: JSON `true`/`false`, a form checkbox present (`on`) or absent.
    fn flag(&self, name: &'static str) -> Result<bool, Invalid> {
        match self {
            Input::Json(map) => match map.get(name) {
                None | Some(Value::Null) => Ok(false),
                Some(Value::Bool(b)) => Ok(*b),
                Some(_) => Err(Invalid::field(
                    name,
                    match name {
                        "notify_sms" => "短信通知选项应为 true 或 false",
                        _ => "匿名选项应为 true 或 false",
                    },
                )),
            },
            Input::Form(_) => Ok(matches!(
                self.text(name)?.as_deref(),
                Some("on" | "true" | "1" | "yes")
            )),
        }
    }

    /// The contact name and phone: JSON `contact: {name, phone}`, form `contact_name`, `contact_phone`.
    fn contact(&self) -> Result<(Option<String>, Option<String>), Invalid> {
        match self {
            Input::Json(map) => match map.get("contact") {
                None | Some(Value::Null) => Ok((None, None)),
                Some(Value::Object(contact)) => {
                    let get = |key: &str, field: &'static str| match contact.get(key) {
                        None | Some(Value::Null) => Ok(None),
                        Some(Value::String(s)) if s.is_empty() => Ok(None),
                        Some(Value::String(s)) => Ok(Some(s.clone())),
                        Some(_) => Err(Invalid::field(field, "应为文字")),
                    };
                    Ok((get("name", "contact_name")?, get("phone", "contact_phone")?))
                }
                Some(_) => Err(Invalid::field(
                    "contact_name",
                    "联系方式格式不对：应为 {name, phone}",
                )),
            },
            Input::Form(_) => Ok((self.text("contact_name")?, self.text("contact_phone")?)),
        }
    }

    /// Who files for the resident: JSON `on_behalf: {role, name}`, form `on_behalf_role`,
    /// `on_behalf_name`.
    fn on_behalf(&self) -> Result<(Option<String>, Option<String>), Invalid> {
        match self {
            Input::Json(map) => match map.get("on_behalf") {
                None | Some(Value::Null) => Ok((None, None)),
                Some(Value::Object(by)) => {
                    let get = |key: &str, field: &'static str| match by.get(key) {
                        None | Some(Value::Null) => Ok(None),
                        Some(Value::String(s)) if s.is_empty() => Ok(None),
                        Some(Value::String(s)) => Ok(Some(s.clone())),
                        Some(_) => Err(Invalid::field(field, "应为文字")),
                    };
                    Ok((
                        get("role", "on_behalf_role")?,
                        get("name", "on_behalf_name")?,
                    ))
                }
                Some(_) => Err(Invalid::field(
                    "on_behalf_role",
                    "代办信息格式不对：应为 {role, name}",
                )),
            },
            Input::Form(_) => Ok((self.text("on_behalf_role")?, self.text("on_behalf_name")?)),
        }
    }
}

fn parse_pairs(body: &str) -> Result<Vec<(String, String)>, Invalid> {
    let decode = |part: &str| {
        let spaced = part.replace('+', " ");
        percent_encoding::percent_decode_str(&spaced)
            .decode_utf8()
            .map(|s| s.into_owned())
            .map_err(|_| Invalid::request("提交的文字编码不对，请使用 UTF-8"))
    };
    body.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((decode(name)?, decode(value)?))
        })
        .collect()
}

/// The pairs of a URL query string (`c=...&from=...`); undecodable ones are dropped.
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter_map(|pair| parse_pairs(pair).ok())
        .flatten()
        .collect()
}

/// A checked submission.
#[derive(Debug, Clone)]
pub struct Submission {
    pub community: Community,
    pub kind: SubmissionType,
    pub category: Category,
    pub body: String,
    pub anonymous: bool,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    /// For an objection: the record objected to.
    pub record: Option<RecordRef>,
    pub on_behalf: Option<OnBehalf>,
    pub notify_sms: bool,
    /// The client's key (JSON); the no-JavaScript form has none and gets one derived.
    pub idempotency_key: Option<String>,
    /// The honeypot field was filled in: a robot. Answer as usual, store nothing.
    pub honeypot: bool,
}

impl Submission {
    /// The fields that identify a form post, for deriving its idempotency key.
    pub fn identity(&self) -> Vec<&str> {
        vec![
            &self.community.slug,
            self.kind.as_str(),
            &self.category.id,
            &self.body,
            if self.anonymous { "1" } else { "0" },
            self.contact_name.as_deref().unwrap_or(""),
            self.contact_phone.as_deref().unwrap_or(""),
            self.record.as_ref().map_or("", |r| r.id.as_str()),
            self.on_behalf.as_ref().map_or("", |b| b.role.as_str()),
            self.on_behalf.as_ref().map_or("", |b| b.name.as_str()),
            if self.notify_sms { "1" } else { "0" },
        ]
    }
}

/// The category an objection is filed under: it names a record, not one of the site's
/// categories.
pub fn objection_category() -> Category {
    Category {
        id: "objection".to_string(),
        name: "公示异议".to_string(),
        scope: Scope::Accept,
        transfer_to: None,
        types: vec![SubmissionType::Objection],
    }
}

/// Checks a submission against the rules and the manifest. The first problem found is reported.
pub fn submission(manifest: &Manifest, input: &Input) -> Result<Submission, Invalid> {
    let slug = input
        .text("community")?
        .ok_or_else(|| Invalid::field("community", "缺少社区，请从社区页面进入后提交"))?;
    let community = manifest
        .community(slug.trim())
        .ok_or_else(|| Invalid::field("community", "没有这个社区，请从社区页面进入后提交"))?
        .clone();

    let kind_text = input
        .text("type")?
        .ok_or_else(|| Invalid::field("type", message::TYPE_MISSING))?;
    let kind = SubmissionType::ANY
        .into_iter()
        .find(|k| k.as_str() == kind_text.trim())
        .ok_or_else(|| Invalid::field("type", "类型不对：只能是投诉、举报、建议或异议"))?;

    let record = match kind {
        SubmissionType::Objection => {
            let id = input
                .text("record")?
                .ok_or_else(|| Invalid::field("record", message::RECORD_MISSING))?;
            Some(
                community
                    .record(id.trim())
                    .ok_or_else(|| Invalid::field("record", message::RECORD_UNKNOWN))?
                    .clone(),
            )
        }
        _ => None,
    };
    let category = match kind {
        SubmissionType::Objection => objection_category(),
        _ => {
            let category_id = input
                .text("category")?
                .ok_or_else(|| Invalid::field("category", message::CATEGORY_MISSING))?;
            manifest
                .category(category_id.trim())
                .ok_or_else(|| Invalid::field("category", "没有这个问题类别，请重新选择"))?
                .clone()
        }
    };
    if !category.allows(kind) {
        return Err(Invalid::field(
            "category",
            format!(
                "“{}”类别不能用于{}，请重新选择。可用于{}的类别有：{}",
                category.name,
                kind.label(),
                kind.label(),
                manifest
                    .categories
                    .iter()
                    .filter(|c| c.allows(kind))
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join("、")
            ),
        ));
    }

    let body = input
        .text("body")?
        .ok_or_else(|| Invalid::field("body", message::BODY_MISSING))?;
    let body = body_text(&body)?;

    let anonymous = input.flag("anonymous")?;
    let (name, phone) = input.contact()?;
    let (contact_name, contact_phone) = if anonymous {
        // Anonymous means nothing about the person is kept, whatever was typed.
        (None, None)
    } else {
        (
            name.map(|n| contact_name(&n)).transpose()?.flatten(),
            phone.map(|p| phone_number(&p)).transpose()?.flatten(),
        )
    };

    let notify_sms = input.flag("notify_sms")?;
    if notify_sms
        && !contact_phone
            .as_deref()
            .is_some_and(|p| phone_rules().mobile.is_match(p))
    {
        return Err(Invalid::field("notify_sms", message::SMS_NEEDS_MOBILE));
    }
    let on_behalf = match input.on_behalf()? {
        (None, None) => None,
        (role, name) => {
            let role = role
                .and_then(|r| {
                    let r = r.trim().to_string();
                    ON_BEHALF_ROLES
                        .iter()
                        .find(|(id, label)| *id == r || *label == r)
                        .map(|(_, label)| label.to_string())
                })
                .ok_or_else(|| Invalid::field("on_behalf_role", message::ON_BEHALF_ROLE))?;
            let name_refused = || {
                Invalid::field(
                    "on_behalf_name",
                    fill(message::ON_BEHALF_NAME, 0, NAME_MAX_CHARS, 0),
                )
            };
            let name = single_line(&name.unwrap_or_default(), "on_behalf_name", "代办人姓名")?;
            if name.is_empty() || name.chars().count() > NAME_MAX_CHARS {
                return Err(name_refused());
            }
            Some(OnBehalf { role, name })
        }
    };

    let idempotency_key = match input {
        Input::Json(_) => Some(idempotency_key(input.text("idempotency_key")?)?),
        Input::Form(_) => None,
    };
    let honeypot = match input {
        Input::Json(map) => match map.get("website") {
            None | Some(Value::Null) => false,
            Some(Value::String(s)) => !s.trim().is_empty(),
            Some(_) => true,
        },
        Input::Form(_) => input.text("website")?.is_some_and(|s| !s.trim().is_empty()),
    };

    Ok(Submission {
        community,
        kind,
        category,
        body,
        anonymous,
        contact_name,
        contact_phone,
        record,
        on_behalf,
        notify_sms,
        idempotency_key,
        honeypot,
    })
}

/// A checked rating: which case (with its code), the rating and an optional comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    pub lookup: Lookup,
    pub rating: &'static str,
    pub comment: Option<String>,
}

pub fn feedback(input: &Input) -> Result<Feedback, Invalid> {
    let lookup = lookup(input)?;
    let value = input.text("rating")?.unwrap_or_default();
    let rating = rating::ALL
        .into_iter()
        .find(|r| *r == value.trim())
        .ok_or_else(|| Invalid::field("rating", message::RATING_WRONG))?;
    let comment = match input.text("comment")? {
        None => None,
        Some(raw) => {
            let text = raw.replace("\r\n", "\n").replace('\r', "\n");
            if text
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t')
            {
                return Err(Invalid::field("comment", message::BODY_CONTROL));
            }
            let text = text.trim().to_string();
            let chars = text.chars().count();
            if chars > COMMENT_MAX_CHARS {
                return Err(Invalid::field(
                    "comment",
                    fill(message::COMMENT_TOO_LONG, 0, COMMENT_MAX_CHARS, chars),
                ));
            }
            (!text.is_empty()).then_some(text)
        }
    };
    Ok(Feedback {
        lookup,
        rating,
        comment,
    })
}

/// The complaint text: line breaks normalised, trimmed, 5–2,000 characters, no control characters
/// other than newline and tab.
fn body_text(raw: &str) -> Result<String, Invalid> {
    let text = raw.replace("\r\n", "\n").replace('\r', "\n");
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(Invalid::field("body", message::BODY_CONTROL));
    }
    let text = text.trim();
    let chars = text.chars().count();
    if chars < BODY_MIN_CHARS {
        return Err(Invalid::field(
            "body",
            fill(
                message::BODY_TOO_SHORT,
                BODY_MIN_CHARS,
                BODY_MAX_CHARS,
                chars,
            ),
        ));
    }
    if chars > BODY_MAX_CHARS {
        return Err(Invalid::field(
            "body",
            fill(
                message::BODY_TOO_LONG,
                BODY_MIN_CHARS,
                BODY_MAX_CHARS,
                chars,
            ),
        ));
    }
    Ok(text.to_string())
}

fn single_line(raw: &str, field: &'static str, what: &str) -> Result<String, Invalid> {
    if raw.chars().any(char::is_control) {
        return Err(Invalid::field(
            field,
            format!("{what}里有无法显示的控制字符，请删除后再提交"),
        ));
    }
    Ok(raw.trim().to_string())
}

fn contact_name(raw: &str) -> Result<Option<String>, Invalid> {
    let name = single_line(raw, "contact_name", "姓名")?;
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(Invalid::field(
            "contact_name",
            fill(message::NAME_TOO_LONG, 0, NAME_MAX_CHARS, 0),
        ));
    }
    Ok((!name.is_empty()).then_some(name))
}

/// A mainland mobile (`13812345678`, also written `+86 138-1234-5678`) or a landline with area
/// code (`0551-65551234`), normalised to that form. Full-width digits are read as digits.
pub fn phone_number(raw: &str) -> Result<Option<String>, Invalid> {
    let text = single_line(raw, "contact_phone", "电话")?;
    if text.is_empty() {
        return Ok(None);
    }
    let wrong = || Invalid::field("contact_phone", message::PHONE_WRONG);
    let mut digits = String::new();
    for (i, c) in text.chars().enumerate() {
        match c {
            '0'..='9' => digits.push(c),
            '０'..='９' => digits.push(char::from(b'0' + (c as u32 - '０' as u32) as u8)),
            '+' if i == 0 => {}
            c if PHONE_SEPARATORS.contains(c) => {}
            _ => return Err(wrong()),
        }
    }
    if text.starts_with('+') {
        digits = digits.strip_prefix("86").ok_or_else(wrong)?.to_string();
    } else if digits.len() == 13 && digits.starts_with("861") {
        digits.drain(..2);
    }
    if phone_rules().mobile.is_match(&digits) {
        return Ok(Some(digits));
    }
    match phone_rules().landline.captures(&digits) {
        Some(parts) => {
            let (area, number) = match (parts.get(1), parts.get(2)) {
                (Some(area), Some(number)) => (area, number),
                _ => (
                    parts.get(3).ok_or_else(wrong)?,
                    parts.get(4).ok_or_else(wrong)?,
                ),
            };
            Ok(Some(format!("{}-{}", area.as_str(), number.as_str())))
        }
        None => Err(wrong()),
    }
}

/// [`MOBILE_PATTERN`] and [`LANDLINE_PATTERN`], compiled once.
struct PhoneRules {
    mobile: regex_lite::Regex,
    landline: regex_lite::Regex,
}

fn phone_rules() -> &'static PhoneRules {
    static RULES: std::sync::OnceLock<PhoneRules> = std::sync::OnceLock::new();
    RULES.get_or_init(|| PhoneRules {
        mobile: regex_lite::Regex::new(MOBILE_PATTERN).expect("MOBILE_PATTERN is a valid pattern"),
        landline: regex_lite::Regex::new(LANDLINE_PATTERN)
            .expect("LANDLINE_PATTERN is a valid pattern"),
    })
}

fn idempotency_key(key: Option<String>) -> Result<String, Invalid> {
    let message = "缺少或无效的提交编号，请刷新页面后重试";
    let key = key.ok_or_else(|| Invalid::field("idempotency_key", message))?;
    let ok = (KEY_MIN_CHARS..=KEY_MAX_CHARS).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.'));
    if ok {
        Ok(key)
    } else {
        Err(Invalid::field("idempotency_key", message))
    }
}

/// A checked lookup: the case number (upper case, e.g. `20261201-0042` or `J20261201-0003`) and
/// the 16-digit query code, spaces and dashes removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    pub case_id: String,
    pub query_code: String,
}

pub fn lookup(input: &Input) -> Result<Lookup, Invalid> {
    let case_id = input
        .text("case_id")?
        .ok_or_else(|| Invalid::field("case_id", "请填写案件编号"))?;
    let case_id: String = half_width(&case_id)
        .trim()
        .to_ascii_uppercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if !is_case_id(&case_id) {
        return Err(Invalid::field(
            "case_id",
            "案件编号格式不对，应像 20261201-0042 这样",
        ));
    }
    let code = input
        .text("query_code")?
        .ok_or_else(|| Invalid::field("query_code", "请填写查询码"))?;
    let query_code: String = half_width(&code)
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .collect();
    if query_code.len() != 16 || !query_code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Invalid::field("query_code", "查询码是 16 位数字，请核对"));
    }
    Ok(Lookup {
        case_id,
        query_code,
    })
}

/// `YYYYMMDD-NNNN` (more digits after a busy day), `J` in front for a report.
pub fn is_case_id(text: &str) -> bool {
    let text = text.strip_prefix('J').unwrap_or(text);
    let Some((day, number)) = text.split_once('-') else {
        return false;
    };
    day.len() == 8
        && day.bytes().all(|b| b.is_ascii_digit())
        && (4..=7).contains(&number.len())
        && number.bytes().all(|b| b.is_ascii_digit())
}

fn half_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '－' => '-',
            'Ｊ' | 'ｊ' => 'J',
            '　' => ' ',
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_are_read_however_written() {
        let ok = |raw: &str| phone_number(raw).unwrap().unwrap();
        assert_eq!(ok("13812345678"), "13812345678");
        assert_eq!(ok("+86 138-1234-5678"), "13812345678");
        assert_eq!(ok("１３８１２３４５６７８"), "13812345678");
        assert_eq!(ok("0551-65551234"), "0551-65551234");
        assert_eq!(ok("(010) 62345678"), "010-62345678");
        assert_eq!(ok("05516555123"), "0551-6555123");
        for bad in [
            "12345678901",
            "1381234567",
            "65551234",
            "0551-0555123",
            "138abc45678",
            "+1 138-1234-5678",
            "010-02345678",
        ] {
            assert!(phone_number(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_form_page_is_given_the_messages_the_server_answers_with() {
        let rules = FormRules::default();
        let shown = |name: &str, n: usize| rules.messages[name].replace("{n}", &n.to_string());
        let refused = |body: &str| body_text(body).unwrap_err().message;
        assert_eq!(refused("太短"), shown("body-too-short", 2));
        let long = "长".repeat(BODY_MAX_CHARS + 1);
        assert_eq!(refused(&long), shown("body-too-long", BODY_MAX_CHARS + 1));
        assert_eq!(refused("内容\u{7}有铃声字符"), shown("body-control", 0));
        let name = "名".repeat(NAME_MAX_CHARS + 1);
        assert_eq!(
            contact_name(&name).unwrap_err().message,
            shown("name-too-long", NAME_MAX_CHARS + 1)
        );
        assert_eq!(
            phone_number("0551-0123456").unwrap_err().message,
            shown("phone-wrong", 0)
        );
        assert_eq!(
            (rules.body_min, rules.body_max, rules.name_max),
            (BODY_MIN_CHARS, BODY_MAX_CHARS, NAME_MAX_CHARS)
        );
    }

    #[test]
    fn form_bodies_must_decode_to_utf8() {
        assert!(Input::form("body=%E4%BD%A0%E5%A5%BD").is_ok());
        assert!(Input::form("body=%FF%FE").is_err());
        let Input::Form(pairs) = Input::form("a=1+2&b=%26").unwrap() else {
            unreachable!()
        };
        assert_eq!(
            pairs,
            [("a".into(), "1 2".into()), ("b".into(), "&".into())]
        );
    }

    #[test]
    fn case_ids() {
        assert!(is_case_id("20261201-0042"));
        assert!(is_case_id("J20261201-0042"));
        assert!(!is_case_id("2026121-0042"));
        assert!(!is_case_id("20261201-42"));
        assert!(!is_case_id("X20261201-0042"));
    }
}
