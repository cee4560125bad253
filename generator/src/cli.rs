//! The commands behind `ydt`, each returning the process exit code: 0 ok, 1 content errors,
//! 2 usage (a missing folder, an unknown community or kind).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, Report, display_path};
use crate::model::{Community, Period, Site};
use crate::render::{self, CommunityRenderer, RenderOptions, Sink, Summary, Theme};
use crate::{checks, content, output};

pub const EXIT_OK: u8 = 0;
pub const EXIT_CONTENT: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

/// The theme every site uses unless it says otherwise.
pub const THEME: &str = "default";

/// Everything `build` and `check` found, and the site if it loaded.
pub struct Checked {
    pub site: Option<Site>,
    pub report: Report,
}

/// Loads and checks the content: every problem, in one run.
pub fn load_and_check(root: &Path) -> Checked {
    let (site, mut report) = content::load(root);
    if let Some(site) = &site {
        checks::run(site, &mut report);
    }
    report.sort();
    Checked { site, report }
}

/// A finished build: what it wrote and found, and what `ydt serve` keeps to rebuild one community
/// at a time (see [`crate::preview`]).
pub struct Built {
    /// The site with every community [thinned](Community::thin): enough for the site-wide pages.
    pub site: Site,
    pub theme: Theme,
    pub options: RenderOptions,
    pub summary: Summary,
    pub report: Report,
}

/// Builds the site into `out`, replacing it whole only on success. Returns the build, or the
/// report that explains why nothing was written.
pub fn build_site(root: &Path, out: &Path, base_url: Option<&str>) -> Result<Built, Report> {
    build_site_with(root, out, base_url, false)
}

fn build_site_with(
    root: &Path,
    out: &Path,
    base_url: Option<&str>,
    progress: bool,
) -> Result<Built, Report> {
    let staging = match output::Staging::begin(out) {
        Ok(s) => s,
        Err(e) => {
            let mut report = Report::default();
            report.push(Diagnostic::general(format!(
                "cannot prepare {}: {e}",
                out.display()
            )));
            return Err(report);
        }
    };
    let mut built = load_check_render(root, base_url, progress, &staging)?;
    match staging.commit() {
        Ok(()) => Ok(built),
        Err(e) => {
            built.report.push(Diagnostic::general(format!(
                "cannot replace {}: {e}",
                out.display()
            )));
            Err(built.report)
        }
    }
}

/// The build's one pass: reads, checks and renders a community at a time (in parallel), keeping
/// of each only what the site-wide pages need, then renders those pages. Memory stays that of a
/// few communities however many the site has.
///
/// The outcome is the same as loading everything, checking everything, then rendering: a
/// community with content errors is not rendered, and when any content error is found, template
/// errors are not reported (the run fails on the content, and `sink`'s files are discarded).
/// One community after the build's pass: what is left of it, what its checks found, and what
/// rendering it gave.
type Loaded = (Option<Community>, Report, Result<Summary, Vec<Diagnostic>>);

