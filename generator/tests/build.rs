//! `ydt build` on the example site: every page of the output contract exists, the output is
//! reproducible and replaced whole, a failed build leaves the previous site untouched, and the
//! downloads and QR codes are what residents' tools expect.

use std::process::Command;

use ydt_test_support::site::Site;

const YDT: &str = env!("CARGO_BIN_EXE_ydt");

const GAOLING: &str = "content/communities/cuizhuyuan/records/2026-11-gaoling-jintie.yaml";

#[test]
fn every_contracted_path_is_written() {
    let site = Site::example(YDT);
    let out = site.build();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("built ") && out.stderr.contains(" pages"),
        "{}",
        out.stderr
    );
    let files = site.output();
    for path in [
        "index.html",
        "track/index.html",
        "help/index.html",
        "404.html",
        "sitemap.xml",
        "manifest.json",
        "c/cuizhuyuan/index.html",
        "c/cuizhuyuan/qr.svg",
        "c/cuizhuyuan/qr-gate.svg",
        "c/cuizhuyuan/qr-hall.svg",
        "c/cuizhuyuan/poster/index.html",
        "c/cuizhuyuan/poster/gate/index.html",
        "c/cuizhuyuan/2026-11-gaoling-jintie/index.html",
        "c/cuizhuyuan/2026-11-gaoling-jintie/data.csv",
        "c/cuizhuyuan/2026-11-gaoling-jintie/data.json",
        "c/cuizhuyuan/2026-11-gaoling-jintie/data.xlsx",
        "c/cuizhuyuan/datapackage.json",
        "data/index.html",
        "quanli/index.html",
        "quanli/dibao-shenqing/index.html",
        "c/cuizhuyuan/quanli/laonian-zhucan/index.html",
        "c/cuizhuyuan/notices/2026-11-dangfei/index.html",
        "c/cuizhuyuan/feed.xml",
        "c/cuizhuyuan/jiandu/index.html",
        "c/binhu/index.html",
        "c/qingshui/index.html",
    ] {
        assert!(files.contains_key(path), "{path} missing from the output");
    }
    let form = String::from_utf8(files["c/cuizhuyuan/jiandu/index.html"].clone()).unwrap();
    assert!(
        form.contains("<select") && form.contains("name=category"),
        "the form has the category select"
    );
    let manifest: serde_json::Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    assert_eq!(manifest["communities"].as_array().unwrap().len(), 3);

    // Assets go out under their content hash, and pages and manifest.json link that name.
    let script = manifest["assets"]["form.js"]
        .as_str()
        .expect("manifest lists form.js");
    let hash = script
        .strip_prefix("/static/form.")
        .and_then(|rest| rest.strip_suffix(".js"))
        .expect("form.js under /static/form.<hash>.js");
    assert!(
        hash.len() == 12 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
        "{script}"
    );
    assert!(
        form.contains(&format!("src={script}")) || form.contains(&format!("src=\"{script}\"")),
        "the form page loads {script}"
    );
    let theme_script = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../themes/default/static/form.js"
    ))
    .unwrap();
    assert_eq!(files[script.trim_start_matches('/')], theme_script);
    assert!(!files.contains_key("static/form.js"), "no unhashed copy");
    let icon = manifest["assets"]["favicon.svg"].as_str().unwrap();
    let entry = String::from_utf8(files["c/cuizhuyuan/index.html"].clone()).unwrap();
    assert!(entry.contains(icon), "pages link the hashed favicon {icon}");
    assert!(
        manifest["categories"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["scope"] == "transfer" && c["transfer_to"]["name"].is_string())
    );
}

#[test]
fn html_is_minified_and_in_chinese() {
    let site = Site::example(YDT);
    assert_eq!(site.build().code, 0);
    let page = site.read("public/c/cuizhuyuan/index.html");
    assert!(
        page.contains("lang=zh-CN") || page.contains("lang=\"zh-CN\""),
        "{}",
        &page[..200]
    );
    assert!(!page.contains("\n\n"), "minified pages have no blank lines");
    assert!(page.contains("翠竹园社区") && page.contains("我要监督"));
}

