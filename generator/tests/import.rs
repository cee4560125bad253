//! `ydt import` on spreadsheets as clerks keep them, generated here: a 40-person 低保 roster in
//! Excel (title rows, 序号, full names and ID numbers, phone, bank-card and address columns,
//! amounts formatted `#,##0.00`, a 合计 row), the same as a GBK CSV from WPS, two-row headers,
//! a ledger with dates in every spelling, a site's own kind. What is written must pass
//! `ydt check` as written, and no identifier may reach it.

use std::path::Path;

use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
use ydt_test_support::site::Site;

const YDT: &str = env!("CARGO_BIN_EXE_ydt");
const RECORDS: &str = "content/communities/qingshui/records";

/// A resident ID number with a valid check digit.
fn valid_id(first17: &str) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    format!("{first17}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

const SURNAMES: [&str; 8] = ["张", "李", "王", "刘", "陈", "杨", "赵", "黄"];
const GIVEN: [&str; 5] = ["伟", "秀英", "明", "建国", "桂兰"];

/// One roster line: full name, ID, mobile, card, address, amount in yuan.
struct Person {
    name: String,
    id: String,
    mobile: String,
    card: String,
    address: String,
    amount: f64,
}

/// 40 residents; two with compound surnames, amounts with fen.
fn roster() -> Vec<Person> {
    (0..40)
        .map(|i| {
            let name = match i {
                7 => "欧阳明辉".to_string(),
                13 => "司马兰".to_string(),
                _ => format!("{}{}", SURNAMES[i % 8], GIVEN[i % 5]),
            };
            Person {
                name,
                id: valid_id(&format!(
                    "3401041950{:02}{:02}{:03}",
                    i % 12 + 1,
                    i % 28 + 1,
                    i
                )),
                mobile: format!("139{:08}", 55_120_000 + i),
                card: format!("62220202{:011}", 123_456_789 + i as u64),
                address: format!("清水路{}号{}栋", i + 1, i % 6 + 1),
                amount: [1127.0, 860.5, 1200.0, 995.75][i % 4],
            }
        })
        .collect()
}

fn roster_total(people: &[Person]) -> f64 {
    // Added in fen, as Excel's SUM would be shown to two places.
    people
        .iter()
        .map(|p| (p.amount * 100.0).round() as i64)
        .sum::<i64>() as f64
        / 100.0
}

/// The roster as Excel keeps it: a merged title row, a unit row, the header on row 3, 40 rows,
/// a blank row, the 合计 row (row 45) and a 制表人 line.
fn write_roster_xlsx(path: &Path, total: f64) {
    let people = roster();
    let mut workbook = Workbook::new();
    let money = Format::new().set_num_format("#,##0.00");
    let sheet = workbook.add_worksheet();
    sheet.set_name("低保名册").unwrap();
    sheet
        .merge_range(
            0,
            0,
            0,
            7,
            "清水社区2026年12月城乡低保发放名册",
            &Format::new(),
        )
        .unwrap();
    sheet.write_string(1, 0, "单位：元").unwrap();
    for (c, label) in [
        "序号",
        "姓名",
        "公民身份号码",
        "联系电话",
        "银行卡号",
        "救助类别",
        "发放金额（元）",
        "家庭住址",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(2, c as u16, *label).unwrap();
    }
    for (i, p) in people.iter().enumerate() {
        let r = 3 + i as u32;
        sheet.write_number(r, 0, (i + 1) as f64).unwrap();
        sheet.write_string(r, 1, &p.name).unwrap();
        sheet.write_string(r, 2, &p.id).unwrap();
        sheet.write_string(r, 3, &p.mobile).unwrap();
        sheet.write_string(r, 4, &p.card).unwrap();
        sheet.write_string(r, 5, "城乡低保").unwrap();
        sheet
            .write_number_with_format(r, 6, p.amount, &money)
            .unwrap();
        sheet.write_string(r, 7, &p.address).unwrap();
    }
    // Row 44 is blank; row 45 the total, a formula with the figure Excel shows; then the
    // signatures.
    sheet.write_string(44, 0, "合计").unwrap();
    let sum = Formula::new("=SUM(G4:G43)").set_result(total.to_string());
    sheet.write_formula_with_format(44, 6, sum, &money).unwrap();
    sheet
        .write_string(46, 0, "制表人：李*　审核人：王*")
        .unwrap();
    workbook.save(path).unwrap();
}

/// A folder for the test's spreadsheets, removed when the test ends.
fn fixture_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn records(site: &Site) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(site.path(RECORDS))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn import(site: &Site, file: &Path, extra: &[&str]) -> ydt_test_support::site::Outcome {
    let mut args = vec![
        "import",
        file.to_str().unwrap(),
        "--kind",
        "payouts",
        "--community",
        "qingshui",
        "--published",
        "2026-12-05",
    ];
    args.extend_from_slice(extra);
    site.ydt(&args)
}

/// No identifier of the roster is in `text`: no full name, ID, mobile, card or address.
fn assert_no_identifier(text: &str) {
    for p in roster() {
        for secret in [&p.name, &p.id, &p.mobile, &p.card, &p.address] {
            assert!(!text.contains(secret.as_str()), "{secret} reached:\n{text}");
        }
        assert!(
            !text.contains(&p.mobile[3..7]),
            "a mobile's middle digits reached"
        );
    }
}

#[test]
fn a_realistic_xlsx_roster_becomes_a_checked_record_in_one_command() {
    let site = Site::example(YDT);
    let fixtures = fixture_dir();
    let dir = fixtures.path();
    let xlsx = dir.join("低保名册.xlsx");
    write_roster_xlsx(&xlsx, roster_total(&roster()));

    let out = import(&site, &xlsx, &["--name", "dibao"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let path = format!("{RECORDS}/2026-12-dibao.yaml");
    assert_eq!(out.stdout.trim(), path);

    // The summary: rows, total, what was masked, what was left out.
    assert!(out.stderr.contains("导入了 40 行"), "{}", out.stderr);
    assert!(out.stderr.contains("数据在第 4–43 行"), "{}", out.stderr);
    assert!(
        out.stderr.contains("合计 金额（元）：41832.50"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("第 45 行的合计与各行相加相符"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("姓名 40 个，身份证号 40 个"),
        "{}",
        out.stderr
    );
    for left_out in [
        "序号（A 列）",
        "联系电话（D 列）",
        "银行卡号（E 列）",
        "家庭住址（H 列）",
    ] {
        assert!(out.stderr.contains(left_out), "{left_out}: {}", out.stderr);
    }

    let written = site.read(&path);
    assert_no_identifier(&written);
    assert!(
        written.contains("title: 清水社区2026年12月城乡低保发放名册\n"),
        "{written}"
    );
    assert!(written.contains("period: \"2026-12\"\n"), "{written}");
    assert!(written.contains("published: 2026-12-05\n"), "{written}");
    assert!(
        written.contains("  - name: 张*\n    id_number: 340104********"),
        "{written}"
    );
    assert!(written.contains("name: 李*英\n"), "{written}");
    assert!(written.contains("name: 欧阳*辉\n"), "{written}");
    assert!(written.contains("name: 司马*\n"), "{written}");
    assert!(written.contains("amount: 860.50\n"), "{written}");
    assert!(written.contains("subsidy: 城乡低保\n"), "{written}");
    assert!(
        written.contains("totals:\n  amount: 41832.50\n"),
        "{written}"
    );
    assert_eq!(written.matches("\n  - name: ").count(), 40);

    // Accepted as written, and published with nothing of the roster's identifiers.
    let check = site.check();
    assert_eq!(check.code, 0, "{}", check.stderr);
    let build = site.build();
    assert_eq!(build.code, 0, "{}", build.stderr);
    let page = std::fs::read(site.path("public/c/qingshui/2026-12-dibao/data.csv")).unwrap();
    let csv = String::from_utf8(page).unwrap();
    assert!(csv.contains("欧阳*辉"), "{csv}");
    assert_no_identifier(&csv);
}

#[test]
fn a_wrong_total_is_refused_naming_its_row_and_cell_and_nothing_is_written() {
    let site = Site::example(YDT);
    let fixtures = fixture_dir();
    let dir = fixtures.path();
    let xlsx = dir.join("低保名册.xlsx");
    write_roster_xlsx(&xlsx, roster_total(&roster()) + 100.0);
    let before = records(&site);

    let out = import(&site, &xlsx, &["--name", "dibao"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("“低保名册.xlsx”工作表“低保名册” 第 45 行 G45 单元格（发放金额（元））的合计是 41932.50，各行相加是 41832.50"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("没有写入任何文件"), "{}", out.stderr);
    assert_eq!(records(&site), before);
}

#[test]
fn an_amount_that_is_not_a_fen_value_is_refused_naming_its_cell() {
    let site = Site::example(YDT);
    let fixtures = fixture_dir();
    let dir = fixtures.path();
    let xlsx = dir.join("2026-12-dibao.xlsx");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (c, label) in ["姓名", "救助类别", "金额"].iter().enumerate() {
        sheet.write_string(0, c as u16, *label).unwrap();
    }
    sheet.write_string(1, 0, "张三").unwrap();
    sheet.write_string(1, 1, "城乡低保").unwrap();
    sheet.write_number(1, 2, 1127.0).unwrap();
    sheet.write_string(2, 0, "李四").unwrap();
    sheet.write_string(2, 1, "城乡低保").unwrap();
    sheet.write_number(2, 2, 1127.005).unwrap();
    workbook.save(&xlsx).unwrap();
    let before = records(&site);

    let out = import(&site, &xlsx, &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("第 3 行 C3 单元格（金额）"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("不是精确到分的金额"), "{}", out.stderr);
    assert_eq!(records(&site), before);
}

/// The roster as WPS saves it as CSV on Chinese Windows: text amounts as typed.
fn roster_csv() -> String {
    let mut csv = String::from("清水社区2026年12月城乡低保发放名册,,,,,,,\n");
    csv.push_str(
        "序号,户主姓名,身份证号码,联系电话,银行卡号,救助类别,\"发放金额（元）\",家庭住址\n",
    );
    let spellings = |amount: f64, i: usize| match i % 4 {
        0 => format!("\"{}\"", format_thousands(amount)),
        1 => format!("￥{amount:.2}"),
        2 => format!("{amount}元"),
        _ => format!("{amount:.2}"),
    };
    for (i, p) in roster().iter().enumerate() {
        csv.push_str(&format!(
            "{},{},{},{},{},城乡低保,{},{}\n",
            i + 1,
            p.name,
            p.id,
            p.mobile,
            p.card,
            spellings(p.amount, i),
            p.address
        ));
    }
    csv.push_str(",,,,,,,\n");
    csv.push_str(&format!(
        "合计,,,,,,\"{}\",\n",
        format_thousands(roster_total(&roster()))
    ));
    csv
}

fn format_thousands(amount: f64) -> String {
    let fixed = format!("{amount:.2}");
    let (whole, fraction) = fixed.split_once('.').unwrap();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{grouped}.{fraction}")
}

#[test]
fn a_gbk_csv_from_wps_imports_exactly_as_its_utf8_twin() {
    let fixtures = fixture_dir();
    let dir = fixtures.path();
    let text = roster_csv();
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&gbk).is_err(),
        "the fixture must not be UTF-8"
    );

    let mut written = Vec::new();
    for (sub, bytes) in [
        ("gbk", gbk.into_owned()),
        (
            "bom",
            [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
        ),
    ] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
        let csv = dir.join(sub).join("低保名册.csv");
        std::fs::write(&csv, bytes).unwrap();
        let site = Site::example(YDT);
        let out = import(&site, &csv, &["--name", "dibao"]);
        assert_eq!(out.code, 0, "{sub}: {}", out.stderr);
        assert!(
            out.stderr.contains("合计 金额（元）：41832.50"),
            "{}",
            out.stderr
        );
        assert!(
            out.stderr.contains("第 44 行的合计与各行相加相符"),
            "{}",
            out.stderr
        );
        let record = site.read(&format!("{RECORDS}/2026-12-dibao.yaml"));
        assert_no_identifier(&record);
        assert!(record.contains("name: 欧阳*辉\n"), "{record}");
        let check = site.check();
        assert_eq!(check.code, 0, "{}", check.stderr);
        written.push(record);
    }
    assert_eq!(written[0], written[1]);
}

#[test]
fn a_two_row_merged_header_and_a_mapped_column_are_matched() {
    let site = Site::example(YDT);
    let fixtures = fixture_dir();
    let dir = fixtures.path();
    let xlsx = dir.join("名册.xlsx");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet
        .merge_range(
            0,
            0,
            0,
            4,
            "清水社区2026年12月临时救助发放表",
            &Format::new(),
        )
        .unwrap();
    // 享受人 and 序号 take both header rows; 发放情况 spans 标准 | 金额.
    sheet
        .merge_range(1, 0, 2, 0, "序号", &Format::new())
        .unwrap();
    sheet
        .merge_range(1, 1, 2, 1, "享受人", &Format::new())
        .unwrap();
    sheet
        .merge_range(1, 2, 2, 2, "补贴项目", &Format::new())
        .unwrap();
    sheet
        .merge_range(1, 3, 1, 4, "发放情况", &Format::new())
        .unwrap();
    sheet.write_string(2, 3, "标准").unwrap();
    sheet.write_string(2, 4, "金额（万元）").unwrap();
    for (i, (name, amount)) in [("上官婉儿", 0.15), ("周七", 0.08255)].iter().enumerate() {
        let r = 3 + i as u32;
        sheet.write_number(r, 0, (i + 1) as f64).unwrap();
        sheet.write_string(r, 1, *name).unwrap();
        sheet.write_string(r, 2, "临时救助").unwrap();
        sheet.write_string(r, 3, "按实际困难").unwrap();
        sheet.write_number(r, 4, *amount).unwrap();
    }
    workbook.save(&xlsx).unwrap();

    let out = import(&site, &xlsx, &["--name", "linshi", "--map", "享受人=name"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("表头在第 2–3 行"), "{}", out.stderr);
    let record = site.read(&format!("{RECORDS}/2026-12-linshi.yaml"));
    assert!(record.contains("  - name: 上官*儿\n    subsidy: 临时救助\n    standard: 按实际困难\n    amount: 1500.00\n"), "{record}");
    assert!(record.contains("amount: 825.50\n"), "{record}");
    assert!(record.contains("totals:\n  amount: 2325.50\n"), "{record}");
    assert_eq!(site.check().code, 0);

    // Without --map the required name column is not found: refused, naming what it saw.
    let out = import(&site, &xlsx, &["--name", "linshi-2"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("姓名（name）"), "{}", out.stderr);
    assert!(out.stderr.contains("--map"), "{}", out.stderr);
}

#[test]
fn a_ledger_takes_dates_in_every_spelling_and_writes_them_strictly() {
    let site = Site::example(YDT);
    let fixtures = fixture_dir();
    let dir = fixtures.path();
    let xlsx = dir.join("2026年12月财务收支.xlsx");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (c, label) in ["记账日期", "凭证号", "摘要", "收入（元）", "支出（元）"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *label).unwrap();
    }
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    sheet
        .write_datetime_with_format(
            1,
            0,
            ExcelDateTime::from_ymd(2026, 12, 1).unwrap(),
            &date_format,
        )
        .unwrap();
    sheet.write_number(2, 0, 46_360.0).unwrap(); // a serial with no date format: 2026-12-04
    sheet.write_string(3, 0, "2026/12/8").unwrap();
    sheet.write_string(4, 0, "2026年12月15日").unwrap();
    sheet.write_string(5, 0, "2026.12.31").unwrap();
    for (i, (summary, income, expense)) in [
        ("收到街道拨付办公经费", Some(20_000.0), None),
        ("支付绿化养护费", None, Some(3_600.0)),
        ("支付保洁服务费", None, Some(2_850.5)),
        ("收到门面房租金", Some(4_500.0), None),
        ("支付水电费", None, Some(612.37)),
    ]
    .iter()
    .enumerate()
    {
        let r = 1 + i as u32;
        sheet
            .write_string(r, 1, format!("记-2026-12-{:03}", i + 1))
            .unwrap();
        sheet.write_string(r, 2, *summary).unwrap();
        if let Some(v) = income {
            sheet.write_number(r, 3, *v).unwrap();
        }
        if let Some(v) = expense {
            sheet.write_number(r, 4, *v).unwrap();
        }
    }
    workbook.save(&xlsx).unwrap();

    let out = site.ydt(&[
        "import",
        xlsx.to_str().unwrap(),
        "--kind",
        "finance",
        "--community",
        "qingshui",
        "--name",
        "caiwu",
        "--published",
        "2027-01-05",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let record = site.read(&format!("{RECORDS}/2026-12-caiwu.yaml"));
    for date in [
        "2026-12-01",
        "2026-12-04",
        "2026-12-08",
        "2026-12-15",
        "2026-12-31",
    ] {
        assert!(
            record.contains(&format!("  - date: {date}\n")),
            "{date}: {record}"
        );
    }
    assert!(
        record.contains("totals:\n  income: 24500.00\n  expense: 7062.87\n"),
        "{record}"
    );
    assert!(
        record.contains("title: 清水苑社区2026年12月财务收支公开\n"),
        "{record}"
    );
    assert_eq!(site.check().code, 0);
}

#[test]
fn an_identifier_in_a_column_that_is_kept_is_refused_naming_its_cell() {
    let site = Site::example(YDT);
    let fixtures = fixture_dir();
    let dir = fixtures.path();
    let csv = dir.join("2026-12.csv");
    std::fs::write(
        &csv,
        "姓名,救助类别,金额,备注\n张三,城乡低保,600,\n李四,城乡低保,600,联系（139）5512—3456\n",
    )
    .unwrap();
    let out = import(&site, &csv, &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("“2026-12.csv” 第 3 行 D3 单元格（备注）里有未打码的手机号"),
        "{}",
        out.stderr
    );
    assert!(
        !site
            .path(&format!("{RECORDS}/2026-12-payouts.yaml"))
            .exists()
    );
}

#[test]
fn a_sites_own_kind_is_imported_from_its_schema() {
    let site = Site::example(YDT);
    site.write(
        "content/kinds/decisions.yaml",
        "kind: decisions\nname: 四议两公开\ndescription: 重大事项决策\ncolumns:\n  - key: matter\n    label: 决策事项\n    type: text\n    required: true\n  - key: date\n    label: 会议日期\n    type: date\n  - key: votes\n    label: 赞成票数\n    type: integer\n",
    );
    let fixtures = fixture_dir();
    let dir = fixtures.path();
    let csv = dir.join("决策.csv");
    std::fs::write(
        &csv,
        "决策事项,会议日期,赞成票数,记录人电话\n加装电梯,2026年12月3日,35,13955123456\n",
    )
    .unwrap();
    let out = site.ydt(&[
        "import",
        csv.to_str().unwrap(),
        "--kind",
        "decisions",
        "--community",
        "qingshui",
        "--period",
        "2026-12",
        "--title",
        "清水社区2026年12月重大事项决策公开",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("记录人电话（D 列）"), "{}", out.stderr);
    let record = site.read(&format!("{RECORDS}/2026-12-decisions.yaml"));
    assert!(
        record.contains("  - matter: 加装电梯\n    date: 2026-12-03\n    votes: 35\n"),
        "{record}"
    );
    assert!(!record.contains("13955123456"));
    assert_eq!(site.check().code, 0);
}

#[test]
fn an_existing_record_is_never_overwritten() {
    let site = Site::example(YDT);
    let fixtures = fixture_dir();
    let dir = fixtures.path();
    let csv = dir.join("2026-11.csv");
    std::fs::write(&csv, "姓名,救助类别,金额\n张三,城乡低保,600\n").unwrap();
    let before = site.read(&format!("{RECORDS}/2026-11-dibao.yaml"));
    let out = import(&site, &csv, &["--name", "dibao"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("已经有了，不会覆盖"), "{}", out.stderr);
    assert_eq!(site.read(&format!("{RECORDS}/2026-11-dibao.yaml")), before);
}

/// The generated workbook opens in LibreOffice, and what LibreOffice saves as .ods, .xls and
/// .csv imports to the same record. Needs `soffice` (Debian's libreoffice-calc); without it the test
/// says so and checks nothing.
#[test]
fn ods_xls_and_csv_saved_by_libreoffice_import_to_the_same_record() {
    if std::process::Command::new("soffice")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("soffice is not installed: skipped (apt-get install libreoffice-calc)");
        return;
    }
    let fixtures = fixture_dir();
    let dir = fixtures.path();
    let xlsx = dir.join("roster.xlsx");
    write_roster_xlsx(&xlsx, roster_total(&roster()));
    // CSV in UTF-8 (token 76), comma-separated, `"` quoted; the others as LibreOffice's defaults.
    let filter = |format: &str| match format {
        "csv" => "csv:Text - txt - csv (StarCalc):44,34,76".to_string(),
        other => other.to_string(),
    };
    let mut records = Vec::new();
    for format in ["xlsx", "ods", "xls", "csv"] {
        let file = dir.join(format!("roster.{format}"));
        if format != "xlsx" {
            let profile = dir.join("lo-profile");
            let status = std::process::Command::new("soffice")
                .arg(format!(
                    "-env:UserInstallation=file://{}",
                    profile.display()
                ))
                .args(["--headless", "--convert-to", &filter(format), "--outdir"])
                .arg(dir)
                .arg(&xlsx)
                .output()
                .unwrap();
            assert!(file.exists(), "{}", String::from_utf8_lossy(&status.stderr));
        }
        let site = Site::example(YDT);
        let out = import(&site, &file, &["--name", "dibao"]);
        assert_eq!(out.code, 0, "{format}: {}", out.stderr);
        let record = site.read(&format!("{RECORDS}/2026-12-dibao.yaml"));
        // The first line names the source file; the rest must be the same.
        records.push(record.split_once('\n').unwrap().1.to_string());
    }
    assert_eq!(records[0], records[1], "ods");
    assert_eq!(records[0], records[2], "xls");
    assert_eq!(records[0], records[3], "csv");
}

#[test]
fn an_id_number_that_excel_stored_as_a_number_is_refused_rather_than_masked_wrongly() {
    let site = Site::example(YDT);
    let fixtures = fixture_dir();
    let xlsx = fixtures.path().join("2026-12-dibao.xlsx");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (c, label) in ["姓名", "身份证号", "救助类别", "金额"].iter().enumerate() {
        sheet.write_string(0, c as u16, *label).unwrap();
    }
    sheet.write_string(1, 0, "张三").unwrap();
    // Typed into a number cell: Excel keeps 340111195203154000.
    sheet.write_number(1, 1, 340_111_195_203_154_326.0).unwrap();
    sheet.write_string(1, 2, "城乡低保").unwrap();
    sheet.write_number(1, 3, 600.0).unwrap();
    workbook.save(&xlsx).unwrap();

    let out = import(&site, &xlsx, &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("第 2 行 B2 单元格（身份证号）：身份证号存成了数字"),
        "{}",
        out.stderr
    );
    assert!(
        !site
            .path(&format!("{RECORDS}/2026-12-payouts.yaml"))
            .exists()
    );
}

#[test]
fn a_ledger_line_outside_the_month_or_with_both_amounts_is_refused_naming_it() {
    let site = Site::example(YDT);
    let fixtures = fixture_dir();
    let csv = fixtures.path().join("2026-12-caiwu.csv");
    let finance = |rows: &str| {
        std::fs::write(&csv, format!("日期,摘要,收入,支出\n{rows}")).unwrap();
        site.ydt(&[
            "import",
            csv.to_str().unwrap(),
            "--kind",
            "finance",
            "--community",
            "qingshui",
        ])
    };
    let out = finance("2026-12-01,办公经费,100,\n2026-11-30,水费,,50\n");
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("第 3 行 A3 单元格（日期）：2026-11-30 不在 2026-12 之内"),
        "{}",
        out.stderr
    );
    let out = finance("2026-12-01,办公经费,100,20\n");
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("第 2 行：收入（元）、支出（元）只能填一个"),
        "{}",
        out.stderr
    );
    assert!(
        !site
            .path(&format!("{RECORDS}/2026-12-finance.yaml"))
            .exists()
    );
}
