//! Walks `<root>/content/` and reads the clerks' files into the [`model`](crate::model): the site,
//! its communities, their records and notices. Loading types every value and reports each problem
//! it meets with its position, then keeps going; checks that compare values with each other
//! (totals, privacy, completeness) are in [`checks`](crate::checks). Walking the tree, it also
//! names every file that is not content (a roster `.xlsx` in `records/`, an image, a web page).

pub(crate) mod kinds;
pub(crate) mod markdown;
mod powers;
mod records;
mod site;
pub(crate) mod yaml;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::diagnostics::{Diagnostic, Report, SourceFile, Span, display_path};
use crate::model::Kinds;
use crate::model::{Community, Site, SiteConfig};

/// Paths under `/c/<slug>/` that the generator writes itself, so no record may take them.
pub(crate) const RESERVED_IDS: [&str; 7] = [
    "notices", "jiandu", "poster", "qr", "feed", "static", "quanli",
];

/// Lowercase ASCII letters, digits and dashes, starting with a letter or digit: keeps URLs and QR
/// codes short.
pub(crate) fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// Reads the whole content tree. Returns the site when it could be assembled (even with errors
/// in some records, so every problem is found in one run).
pub(crate) fn load(root: &Path) -> (Option<Site>, Report) {
    let (settings, mut report) = load_settings(root);
    let Some(settings) = settings else {
        return (None, report);
    };
    let (config, kinds, powers, community_dirs) = (
        settings.config,
        settings.kinds,
        settings.powers,
        settings.community_dirs,
    );
    let loaded: Vec<(Option<Community>, Report)> = community_dirs
        .par_iter()
        .map(|dir| {
            let mut r = Report::default();
            let community = load_community(root, dir, &kinds, &mut r);
            (community, r)
        })
        .collect();
    let mut communities = Vec::new();
    for (community, r) in loaded {
        report.extend(r.diagnostics);
        communities.extend(community);
    }
    sort_communities(&mut communities);

    let site = config.map(|config| Site {
        config,
        kinds,
        communities,
        powers,
    });
    (site, report)
}

/// The first step of loading: `site.yaml`, the record kinds, and where the communities are,
/// before any community is read. A build then reads the communities one at a time.
pub(crate) struct Settings {
    /// `None` when `site.yaml` has errors (reported); communities can still be read and checked
    /// for their own mistakes.
    pub config: Option<SiteConfig>,
    pub kinds: Kinds,
    /// The site-wide small-power list, `content/powers/*.yaml`.
    pub powers: Vec<crate::model::Power>,
    /// `content/communities/*/`, sorted.
    pub community_dirs: Vec<PathBuf>,
}

/// Reads `site.yaml` and the kinds and lists the community folders. `None` when there is no
/// `site.yaml` to read.
pub(crate) fn load_settings(root: &Path) -> (Option<Settings>, Report) {
    let mut report = Report::default();
    let content = root.join("content");
    let site_path = content.join("site.yaml");
    let Some(site_file) = read_source(root, &site_path, &mut report) else {
        if !content.is_dir() {
            report.push(
                Diagnostic::general(format!("no content/ folder in {}", root.display()))
                    .with_help("run ydt in the site's folder, or give it with --root DIR"),
            );
        }
        return (None, report);
    };

    let kind_files: Vec<Arc<SourceFile>> = files_in(&content.join("kinds"), &["yaml", "yml"])
        .iter()
        .filter_map(|p| read_source(root, p, &mut report))
        .collect();
    let (kinds, problems) = kinds::load(&kind_files);
    report.extend(problems);

    let config = site::load_site(&site_file, &kinds, &mut report);
    let powers = powers::load_dir(root, &content.join("powers"), &kinds, &mut report);
    report.extend(stray_files(root, &content, &site_level_place));

    let mut dirs: Vec<PathBuf> = match std::fs::read_dir(content.join("communities")) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect(),
        Err(_) => Vec::new(),
    };
    dirs.sort();
    if dirs.is_empty() {
        report.push(
            Diagnostic::error(Span::whole(&site_file), "the site has no communities")
                .with_help("add content/communities/<slug>/community.yaml for each community"),
        );
    }
    let settings = Settings {
        config,
        kinds,
        powers,
        community_dirs: dirs,
    };
    (Some(settings), report)
}

/// Reads one record file against the site's kinds, as loading a community does: what
/// `ydt import` checks its record with before writing it.
pub(crate) fn read_record(
    file: &Arc<SourceFile>,
    id: &str,
    kinds: &Kinds,
    report: &mut Report,
) -> Option<crate::model::Record> {
    records::load_record(file, id, kinds, report)
}

/// The site's order of communities: by street, then slug.
pub(crate) fn sort_communities(communities: &mut [Community]) {
    communities.sort_by(|a, b| (a.street.as_str(), &a.slug).cmp(&(b.street.as_str(), &b.slug)));
}