#[test]
fn the_same_content_gives_byte_identical_output() {
    let site = Site::example(YDT);
    assert_eq!(site.build().code, 0);
    let first = site.output();
    assert_eq!(site.build().code, 0);
    assert_eq!(site.output(), first);
}

#[test]
fn a_failed_build_leaves_the_previous_site_byte_for_byte() {
    let site = Site::example(YDT);
    assert_eq!(site.build().code, 0);
    let before = site.output();
    site.edit(GAOLING, "  amount: 5600.00", "  amount: 5601.00");
    let out = site.build();
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("left as it was"), "{}", out.stderr);
    assert_eq!(site.output(), before);
    let litter: Vec<_> = std::fs::read_dir(&site.root)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("staging"))
        .collect();
    assert!(litter.is_empty(), "staging folders left behind: {litter:?}");
}

#[test]
fn a_rebuild_removes_pages_of_deleted_records() {
    let site = Site::example(YDT);
    assert_eq!(site.build().code, 0);
    assert!(
        site.path("public/c/cuizhuyuan/2026-11-gaoling-jintie/index.html")
            .exists()
    );
    std::fs::remove_file(site.path(GAOLING)).unwrap();
    assert_eq!(site.build().code, 0);
    assert!(
        !site
            .path("public/c/cuizhuyuan/2026-11-gaoling-jintie")
            .exists(),
        "a stale record page survived"
    );
}

