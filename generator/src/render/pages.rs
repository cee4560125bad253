//! What each page shows: the views handed to the templates, and the list of files a community
//! (or the site as a whole) produces. Views are plain serialisable structs so a theme author can
//! read what a template may use.

use rayon::prelude::*;
use serde::Serialize;
use ydt_function::manifest::{Body, Category, Scope};
use ydt_function::validate::FormRules;

use super::{RenderOptions, Sink, Summary, Theme, data, feed, qr};
use crate::diagnostics::Diagnostic;
use crate::model::ColumnType;
use crate::model::{CellValue, Community, Notice, Period, Power, Record, Site};

pub(super) enum Job<'c> {
    /// Pages that belong to no one community: home, track, help, 404, sitemap, manifest, assets.
    Site,
    /// One community's pages; it need not be (yet) in `site.communities`.
    Community(&'c Community),
}

/// Data every page shares, computed once per build and handed to each page's context as a
/// ready tera value (cloning one is a reference count, not a copy).
pub(super) struct SiteContext<'a> {
    pub site: &'a Site,
    pub base_url: String,
    /// `site` as every page sees it.
    view: tera::Value,
    /// `site` on the home page: the same, plus `streets`, the one list that grows with the city.
    home_view: tera::Value,
}

#[derive(Serialize)]
pub(super) struct SiteView {
    title: String,
    description: String,
    base_url: String,
    lang: String,
    supervisor: Body,
    response_days: u32,
    /// Working days to answer an objection inside the 公示期.
    objection_days: u32,
    /// The forms offer SMS notices.
    sms_notices: bool,
    /// Who may file for a resident: `id` (the form's value) and `label`.
    on_behalf_roles: Vec<RoleView>,
    categories: Vec<CategoryView>,
    /// The submission form's checks in the browser: the function's own limits and messages.
    form: FormRules,
    /// The site-wide small-power list, for links from any page.
    powers: Vec<PowerLink>,
    /// Only on the home page.
    #[serde(skip_serializing_if = "Option::is_none")]
    streets: Option<Vec<StreetView>>,
}

#[derive(Serialize)]
struct RoleView {
    id: &'static str,
    label: &'static str,
}

#[derive(Serialize)]
struct CategoryView {
    id: String,
    name: String,
    accepted: bool,
    transfer_to: Option<Body>,
    /// `complaint report suggestion`, for the form's script to filter by type.
    types: String,
}

#[derive(Serialize)]
struct StreetView {
    name: String,
    district: String,
    communities: Vec<CommunityLink>,
}

#[derive(Serialize, Clone)]
struct CommunityLink {
    slug: String,
    name: String,
    path: String,
    latest_period: Option<String>,
    latest_period_cn: Option<String>,
}

#[derive(Serialize)]
struct PageView {
    title: String,
    description: String,
    /// Root-relative path, e.g. `/c/cuizhuyuan/`.
    path: String,
    /// Absolute URL, for sharing and canonical links.
    url: String,
}

#[derive(Serialize)]
struct CommunityView {
    slug: String,
    name: String,
    street: String,
    district: String,
    office_address: String,
    office_phone: String,
    office_hours: Option<String>,
    handler: Body,
    placements: Vec<PlacementView>,
    path: String,
    latest_period: Option<String>,
    latest_period_cn: Option<String>,
    /// The latest month's records, grouped by kind in schema order.
    latest: Vec<KindGroup>,
    /// Earlier months, newest first.
    archive: Vec<MonthGroup>,
    notices: Vec<NoticeLink>,
    record_count: usize,
    /// The community's own small powers (the site-wide list is `site.powers`).
    powers: Vec<PowerLink>,
}

#[derive(Serialize, Clone)]
struct PowerLink {
    id: String,
    name: String,
    summary: Option<String>,
    acting_body: String,
    /// `/quanli/<id>/`, or `/c/<slug>/quanli/<id>/` for a community's own.
    path: String,
    kind: Option<String>,
    kind_name: Option<String>,
    /// How many steps (`power.steps` on a power's page is the steps themselves).
    step_count: usize,
}

