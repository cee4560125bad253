//! `ydt report`: the supervising body's daily view — visits per community and QR placement (the
//! quiet communities flagged), cases by community and status, overdue cases oldest first, the
//! share closed on time, and each community's missing disclosures for the month.
//!
//! It reads the content (for the communities, their placements and records) and the DynamoDB
//! tables through the function crate's own reads (`ydt_function::supervision`, `daily::overdue`),
//! then writes CSV files and one self-contained HTML page with inline SVG charts. [`assemble`] is
//! pure, so what the report says is tested without a server. Built only with the `dynamodb`
//! feature: the main build never compiles the AWS SDK.

use std::fmt::Write as _;

use ydt_function::clock::Date;
use ydt_function::daily::OverdueCase;
use ydt_function::html::escape;
use ydt_function::store::CaseTable;
use ydt_function::supervision::{CaseSummary, Visit};
use ydt_function::table::{rating, status};

use crate::model::{Period, Site};
use crate::render::csv::Csv;

/// One community's line in every section.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CommunityRow {
    pub slug: String,
    pub name: String,
    pub street: String,
    /// One count per day of [`Summary::days`].
    pub visits_by_day: Vec<u64>,
    pub visits: u64,
    /// Fewer visits than the threshold: 提醒访问量较低.
    pub low_visits: bool,
    /// (placement id, placement name, visits over the days), in community.yaml's order.
    pub placements: Vec<(String, String, u64)>,
    /// Complaints and suggestions by status (the six status values, in order).
    pub by_status: Vec<(String, u64)>,
    pub reports: u64,
    /// Cases (both tables) that reached a terminal status, and how many by their due date.
    pub closed: u64,
    pub closed_on_time: u64,
    /// Cases (both tables) whose latest closing was rated, by rating: 满意, 基本满意, 不满意.
    pub ratings: [u64; 3],
    /// (kind, name) of the required disclosures missing for the month.
    pub missing: Vec<(String, String)>,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Summary {
    pub title: String,
    pub date: Date,
    pub days: Vec<Date>,
    pub month: Period,
    pub threshold: u64,
    pub communities: Vec<CommunityRow>,
    pub overdue: Vec<OverdueCase>,
    /// Objections (异议), per record that has any.
    pub objections: Vec<ObjectionRow>,
}

/// The objections to one record.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ObjectionRow {
    pub community: String,
    pub record: String,
    pub title: String,
    pub open: u64,
    pub answered: u64,
    /// Of all of them, how many came after the 公示期.
    pub late: u64,
}

impl CommunityRow {
    /// Rated cases, and those 满意 or 基本满意.
    pub(crate) fn satisfaction(&self) -> (u64, u64) {
        let [happy, mostly, unhappy] = self.ratings;
        (happy + mostly + unhappy, happy + mostly)
    }
}

impl Summary {
    pub(crate) fn closed(&self) -> (u64, u64) {
        self.communities
            .iter()
            .fold((0, 0), |(c, t), r| (c + r.closed, t + r.closed_on_time))
    }
}

/// What was read from the tables.
#[derive(Debug, Clone, Default)]
pub(crate) struct Readings {
    pub visits: Vec<Visit>,
    pub cases: Vec<CaseSummary>,
    pub overdue: Vec<OverdueCase>,
}