#[test]
fn base_url_and_out_can_be_given() {
    let site = Site::example(YDT);
    let out_dir = site.path("elsewhere");
    let out = site.ydt(&[
        "build",
        "--out",
        out_dir.to_str().unwrap(),
        "--base-url",
        "https://staging.example.cn/",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let sitemap = std::fs::read_to_string(out_dir.join("sitemap.xml")).unwrap();
    assert!(
        sitemap.contains("<loc>https://staging.example.cn/c/cuizhuyuan/</loc>"),
        "{sitemap}"
    );
    assert!(!site.path("public").exists());
}

#[test]
fn csv_opens_in_excel_as_the_table() {
    let site = Site::example(YDT);
    assert_eq!(site.build().code, 0);
    let bytes =
        std::fs::read(site.path("public/c/cuizhuyuan/2026-11-gaoling-jintie/data.csv")).unwrap();
    assert_eq!(
        &bytes[..3],
        b"\xEF\xBB\xBF",
        "CSV starts with the UTF-8 byte-order mark"
    );
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    assert!(
        header.contains(&"姓名") && header.contains(&"金额（元）"),
        "{header:?}"
    );
    let amount = header.iter().position(|h| *h == "金额（元）").unwrap();
    let rows = &lines[1..lines.len() - 1];
    let record = site.read(GAOLING);
    assert_eq!(rows.len(), record.matches("  - name:").count());
    for row in rows {
        assert_eq!(row.split(',').count(), header.len(), "{row}");
    }
    let last: Vec<&str> = lines[lines.len() - 1].split(',').collect();
    assert_eq!(last[0], "合计");
    assert_eq!(last[amount], "5600.00");
}

#[test]
fn raw_html_in_a_notice_never_reaches_the_page() {
    let site = Site::example(YDT);
    let notice = "content/communities/cuizhuyuan/notices/2026-11-dangfei.md";
    site.edit(
        notice,
        "根据《中国共产党",
        "<script>alert('x')</script>\n\n<img src=x onerror=alert(1)>根据《中国共产党",
    );
    let out = site.build();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("raw HTML in a notice is shown as plain text"),
        "{}",
        out.stderr
    );
    let page = site.read("public/c/cuizhuyuan/notices/2026-11-dangfei/index.html");
    assert!(
        !page.contains("<script>alert") && !page.contains("<img src=x"),
        "raw HTML passed through"
    );
}

/// Decodes a QR code SVG with the tools a person would use: rsvg-convert to a PNG, then zbarimg.
fn decode_qr(svg: &std::path::Path) -> String {
    let png = svg.with_extension("png");
    let convert = Command::new("rsvg-convert")
        .args(["-w", "400", "-o"])
        .arg(&png)
        .arg(svg)
        .status();
    assert!(
        convert.is_ok_and(|s| s.success()),
        "rsvg-convert (Debian librsvg2-bin) is needed; tests/run installs it"
    );
    let out = Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(&png)
        .output()
        .expect("zbarimg (Debian zbar-tools) is needed; tests/run installs it");
    assert!(
        out.status.success(),
        "zbarimg could not read {}",
        svg.display()
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .trim_end()
        .to_string()
}

#[test]
fn qr_codes_decode_to_exactly_the_entry_urls() {
    let site = Site::example(YDT);
    assert_eq!(site.build().code, 0);
    assert_eq!(
        decode_qr(&site.path("public/c/cuizhuyuan/qr.svg")),
        "https://ydt.example.cn/c/cuizhuyuan/"
    );
    assert_eq!(
        decode_qr(&site.path("public/c/cuizhuyuan/qr-gate.svg")),
        "https://ydt.example.cn/c/cuizhuyuan/?from=gate"
    );
    let poster = site.read("public/c/cuizhuyuan/poster/hall/index.html");
    assert!(
        poster.contains("翠竹园社区")
            && poster.contains("扫码")
            && poster.contains("查看公开")
            && poster.contains("监督投诉")
    );
    assert!(poster.contains("https://ydt.example.cn/c/cuizhuyuan/?from=hall"));
}

/// A record's `data.xlsx`, opened by LibreOffice (headless, as a resident's WPS or Excel would
/// open it): the same header, rows and 合计 row as the CSV beside it, amounts equal to the fen.
/// One record of each built-in kind. Cells are exported as shown, so an amount that is a number
/// with the `#,##0.00` format comes out grouped (`1,234.50`), which text would not.
#[test]
fn the_spreadsheet_download_opens_in_libreoffice_with_the_csv_figures() {
    let site = Site::example(YDT);
    let out = site.build();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let files = site.output();
    let work = site.path("xlsx-check");
    std::fs::create_dir_all(&work).unwrap();
    let mut sheets = Vec::new();
    for kind in ["payouts", "finance", "assets", "projects"] {
        let record = files
            .keys()
            .filter_map(|p| p.strip_suffix("/data.json"))
            .find(|dir| {
                let json: serde_json::Value =
                    serde_json::from_slice(&files[&format!("{dir}/data.json")]).unwrap();
                json["kind"] == kind
            })
            .unwrap_or_else(|| panic!("no {kind} record in the example"))
            .to_string();
        let name = format!("{kind}.xlsx");
        std::fs::write(work.join(&name), &files[&format!("{record}/data.xlsx")]).unwrap();
        sheets.push((record, name));
    }
    let profile = format!("file://{}", work.join("lo-profile").display());
    let converted = Command::new("soffice")
        .arg(format!("-env:UserInstallation={profile}"))
        .args([
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true",
        ])
        .arg("--outdir")
        .arg(&work)
        .args(sheets.iter().map(|(_, name)| work.join(name)))
        .output()
        .expect("soffice (Debian libreoffice-calc) is needed; tests/run installs it");
    assert!(
        converted.status.success(),
        "{}",
        String::from_utf8_lossy(&converted.stderr)
    );
    let mut grouped = 0;
    for (record, name) in &sheets {
        let from_xlsx = std::fs::read_to_string(work.join(name.replace(".xlsx", ".csv"))).unwrap();
        let csv = String::from_utf8(files[&format!("{record}/data.csv")].clone()).unwrap();
        let csv = csv.trim_start_matches('\u{feff}');
        let rows = |text: &str| -> Vec<Vec<String>> {
            text.lines()
                .map(|l| split_csv_line(l.trim_end_matches('\r')))
                .collect()
        };
        let (ours, theirs) = (rows(csv), rows(&from_xlsx));
        assert_eq!(ours.len(), theirs.len(), "{record}: row count");
        assert!(ours.len() > 2, "{record}: a header, rows and a total");
        for (a, b) in ours.iter().zip(&theirs) {
            assert_eq!(a.len(), b.len(), "{record}: {a:?} vs {b:?}");
            for (x, y) in a.iter().zip(b) {
                let ungrouped = y.replace(',', "");
                match (
                    x.parse::<rust_decimal::Decimal>(),
                    ungrouped.parse::<rust_decimal::Decimal>(),
                ) {
                    (Ok(x), Ok(shown)) if y.contains(',') || x.to_string() == ungrouped => {
                        assert_eq!(x, shown, "{record}: {a:?} vs {b:?}");
                        grouped += usize::from(y.contains(','));
                    }
                    _ => assert_eq!(x, y, "{record}: {a:?} vs {b:?}"),
                }
            }
        }
    }
    assert!(
        grouped > 0,
        "no amount of 1,000 yuan or more came out grouped: amounts are not numbers with #,##0.00"
    );
}

/// One CSV line's fields (quotes as the writer uses them; no line breaks inside the examples').
fn split_csv_line(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                fields.last_mut().unwrap().push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(String::new()),
            c => fields.last_mut().unwrap().push(c),
        }
    }
    fields
}

