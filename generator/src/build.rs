//! The pipeline: content in, checks, pages out — `ydt build`, `ydt check` and `ydt serve` all
//! go through [`build`]. It reads the site root (`content`), checks it (`checks`), renders it
//! (`render`) into a [`Sink`], and returns what was built or every problem found; [`build_into`]
//! puts the result in a folder whole (`output`).
//!
//! It prints nothing and decides no exit code: that is the commands' part (`cmd`).

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, Report};
use crate::model::{Community, Site};
use crate::render::templates::DEFAULT_THEME;
use crate::render::{self, CommunityRenderer, RenderOptions, Sink, Summary, Theme};
use crate::{checks, content, output};

/// One community after the build's pass: what is left of it, what its checks found, and what
/// rendering it gave.
type Loaded = (Option<Community>, Report, Result<Summary, Vec<Diagnostic>>);

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

/// How a build runs: options that change URLs or what is shown on the terminal, never what
/// the content says.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The public origin to use instead of site.yaml's `base_url` (a staging copy, the preview).
    pub base_url: Option<String>,
    /// Show a running count on stderr (when it is a terminal and the site is large).
    pub progress: bool,
}

/// Builds the site into the folder `out`, replacing it whole only on success: written aside,
/// then swapped in with one atomic step (see [`output::Staging`]). Returns the build, or the
/// report that explains why nothing was written.
pub fn build_into(root: &Path, out: &Path, options: &Options) -> Result<Built, Report> {
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
    let mut built = build(root, &staging, options)?;
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

/// The pipeline's one entry point: reads the content under `root`, checks it and renders every
/// file into `sink`. One pass reads, checks and renders a community at a time (in parallel), keeping
/// of each only what the site-wide pages need, then renders those pages. Memory stays that of a
/// few communities however many the site has.
///
/// The outcome is the same as loading everything, checking everything, then rendering: a
/// community with content errors is not rendered, and when any content error is found, template
/// errors are not reported (the run fails on the content, and `sink`'s files are discarded).
pub fn build(root: &Path, sink: &dyn Sink, options: &Options) -> Result<Built, Report> {
    let (settings, mut report) = content::load_settings(root);
    let Some(content::Settings {
        config,
        kinds,
        powers,
        community_dirs,
    }) = settings
    else {
        report.sort();
        return Err(report);
    };
    let theme = config.as_ref().map(|_| Theme::load(root, DEFAULT_THEME));
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
        base_url: options.base_url.as_deref().map_or_else(
            || config.base_url.clone(),
            |b| b.trim_end_matches('/').to_string(),
        ),
        progress: options.progress && community_dirs.len() > 100,
    };
    let mut site = Site {
        config,
        kinds,
        communities: Vec::new(),
        powers,
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