/// Puts the report together from what was read. Visits and cases of communities not in the
/// content (a slug since removed) are left out.
pub(crate) fn assemble(
    site: &Site,
    date: Date,
    days: u32,
    month: Period,
    threshold: u64,
    readings: Readings,
) -> Summary {
    let Readings {
        visits,
        cases,
        overdue,
    } = readings;
    let first = Date::from_days(date.days() - i64::from(days.max(1)) + 1);
    let span: Vec<Date> = (first.days()..=date.days()).map(Date::from_days).collect();
    let communities = site
        .communities
        .iter()
        .map(|c| {
            let mine = visits.iter().filter(|v| v.community == c.slug);
            let visits_by_day: Vec<u64> = span
                .iter()
                .map(|d| {
                    mine.clone()
                        .filter(|v| v.day == *d && v.placement.is_none())
                        .map(|v| v.count)
                        .sum()
                })
                .collect();
            let total: u64 = visits_by_day.iter().sum();
            let placements: Vec<(String, String, u64)> = c
                .placements
                .iter()
                .map(|p| {
                    let n: u64 = mine
                        .clone()
                        .filter(|v| v.placement.as_deref() == Some(p.id.as_str()))
                        .map(|v| v.count)
                        .sum();
                    (p.id.clone(), p.name.value.clone(), n)
                })
                .collect();
            let own: Vec<&CaseSummary> = cases.iter().filter(|k| k.community == c.slug).collect();
            let by_status: Vec<(String, u64)> = status::ALL
                .iter()
                .map(|s| {
                    let n = own
                        .iter()
                        .filter(|k| k.table == CaseTable::Cases && k.status == *s)
                        .count() as u64;
                    (s.to_string(), n)
                })
                .collect();
            let closed: Vec<bool> = own.iter().filter_map(|k| k.closed_on_time()).collect();
            let ratings = rating::ALL.map(|r| {
                own.iter()
                    .filter(|k| k.rating.as_deref() == Some(r))
                    .count() as u64
            });
            CommunityRow {
                slug: c.slug.clone(),
                name: c.name.value.clone(),
                street: c.street.value.clone(),
                visits_by_day,
                visits: total,
                low_visits: total < threshold,
                placements,
                by_status,
                reports: own.iter().filter(|k| k.table == CaseTable::Reports).count() as u64,
                closed: closed.len() as u64,
                closed_on_time: closed.iter().filter(|on_time| **on_time).count() as u64,
                ratings,
                missing: crate::checks::missing_kinds(site, c, month),
            }
        })
        .collect();
    let mut objections = Vec::new();
    for c in &site.communities {
        for r in &c.records {
            let mine: Vec<&CaseSummary> = cases
                .iter()
                .filter(|k| k.community == c.slug && k.record.as_deref() == Some(r.id.as_str()))
                .collect();
            if mine.is_empty() {
                continue;
            }
            let open = mine.iter().filter(|k| status::is_open(&k.status)).count() as u64;
            objections.push(ObjectionRow {
                community: c.name.value.clone(),
                record: r.id.clone(),
                title: r.title.value.clone(),
                open,
                answered: mine.len() as u64 - open,
                late: mine.iter().filter(|k| k.late).count() as u64,
            });
        }
    }
    Summary {
        title: site.config.title.value.clone(),
        date,
        days: span,
        month,
        threshold,
        communities,
        overdue,
        objections,
    }
}

fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        "—".to_string()
    } else {
        format!("{:.0}%", part as f64 * 100.0 / whole as f64)
    }
}

fn table_label(table: CaseTable) -> &'static str {
    match table {
        CaseTable::Cases => "投诉建议",
        CaseTable::Reports => "举报",
    }
}