/// Each community's `datapackage.json` passes `frictionless validate` offline, on the folder as
/// published: every record's CSV is a resource whose schema fits it (the 合计 row included), money
/// is a number, and the masking of names and ID numbers is stated.
#[test]
fn each_community_data_package_validates_with_frictionless() {
    let site = Site::example(YDT);
    let out = site.build();
    assert_eq!(out.code, 0, "{}", out.stderr);
    for slug in ["binhu", "cuizhuyuan", "qingshui"] {
        let dir = site.path(&format!("public/c/{slug}"));
        let package: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join("datapackage.json")).unwrap()).unwrap();
        let resources = package["resources"].as_array().unwrap();
        let records = std::fs::read_dir(site.path(&format!("content/communities/{slug}/records")))
            .unwrap()
            .count();
        assert_eq!(resources.len(), records, "{slug}: one resource per record");
        let fields: Vec<&serde_json::Value> = resources
            .iter()
            .flat_map(|r| r["schema"]["fields"].as_array().unwrap())
            .collect();
        assert!(
            fields.iter().any(|f| f["type"] == "number"),
            "{slug}: money as numbers"
        );
        assert!(
            fields
                .iter()
                .any(|f| f["name"] == "姓名"
                    && f["description"].as_str().unwrap_or("").contains("脱敏")),
            "{slug}: the masking of names is stated"
        );
        let run = Command::new("frictionless")
            .args(["validate", "--json", "datapackage.json"])
            .current_dir(&dir)
            .output()
            .expect("frictionless (PyPI) is needed; tests/run installs it");
        let report: serde_json::Value = serde_json::from_slice(&run.stdout)
            .unwrap_or_else(|e| panic!("{slug}: {e}: {}", String::from_utf8_lossy(&run.stderr)));
        assert_eq!(report["valid"], true, "{slug}: {report:#}");
        assert_eq!(report["tasks"].as_array().unwrap().len(), records);
    }
}

