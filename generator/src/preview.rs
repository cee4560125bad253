//! The site `ydt serve` shows, kept up to date a community at a time.
//!
//! The first build is a full `ydt build` into the preview folder, which leaves behind the checked
//! site (every community thinned), the compiled theme and the render options. After that, when
//! files change only inside communities' folders, just those communities are loaded, checked and
//! rendered again, together with the site-wide pages that list every community (home, sitemap,
//! manifest); files whose bytes changed are rewritten in place, each by an atomic rename, and
//! files a community no longer makes are removed. A change anywhere else — `site.yaml`, kinds,
//! the theme or the site's own templates — builds the whole site again.
//!
//! Either way the folder ends up byte for byte what a full `ydt build` of the same sources gives:
//! a community's pages read the site's settings and kinds and nothing of other communities, and
//! the site-wide pages read only what a thinned community keeps (`tests/preview.rs` proves it).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use crate::build::{self, Built};
use crate::diagnostics::{Diagnostic, Report};
use crate::model::{Community, Notice, Office, Placement, Record, Text};
use crate::render::{self, CommunityRenderer, Sink};
use crate::{checks, content};

/// The preview folder and what it was built from.
pub struct LiveSite {
    root: PathBuf,
    out: PathBuf,
    base_url: String,
    /// `None` until a full build has succeeded.
    built: Option<Built>,
}

/// What an update did.
#[derive(Debug)]
pub enum Outcome {
    /// The folder matches the sources again.
    Updated {
        /// Files written or removed (a full build counts every file it wrote).
        changed: usize,
        /// The communities rebuilt on their own, or `None` when the whole site was built.
        communities: Option<Vec<String>>,
        /// Warnings (and nothing worse) from what was checked.
        report: Report,
    },
    /// The sources have errors; the folder was left as it was.
    Failed(Report),
}

/// Files a render produced, by path.
#[derive(Default)]
struct Files(Mutex<BTreeMap<String, Vec<u8>>>);

impl Sink for Files {
    fn write(&self, path: &str, bytes: &[u8]) -> io::Result<()> {
        let mut files = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if files.insert(path.to_string(), bytes.to_vec()).is_some() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                "written twice in one build",
            ));
        }
        Ok(())
    }
}

