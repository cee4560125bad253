//! QR codes for the posters at compound gates, service halls and market stalls.
//!
//! It owns turning one URL into one SVG: the smallest QR code that holds exactly that URL, black
//! on white, a four-module quiet zone, crisp module edges, and a `viewBox` so the same file prints
//! sharp on an A4 poster at any size. The output is deterministic: the same URL gives the same
//! bytes.
//!
//! It does not decide which URL a community or placement gets (`<base_url>/c/<slug>/`, with
//! `?from=<placement>`), nor where the file goes: the caller builds the URL and writes the SVG.

use std::fmt::{self, Write};

use qrcode::{Color, EcLevel, QrCode};

/// Modules of light margin around the code: the minimum the QR standard requires.
const QUIET_ZONE: usize = 4;

/// Default rendered size of one module, in CSS pixels, when a page shows the SVG unscaled.
const MODULE_PX: usize = 8;

/// A URL that cannot be made into a QR code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QrError {
    url: String,
    cause: qrcode::types::QrError,
}

impl fmt::Display for QrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot make a QR code of `{}` ({} bytes): {}",
            self.url,
            self.url.len(),
            self.cause
        )
    }
}

impl std::error::Error for QrError {}

/// An SVG QR code of exactly `url`.
///
/// Error correction level M, or Q when Q fits in the same version (more damage tolerated by a
/// weathered poster at no cost in module size); always the smallest version that fits.
pub(crate) fn qr_svg(url: &str) -> Result<String, QrError> {
    let code = encode(url)?;
    Ok(svg(&code))
}

#[cfg(test)]
/// The QR version (1–40) `qr_svg` uses for `url`: 21 + 4·(version − 1) modules a side.
pub(crate) fn version_of(url: &str) -> Result<i16, QrError> {
    Ok(version_number(encode(url)?.version()))
}

#[cfg(test)]
/// The error correction level `qr_svg` uses for `url`: `'M'` or `'Q'`.
pub(crate) fn ec_level_of(url: &str) -> Result<char, QrError> {
    Ok(match encode(url)?.error_correction_level() {
        EcLevel::L => 'L',
        EcLevel::M => 'M',
        EcLevel::Q => 'Q',
        EcLevel::H => 'H',
    })
}

fn encode(url: &str) -> Result<QrCode, QrError> {
    let error = |cause| QrError {
        url: url.to_string(),
        cause,
    };
    let medium = QrCode::with_error_correction_level(url, EcLevel::M).map_err(error)?;
    match QrCode::with_error_correction_level(url, EcLevel::Q) {
        Ok(quartile) if quartile.version() == medium.version() => Ok(quartile),
        _ => Ok(medium),
    }
}

#[cfg(test)]
fn version_number(version: qrcode::Version) -> i16 {
    match version {
        qrcode::Version::Normal(n) | qrcode::Version::Micro(n) => n,
    }
}

