//! The theme: tera templates from `themes/<theme>/templates/`, any of which the site may override
//! with a file of the same name in `<root>/templates/`, and the static assets beside them.
//! Templates are compiled once per build; their errors name the template file and line.
//!
//! Static assets are published under content-hashed names (`static/form.<hash>.js`), so they can be
//! cached as immutable and a changed file is a new URL: templates write `{{ asset(name="form.js") }}`
//! for the URL, and `manifest.json` carries the same map for the function's own pages.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use walkdir::WalkDir;

use crate::diagnostics::{Diagnostic, SourceFile, Span, display_path};

pub struct Theme {
    pub tera: tera::Tera,
    /// Template name → its source, to quote it in errors.
    sources: BTreeMap<String, Arc<SourceFile>>,
    /// Static assets, in file-name order.
    pub assets: Vec<Asset>,
}

/// A file of the theme's `static/` folder, published under a name that carries its content hash.
pub struct Asset {
    /// Its path under `static/` in the theme (`form.js`), the name templates ask for.
    pub name: String,
    /// Where it is published: `/static/form.<12 hex digits of its SHA-256>.js`.
    pub url: String,
    pub bytes: Vec<u8>,
}

/// `form.js` with its bytes → `form.3f2a9c0d1e4b.js`: the first 12 hex digits of the SHA-256
/// (48 bits: no two versions of one file meet by chance), before the extension.
fn hashed_name(name: &str, bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(bytes);
    let hash: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    let (dir, file) = name.rsplit_once('/').map_or(("", name), |(d, f)| (d, f));
    let hashed = match file.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{stem}.{hash}.{ext}"),
        _ => format!("{file}.{hash}"),
    };
    if dir.is_empty() {
        hashed
    } else {
        format!("{dir}/{hashed}")
    }
}

/// The theme every site uses unless it says otherwise (`themes/<name>/` under the root).
pub const DEFAULT_THEME: &str = "default";

