//! Validation passes over the loaded site: declared totals against computed ones, the privacy
//! guard and the refusal of invisible direction controls over every published string, and each
//! month's required disclosures. Loading has
//! already typed each value; these passes compare values with each other and with the rules.

pub(crate) mod controls;
pub mod privacy;

use crate::diagnostics::{Diagnostic, Report};
use crate::model::{Community, PublishedAs, Site};

/// Runs every check, adding what it finds to `report`.
pub fn run(site: &Site, report: &mut Report) {
    site_settings(site, report);
    for community in &site.communities {
        self::community(site, community, report);
    }
}

/// The checks on `site.yaml`'s own published text, and on its calendar's reach.
pub fn site_settings(site: &Site, report: &mut Report) {
    let public = privacy::PublicNumbers::new(site.config.public_phones.iter());
    guard_texts(site.config.published_texts(), &public, report);
    for power in &site.powers {
        guard_texts(power.published_texts(), &public, report);
    }
    kind_texts(site, report);
    calendar_reach(
        site,
        ydt_function::clock::Date::shanghai(ydt_function::clock::now_unix()),
        report,
    );
}

/// A warning when the holidays and make-up workdays of `site.yaml` stop before the longest
/// deadline a case filed `today` can get: past that day every due date counts a holiday (春节)
/// as a working day.
pub(crate) fn calendar_reach(site: &Site, today: ydt_function::clock::Date, report: &mut Report) {
    let c = &site.config;
    let calendar = &c.calendar;
    let longest = [
        c.response_days,
        c.accept_days,
        c.reopen_days,
        c.objection_days,
    ]
    .into_iter()
    .max()
    .unwrap_or(0);
    let deadline = calendar.add_working_days(today, longest);
    let last = calendar
        .holidays
        .iter()
        .chain(&calendar.workdays)
        .filter_map(|d| ydt_function::clock::Date::parse(d).ok())
        .max();
    if last.is_some_and(|last| last > deadline) {
        return;
    }
    let file = &c.title.span.file;
    let at = file.text.find("calendar:").unwrap_or(0);
    let span = crate::diagnostics::Span::new(file, at, at + "calendar".len());
    report.push(
        Diagnostic::warning(
            span,
            format!(
                "the calendar ends {}, before {deadline}, the latest deadline of a case filed today ({longest} working days)",
                last.map_or_else(|| "with nothing listed".to_string(), |d| d.to_string())
            ),
        )
        .with_help("add the next year's holidays and make-up workdays (国务院办公厅's notice) to calendar:"),
    );
}

/// No hidden character in a kind's name, description or column labels, which head its pages
/// and every table cell on a phone. The kinds keep no position per string, so each character is
/// found in its file: as written, else as a `\u` escape, else the whole file is named.
fn kind_texts(site: &Site, report: &mut Report) {
    for schema in site.kinds.by_id.values() {
        let Some(file) = &schema.source else {
            continue;
        };
        // How many of each form were already pointed at, so a second one points further on.
        let mut seen: std::collections::BTreeMap<String, usize> = Default::default();
        let labels = schema.columns.iter().map(|c| &c.label);
        for text in [&schema.name, &schema.description]
            .into_iter()
            .chain(labels)
        {
            for control in controls::scan(text) {
                let span = written_forms(&control)
                    .into_iter()
                    .find_map(|form| {
                        let nth = seen.entry(form.clone()).or_default();
                        let (at, _) = file.text.match_indices(form.as_str()).nth(*nth)?;
                        *nth += 1;
                        Some(crate::diagnostics::Span::new(file, at, at + form.len()))
                    })
                    .unwrap_or_else(|| crate::diagnostics::Span::whole(file));
                report.push(hidden_character(span, &control));
            }
        }
    }
}

/// The checks on one community: its totals, its published text, its latest month. They read
/// nothing of other communities, so a build checks each community as it loads it.
pub fn community(site: &Site, community: &Community, report: &mut Report) {
    totals(site, community, report);
    let public = privacy::PublicNumbers::new(
        site.config
            .public_phones
            .iter()
            .chain(community.public_phones.iter()),
    );
    guard_texts(community.published_texts(&site.kinds), &public, report);
    completeness(site, community, report);
}

/// A declared total must equal the exact sum of its rows.
fn totals(site: &Site, community: &Community, report: &mut Report) {
    for record in &community.records {
        let schema = site.kinds.get(&record.kind);
        for (key, (declared, span)) in &record.declared_totals {
            // No computed total: a cell of that column was unreadable and is reported already.
            let Some(&computed) = record.totals.get(key) else {
                continue;
            };
            if *declared != computed {
                let label = schema
                    .and_then(|k| k.column(key))
                    .map_or(key.as_str(), |c| c.label.as_str());
                report.push(
                        Diagnostic::error(span.clone(), format!("declared total of {label} is {declared} but the rows add up to {computed}"))
                            .with_help(format!("correct the row that is wrong, or write {key}: {computed}")),
                    );
            }
        }
    }
}