/// One `<path>` with a rectangle per horizontal run of dark modules, on a white square.
fn svg(code: &QrCode) -> String {
    let width = code.width();
    let colors = code.to_colors();
    let side = width + 2 * QUIET_ZONE;
    let px = side * MODULE_PX;

    let mut path = String::new();
    for (y, row) in colors.chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            if row[x] != Color::Dark {
                x += 1;
                continue;
            }
            let start = x;
            while x < width && row[x] == Color::Dark {
                x += 1;
            }
            let run = x - start;
            let (left, top) = (start + QUIET_ZONE, y + QUIET_ZONE);
            write!(path, "M{left} {top}h{run}v1h-{run}z").expect("writing to a String");
        }
    }

    format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" "#,
            r#"width="{px}" height="{px}" shape-rendering="crispEdges">"#,
            r##"<rect width="{side}" height="{side}" fill="#fff"/>"##,
            r##"<path fill="#000" d="{path}"/>"##,
            "</svg>\n"
        ),
        side = side,
        px = px,
        path = path
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};
    use std::process::Command;

    const ENTRY: &str = "https://ydt.example.cn/c/cuizhuyuan/";
    const GATE: &str = "https://ydt.example.cn/c/cuizhuyuan/?from=gate";

    /// Runs a tool the decoding test depends on; a missing tool fails the test with the fix.
    fn run(program: &str, args: &[&str]) -> std::process::Output {
        Command::new(program)
            .args(args)
            .output()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run `{program}` ({e}); the QR tests decode with real tools: \
                 apt-get install -y zbar-tools librsvg2-bin"
                )
            })
    }

    fn scratch_file(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("ydt-qr-{}-{name}", std::process::id()))
    }

    /// Renders the SVG with librsvg and reads it back with zbar, as a phone camera would.
    fn decode(svg: &str, name: &str) -> String {
        let svg_path = scratch_file(&format!("{name}.svg"));
        let png_path = scratch_file(&format!("{name}.png"));
        std::fs::write(&svg_path, svg).unwrap();
        let paths = [svg_path.as_path(), png_path.as_path()]
            .map(Path::to_str)
            .map(Option::unwrap);

        let render = run("rsvg-convert", &["--format=png", "-o", paths[1], paths[0]]);
        assert!(
            render.status.success(),
            "rsvg-convert failed: {}",
            String::from_utf8_lossy(&render.stderr)
        );
        let scan = run("zbarimg", &["--raw", "-q", paths[1]]);
        let _ = std::fs::remove_file(&svg_path);
        let _ = std::fs::remove_file(&png_path);
        assert!(
            scan.status.success(),
            "zbarimg found no QR code (status {}): {}",
            scan.status,
            String::from_utf8_lossy(&scan.stderr)
        );
        let text = String::from_utf8(scan.stdout).expect("zbarimg printed UTF-8");
        text.strip_suffix('\n').unwrap_or(&text).to_string()
    }

    #[test]
    fn the_svg_decodes_to_exactly_the_url() {
        for (name, url) in [("entry", ENTRY), ("gate", GATE)] {
            let svg = qr_svg(url).unwrap();
            assert_eq!(decode(&svg, name), url);
        }
    }

    #[test]
    fn a_longer_url_still_decodes() {
        let url = "https://jiandu.example.gov.cn/c/xinghuacun/?from=market-stall-north";
        assert_eq!(decode(&qr_svg(url).unwrap(), "long"), url);
    }

    #[test]
    fn community_urls_stay_small() {
        for url in [ENTRY, GATE] {
            let version = version_of(url).unwrap();
            assert!((1..=4).contains(&version), "{url}: version {version}");
            assert!(matches!(ec_level_of(url).unwrap(), 'M' | 'Q'), "{url}");
        }
        // Q is taken only where it fits in the version M needs.
        for url in [ENTRY, GATE] {
            let m = QrCode::with_error_correction_level(url, EcLevel::M).unwrap();
            assert_eq!(
                version_of(url).unwrap(),
                version_number(m.version()),
                "{url}"
            );
        }
        assert_eq!(ec_level_of(GATE).unwrap(), 'Q');
    }

    #[test]
    fn the_svg_has_a_quiet_zone_a_view_box_and_one_path() {
        let svg = qr_svg(ENTRY).unwrap();
        let modules = 17 + 4 * version_of(ENTRY).unwrap() as usize;
        let side = modules + 8;
        assert!(
            svg.contains(&format!(r#"viewBox="0 0 {side} {side}""#)),
            "{svg}"
        );
        assert!(svg.contains(r#"shape-rendering="crispEdges""#));
        assert_eq!(svg.matches("<path").count(), 1);
        assert_eq!(svg.matches("<rect").count(), 1);
        // The top-left finder pattern starts right after the four-module quiet zone.
        assert!(svg.contains(r#"d="M4 4h7v1h-7z"#), "{svg}");
        // Nothing dark in the quiet zone: every run starts at x ≥ 4 and ends by side − 4.
        let path = svg
            .split(r#" d=""#)
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        for run in path.split('z').filter(|r| !r.is_empty()) {
            let (left, rest) = run[1..].split_once(' ').unwrap();
            let (top, rest) = rest.split_once('h').unwrap();
            let len: usize = rest.split_once('v').unwrap().0.parse().unwrap();
            let (left, top): (usize, usize) = (left.parse().unwrap(), top.parse().unwrap());
            assert!(left >= 4 && left + len <= side - 4, "{run}");
            assert!((4..side - 4).contains(&top), "{run}");
        }
    }

    #[test]
    fn the_output_is_deterministic_and_depends_on_the_url() {
        assert_eq!(qr_svg(GATE).unwrap(), qr_svg(GATE).unwrap());
        assert_ne!(qr_svg(ENTRY).unwrap(), qr_svg(GATE).unwrap());
    }

    #[test]
    fn a_url_too_long_for_any_qr_code_is_an_error() {
        let url = format!("https://ydt.example.cn/{}", "x".repeat(3000));
        let err = qr_svg(&url).unwrap_err();
        assert!(err.to_string().contains("cannot make a QR code"), "{err}");
    }
}