/// The summary printed to the terminal.
pub(crate) fn text(s: &Summary) -> String {
    let mut t = String::new();
    let (first, last) = (s.days[0], s.date);
    let _ = writeln!(t, "{} 监督日报 {last}（访问量 {first} 至 {last}）", s.title);
    let _ = writeln!(t, "\n访问量（低于 {} 次提醒）", s.threshold);
    for c in &s.communities {
        let flag = if c.low_visits {
            "  ← 提醒：访问量较低"
        } else {
            ""
        };
        let _ = writeln!(t, "  {}  {}{flag}", c.name, c.visits);
    }
    let _ = writeln!(t, "\n逾期 {} 件（最早的在前）", s.overdue.len());
    for o in &s.overdue {
        let _ = writeln!(
            t,
            "  {}  {}  {}  {}  {}  期限 {}  逾期 {} 天",
            o.clock.label(),
            o.case_id,
            o.community_name,
            table_label(o.table),
            o.status,
            o.due_at,
            o.days_late(s.date)
        );
    }
    let (closed, on_time) = s.closed();
    let _ = writeln!(
        t,
        "\n按期办结率 {}（{on_time}/{closed}）",
        percent(on_time, closed)
    );
    let _ = writeln!(t, "\n群众评价（满意率 = 满意与基本满意 / 已评价）");
    for c in &s.communities {
        let (rated, satisfied) = c.satisfaction();
        let [happy, mostly, unhappy] = c.ratings;
        let _ = writeln!(
            t,
            "  {}  满意率 {}（{satisfied}/{rated}）  满意 {happy}  基本满意 {mostly}  不满意 {unhappy}",
            c.name,
            percent(satisfied, rated)
        );
    }
    let _ = writeln!(t, "\n对公开的异议");
    if s.objections.is_empty() {
        let _ = writeln!(t, "  无");
    }
    for o in &s.objections {
        let _ = writeln!(
            t,
            "  {}  {}（{}）  未办结 {}  已答复 {}{}",
            o.community,
            o.title,
            o.record,
            o.open,
            o.answered,
            if o.late > 0 {
                format!("  其中公示期后提出 {}", o.late)
            } else {
                String::new()
            }
        );
    }
    let _ = writeln!(t, "\n{} 应公开而未公开", s.month);
    let mut any = false;
    for c in s.communities.iter().filter(|c| !c.missing.is_empty()) {
        any = true;
        let names: Vec<&str> = c.missing.iter().map(|(_, n)| n.as_str()).collect();
        let _ = writeln!(t, "  {}：{}", c.name, names.join("、"));
    }
    if !any {
        let _ = writeln!(t, "  无");
    }
    t
}

fn csv(rows: Vec<Vec<String>>) -> String {
    let mut csv = Csv::new();
    for row in rows {
        csv.row(row);
    }
    csv.finish()
}

/// `visits.csv`, `cases.csv`, `overdue.csv`, `objections.csv`, `disclosures.csv`.
pub(crate) fn csv_files(s: &Summary) -> Vec<(&'static str, String)> {
    let mut visits = vec![vec![
        "日期".into(),
        "社区代码".into(),
        "社区".into(),
        "张贴位置".into(),
        "访问量".into(),
        "提醒".into(),
    ]];
    for c in &s.communities {
        for (day, n) in s.days.iter().zip(&c.visits_by_day) {
            visits.push(vec![
                day.to_string(),
                c.slug.clone(),
                c.name.clone(),
                String::new(),
                n.to_string(),
                String::new(),
            ]);
        }
        for (id, name, n) in &c.placements {
            visits.push(vec![
                format!("{}~{}", s.days[0], s.date),
                c.slug.clone(),
                c.name.clone(),
                format!("{name}（{id}）"),
                n.to_string(),
                String::new(),
            ]);
        }
        visits.push(vec![
            format!("{}~{}", s.days[0], s.date),
            c.slug.clone(),
            c.name.clone(),
            "合计".into(),
            c.visits.to_string(),
            if c.low_visits {
                "访问量较低".into()
            } else {
                String::new()
            },
        ]);
    }

    let mut head: Vec<String> = vec!["社区代码".into(), "社区".into()];
    head.extend(status::ALL.iter().map(|s| s.to_string()));
    head.extend([
        "举报".into(),
        "已结案".into(),
        "按期办结".into(),
        "按期办结率".into(),
        "满意".into(),
        "基本满意".into(),
        "不满意".into(),
        "满意率".into(),
    ]);
    let mut cases = vec![head];
    for c in &s.communities {
        let mut row = vec![c.slug.clone(), c.name.clone()];
        row.extend(c.by_status.iter().map(|(_, n)| n.to_string()));
        row.extend([
            c.reports.to_string(),
            c.closed.to_string(),
            c.closed_on_time.to_string(),
            percent(c.closed_on_time, c.closed),
        ]);
        let (rated, satisfied) = c.satisfaction();
        row.extend(c.ratings.iter().map(u64::to_string));
        row.push(percent(satisfied, rated));
        cases.push(row);
    }

    let mut overdue = vec![vec![
        "案件编号".into(),
        "类别".into(),
        "社区".into(),
        "状态".into(),
        "受理时间".into(),
        "办理期限".into(),
        "逾期天数".into(),
        "逾期类型".into(),
    ]];
    for o in &s.overdue {
        overdue.push(vec![
            o.case_id.clone(),
            format!("{}·{}", table_label(o.table), o.category_name),
            o.community_name.clone(),
            o.status.clone(),
            o.created_at.clone(),
            o.due_at.clone(),
            o.days_late(s.date).to_string(),
            o.clock.label().to_string(),
        ]);
    }

    let mut objections = vec![vec![
        "社区".into(),
        "公开编号".into(),
        "公开事项".into(),
        "未办结".into(),
        "已答复".into(),
        "公示期后提出".into(),
    ]];
    for o in &s.objections {
        objections.push(vec![
            o.community.clone(),
            o.record.clone(),
            o.title.clone(),
            o.open.to_string(),
            o.answered.to_string(),
            o.late.to_string(),
        ]);
    }

    let mut disclosures = vec![vec![
        "社区代码".into(),
        "社区".into(),
        "月份".into(),
        "未公开".into(),
    ]];
    for c in &s.communities {
        for (kind, name) in &c.missing {
            disclosures.push(vec![
                c.slug.clone(),
                c.name.clone(),
                s.month.to_string(),
                format!("{name}（{kind}）"),
            ]);
        }
    }
    vec![
        ("visits.csv", csv(visits)),
        ("cases.csv", csv(cases)),
        ("overdue.csv", csv(overdue)),
        ("objections.csv", csv(objections)),
        ("disclosures.csv", csv(disclosures)),
    ]
}