#[test]
fn every_record_has_an_objection_form_and_shows_its_publicity_period() {
    let site = Site::example(YDT);
    // A record's own 公示期 overrides its kind's (payouts: 7 days in site.yaml).
    site.edit(
        GAOLING,
        "published: 2026-12-01",
        "published: 2026-12-01\npublicity_days: 10",
    );
    let out = site.build();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let files = site.output();
    let text = |path: &str| String::from_utf8(files[path].clone()).unwrap();

    let manifest: serde_json::Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    let cuizhuyuan = &manifest["communities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["slug"] == "cuizhuyuan")
        .unwrap()["records"];
    let record = |id: &str| {
        cuizhuyuan
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("{id} not in the manifest"))
            .clone()
    };
    assert_eq!(
        record("2026-11-gaoling-jintie")["objection_until"],
        "2026-12-11"
    );
    assert_eq!(
        record("2026-11-canji-butie")["objection_until"],
        "2026-12-08"
    );
    assert_eq!(
        record("2026-11-caiwu").get("objection_until"),
        None,
        "finance has none"
    );
    assert_eq!(
        record("2026-11-caiwu")["title"],
        "翠竹园社区2026年11月财务收支公开"
    );

    for r in cuizhuyuan.as_array().unwrap() {
        let id = r["id"].as_str().unwrap();
        let form = text(&format!("c/cuizhuyuan/{id}/yiyi/index.html"));
        assert!(form.contains("action=/api/submissions"), "{id}");
        assert!(
            form.contains("name=type type=hidden value=objection"),
            "{id}: {form}"
        );
        assert!(
            form.contains(&format!("name=record type=hidden value={id}")),
            "{id}"
        );
        assert!(
            !form.contains("<script"),
            "{id}: the objection form needs no script"
        );
        let page = text(&format!("c/cuizhuyuan/{id}/index.html"));
        assert!(
            page.contains(&format!("href=/c/cuizhuyuan/{id}/yiyi/")),
            "{id}: no link"
        );
    }
    let gaoling = text("c/cuizhuyuan/2026-11-gaoling-jintie/index.html");
    assert!(
        gaoling.contains("公示期：2026年12月1日至<time datetime=2026-12-11>2026年12月11日</time>"),
        "{gaoling}"
    );
    assert!(!text("c/cuizhuyuan/2026-11-caiwu/index.html").contains("公示期："));
}

#[test]
fn a_wrong_publicity_period_is_an_error_at_its_line() {
    let site = Site::example(YDT);
    site.edit(
        GAOLING,
        "published: 2026-12-01",
        "published: 2026-12-01\npublicity_days: 0",
    );
    let (line, col) = site.position_of(GAOLING, "publicity_days: 0");
    site.check().assert_error_at(
        GAOLING,
        (line, col + "publicity_days: ".len()),
        "publicity_days must be a whole number of days from 1 to 90",
    );
    site.edit("content/site.yaml", "  projects: 7", "  projectz: 7");
    let out = site.check();
    assert!(
        out.stderr
            .contains("unknown record kind `projectz` in publicity_days"),
        "{}",
        out.stderr
    );
}

#[test]
fn the_forms_offer_filing_on_behalf_and_sms_only_where_sms_can_be_sent() {
    let site = Site::example(YDT);
    assert_eq!(site.build().code, 0);
    let page = |site: &Site, path: &str| String::from_utf8(site.output()[path].clone()).unwrap();
    let form = page(&site, "c/cuizhuyuan/jiandu/index.html");
    for role in [
        "value=grid>网格员",
        "value=monitor>监督员",
        "value=hall>服务大厅工作人员",
    ] {
        assert!(form.contains(role), "{role}: {form}");
    }
    assert!(form.contains("name=on_behalf_name"));
    assert!(!form.contains("notify_sms"), "sms_notices: false");

    site.edit(
        "content/site.yaml",
        "sms_notices: false",
        "sms_notices: true",
    );
    assert_eq!(site.build().code, 0);
    for path in [
        "c/cuizhuyuan/jiandu/index.html",
        "c/cuizhuyuan/2026-11-gaoling-jintie/yiyi/index.html",
    ] {
        let form = page(&site, path);
        assert!(form.contains("name=notify_sms"), "{path}");
        assert!(
            form.contains("匿名提交不能收短信"),
            "{path}: the form says so"
        );
    }
}