#[derive(Serialize)]
struct PowerView {
    #[serde(flatten)]
    link: PowerLink,
    basis: Vec<String>,
    /// In order: the flowchart.
    steps: Vec<StepView>,
    negative_list: Vec<String>,
}

#[derive(Serialize)]
struct StepView {
    who: String,
    what: String,
    time_limit: Option<String>,
    publish: Option<String>,
}

/// A community's own powers, as the site-wide list shows them.
#[derive(Serialize)]
struct CommunityPowers {
    name: String,
    path: String,
    powers: Vec<PowerLink>,
}

#[derive(Serialize)]
struct PlacementView {
    id: String,
    name: String,
    qr: String,
    poster: String,
}

#[derive(Serialize)]
struct KindGroup {
    kind: String,
    name: String,
    records: Vec<RecordLink>,
}

#[derive(Serialize)]
struct MonthGroup {
    period: String,
    period_cn: String,
    records: Vec<RecordLink>,
}

#[derive(Serialize, Clone)]
struct RecordLink {
    id: String,
    title: String,
    kind: String,
    kind_name: String,
    period: String,
    period_cn: String,
    published: String,
    path: String,
    rows: usize,
    totals: Vec<TotalView>,
}

#[derive(Serialize, Clone)]
struct TotalView {
    key: String,
    label: String,
    amount: String,
}

#[derive(Serialize)]
struct NoticeLink {
    id: String,
    title: String,
    date: String,
    date_cn: String,
    category: String,
    summary: Option<String>,
    path: String,
}

#[derive(Serialize)]
struct RecordView {
    #[serde(flatten)]
    link: RecordLink,
    summary: Option<String>,
    description: String,
    columns: Vec<ColumnView>,
    rows: Vec<Vec<CellView>>,
    csv: String,
    xlsx: String,
    json: String,
    full_names: bool,
    /// The form, with this record's complaint category chosen (when the site has it).
    question: String,
    /// The small powers whose result is published as this record's kind: the community's own
    /// first, then the site's.
    powers: Vec<PowerLink>,
    /// The 公示期, if the record's kind (or the record) has one.
    publicity: Option<PublicityView>,
    /// The objection form, `/c/<slug>/<record-id>/yiyi/`.
    yiyi: String,
}

#[derive(Serialize)]
struct PublicityView {
    /// `2026年11月5日`
    from: String,
    until: String,
    /// `YYYY-MM-DD`, for a `<time>`.
    until_iso: String,
}

#[derive(Serialize)]
struct ColumnView {
    key: String,
    label: String,
    money: bool,
    /// `money`, `date`, `number` or `text`: the cell's CSS class, so a narrow screen keeps dates
    /// and amounts on one line and wraps only text.
    class: &'static str,
}

#[derive(Serialize)]
struct CellView {
    text: String,
    money: bool,
}

#[derive(Serialize)]
struct NoticeView {
    #[serde(flatten)]
    link: NoticeLink,
    html: String,
}