/// No direction control or zero-width character in anything published; no unmasked resident ID,
/// mobile or bank card number; payout names masked. Numbers listed as public (the site's, and a
/// community's inside its own files) pass.
fn guard_texts(
    texts: Vec<(&crate::model::Text, PublishedAs)>,
    public: &privacy::PublicNumbers,
    report: &mut Report,
) {
    for (text, how) in texts {
        for control in controls::scan(&text.value) {
            report.push(hidden_character(locate_control(text, &control), &control));
        }
        for finding in privacy::scan(&text.value, public) {
            let span = locate(text, finding.range.clone());
            report.push(
                Diagnostic::error(span, format!("{} would be published", finding.kind.describe()))
                    .with_help("mask it (e.g. 340104********1234, 138****1234), or list an office number under public_phones"),
            );
        }
        if how == PublishedAs::MaskedId && !privacy::is_masked_id(&text.value) {
            let example =
                privacy::mask_id(&text.value).unwrap_or_else(|| "340104********1234".to_string());
            report.push(
                Diagnostic::error(
                    text.span.clone(),
                    format!("身份证号一栏只能填写打码后的号码，“{}”不是", text.value),
                )
                .with_help(format!("只留前 6 位和后 4 位，中间换成 *，如 {example}")),
            );
        }
        if how == PublishedAs::MaskedName && !privacy::is_masked_name(&text.value) {
            report.push(
                Diagnostic::error(text.span.clone(), format!("recipient name `{}` is not masked", text.value)).with_help(format!(
                    "write it as {}; if the rules require full names, add `full_names: true` to the record",
                    privacy::mask_name(&text.value)
                )),
            );
        }
    }
}

/// The byte range of a finding inside a value, as a span in its file. A plain scalar is quoted in
/// the file as written, so the finding is found at the same place; otherwise (folded or escaped
/// text) the whole value is pointed at.
fn locate(text: &crate::model::Text, range: std::ops::Range<usize>) -> crate::diagnostics::Span {
    let needle = &text.value[range.clone()];
    let written = text.span.text();
    if let Some(at) = written.find(needle) {
        return text.span.sub(at..at + needle.len());
    }
    let file = &text.span.file.text;
    if let Some(at) = file[text.span.start..].find(needle) {
        let start = text.span.start + at;
        return crate::diagnostics::Span::new(&text.span.file, start, start + needle.len());
    }
    text.span.clone()
}

/// Where a refused character of a value is in its file: as written (the character itself or its
/// `&#x202E;` reference), else its `\u202E` escape in a quoted scalar, else the whole value.
fn locate_control(
    text: &crate::model::Text,
    control: &controls::Control,
) -> crate::diagnostics::Span {
    let needle = &text.value[control.range.clone()];
    // The same character may occur more than once: point at this occurrence.
    let nth = text.value[..control.range.start].matches(needle).count();
    let written = text.span.text();
    written_forms(control)
        .iter()
        .find_map(|form| {
            let (at, _) = written.match_indices(form.as_str()).nth(nth)?;
            Some(text.span.sub(at..at + form.len()))
        })
        .unwrap_or_else(|| text.span.clone())
}

/// How a refused character can stand in a YAML file: as itself, or as a `\u` escape.
fn written_forms(control: &controls::Control) -> [String; 3] {
    let code = control.char as u32;
    [
        control.char.to_string(),
        format!("\\u{code:04X}"),
        format!("\\u{code:04x}"),
    ]
}

/// The error for a refused character at `span`.
fn hidden_character(span: crate::diagnostics::Span, control: &controls::Control) -> Diagnostic {
    Diagnostic::error(
        span,
        format!(
            "invisible character {} would be published",
            control.describe()
        ),
    )
    .with_help(control.help())
}

/// The kinds the site requires that `community` has no record of for `period`, as (kind, name),
/// in site.yaml's order. `ydt check` asks it for each community's latest month, `ydt report` for
/// the month under review.
pub fn missing_kinds(
    site: &Site,
    community: &crate::model::Community,
    period: crate::model::Period,
) -> Vec<(String, String)> {
    site.config
        .required_kinds
        .iter()
        .filter_map(|k| site.kinds.get(&k.value).map(|schema| (k, schema)))
        .filter(|(k, _)| {
            !community
                .records
                .iter()
                .any(|r| r.period == period && r.kind == k.value)
        })
        .map(|(k, schema)| (k.value.clone(), schema.name.clone()))
        .collect()
}

/// Each community's latest month should hold every kind the site requires. A warning: the site
/// is still built, and `ydt report` lists the gaps for the supervisors.
fn completeness(site: &Site, community: &Community, report: &mut Report) {
    let Some(latest) = community.latest_period() else {
        report.push(Diagnostic::warning(
            community.span.clone(),
            format!("{} has published no records yet", community.name.value),
        ));
        return;
    };
    for (kind, name) in missing_kinds(site, community, latest) {
        report.push(
            Diagnostic::warning(
                community.span.clone(),
                format!(
                    "{} has no {name} ({kind}) record for {latest}",
                    community.name.value
                ),
            )
            .with_help(format!(
                "add one with: ydt new {kind} --community {} --period {latest}",
                community.slug
            )),
        );
    }
}