const STATUS_COLOURS: [&str; 6] = [
    "#d9480f", "#f08c00", "#1c7ed6", "#7048e8", "#868e96", "#2b8a3e",
];

/// Horizontal bars: (label, value, flagged), labels right-aligned in `label_w` pixels.
fn bar_chart(rows: &[(String, u64, bool)], unit: &str, label_w: f64) -> String {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let (bar_w, row_h) = (300.0, 28.0);
    let width = label_w + bar_w + 180.0;
    let height = row_h * rows.len() as f64 + 8.0;
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img">"#
    );
    for (i, (label, value, flagged)) in rows.iter().enumerate() {
        let y = 4.0 + row_h * i as f64;
        let w = bar_w * (*value as f64) / (max as f64);
        let colour = if *flagged { "#c92a2a" } else { "#1971c2" };
        let note = if *flagged {
            "  提醒：访问量较低"
        } else {
            ""
        };
        let _ = write!(
            svg,
            r#"<text x="{tx}" y="{ty}" text-anchor="end" font-size="14">{label}</text><rect x="{x}" y="{y}" width="{w:.1}" height="20" fill="{colour}"/><text x="{vx:.1}" y="{ty}" font-size="13" fill="{colour}">{value}{unit}{note}</text>"#,
            tx = label_w - 8.0,
            ty = y + 15.0,
            x = label_w,
            label = escape(label),
            vx = label_w + w + 6.0,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Stacked bars of cases by status, one per community, with a legend.
fn status_chart(s: &Summary) -> String {
    let max = s
        .communities
        .iter()
        .map(|c| c.by_status.iter().map(|(_, n)| n).sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let (label_w, bar_w, row_h) = (150.0, 400.0, 28.0);
    let height = row_h * (s.communities.len() as f64 + 1.0) + 8.0;
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 {height}" width="640" height="{height}" role="img">"#
    );
    for (i, name) in status::ALL.iter().enumerate() {
        let x = 10.0 + 100.0 * i as f64;
        let _ = write!(
            svg,
            r#"<rect x="{x}" y="4" width="14" height="14" fill="{}"/><text x="{tx}" y="16" font-size="13">{name}</text>"#,
            STATUS_COLOURS[i],
            tx = x + 18.0
        );
    }
    for (i, c) in s.communities.iter().enumerate() {
        let y = 4.0 + row_h * (i as f64 + 1.0);
        let _ = write!(
            svg,
            r#"<text x="{tx}" y="{ty}" text-anchor="end" font-size="14">{}</text>"#,
            escape(&c.name),
            tx = label_w - 8.0,
            ty = y + 15.0
        );
        let mut x = label_w;
        for (j, (name, n)) in c.by_status.iter().enumerate() {
            if *n == 0 {
                continue;
            }
            let w = bar_w * (*n as f64) / (max as f64);
            let _ = write!(
                svg,
                r#"<rect x="{x:.1}" y="{y}" width="{w:.1}" height="20" fill="{}"><title>{name} {n}</title></rect>"#,
                STATUS_COLOURS[j]
            );
            if w >= 18.0 {
                let _ = write!(
                    svg,
                    r##"<text x="{cx:.1}" y="{ty}" text-anchor="middle" font-size="12" fill="#fff">{n}</text>"##,
                    cx = x + w / 2.0,
                    ty = y + 15.0
                );
            }
            x += w;
        }
    }
    svg.push_str("</svg>");
    svg
}

/// A small line of daily visits.
fn sparkline(values: &[u64]) -> String {
    let max = values.iter().copied().max().unwrap_or(0).max(1) as f64;
    let step = if values.len() > 1 {
        116.0 / (values.len() - 1) as f64
    } else {
        0.0
    };
    let points: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            format!(
                "{:.1},{:.1}",
                2.0 + step * i as f64,
                22.0 - 20.0 * (*v as f64) / max
            )
        })
        .collect();
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 24" width="120" height="24"><polyline fill="none" stroke="#1971c2" stroke-width="2" points="{}"/></svg>"##,
        points.join(" ")
    )
}