/// Reads one community folder: `community.yaml`, its records and notices.
pub(crate) fn load_community(
    root: &Path,
    dir: &Path,
    kinds: &Kinds,
    report: &mut Report,
) -> Option<Community> {
    let slug = dir.file_name()?.to_string_lossy().into_owned();
    let community_path = dir.join("community.yaml");
    let file = read_source(root, &community_path, report)?;
    if !is_slug(&slug) {
        report.push(
            Diagnostic::error(Span::whole(&file), format!("community folder `{slug}` is not a valid slug"))
                .with_help("name the folder in lowercase pinyin with dashes, e.g. cuizhuyuan; the Chinese name goes in community.yaml"),
        );
        return None;
    }
    let mut community = site::load_community(&file, &slug, report)?;
    report.extend(stray_files(root, dir, &community_place));

    let record_paths = files_in(&dir.join("records"), &["yaml", "yml"]);
    let mut seen_ids = std::collections::BTreeMap::new();
    for path in record_paths {
        let Some(file) = read_source(root, &path, report) else {
            continue;
        };
        let id = stem(&path);
        if let Some(first) = seen_ids.insert(id.clone(), file.path.clone()) {
            report.push(
                Diagnostic::error(
                    Span::whole(&file),
                    format!("record id `{id}` is already used by {first}"),
                )
                .with_help("rename one of the two files"),
            );
            continue;
        }
        if let Some(record) = records::load_record(&file, &id, kinds, report) {
            community.records.push(record);
        }
    }
    community
        .records
        .sort_by(|a, b| b.period.cmp(&a.period).then_with(|| a.id.cmp(&b.id)));

    let mut seen_notices = std::collections::BTreeSet::new();
    for path in files_in(&dir.join("notices"), &["md"]) {
        let Some(file) = read_source(root, &path, report) else {
            continue;
        };
        let id = stem(&path);
        if !seen_notices.insert(id.clone()) {
            continue;
        }
        if let Some(notice) = markdown::load_notice(&file, &id, report) {
            community.notices.push(notice);
        }
    }
    community
        .notices
        .sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id)));
    community.powers = powers::load_dir(root, &dir.join("powers"), kinds, report);
    Some(community)
}

/// Where a file sits under `content/` (or a community's folder), as the path components below it.
type Place<'a> = &'a [&'a str];

/// What may sit under `content/` outside the community folders: the site's settings, this
/// guide, the spreadsheet `.gitignore`, the site's own kinds and its small-power list.
fn site_level_place(place: Place<'_>) -> Placement {
    match place {
        ["site.yaml" | "README.md" | ".gitignore"] => Placement::Content,
        ["kinds" | "powers", file] if has_extension(file, &["yaml", "yml"]) => Placement::Content,
        // Each community folder is checked when it is read.
        ["communities", _, ..] => Placement::Elsewhere,
        _ => Placement::Stray,
    }
}

/// What may sit in a community's folder: its settings, records, notices and own powers.
fn community_place(place: Place<'_>) -> Placement {
    match place {
        ["community.yaml"] => Placement::Content,
        ["records" | "powers", file] if has_extension(file, &["yaml", "yml"]) => Placement::Content,
        ["notices", file] if has_extension(file, &["md"]) => Placement::Content,
        _ => Placement::Stray,
    }
}

enum Placement {
    Content,
    /// Checked by another walk.
    Elsewhere,
    /// Not content: an error.
    Stray,
}

fn has_extension(file: &str, extensions: &[&str]) -> bool {
    Path::new(file)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| extensions.contains(&e.to_ascii_lowercase().as_str()))
}

/// Every file under `dir` that is not content: a spreadsheet, a Word file, an image or a web page
/// dropped in with the records is never published, and would be committed to git with whatever
/// it holds (a roster's ID, card and phone numbers), so it is an error naming the file.
/// `.gitkeep` files, which only keep an empty folder in git, are let through.
fn stray_files(root: &Path, dir: &Path, place: &dyn Fn(Place<'_>) -> Placement) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for entry in WalkDir::new(dir)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir())
    {
        let path = entry.path();
        let Ok(relative) = path.strip_prefix(dir) else {
            continue;
        };
        let parts: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        if parts.last() == Some(&".gitkeep") {
            continue;
        }
        if let Placement::Stray = place(&parts) {
            found.push(stray_file(root, path));
        }
    }
    found
}

/// The error for a file under `content/` that is not content.
fn stray_file(root: &Path, path: &Path) -> Diagnostic {
    let shown = display_path(root, path);
    let file = SourceFile::new(shown.clone(), "");
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let spreadsheet = has_extension(&name, &["xlsx", "xls", "xlsm", "ods", "csv", "et", "wps"]);
    let help = if spreadsheet {
        "表格请用 ydt import 导入成记录（姓名、身份证号会自动打码，电话、银行卡号不写入），导入后把原表格移出 content/：原表格里的身份证号、银行卡号和电话不能提交到仓库"
    } else {
        "content/ 里只能放 site.yaml、README.md、kinds/*.yaml、powers/*.yaml 和各社区的 community.yaml、records/*.yaml、notices/*.md、powers/*.yaml；附件（扫描件、图片、Word 文件）不放进仓库，需要公开的内容写进记录或通知正文"
    };
    Diagnostic::error(
        Span::new(&file, 0, 0),
        format!("{shown} 不是公开内容，不会发布，也不应提交"),
    )
    .with_help(help)
}

/// The files with one of `extensions` directly in `dir`, sorted; none if `dir` is missing.
fn files_in(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = WalkDir::new(dir)
        .min_depth(1)
        .max_depth(1)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| extensions.contains(&e))
        })
        .collect();
    paths.sort();
    paths
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn read_source(root: &Path, path: &Path, report: &mut Report) -> Option<Arc<SourceFile>> {
    let shown = display_path(root, path);
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Some(SourceFile::new(
                shown,
                text.strip_prefix('\u{feff}').unwrap_or(&text).to_string(),
            )),
            Err(e) => {
                let file = SourceFile::new(
                    shown.clone(),
                    String::from_utf8_lossy(e.as_bytes()).into_owned(),
                );
                let at = e.utf8_error().valid_up_to();
                report.push(
                    Diagnostic::error(Span::new(&file, at, at + 1), "the file is not UTF-8 text")
                        .with_help("save the file as UTF-8 (in Notepad: 另存为 → 编码 UTF-8)"),
                );
                None
            }
        },
        Err(e) => {
            report.push(Diagnostic::general(format!("cannot read {shown}: {e}")));
            None
        }
    }
}
