//! `content/site.yaml` and `community.yaml`: the site's settings and each community's details.

use std::sync::Arc;

use serde::Deserialize;
use serde_saphyr::Spanned;
use ydt_function::manifest::{Body, Calendar, Category, Scope, SubmissionType};

use super::is_slug;
use super::yaml::Doc;
use crate::diagnostics::{Diagnostic, Report, SourceFile};
use crate::model::Kinds;
use crate::model::{Community, Office, Placement, SiteConfig, Text};
use ydt_function::clock::Date;

type S = Spanned<String>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SiteFile {
    title: S,
    description: S,
    base_url: S,
    #[serde(default)]
    lang: Option<S>,
    supervisor: BodyFile,
    response_days: S,
    #[serde(default)]
    accept_days: Option<S>,
    #[serde(default)]
    reopen_days: Option<S>,
    #[serde(default)]
    objection_days: Option<S>,
    #[serde(default)]
    publicity_days: std::collections::BTreeMap<String, S>,
    #[serde(default)]
    sms_notices: Option<Spanned<bool>>,
    #[serde(default)]
    required_kinds: Vec<S>,
    #[serde(default)]
    public_phones: Vec<S>,
    categories: Vec<CategoryFile>,
    #[serde(default)]
    calendar: CalendarFile,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BodyFile {
    name: S,
    #[serde(default)]
    phone: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoryFile {
    id: S,
    name: S,
    scope: S,
    #[serde(default)]
    transfer_to: Option<BodyFile>,
    #[serde(default)]
    types: Vec<S>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct CalendarFile {
    #[serde(default)]
    holidays: Vec<S>,
    #[serde(default)]
    workdays: Vec<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CommunityFile {
    name: S,
    street: S,
    district: S,
    office: OfficeFile,
    handler: BodyFile,
    #[serde(default)]
    placements: Vec<PlacementFile>,
    #[serde(default)]
    public_phones: Vec<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OfficeFile {
    address: S,
    phone: S,
    #[serde(default)]
    hours: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlacementFile {
    id: S,
    name: S,
}

pub(super) fn load_site(
    file: &Arc<SourceFile>,
    kinds: &Kinds,
    report: &mut Report,
) -> Option<SiteConfig> {
    let doc = Doc::whole(file);
    let raw: SiteFile = match doc.parse(&file.text) {
        Ok(raw) => raw,
        Err(d) => {
            report.push(d);
            return None;
        }
    };
    let base_url = doc.text(raw.base_url);
    let trimmed = base_url.value.trim().trim_end_matches('/').to_string();
    if !(trimmed.starts_with("https://") || trimmed.starts_with("http://"))
        || trimmed.contains(char::is_whitespace)
    {
        report.push(
            Diagnostic::error(
                base_url.span.clone(),
                "base_url must be the site's address starting with https://",
            )
            .with_help("e.g. base_url: https://ydt.example.cn — the QR codes point here"),
        );
    } else if !trimmed.is_ascii() {
        report.push(
            Diagnostic::error(
                base_url.span.clone(),
                "base_url must be plain ASCII so QR codes stay small",
            )
            .with_help("use the punycode form of the domain"),
        );
    }
    let response_days_text = doc.text(raw.response_days);
    let response_days = match response_days_text.value.trim().parse::<u32>() {
        Ok(n) if (1..=60).contains(&n) => n,
        _ => {
            report.push(
                Diagnostic::error(
                    response_days_text.span.clone(),
                    "response_days must be a whole number of working days from 1 to 60",
                )
                .with_help("e.g. response_days: 5"),
            );
            5
        }
    };
    let mut days = |raw: Option<S>, name: &str, default: u32| match raw {
        None => default,
        Some(raw) => {
            let text = doc.text(raw);
            match text.value.trim().parse::<u32>() {
                Ok(n) if (1..=60).contains(&n) => n,
                _ => {
                    report.push(
                        Diagnostic::error(
                            text.span.clone(),
                            format!("{name} must be a whole number of working days from 1 to 60"),
                        )
                        .with_help(format!("e.g. {name}: {default}")),
                    );
                    default
                }
            }
        }
    };
    // 信访工作条例: acceptance within 15 days; a site's own rule may be shorter. Never later than
    // the handling deadline (the function takes the smaller).
    let accept_days = days(raw.accept_days, "accept_days", 15);
    let reopen_days = days(raw.reopen_days, "reopen_days", response_days);
    let objection_days = days(raw.objection_days, "objection_days", 5);
    let mut publicity_days = std::collections::BTreeMap::new();
    for (kind, raw_days) in raw.publicity_days {
        let text = doc.text(raw_days);
        if kinds.get(&kind).is_none() {
            report.push(
                Diagnostic::error(
                    text.span.clone(),
                    format!("unknown record kind `{kind}` in publicity_days"),
                )
                .with_help(format!("known kinds: {}", kinds.ids().join(", "))),
            );
            continue;
        }
        match publicity(&text) {
            Ok(n) => {
                publicity_days.insert(kind, n);
            }
            Err(d) => report.push(d),
        }
    }
    let (supervisor, supervisor_text) = body(&doc, raw.supervisor);

    let required_kinds: Vec<Text> = raw
        .required_kinds
        .into_iter()
        .map(|k| doc.text(k))
        .collect();
    for k in &required_kinds {
        if kinds.get(&k.value).is_none() {
            report.push(
                Diagnostic::error(k.span.clone(), format!("unknown record kind `{}`", k.value))
                    .with_help(format!("known kinds: {}", kinds.ids().join(", "))),
            );
        }
    }

    let mut categories = Vec::new();
    let mut categories_text = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for c in raw.categories {
        let id = doc.text(c.id);
        let name = doc.text(c.name);
        let scope_text = doc.text(c.scope);
        if !is_slug(&id.value) {
            report.push(
                Diagnostic::error(
                    id.span.clone(),
                    format!("category id `{}` must be lowercase ASCII", id.value),
                )
                .with_help("e.g. id: subsidy"),
            );
        } else if !seen.insert(id.value.clone()) {
            report.push(Diagnostic::error(
                id.span.clone(),
                format!("category id `{}` is used twice", id.value),
            ));
        }
        let scope = match scope_text.value.trim() {
            "accept" => Scope::Accept,
            "transfer" => Scope::Transfer,
            other => {
                report.push(
                    Diagnostic::error(scope_text.span.clone(), format!("unknown scope `{other}`"))
                        .with_help("scope is `accept` (handled by the community) or `transfer` (with transfer_to naming the body)"),
                );
                Scope::Accept
            }
        };
        let transfer_to = c.transfer_to.map(|b| {
            let (body, texts) = body(&doc, b);
            categories_text.extend(texts);
            body
        });
        if scope == Scope::Transfer && transfer_to.is_none() {
            report.push(
                Diagnostic::error(
                    scope_text.span.clone(),
                    format!("category `{}` is transferred but names no body", id.value),
                )
                .with_help(
                    "add transfer_to: with the name (and phone) of the body that handles it",
                ),
            );
        }
        let mut types = Vec::new();
        for t in c.types {
            let t = doc.text(t);
            match SubmissionType::ALL
                .iter()
                .find(|k| k.as_str() == t.value.trim())
            {
                Some(k) => types.push(*k),
                None => report.push(
                    Diagnostic::error(
                        t.span.clone(),
                        format!("unknown submission type `{}`", t.value),
                    )
                    .with_help("types are complaint, report and suggestion"),
                ),
            }
        }
        categories.push(Category {
            id: id.value,
            name: name.value.clone(),
            scope,
            transfer_to,
            types,
        });
        categories_text.push(name);
    }
    if categories.is_empty() {
        report.push(
            Diagnostic::error(
                crate::diagnostics::Span::whole(file),
                "site.yaml lists no complaint categories",
            )
            .with_help("add at least one under categories:"),
        );
    }

    let mut dates = |list: Vec<S>| -> Vec<String> {
        let mut out = Vec::new();
        for d in list {
            let t = doc.text(d);
            match Date::parse(&t.value) {
                Ok(date) => out.push(date.to_string()),
                Err(why) => report.push(Diagnostic::error(
                    t.span.clone(),
                    format!("`{}` is not a date: {why}", t.value),
                )),
            }
        }
        out.sort();
        out.dedup();
        out
    };
    let calendar = Calendar {
        holidays: dates(raw.calendar.holidays),
        workdays: dates(raw.calendar.workdays),
    };

    Some(SiteConfig {
        title: doc.text(raw.title),
        description: doc.text(raw.description),
        base_url: trimmed,
        lang: raw
            .lang
            .map(|l| l.value)
            .unwrap_or_else(|| "zh-CN".to_string()),
        supervisor,
        supervisor_text,
        categories_text,
        response_days,
        accept_days,
        reopen_days,
        objection_days,
        publicity_days,
        sms_notices: raw.sms_notices.is_some_and(|b| b.value),
        required_kinds,
        public_phones: raw.public_phones.into_iter().map(|p| p.value).collect(),
        categories,
        calendar,
    })
}

/// A 公示期 in days (1–90), from site.yaml's `publicity_days` or a record's own.
pub(super) fn publicity(text: &Text) -> Result<u32, Diagnostic> {
    match text.value.trim().parse::<u32>() {
        Ok(n) if (1..=90).contains(&n) => Ok(n),
        _ => Err(Diagnostic::error(
            text.span.clone(),
            "publicity_days must be a whole number of days from 1 to 90",
        )
        .with_help("e.g. publicity_days: 7 (the 公示期 counted from published)")),
    }
}

fn body(doc: &Doc, raw: BodyFile) -> (Body, Vec<Text>) {
    let name = doc.text(raw.name);
    let phone = raw.phone.map(|p| doc.text(p));
    let body = Body {
        name: name.value.clone(),
        phone: phone.as_ref().map(|p| p.value.clone()),
    };
    let mut texts = vec![name];
    texts.extend(phone);
    (body, texts)
}

pub(super) fn load_community(
    file: &Arc<SourceFile>,
    slug: &str,
    report: &mut Report,
) -> Option<Community> {
    let doc = Doc::whole(file);
    let raw: CommunityFile = match doc.parse(&file.text) {
        Ok(raw) => raw,
        Err(d) => {
            report.push(d);
            return None;
        }
    };
    let (handler, handler_text) = body(&doc, raw.handler);
    let mut placements: Vec<Placement> = Vec::new();
    for p in raw.placements {
        let id = doc.text(p.id);
        if !is_slug(&id.value) {
            report.push(
                Diagnostic::error(
                    id.span.clone(),
                    format!("placement id `{}` must be lowercase ASCII", id.value),
                )
                .with_help("e.g. id: gate — it becomes ?from=gate in the QR code"),
            );
            continue;
        }
        if placements.iter().any(|q| q.id == id.value) {
            report.push(Diagnostic::error(
                id.span.clone(),
                format!("placement `{}` is listed twice", id.value),
            ));
            continue;
        }
        placements.push(Placement {
            id: id.value,
            name: doc.text(p.name),
        });
    }
    Some(Community {
        slug: slug.to_string(),
        name: doc.text(raw.name),
        street: doc.text(raw.street),
        district: doc.text(raw.district),
        office: Office {
            address: doc.text(raw.office.address),
            phone: doc.text(raw.office.phone),
            hours: raw.office.hours.map(|h| doc.text(h)),
        },
        handler,
        handler_text,
        placements,
        public_phones: raw.public_phones.into_iter().map(|p| p.value).collect(),
        records: Vec::new(),
        notices: Vec::new(),
        powers: Vec::new(),
        span: crate::diagnostics::Span::whole(file),
    })
}