impl Theme {
    pub fn load(root: &Path, theme: &str) -> Result<Theme, Vec<Diagnostic>> {
        let theme_dir = root.join("themes").join(theme);
        if !theme_dir.join("templates").is_dir() {
            return Err(vec![
                Diagnostic::general(format!(
                    "the theme folder {} has no templates/",
                    display_path(root, &theme_dir)
                ))
                .with_help(
                    "the site root must hold themes/default/ (copy it from the ydt repository)",
                ),
            ]);
        }
        let mut sources: BTreeMap<String, Arc<SourceFile>> = BTreeMap::new();
        let mut problems = Vec::new();
        for dir in [theme_dir.join("templates"), root.join("templates")] {
            for entry in WalkDir::new(&dir)
                .sort_by_file_name()
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file())
            {
                let name = display_path(&dir, entry.path());
                match std::fs::read_to_string(entry.path()) {
                    Ok(text) => {
                        sources.insert(
                            name,
                            SourceFile::new(display_path(root, entry.path()), text),
                        );
                    }
                    Err(e) => problems.push(Diagnostic::general(format!(
                        "cannot read template {}: {e}",
                        display_path(root, entry.path())
                    ))),
                }
            }
        }
        let static_dir = theme_dir.join("static");
        let mut assets = Vec::new();
        for entry in WalkDir::new(&static_dir)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
        {
            let name = display_path(&static_dir, entry.path());
            match std::fs::read(entry.path()) {
                Ok(bytes) => assets.push(Asset {
                    url: format!("/static/{}", hashed_name(&name, &bytes)),
                    name,
                    bytes,
                }),
                Err(e) => problems.push(Diagnostic::general(format!(
                    "cannot read theme asset {}: {e}",
                    display_path(root, entry.path())
                ))),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut tera = tera::Tera::new();
        tera.autoescape_on([".html", ".xml", ".svg"]);
        register_filters(&mut tera);
        register_asset_function(&mut tera, &assets);
        if let Err(e) =
            tera.add_raw_templates(sources.iter().map(|(n, f)| (n.as_str(), f.text.as_str())))
        {
            return Err(vec![template_error(&sources, &e)]);
        }
        Ok(Theme {
            tera,
            sources,
            assets,
        })
    }

    /// Asset name → its published URL, as `manifest.json` lists them.
    pub fn asset_urls(&self) -> std::collections::BTreeMap<String, String> {
        self.assets
            .iter()
            .map(|a| (a.name.clone(), a.url.clone()))
            .collect()
    }

    pub fn has(&self, name: &str) -> bool {
        self.tera.contains_template(name)
    }

    pub fn render(&self, name: &str, context: &tera::Context) -> Result<String, Diagnostic> {
        self.tera
            .render(name, context)
            .map_err(|e| template_error(&self.sources, &e))
    }
}

fn register_filters(tera: &mut tera::Tera) {
    // Amounts arrive as strings ("1234.50"); residents read them with thousands separators.
    tera.register_filter("yuan", |value: &str, _: tera::Kwargs, _: &tera::State| {
        group_thousands(value)
    });
}

/// `{{ asset(name="form.js") }}` → `/static/form.<hash>.js`; a name the theme does not have is a
/// template error naming it, so a typo cannot publish a page with a broken script link.
fn register_asset_function(tera: &mut tera::Tera, assets: &[Asset]) {
    let urls: BTreeMap<String, String> = assets
        .iter()
        .map(|a| (a.name.clone(), a.url.clone()))
        .collect();
    tera.register_function(
        "asset",
        move |kwargs: tera::Kwargs, _: &tera::State| -> tera::TeraResult<String> {
            let name: &str = kwargs.must_get("name")?;
            urls.get(name).cloned().ok_or_else(|| {
                tera::Error::message(format!(
                    "the theme has no static/{name} (asset names: {})",
                    urls.keys().cloned().collect::<Vec<_>>().join(", ")
                ))
            })
        },
    );
}

/// `1234567.50` → `1,234,567.50`.
pub fn group_thousands(amount: &str) -> String {
    let (sign, rest) = amount.strip_prefix('-').map_or(("", amount), |r| ("-", r));
    let (whole, fraction) = rest
        .split_once('.')
        .map_or((rest, None), |(w, f)| (w, Some(f)));
    let mut grouped = String::with_capacity(amount.len() + whole.len() / 3);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match fraction {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// A tera error as a diagnostic in the template's own file and line.
fn template_error(sources: &BTreeMap<String, Arc<SourceFile>>, e: &tera::Error) -> Diagnostic {
    use std::error::Error as _;
    let report = match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => Some(r),
        _ => None,
    };
    if let Some(r) = report
        && let Some(file) = sources.get(r.filename())
    {
        let range = r.span().range.clone();
        let mut message = format!("template error: {}", r.message());
        if let Some(cause) = e.source() {
            message.push_str(&format!(" ({cause})"));
        }
        return Diagnostic::error(Span::new(file, range.start, range.end), message).with_help(
            "fix the template; the variables a page has are listed in themes/default/README.md",
        );
    }
    let mut message = format!("template error: {}", e.kind());
    if let Some(cause) = e.source() {
        message.push_str(&format!(" ({cause})"));
    }
    Diagnostic::general(message)
}

#[cfg(test)]
mod tests {
    use super::{group_thousands, hashed_name};

    #[test]
    fn asset_names_carry_their_content_hash() {
        let a = hashed_name("form.js", b"one");
        assert!(a.starts_with("form.") && a.ends_with(".js") && a.len() == "form..js".len() + 12);
        assert_eq!(a, hashed_name("form.js", b"one"), "same bytes, same name");
        assert_ne!(a, hashed_name("form.js", b"two"), "new bytes, new name");
        assert!(hashed_name("img/logo.svg", b"x").starts_with("img/logo."));
        assert_eq!(hashed_name("LICENSE", b"x").len(), "LICENSE.".len() + 12);
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group_thousands("1234567.50"), "1,234,567.50");
        assert_eq!(group_thousands("999.00"), "999.00");
        assert_eq!(group_thousands("-1000.00"), "-1,000.00");
        assert_eq!(group_thousands("100000"), "100,000");
    }
}