impl Files {
    fn into_inner(self) -> BTreeMap<String, Vec<u8>> {
        self.0.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl LiveSite {
    /// A preview of the site at `root`, built into `out` for `base_url`. Nothing is built yet.
    pub fn new(root: &Path, out: &Path, base_url: &str) -> LiveSite {
        LiveSite {
            root: root.to_path_buf(),
            out: out.to_path_buf(),
            base_url: base_url.to_string(),
            built: None,
        }
    }

    /// Builds the whole site into the folder, replacing it whole on success.
    pub fn rebuild_all(&mut self) -> Outcome {
        match build::build_into(
            &self.root,
            &self.out,
            &build::Options {
                base_url: Some(self.base_url.clone()),
                progress: false,
            },
        ) {
            Ok(mut built) => {
                let report = std::mem::take(&mut built.report);
                let changed = built.summary.files;
                self.built = Some(built);
                Outcome::Updated {
                    changed,
                    communities: None,
                    report,
                }
            }
            Err(report) => Outcome::Failed(report),
        }
    }

    /// Brings the folder up to date after `changed` source paths were written, created or
    /// removed: the communities they belong to alone when that is all they touch, else the whole
    /// site.
    pub fn update(&mut self, changed: &[PathBuf]) -> Outcome {
        if self.built.is_none() {
            return self.rebuild_all();
        }
        let Some(slugs) = communities_touched(&self.root, changed) else {
            return self.rebuild_all();
        };
        let mut total = 0;
        let mut report = Report::default();
        for slug in &slugs {
            match self.update_community(slug) {
                Ok((n, r)) => {
                    total += n;
                    report.extend(r.diagnostics);
                }
                Err(None) => return self.rebuild_all(),
                Err(Some(r)) => return Outcome::Failed(r),
            }
        }
        Outcome::Updated {
            changed: total,
            communities: Some(slugs.into_iter().collect()),
            report,
        }
    }

    /// Loads, checks and renders one community again, with the site-wide pages, and writes what
    /// changed. `Err(None)` asks for a full build instead (the site would be left with no
    /// community, which a full build reports).
    fn update_community(&mut self, slug: &str) -> Result<(usize, Report), Option<Report>> {
        let built = self.built.as_mut().expect("a full build came first");
        let dir = self.root.join("content/communities").join(slug);
        let mut report = Report::default();
        let community = if dir.is_dir() {
            let loaded = content::load_community(&self.root, &dir, &built.site.kinds, &mut report);
            if let Some(c) = &loaded {
                checks::community(&built.site, c, &mut report);
            }
            if report.has_errors() {
                report.sort();
                return Err(Some(report));
            }
            // A folder that is not a community yet (no community.yaml, as it is being made)
            // fails like a full build would.
            let Some(c) = loaded else {
                report.push(Diagnostic::general(format!(
                    "content/communities/{slug} could not be read"
                )));
                return Err(Some(report));
            };
            Some(c)
        } else {
            None
        };

        // The community goes into the site whole while it renders (the site-wide pages read only
        // what thinning keeps), and is thinned after, as a full build does.
        let communities = &mut built.site.communities;
        let previous = communities
            .iter()
            .position(|c| c.slug == slug)
            .map(|i| communities.remove(i));
        // Most saves change rows or text, which no site-wide page shows: those pages stay.
        let site_wide_changed = match (&previous, &community) {
            (Some(old), Some(new)) => site_facing(old) != site_facing(new),
            _ => true,
        };
        let present = community.is_some();
        communities.extend(community);
        content::sort_communities(communities);
        if communities.is_empty() {
            return Err(None);
        }

        let (own, site_wide) = (Files::default(), Files::default());
        let site = &built.site;
        let (rendered, site_rendered) = rayon::join(
            || match site.communities.iter().find(|c| present && c.slug == slug) {
                Some(c) => {
                    CommunityRenderer::new(site, &built.theme, &built.options, &own).render(c)
                }
                None => Ok(Default::default()),
            },
            || {
                if site_wide_changed {
                    render::render_site_pages(site, &built.theme, &built.options, &site_wide)
                } else {
                    Ok(Default::default())
                }
            },
        );
        let communities = &mut built.site.communities;
        if let Err(problems) = render::combine([rendered, site_rendered]) {
            // Put the community back as it was: the folder still shows it so.
            communities.retain(|c| c.slug != slug);
            communities.extend(previous);
            content::sort_communities(communities);
            report.extend(problems);
            report.sort();
            return Err(Some(report));
        }
        if let Some(c) = communities.iter_mut().find(|c| c.slug == slug) {
            c.thin();
        }

        let own_dir = format!("c/{slug}/");
        let mut changed = replace_files(&self.out, &own_dir, own.into_inner())
            .map_err(|e| Some(write_failure(&self.out, &e)))?;
        if site_wide_changed {
            changed += replace_files(&self.out, "", site_wide.into_inner())
                .map_err(|e| Some(write_failure(&self.out, &e)))?;
        }
        report.sort();
        Ok((changed, report))
    }
}

/// Everything of a community that the site-wide pages (home, sitemap, manifest) can read: what
/// [`Community::thin`] keeps. Two communities with the same text here give the same site-wide
/// pages. Every field is named, so a field added to the model has to be sorted in here.
fn site_facing(c: &Community) -> String {
    let Community {
        slug,
        name,
        street,
        district,
        office,
        handler,
        handler_text,
        placements,
        public_phones,
        records,
        notices,
        powers,
        span: _,
    } = c;
    let records: Vec<_> = records
        .iter()
        .map(|r| {
            let Record {
                id,
                kind,
                period,
                published,
                full_names,
                totals,
                // In manifest.json: what an objection names, and until when.
                title,
                publicity_days,
                // Dropped by thinning: only the community's own pages show them.
                kind_span: _,
                summary: _,
                rows: _,
                declared_totals: _,
                span: _,
            } = r;
            format!(
                "{id} {kind} {period} {published} {full_names} {totals:?} {} {publicity_days:?}",
                title.value
            )
        })
        .collect();
    let notices: Vec<_> = notices
        .iter()
        .map(|n| {
            let Notice {
                id,
                date,
                title: _,
                category: _,
                summary: _,
                body: _,
                html: _,
            } = n;
            format!("{id} {date}")
        })
        .collect();
    let Office {
        address,
        phone,
        hours,
    } = office;
    let placements: Vec<_> = placements
        .iter()
        .map(|Placement { id, name }| (id, &name.value))
        .collect();
    // The small-power list names each community's own powers.
    let powers: Vec<_> = powers
        .iter()
        .map(|p| format!("{} {} {:?}", p.id, p.name.value, p.kind))
        .collect();
    let texts = |t: &[Text]| t.iter().map(|t| t.value.clone()).collect::<Vec<_>>();
    format!(
        "{slug}\n{}\n{}\n{}\n{:?}\n{handler:?}\n{:?}\n{:?}\n{public_phones:?}\n{records:?}\n{notices:?}\n{powers:?}",
        name.value,
        street.value,
        district.value,
        (
            &address.value,
            &phone.value,
            hours.as_ref().map(|h| &h.value)
        ),
        texts(handler_text),
        placements,
    )
}

fn write_failure(out: &Path, e: &io::Error) -> Report {
    let mut report = Report::default();
    report.push(Diagnostic::general(format!(
        "cannot update {}: {e}",
        out.display()
    )));
    report
}

/// The communities that `changed` paths belong to, or `None` if any path is outside every
/// community's folder (or is the folder of all communities itself).
pub fn communities_touched(root: &Path, changed: &[PathBuf]) -> Option<BTreeSet<String>> {
    let communities = root.join("content").join("communities");
    let mut slugs = BTreeSet::new();
    for path in changed {
        let rest = path.strip_prefix(&communities).ok()?;
        match rest.components().next() {
            Some(Component::Normal(slug)) => {
                slugs.insert(slug.to_str()?.to_string());
            }
            _ => return None,
        }
    }
    Some(slugs)
}

/// Makes the files under `scope` (a folder of `out`, `c/<slug>/`; or `""`, everything outside
/// `c/`) exactly `files`: writes those whose bytes differ, removes those no longer made. Returns
/// how many files it wrote or removed.
fn replace_files(out: &Path, scope: &str, files: BTreeMap<String, Vec<u8>>) -> io::Result<usize> {
    let mut changed = 0;
    let existing = if scope.is_empty() {
        files_outside_communities(out)?
    } else {
        files_under(out, scope)?
    };
    for path in existing.difference(&files.keys().cloned().collect()) {
        fs::remove_file(out.join(path))?;
        changed += 1;
    }
    if !scope.is_empty() {
        remove_empty_dirs(&out.join(scope))?;
    }
    for (path, bytes) in files {
        let target = out.join(&path);
        if fs::read(&target).is_ok_and(|old| old == bytes) {
            continue;
        }
        if let Some(dir) = target.parent() {
            fs::create_dir_all(dir)?;
        }
        // Written aside, then renamed over: the server never reads half a page.
        let aside = target.with_file_name(format!(
            ".{}.ydt-new",
            target
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
        ));
        fs::write(&aside, &bytes)?;
        fs::rename(&aside, &target)?;
        changed += 1;
    }
    Ok(changed)
}

/// Every file under `out/<dir>`, as paths relative to `out` with `/` separators.
fn files_under(out: &Path, dir: &str) -> io::Result<BTreeSet<String>> {
    let mut found = BTreeSet::new();
    let start = out.join(dir);
    if !start.is_dir() {
        return Ok(found);
    }
    for entry in walkdir::WalkDir::new(&start) {
        let entry = entry.map_err(io::Error::other)?;
        if entry.file_type().is_file() {
            found.insert(relative(out, entry.path()));
        }
    }
    Ok(found)
}

/// Every file of `out` outside `c/`: the site-wide pages, feeds and assets.
fn files_outside_communities(out: &Path) -> io::Result<BTreeSet<String>> {
    let mut found = BTreeSet::new();
    let walk = walkdir::WalkDir::new(out)
        .min_depth(1)
        .into_iter()
        .filter_entry(|e| !(e.depth() == 1 && e.file_name() == "c" && e.file_type().is_dir()));
    for entry in walk {
        let entry = entry.map_err(io::Error::other)?;
        if entry.file_type().is_file() {
            found.insert(relative(out, entry.path()));
        }
    }
    Ok(found)
}

fn relative(out: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(out).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Removes folders under `dir` (and `dir` itself) that hold no files any more.
fn remove_empty_dirs(dir: &Path) -> io::Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in walkdir::WalkDir::new(dir).contents_first(true) {
        let entry = entry.map_err(io::Error::other)?;
        if entry.file_type().is_dir() && fs::read_dir(entry.path())?.next().is_none() {
            fs::remove_dir(entry.path())?;
        }
    }
    Ok(())
}