fn load_check_render(
    root: &Path,
    base_url: Option<&str>,
    progress: bool,
    sink: &dyn Sink,
) -> Result<Built, Report> {
    let (settings, mut report) = content::load_settings(root);
    let Some(content::Settings {
        config,
        kinds,
        community_dirs,
    }) = settings
    else {
        report.sort();
        return Err(report);
    };
    let theme = config.as_ref().map(|_| Theme::load(root, THEME));
    let Some(config) = config else {
        // Without the site's settings nothing can be checked or rendered; still name every
        // community's own mistakes.
        let loaded: Vec<Report> = community_dirs
            .par_iter()
            .map(|dir| {
                let mut r = Report::default();
                content::load_community(root, dir, &kinds, &mut r);
                r
            })
            .collect();
        for r in loaded {
            report.extend(r.diagnostics);
        }
        report.sort();
        return Err(report);
    };
    let options = RenderOptions {
        base_url: base_url.map_or_else(
            || config.base_url.clone(),
            |b| b.trim_end_matches('/').to_string(),
        ),
        progress: progress && community_dirs.len() > 100,
    };
    let mut site = Site {
        config,
        kinds,
        communities: Vec::new(),
    };
    checks::site_settings(&site, &mut report);

    let done = AtomicUsize::new(0);
    let total = community_dirs.len();
    let loaded: Vec<Loaded> = {
        let renderer = match &theme {
            Some(Ok(theme)) => Some(CommunityRenderer::new(&site, theme, &options, sink)),
            _ => None,
        };
        let site = &site;
        community_dirs
            .par_iter()
            .map(|dir| {
                let mut r = Report::default();
                let mut community = content::load_community(root, dir, &site.kinds, &mut r);
                let mut rendered = Ok(Summary::default());
                if let Some(c) = &mut community {
                    checks::community(site, c, &mut r);
                    if let Some(renderer) = &renderer
                        && !r.has_errors()
                    {
                        rendered = renderer.render(c);
                    }
                    c.thin();
                }
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                if options.progress {
                    render::show_progress(n, total);
                }
                (community, r, rendered)
            })
            .collect()
    };
    let mut rendered = Vec::with_capacity(loaded.len() + 1);
    for (community, r, result) in loaded {
        report.extend(r.diagnostics);
        site.communities.extend(community);
        rendered.push(result);
    }
    content::sort_communities(&mut site.communities);
    report.sort();
    if report.has_errors() {
        return Err(report);
    }
    let theme = match theme {
        Some(Ok(theme)) => theme,
        Some(Err(problems)) => {
            report.extend(problems);
            return Err(report);
        }
        None => unreachable!("the theme is loaded whenever the settings are"),
    };
    rendered.push(render::render_site_pages(&site, &theme, &options, sink));
    match render::combine(rendered) {
        Ok(summary) => Ok(Built {
            site,
            theme,
            options,
            summary,
            report,
        }),
        Err(problems) => {
            report.extend(problems);
            Err(report)
        }
    }
}

pub fn build(root: &Path, out: Option<&Path>, base_url: Option<&str>) -> u8 {
    if !root.is_dir() {
        eprintln!("error: the site root {} does not exist", root.display());
        return EXIT_USAGE;
    }
    let out: PathBuf = out.map_or_else(|| root.join("public"), Path::to_path_buf);
    let started = Instant::now();
    let progress = std::io::stderr().is_terminal();
    match build_site_with(root, &out, base_url, progress) {
        Ok(Built {
            summary, report, ..
        }) => {
            print_report(&report);
            eprintln!(
                "built {} pages ({} files) from {} records and {} notices in {:.2} s → {}",
                summary.pages,
                summary.files,
                summary.records,
                summary.notices,
                started.elapsed().as_secs_f64(),
                out.display()
            );
            EXIT_OK
        }
        Err(report) => {
            print_report(&report);
            eprintln!("build failed: {} left as it was", out.display());
            EXIT_CONTENT
        }
    }
}

/// How `ydt check` prints what it found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum DiagnosticFormat {
    /// rustc-style: the file, line and column, the line itself and a caret (on stderr).
    #[default]
    Human,
    /// Also one GitHub Actions `::error file=…,line=…,col=…::` command per problem (on stdout),
    /// so a pull request shows each problem on the line that has it.
    Github,
}

pub fn check(root: &Path, format: DiagnosticFormat) -> u8 {
    if !root.is_dir() {
        eprintln!("error: the site root {} does not exist", root.display());
        return EXIT_USAGE;
    }
    // Render into nothing, so template errors are found too.
    let report = match load_check_render(root, None, false, &Discard) {
        Ok(Built { report, .. }) | Err(report) => report,
    };
    print_report(&report);
    if format == DiagnosticFormat::Github {
        let prefix = github_prefix(root);
        for d in &report.diagnostics {
            println!("{}", d.github_annotation(&prefix));
        }
    }
    if report.has_errors() {
        EXIT_CONTENT
    } else {
        EXIT_OK
    }
}

/// The site root as a prefix for annotation paths, which GitHub reads relative to the checkout
/// (the working directory in CI): empty when the root is the working directory.
fn github_prefix(root: &Path) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    let root = if root.is_absolute() {
        root.strip_prefix(&cwd).unwrap_or(root)
    } else {
        root
    };
    let shown = root.to_string_lossy().replace('\\', "/");
    match shown.trim_start_matches("./").trim_end_matches('/') {
        "." | "" => String::new(),
        rest => rest.to_string(),
    }
}