/// The self-contained page: no script, no external file.
pub(crate) fn html(s: &Summary) -> String {
    let (first, last) = (s.days[0], s.date);
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>{title} 监督日报 {last}</title><style>body{{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:24px;color:#212529;max-width:980px}}h1{{font-size:24px}}h2{{font-size:19px;margin-top:32px;border-bottom:2px solid #dee2e6;padding-bottom:4px}}table{{border-collapse:collapse;margin:8px 0}}th,td{{border:1px solid #dee2e6;padding:4px 10px;text-align:left;font-size:14px}}th{{background:#f1f3f5}}td.n{{text-align:right}}.low{{color:#c92a2a;font-weight:bold}}.late{{color:#c92a2a}}.ok{{color:#2b8a3e}}p.note{{color:#495057;font-size:14px}}</style></head><body>"#,
        title = escape(&s.title)
    );
    let _ = write!(
        h,
        "<h1>{} 监督日报 {last}</h1><p class=\"note\">访问量统计 {first} 至 {last}（{} 天）；逾期按 {last} 计算；公开情况查 {}。</p>",
        escape(&s.title),
        s.days.len(),
        s.month
    );

    let low: Vec<&str> = s
        .communities
        .iter()
        .filter(|c| c.low_visits)
        .map(|c| c.name.as_str())
        .collect();
    let _ = write!(
        h,
        "<h2>各社区访问量</h2><p class=\"note\">低于 {} 次的社区标红提醒。{}</p>",
        s.threshold,
        if low.is_empty() {
            String::new()
        } else {
            format!(
                "<span class=\"low\">提醒访问量较低的社区：{}</span>",
                escape(&low.join("、"))
            )
        }
    );
    let rows: Vec<(String, u64, bool)> = s
        .communities
        .iter()
        .map(|c| (c.name.clone(), c.visits, c.low_visits))
        .collect();
    h.push_str(&bar_chart(&rows, " 次", 150.0));
    h.push_str("<table><tr><th>社区</th><th>街道</th><th>每日访问</th>");
    for d in &s.days {
        let _ = write!(h, "<th>{}</th>", &d.to_string()[5..]);
    }
    h.push_str("<th>合计</th></tr>");
    for c in &s.communities {
        let class = if c.low_visits { " class=\"low\"" } else { "" };
        let _ = write!(
            h,
            "<tr><td{class}>{}</td><td>{}</td><td>{}</td>",
            escape(&c.name),
            escape(&c.street),
            sparkline(&c.visits_by_day)
        );
        for n in &c.visits_by_day {
            let _ = write!(h, "<td class=\"n\">{n}</td>");
        }
        let _ = write!(h, "<td class=\"n\"{class}>{}</td></tr>", c.visits);
    }
    h.push_str("</table>");

    h.push_str("<h2>按二维码张贴位置</h2>");
    let rows: Vec<(String, u64, bool)> = s
        .communities
        .iter()
        .flat_map(|c| {
            c.placements
                .iter()
                .map(move |(_, name, n)| (format!("{}·{}", c.name, name), *n, false))
        })
        .collect();
    // Long labels (community · where the poster hangs): 14 px per character.
    let label_w = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0) as f64 * 14.0 + 12.0;
    h.push_str(&bar_chart(&rows, " 次", label_w));

    h.push_str("<h2>案件办理情况</h2><p class=\"note\">投诉与建议按状态；举报单列。</p>");
    h.push_str(&status_chart(s));
    h.push_str("<table><tr><th>社区</th>");
    for st in status::ALL {
        let _ = write!(h, "<th>{st}</th>");
    }
    h.push_str("<th>举报</th><th>已结案</th><th>按期办结率</th><th>满意率</th></tr>");
    for c in &s.communities {
        let _ = write!(h, "<tr><td>{}</td>", escape(&c.name));
        for (_, n) in &c.by_status {
            let _ = write!(h, "<td class=\"n\">{n}</td>");
        }
        let (rated, satisfied) = c.satisfaction();
        let _ = write!(
            h,
            "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}（{satisfied}/{rated}）</td></tr>",
            c.reports,
            c.closed,
            percent(c.closed_on_time, c.closed),
            percent(satisfied, rated)
        );
    }
    let (closed, on_time) = s.closed();
    let _ = write!(
        h,
        "</table><p>全街道按期办结率：<strong>{}</strong>（{on_time}/{closed}，按期指结案日期不晚于办理期限）</p>",
        percent(on_time, closed)
    );

    let _ = write!(h, "<h2>逾期（{} 件，最早的在前）</h2>", s.overdue.len());
    if s.overdue.is_empty() {
        h.push_str("<p class=\"ok\">无逾期案件。</p>");
    } else {
        h.push_str("<table><tr><th>逾期类型</th><th>案件编号</th><th>类别</th><th>社区</th><th>状态</th><th>期限</th><th>逾期天数</th></tr>");
        for o in &s.overdue {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}·{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n late\">{}</td></tr>",
                o.clock.label(),
                escape(&o.case_id),
                table_label(o.table),
                escape(&o.category_name),
                escape(&o.community_name),
                escape(&o.status),
                escape(&o.due_at),
                o.days_late(s.date)
            );
        }
        h.push_str("</table>");
    }

    h.push_str("<h2>对公开的异议</h2>");
    if s.objections.is_empty() {
        h.push_str("<p class=\"ok\">无。</p>");
    } else {
        h.push_str("<table><tr><th>社区</th><th>公开事项</th><th>未办结</th><th>已答复</th><th>公示期后提出</th></tr>");
        for o in &s.objections {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                escape(&o.community),
                escape(&o.title),
                o.open,
                o.answered,
                o.late
            );
        }
        h.push_str("</table>");
    }

    let _ = write!(h, "<h2>{} 应公开而未公开</h2>", s.month);
    let missing: Vec<&CommunityRow> = s
        .communities
        .iter()
        .filter(|c| !c.missing.is_empty())
        .collect();
    if missing.is_empty() {
        h.push_str("<p class=\"ok\">各社区均已公开。</p>");
    } else {
        h.push_str("<table><tr><th>社区</th><th>未公开</th></tr>");
        for c in missing {
            let names: Vec<String> = c.missing.iter().map(|(_, n)| escape(n)).collect();
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"late\">{}</td></tr>",
                escape(&c.name),
                names.join("、")
            );
        }
        h.push_str("</table>");
    }
    h.push_str("</body></html>\n");
    h
}