impl<'a> SiteContext<'a> {
    pub(super) fn new(site: &'a Site, options: &RenderOptions) -> SiteContext<'a> {
        let c = &site.config;
        let mut streets: Vec<StreetView> = Vec::new();
        for community in &site.communities {
            let link = community_link(community);
            match streets
                .iter_mut()
                .find(|s| s.name == community.street.value)
            {
                Some(street) => street.communities.push(link),
                None => streets.push(StreetView {
                    name: community.street.value.clone(),
                    district: community.district.value.clone(),
                    communities: vec![link],
                }),
            }
        }
        let mut view = SiteView {
            title: c.title.value.clone(),
            description: c.description.value.clone(),
            base_url: options.base_url.clone(),
            lang: c.lang.clone(),
            supervisor: c.supervisor.clone(),
            response_days: c.response_days,
            objection_days: c.objection_days,
            sms_notices: c.sms_notices,
            on_behalf_roles: ydt_function::validate::ON_BEHALF_ROLES
                .iter()
                .map(|&(id, label)| RoleView { id, label })
                .collect(),
            categories: c.categories.iter().map(category_view).collect(),
            form: FormRules::default(),
            powers: site
                .powers
                .iter()
                .map(|p| power_link(site, p, "/"))
                .collect(),
            streets: Some(streets),
        };
        let home_view = tera::Value::from_serializable(&view);
        view.streets = None;
        SiteContext {
            site,
            base_url: options.base_url.clone(),
            view: tera::Value::from_serializable(&view),
            home_view,
        }
    }

    fn page(&self, path: &str, title: String, description: String) -> PageView {
        PageView {
            url: format!("{}{path}", self.base_url),
            path: path.to_string(),
            title,
            description,
        }
    }

    fn context(&self, page: PageView) -> tera::Context {
        let mut ctx = tera::Context::new();
        ctx.insert_value("site", self.view.clone());
        ctx.insert("page", &page);
        ctx.insert("csp", &super::csp::policy());
        ctx
    }

    fn home_context(&self, page: PageView) -> tera::Context {
        let mut ctx = tera::Context::new();
        ctx.insert_value("site", self.home_view.clone());
        ctx.insert("page", &page);
        ctx.insert("csp", &super::csp::policy());
        ctx
    }
}

fn category_view(c: &Category) -> CategoryView {
    let types = if c.types.is_empty() {
        ydt_function::manifest::SubmissionType::ALL.to_vec()
    } else {
        c.types.clone()
    };
    CategoryView {
        id: c.id.clone(),
        name: c.name.clone(),
        accepted: c.scope == Scope::Accept,
        transfer_to: c.transfer_to.clone(),
        types: types
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    }
}

fn community_link(c: &Community) -> CommunityLink {
    let latest = c.latest_period();
    CommunityLink {
        slug: c.slug.clone(),
        name: c.name.value.clone(),
        path: format!("/c/{}/", c.slug),
        latest_period: latest.map(|p| p.to_string()),
        latest_period_cn: latest.map(Period::chinese),
    }
}

fn record_link(site: &Site, community: &Community, r: &Record) -> RecordLink {
    let schema = site.kinds.get(&r.kind);
    RecordLink {
        id: r.id.clone(),
        title: r.title.value.clone(),
        kind: r.kind.clone(),
        kind_name: schema.map_or_else(|| r.kind.clone(), |k| k.name.clone()),
        period: r.period.to_string(),
        period_cn: r.period.chinese(),
        published: r.published.to_string(),
        path: format!("/c/{}/{}/", community.slug, r.id),
        rows: r.rows.len(),
        // In the schema's column order (income before expense), labelled without the unit.
        totals: schema
            .map(|k| {
                k.total_columns()
                    .filter_map(|c| r.totals.get(&c.key).map(|amount| (c, amount)))
                    .map(|(c, amount)| TotalView {
                        key: c.key.clone(),
                        label: c.label.trim_end_matches("（元）").to_string(),
                        amount: amount.to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// A power's link; `base` is `/` for the site's list, `/c/<slug>/` for a community's own.
fn power_link(site: &Site, p: &Power, base: &str) -> PowerLink {
    PowerLink {
        id: p.id.clone(),
        name: p.name.value.clone(),
        summary: p.summary.as_ref().map(|s| s.value.clone()),
        acting_body: p.acting_body.value.clone(),
        path: format!("{base}quanli/{}/", p.id),
        kind: p.kind.clone(),
        kind_name: p
            .kind
            .as_ref()
            .and_then(|k| site.kinds.get(k))
            .map(|k| k.name.clone()),
        step_count: p.steps.len(),
    }
}

fn power_view(site: &Site, p: &Power, base: &str) -> PowerView {
    PowerView {
        link: power_link(site, p, base),
        basis: p.basis.iter().map(|b| b.value.clone()).collect(),
        steps: p
            .steps
            .iter()
            .map(|s| StepView {
                who: s.who.value.clone(),
                what: s.what.value.clone(),
                time_limit: s.time_limit.as_ref().map(|t| t.value.clone()),
                publish: s.publish.as_ref().map(|t| t.value.clone()),
            })
            .collect(),
        negative_list: p.negative_list.iter().map(|t| t.value.clone()).collect(),
    }
}

/// A power page's share description: who acts and what it may not do, briefly.
fn power_description(p: &Power, place: &str) -> String {
    format!(
        "{place}小微权力清单：{}，由{}办理，共{}步，每一步的时限、公开内容和负面清单。",
        p.name.value,
        p.acting_body.value,
        p.steps.len()
    )
}

fn notice_link(community: &Community, n: &Notice) -> NoticeLink {
    NoticeLink {
        id: n.id.clone(),
        title: n.title.value.clone(),
        date: n.date.to_string(),
        date_cn: n.date.chinese(),
        category: n.category.value.clone(),
        summary: n.summary.as_ref().map(|s| s.value.clone()),
        path: format!("/c/{}/notices/{}/", community.slug, n.id),
    }
}

fn community_view(site: &Site, c: &Community) -> CommunityView {
    let latest = c.latest_period();
    let mut groups: Vec<KindGroup> = Vec::new();
    let mut archive: Vec<MonthGroup> = Vec::new();
    for r in &c.records {
        let link = record_link(site, c, r);
        if Some(r.period) == latest {
            match groups.iter_mut().find(|g| g.kind == r.kind) {
                Some(g) => g.records.push(link),
                None => groups.push(KindGroup {
                    kind: r.kind.clone(),
                    name: link.kind_name.clone(),
                    records: vec![link],
                }),
            }
        } else {
            match archive.iter_mut().find(|m| m.period == link.period) {
                Some(m) => m.records.push(link),
                None => archive.push(MonthGroup {
                    period: link.period.clone(),
                    period_cn: link.period_cn.clone(),
                    records: vec![link],
                }),
            }
        }
    }
    // Kinds in a stable, meaningful order: the site's required kinds first, then by id.
    let order = |kind: &str| {
        site.config
            .required_kinds
            .iter()
            .position(|k| k.value == kind)
            .unwrap_or(usize::MAX)
    };
    groups.sort_by(|a, b| (order(&a.kind), &a.kind).cmp(&(order(&b.kind), &b.kind)));
    CommunityView {
        slug: c.slug.clone(),
        name: c.name.value.clone(),
        street: c.street.value.clone(),
        district: c.district.value.clone(),
        office_address: c.office.address.value.clone(),
        office_phone: c.office.phone.value.clone(),
        office_hours: c.office.hours.as_ref().map(|h| h.value.clone()),
        handler: c.handler.clone(),
        placements: c
            .placements
            .iter()
            .map(|p| PlacementView {
                id: p.id.clone(),
                name: p.name.value.clone(),
                qr: format!("/c/{}/qr-{}.svg", c.slug, p.id),
                poster: format!("/c/{}/poster/{}/", c.slug, p.id),
            })
            .collect(),
        path: format!("/c/{}/", c.slug),
        latest_period: latest.map(|p| p.to_string()),
        latest_period_cn: latest.map(Period::chinese),
        latest: groups,
        archive,
        notices: c.notices.iter().map(|n| notice_link(c, n)).collect(),
        record_count: c.records.len(),
        powers: c
            .powers
            .iter()
            .map(|p| power_link(site, p, &format!("/c/{}/", c.slug)))
            .collect(),
    }
}

/// Renders one job's files into the sink.
pub(super) fn run(
    job: &Job,
    ctx: &SiteContext,
    theme: &Theme,
    sink: &dyn Sink,
) -> Result<Summary, Vec<Diagnostic>> {
    let mut out = Writer::new(sink, theme);
    match job {
        Job::Site => site_pages(ctx, &mut out),
        Job::Community(c) => community_pages(ctx, c, &mut out),
    }
    if out.problems.is_empty() {
        Ok(out.summary)
    } else {
        Err(out.problems)
    }
}

struct Writer<'a> {
    sink: &'a dyn Sink,
    theme: &'a Theme,
    summary: Summary,
    problems: Vec<Diagnostic>,
}

/// What a part of a community's pages gave: its counts and its problems.
type Part = (Summary, Vec<Diagnostic>);

impl<'a> Writer<'a> {
    fn new(sink: &'a dyn Sink, theme: &'a Theme) -> Writer<'a> {
        Writer {
            sink,
            theme,
            summary: Summary::default(),
            problems: Vec::new(),
        }
    }

    fn finish(self) -> Part {
        (self.summary, self.problems)
    }

    fn absorb(&mut self, parts: Vec<Part>) {
        for (summary, mut problems) in parts {
            self.summary.pages += summary.pages;
            self.summary.files += summary.files;
            self.summary.records += summary.records;
            self.summary.notices += summary.notices;
            self.problems.append(&mut problems);
        }
    }

    fn page(&mut self, template: &str, path: &str, ctx: &tera::Context) {
        match self.theme.render(template, ctx) {
            Ok(html) => {
                let file = if path.ends_with('/') {
                    format!("{}index.html", &path[1..])
                } else {
                    path[1..].to_string()
                };
                let minified = super::minify::minify_html(html.as_bytes());
                self.file(&file, &super::csp::seal(&minified));
                self.summary.pages += 1;
            }
            Err(d) => self.problems.push(d),
        }
    }

    fn file(&mut self, path: &str, bytes: &[u8]) {
        match self.sink.write(path, bytes) {
            Ok(()) => self.summary.files += 1,
            Err(e) => self
                .problems
                .push(Diagnostic::general(format!("cannot write {path}: {e}"))),
        }
    }
}

fn site_pages(ctx: &SiteContext, out: &mut Writer) {
    let site = ctx.site;
    let title = site.config.title.value.clone();
    let description = site.config.description.value.clone();
    out.page(
        "index.html",
        "/",
        &ctx.home_context(ctx.page("/", title.clone(), description.clone())),
    );
    out.page(
        "track.html",
        "/track/",
        &ctx.context(ctx.page(
            "/track/",
            format!("查询办理进度 - {title}"),
            "输入案件编号和查询码，查看投诉、举报、建议的办理进度和答复。".into(),
        )),
    );
    out.page(
        "help.html",
        "/help/",
        &ctx.context(ctx.page(
            "/help/",
            format!("使用说明 - {title}"),
            "怎样看懂公开内容，怎样投诉、举报、提建议，提交以后会怎样办理。".into(),
        )),
    );
    let mut data_page = ctx.home_context(ctx.page(
        "/data/",
        format!("开放数据 - {title}"),
        "各社区公开数据的整套下载（数据包、CSV），说明每一列的含义和许可。".into(),
    ));
    data_page.insert(
        "data",
        &serde_json::json!({
            "licence": {
                "name": data::DATA_LICENCE.name,
                "title": data::DATA_LICENCE.title,
                "path": data::DATA_LICENCE.path,
            },
            "name_masking": crate::checks::privacy::NAME_MASK_STATEMENT,
            "id_masking": crate::checks::privacy::ID_MASK_STATEMENT,
        }),
    );
    out.page("data.html", "/data/", &data_page);
    let mut list = ctx.context(ctx.page(
        "/quanli/",
        format!("小微权力清单 - {title}"),
        "低保、临时救助、宅基地、集体资产出租、工程项目、印章使用等小微权力：依据、谁来办、办理流程和时限、公开什么、不准做什么。".into(),
    ));
    let community_powers: Vec<CommunityPowers> = site
        .communities
        .iter()
        .filter(|c| !c.powers.is_empty())
        .map(|c| CommunityPowers {
            name: c.name.value.clone(),
            path: format!("/c/{}/", c.slug),
            powers: c
                .powers
                .iter()
                .map(|p| power_link(site, p, &format!("/c/{}/", c.slug)))
                .collect(),
        })
        .collect();
    list.insert("community_powers", &community_powers);
    out.page("quanli.html", "/quanli/", &list);
    for p in &site.powers {
        let path = format!("/quanli/{}/", p.id);
        let mut t = ctx.context(ctx.page(
            &path,
            format!("{} - 小微权力清单", p.name.value),
            power_description(p, ""),
        ));
        t.insert("power", &power_view(site, p, "/"));
        out.page("power.html", &path, &t);
    }
    out.page(
        "404.html",
        "/404.html",
        &ctx.context(ctx.page("/404.html", format!("页面不存在 - {title}"), description)),
    );
    for (path, bytes) in feed::sitemaps(site, &ctx.base_url) {
        out.file(&path, &bytes);
    }
    let manifest = data::manifest(site, &ctx.base_url, out.theme.asset_urls());
    out.file("manifest.json", &manifest);
    out.file(
        "robots.txt",
        format!(
            "User-agent: *\nAllow: /\nDisallow: /api/\nSitemap: {}/sitemap.xml\n",
            ctx.base_url
        )
        .as_bytes(),
    );
    let theme = out.theme;
    for asset in &theme.assets {
        let path = asset.url.trim_start_matches('/').to_string();
        out.file(&path, &asset.bytes);
    }
}

fn community_pages(ctx: &SiteContext, c: &Community, out: &mut Writer) {
    let site = ctx.site;
    let view = community_view(site, c);
    let community_value = tera::Value::from_serializable(&view);
    let base = format!("/c/{}/", c.slug);
    let with_community = |page: PageView| {
        let mut t = ctx.context(page);
        t.insert_value("community", community_value.clone());
        t
    };

    let entry_description = match &view.latest_period_cn {
        Some(p) => format!(
            "{}{}{}{}公开：{}。扫码查看，可在线投诉、举报、提建议。",
            c.district.value,
            c.street.value,
            c.name.value,
            p,
            view.latest
                .iter()
                .map(|g| g.name.as_str())
                .collect::<Vec<_>>()
                .join("、")
        ),
        None => format!(
            "{}{}{}的公开信息，可在线投诉、举报、提建议。",
            c.district.value, c.street.value, c.name.value
        ),
    };
    out.page(
        "community.html",
        &base,
        &with_community(ctx.page(
            &base,
            format!("{} · 小微权力监督一点通", c.name.value),
            entry_description,
        )),
    );

    let jiandu = format!("{base}jiandu/");
    out.page(
        "jiandu.html",
        &jiandu,
        &with_community(ctx.page(
            &jiandu,
            format!("我要监督 - {}", c.name.value),
            format!(
                "向{}或街道纪工委投诉、举报、提建议，件件有回应。",
                c.name.value
            ),
        )),
    );

    let notices = format!("{base}notices/");
    out.page(
        "notices.html",
        &notices,
        &with_community(ctx.page(
            &notices,
            format!("公告 - {}", c.name.value),
            format!("{}的村（居）务、党务、财务公告。", c.name.value),
        )),
    );

    for p in &c.powers {
        let path = format!("{base}quanli/{}/", p.id);
        let mut t = with_community(ctx.page(
            &path,
            format!("{} - {}小微权力清单", p.name.value, c.name.value),
            power_description(p, &c.name.value),
        ));
        t.insert("power", &power_view(site, p, &base));
        out.page("power.html", &path, &t);
    }

    // QR codes and posters: the bare entry URL, and one per placement with ?from=. Each code is
    // drawn once and used twice: as its own file and inside its poster.
    let entry_url = format!("{}{base}", ctx.base_url);
    let mut posters: Vec<(String, String, Option<&crate::model::Placement>, String)> = Vec::new();
    let targets = std::iter::once((None, entry_url.clone())).chain(
        c.placements
            .iter()
            .map(|p| (Some(p), format!("{entry_url}?from={}", p.id))),
    );
    for (placement, url) in targets {
        let (file, poster) = match placement {
            None => (format!("c/{}/qr.svg", c.slug), format!("{base}poster/")),
            Some(p) => (
                format!("c/{}/qr-{}.svg", c.slug, p.id),
                format!("{base}poster/{}/", p.id),
            ),
        };
        let svg = match qr::qr_svg(&url) {
            Ok(svg) => {
                out.file(&file, svg.as_bytes());
                svg
            }
            Err(e) => {
                out.problems.push(Diagnostic::error(
                    c.span.clone(),
                    format!("cannot make the QR code for {url}: {e}"),
                ));
                String::new()
            }
        };
        posters.push((poster, url, placement, svg));
    }
    for (path, url, placement, svg) in posters {
        let mut t = with_community(ctx.page(
            &path,
            format!("扫码监督 - {}", c.name.value),
            format!("{}小微权力监督一点通海报", c.name.value),
        ));
        t.insert("qr_svg", &svg);
        t.insert("qr_url", &url);
        t.insert(
            "placement",
            &placement.map(|p| PlacementView {
                id: p.id.clone(),
                name: p.name.value.clone(),
                qr: String::new(),
                poster: String::new(),
            }),
        );
        out.page("poster.html", &path, &t);
    }

    // Records and notices render in parallel: `ydt serve` rebuilds one community at a time.
    let (sink, theme) = (out.sink, out.theme);
    let records: Vec<Part> = c
        .records
        .par_iter()
        .map(|r| {
            let mut part = Writer::new(sink, theme);
            let out = &mut part;
            let link = record_link(site, c, r);
            let schema = site.kinds.get(&r.kind);
            let columns: Vec<ColumnView> = schema
                .map(|k| {
                    k.columns
                        .iter()
                        .filter(|col| r.rows.iter().any(|row| row.cells.contains_key(&col.key)))
                        .map(|col| ColumnView {
                            key: col.key.clone(),
                            label: col.label.clone(),
                            money: col.ty == ColumnType::Money,
                            class: match col.ty {
                                ColumnType::Money => "money",
                                ColumnType::Date => "date",
                                ColumnType::Integer => "number",
                                ColumnType::Text | ColumnType::Person | ColumnType::IdNumber => {
                                    "text"
                                }
                            },
                        })
                        .collect()
                })
                .unwrap_or_default();
            let rows = r
                .rows
                .iter()
                .map(|row| {
                    columns
                        .iter()
                        .map(|col| match row.cells.get(&col.key) {
                            Some(cell) => match cell.value {
                                CellValue::Money(m) => CellView {
                                    text: m.to_string(),
                                    money: true,
                                },
                                _ => CellView {
                                    text: cell.text.value.clone(),
                                    money: false,
                                },
                            },
                            None => CellView {
                                text: String::new(),
                                money: col.money,
                            },
                        })
                        .collect()
                })
                .collect();
            let totals_text = link
                .totals
                .iter()
                .map(|t| format!("{}合计{}元", t.label, t.amount))
                .collect::<Vec<_>>()
                .join("，");
            let description = format!(
                "{} {}，共{}条{}{}。",
                c.name.value,
                link.title,
                r.rows.len(),
                if totals_text.is_empty() { "" } else { "，" },
                totals_text
            );
            let path = link.path.clone();
            let category = ctx
                .site
                .kinds
                .get(&r.kind)
                .and_then(|k| k.category.as_deref())
                .filter(|id| ctx.site.config.categories.iter().any(|c| c.id == *id));
            let question = match category {
                Some(id) => format!("/c/{}/jiandu/?category={id}&record={}", c.slug, r.id),
                None => format!("/c/{}/jiandu/?record={}", c.slug, r.id),
            };
            let yiyi = format!("{path}yiyi/");
            let powers = c
                .powers
                .iter()
                .filter(|p| p.kind.as_deref() == Some(r.kind.as_str()))
                .map(|p| power_link(site, p, &base))
                .chain(
                    site.powers
                        .iter()
                        .filter(|p| p.kind.as_deref() == Some(r.kind.as_str()))
                        .map(|p| power_link(site, p, "/")),
                )
                .collect();
            let view = RecordView {
                powers,
                question,
                csv: format!("{path}data.csv"),
                xlsx: format!("{path}data.xlsx"),
                json: format!("{path}data.json"),
                summary: r.summary.as_ref().map(|s| s.value.clone()),
                description: description.clone(),
                columns,
                rows,
                full_names: r.full_names,
                publicity: site.config.objection_until(r).map(|until| PublicityView {
                    from: r.published.chinese(),
                    until: until.chinese(),
                    until_iso: until.to_string(),
                }),
                yiyi: yiyi.clone(),
                link,
            };
            let mut t = with_community(ctx.page(
                &path,
                format!("{} - {}", view.link.title, c.name.value),
                description,
            ));
            t.insert("record", &view);
            let template = format!("record-{}.html", r.kind);
            out.page(
                if out.theme.has(&template) {
                    &template
                } else {
                    "record.html"
                },
                &path,
                &t,
            );
            // The objection form: a plain form post that names the record.
            let mut objection = with_community(ctx.page(
                &yiyi,
                format!("提出异议 - {}", view.link.title),
                format!(
                    "对{}「{}」有异议，可以在这里提出，社区限期答复。",
                    c.name.value, view.link.title
                ),
            ));
            objection.insert("record", &view);
            out.page("yiyi.html", &yiyi, &objection);
            let dir = &path[1..];
            out.file(&format!("{dir}data.csv"), &data::csv(site, r));
            match data::xlsx(site, r) {
                Ok(bytes) => out.file(&format!("{dir}data.xlsx"), &bytes),
                Err(e) => out.problems.push(Diagnostic::general(format!(
                    "cannot write {dir}data.xlsx: {e}"
                ))),
            }
            out.file(
                &format!("{dir}data.json"),
                &data::json(site, c, r, &ctx.base_url),
            );
            out.summary.records += 1;
            part.finish()
        })
        .collect();
    out.absorb(records);

    let notices: Vec<Part> = c
        .notices
        .par_iter()
        .map(|n| {
            let mut part = Writer::new(sink, theme);
            let out = &mut part;
            let link = notice_link(c, n);
            let path = link.path.clone();
            let description = n
                .summary
                .as_ref()
                .map_or_else(|| first_words(&n.body.value), |s| s.value.clone());
            let mut t = with_community(ctx.page(
                &path,
                format!("{} - {}", n.title.value, c.name.value),
                description,
            ));
            t.insert(
                "notice",
                &NoticeView {
                    link,
                    html: n.html.clone(),
                },
            );
            out.page("notice.html", &path, &t);
            out.summary.notices += 1;
            part.finish()
        })
        .collect();
    out.absorb(notices);

    out.file(
        &format!("c/{}/feed.xml", c.slug),
        &feed::atom(site, c, &ctx.base_url),
    );
    out.file(
        &format!("c/{}/datapackage.json", c.slug),
        &data::datapackage(site, c),
    );
}

/// The first sentence or so of a Markdown body, for a share description.
fn first_words(markdown: &str) -> String {
    let plain: String = markdown
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('|'))
        .collect::<Vec<_>>()
        .join(" ");
    let plain = plain.replace(['*', '_', '`', '>'], "");
    plain.chars().take(80).collect()
}