struct Discard;

impl Sink for Discard {
    fn write(&self, _: &str, _: &[u8]) -> std::io::Result<()> {
        Ok(())
    }
}

pub fn print_report(report: &Report) {
    for d in &report.diagnostics {
        eprintln!("{d}");
    }
    let (errors, warnings) = (report.error_count(), report.warning_count());
    if errors + warnings > 0 {
        eprintln!("{errors} error(s), {warnings} warning(s)");
    }
}

/// `ydt new`: writes a record skeleton from the kind's schema for a clerk to fill in.
pub fn new_record(root: &Path, kind: &str, community: &str, period: Option<&str>) -> u8 {
    let (site, report) = content::load(root);
    let Some(site) = site else {
        print_report(&report);
        return EXIT_USAGE;
    };
    let Some(schema) = site.kinds.get(kind) else {
        eprintln!(
            "error: unknown record kind `{kind}`; known kinds: {}",
            site.kinds.ids().join(", ")
        );
        return EXIT_USAGE;
    };
    let Some(c) = site.communities.iter().find(|c| c.slug == community) else {
        let known: Vec<&str> = site.communities.iter().map(|c| c.slug.as_str()).collect();
        eprintln!(
            "error: unknown community `{community}`; communities: {}",
            known.join(", ")
        );
        return EXIT_USAGE;
    };
    let period = match period {
        Some(p) => match Period::parse(p) {
            Ok(p) => p,
            Err(why) => {
                eprintln!("error: --period {p}: {why}");
                return EXIT_USAGE;
            }
        },
        None => match c
            .records
            .iter()
            .filter(|r| r.kind == kind)
            .map(|r| r.period)
            .max()
        {
            Some(p) => p.next(),
            None => c.latest_period().unwrap_or(Period {
                year: 2026,
                month: 1,
            }),
        },
    };
    let dir = root
        .join("content/communities")
        .join(community)
        .join("records");
    let path = dir.join(format!("{period}-{kind}.yaml"));
    if path.exists() {
        eprintln!(
            "error: {} already exists; edit it, or give another --period",
            display_path(root, &path)
        );
        return EXIT_USAGE;
    }
    let text = skeleton(schema, period);
    if let Err(e) = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, text)) {
        eprintln!("error: cannot write {}: {e}", display_path(root, &path));
        return EXIT_USAGE;
    }
    println!("{}", display_path(root, &path));
    eprintln!(
        "wrote a {} ({}) record for {} {}; fill in the rows, then run ydt check",
        schema.kind, schema.name, c.name.value, period
    );
    EXIT_OK
}

/// A record file with every column shown once, described in comments.
pub fn skeleton(schema: &crate::kinds::KindSchema, period: Period) -> String {
    use crate::kinds::ColumnType;
    let next = period.next();
    let mut s = format!(
        "# {name}：{description}\n# 填好每一行后运行 ydt check。金额写到分（如 1200.50），姓名要脱敏（张*）。\nkind: {kind}\nperiod: {period}\ntitle: {year}年{month}月{name}公开\npublished: {next}-05\nsummary: \nrows:\n",
        name = schema.name,
        description = schema.description,
        kind = schema.kind,
        year = period.year,
        month = period.month,
    );
    let mut first = true;
    for c in &schema.columns {
        let example = match c.ty {
            ColumnType::Money => "0.00".to_string(),
            ColumnType::Date => format!("{period}-01"),
            ColumnType::Integer => "0".to_string(),
            ColumnType::Person => "张*".to_string(),
            ColumnType::Text => String::new(),
        };
        let lead = if first { "  - " } else { "    " };
        first = false;
        let need = if c.required { "必填" } else { "可不填" };
        s.push_str(&format!(
            "{lead}{}: {example}   # {}（{need}）\n",
            c.key, c.label
        ));
    }
    let totals: Vec<_> = schema.total_columns().collect();
    if !totals.is_empty() {
        s.push_str("totals:   # 合计：程序会核对是否等于各行之和\n");
        for c in totals {
            s.push_str(&format!("  {}: 0.00\n", c.key));
        }
    }
    s
}
