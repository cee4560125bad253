//! Pages out: turns the checked site into every file residents get — HTML pages through the
//! theme's templates, CSV and JSON downloads, QR codes, feeds, the sitemap and the function's
//! manifest. Rendering runs a community at a time in parallel and hands each finished file to a
//! [`Sink`]; it never touches the output folder itself.

pub mod csp;
pub(crate) mod csv;
pub(crate) mod data;
pub(crate) mod feed;
pub(crate) mod minify;
mod pages;
pub(crate) mod qr;
pub mod templates;

use std::io;

use crate::diagnostics::Diagnostic;
use crate::model::{Community, Site};
pub use templates::Theme;

/// Where finished files go (the staging folder during a build, memory in tests and `serve`).
pub trait Sink: Sync {
    fn write(&self, path: &str, bytes: &[u8]) -> io::Result<()>;
}

/// A sink that keeps nothing: `ydt check` renders into it, so template errors are found too.
pub struct Discard;

impl Sink for Discard {
    fn write(&self, _: &str, _: &[u8]) -> io::Result<()> {
        Ok(())
    }
}

/// What a build produced.
#[derive(Debug, Default, Clone, Copy)]
pub struct Summary {
    pub pages: usize,
    pub files: usize,
    pub records: usize,
    pub notices: usize,
}

/// Options that change URLs but not content.
pub struct RenderOptions {
    /// The public origin, without trailing slash; `site.yaml`'s unless overridden with --base-url.
    pub base_url: String,
    /// Show a running count on stderr (when it is a terminal and the build is long).
    pub progress: bool,
}

/// Renders communities one at a time, as a build loads them, before the site as a whole is
/// assembled: community pages need the site's settings and kinds but nothing of other
/// communities. The site-wide pages (home, sitemap, manifest) come last, from [`render_site_pages`].
pub struct CommunityRenderer<'a> {
    ctx: pages::SiteContext<'a>,
    theme: &'a Theme,
    sink: &'a dyn Sink,
}

impl<'a> CommunityRenderer<'a> {
    /// `site` needs its settings and kinds; its list of communities is not read.
    pub fn new(
        site: &'a Site,
        theme: &'a Theme,
        options: &RenderOptions,
        sink: &'a dyn Sink,
    ) -> CommunityRenderer<'a> {
        CommunityRenderer {
            ctx: pages::SiteContext::new(site, options),
            theme,
            sink,
        }
    }

    pub fn render(&self, community: &Community) -> Result<Summary, Vec<Diagnostic>> {
        pages::run(
            &pages::Job::Community(community),
            &self.ctx,
            self.theme,
            self.sink,
        )
    }
}

/// The pages that belong to no one community: home, track, help, 404, sitemap, manifest, assets.
/// They read every community's name, street, ids and dates, not their rows or bodies, so
/// communities already rendered and [thinned](Community::thin) are enough.
pub fn render_site_pages(
    site: &Site,
    theme: &Theme,
    options: &RenderOptions,
    sink: &dyn Sink,
) -> Result<Summary, Vec<Diagnostic>> {
    let ctx = pages::SiteContext::new(site, options);
    pages::run(&pages::Job::Site, &ctx, theme, sink)
}

/// A running count on stderr, every 50 communities and at the end.
pub fn show_progress(done: usize, total: usize) {
    if done.is_multiple_of(50) || done == total {
        eprint!("\rrendering {done}/{total} communities");
        if done == total {
            eprint!("\r\x1b[K");
        }
    }
}

/// Adds up the parts of a render; or, if any part failed, every problem, each named once.
pub fn combine(
    results: impl IntoIterator<Item = Result<Summary, Vec<Diagnostic>>>,
) -> Result<Summary, Vec<Diagnostic>> {
    let mut summary = Summary::default();
    let mut problems = Vec::new();
    for r in results {
        match r {
            Ok(s) => {
                summary.pages += s.pages;
                summary.files += s.files;
                summary.records += s.records;
                summary.notices += s.notices;
            }
            Err(mut p) => problems.append(&mut p),
        }
    }
    if problems.is_empty() {
        Ok(summary)
    } else {
        // The same template error repeats on every page that uses it: name it once.
        problems.sort_by_key(|d| d.to_string());
        problems.dedup_by_key(|d| d.to_string());
        Err(problems)
    }
}
