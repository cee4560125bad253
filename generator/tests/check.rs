//! `ydt check` and `ydt build` on broken copies of the example site: every problem a clerk can make
//! is named with its file, line and column, all in one run, and the exit code says so.

use ydt_test_support::site::Site;

const YDT: &str = env!("CARGO_BIN_EXE_ydt");

const GAOLING: &str = "content/communities/cuizhuyuan/records/2026-11-gaoling-jintie.yaml";
const CAIWU: &str = "content/communities/cuizhuyuan/records/2026-11-caiwu.yaml";
const COMMUNITY: &str = "content/communities/cuizhuyuan/community.yaml";
const NOTICE: &str = "content/communities/cuizhuyuan/notices/2026-11-dangfei.md";

/// A resident ID number with a valid ISO 7064 MOD 11-2 check digit.
fn valid_id(first17: &str) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{first17}{check}")
}

/// A number passing the Luhn check, built from its first digits.
fn luhn_valid(prefix: &str) -> String {
    for last in 0..10 {
        let candidate = format!("{prefix}{last}");
        let sum: u32 = candidate
            .chars()
            .rev()
            .enumerate()
            .map(|(i, c)| {
                let d = c.to_digit(10).unwrap();
                if i % 2 == 1 {
                    if d * 2 > 9 { d * 2 - 9 } else { d * 2 }
                } else {
                    d
                }
            })
            .sum();
        if sum.is_multiple_of(10) {
            return candidate;
        }
    }
    unreachable!()
}

#[test]
fn the_example_site_checks_clean() {
    let site = Site::example(YDT);
    let out = site.check();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("error"), "{}", out.stderr);
}

#[test]
fn a_yaml_syntax_error_names_its_line_and_column() {
    let site = Site::example(YDT);
    site.edit(GAOLING, "  - name: 毛*\n", "  - name: [毛*\n");
    let out = site.check();
    assert_eq!(out.code, 1);
    let (line, _) = site.position_of(GAOLING, "[毛*");
    assert!(
        out.stderr.contains(&format!("--> {GAOLING}:{line}:"))
            || out.stderr.contains(&format!("--> {GAOLING}:{}:", line + 1)),
        "{}",
        out.stderr
    );
}

#[test]
fn unknown_and_missing_fields_are_named() {
    let site = Site::example(YDT);
    site.edit(GAOLING, "summary:", "sumary:");
    site.edit(CAIWU, "title: 翠竹园社区2026年11月财务收支公开\n", "");
    let out = site.check();
    assert_eq!(out.code, 1);
    out.assert_error_at(
        GAOLING,
        site.position_of(GAOLING, "sumary:"),
        "unknown field `sumary`",
    );
    assert!(
        out.stderr.contains(CAIWU) && out.stderr.contains("missing field `title`"),
        "{}",
        out.stderr
    );
}

#[test]
fn an_unknown_column_and_a_missing_required_cell_are_named() {
    let site = Site::example(YDT);
    site.edit(GAOLING, "    subsidy: 高龄津贴\n    standard: 80—89周岁，每人每月100元\n    amount: 100.00\n  - name: 毛*", "    subsidy: 高龄津贴\n    standerd: 80—89周岁，每人每月100元\n    amount: 100.00\n  - name: 毛*");
    site.edit(CAIWU, "    summary: 收到街道拨付社区11月工作经费\n", "");
    let out = site.check();
    assert_eq!(out.code, 1);
    let (line, _) = site.position_of(GAOLING, "standerd:");
    out.assert_error_at(GAOLING, (line, 15), "unknown column `standerd`");
    out.assert_error_at(
        CAIWU,
        site.position_of(CAIWU, "date: 2026-11-03"),
        "this row has no `summary`",
    );
}

#[test]
fn wrong_types_bad_dates_and_periods_are_named() {
    let site = Site::example(YDT);
    site.edit(CAIWU, "income: 32000.00", "income: 32,000.00");
    site.edit(CAIWU, "date: 2026-11-06", "date: 2026-11-31");
    site.edit(GAOLING, "period: \"2026-11\"", "period: \"2026-13\"");
    let out = site.check();
    assert_eq!(out.code, 1);
    out.assert_error_at(
        CAIWU,
        site.position_of(CAIWU, "32,000.00"),
        "收入（元） `32,000.00`",
    );
    out.assert_error_at(
        CAIWU,
        site.position_of(CAIWU, "2026-11-31"),
        "that day does not exist",
    );
    out.assert_error_at(
        GAOLING,
        site.position_of(GAOLING, "\"2026-13\""),
        "is not a period",
    );
}

#[test]
fn a_ledger_date_outside_the_period_and_a_line_with_both_amounts_are_refused() {
    let site = Site::example(YDT);
    site.edit(CAIWU, "date: 2026-11-03", "date: 2026-10-31");
    site.edit(
        CAIWU,
        "    income: 32000.00\n",
        "    income: 32000.00\n    expense: 1.00\n",
    );
    let out = site.check();
    assert_eq!(out.code, 1);
    out.assert_error_at(
        CAIWU,
        site.position_of(CAIWU, "2026-10-31"),
        "outside the record's period 2026-11",
    );
    out.assert_error_at(
        CAIWU,
        site.position_of(CAIWU, "date: 2026-10-31"),
        "exactly one of income / expense",
    );
}

#[test]
fn unknown_references_are_named() {
    let site = Site::example(YDT);
    site.edit(GAOLING, "kind: payouts", "kind: payout");
    site.edit(NOTICE, "category: 党务公开", "category: 党务");
    site.edit(
        "content/site.yaml",
        "required_kinds: [payouts, finance]",
        "required_kinds: [payouts, finances]",
    );
    site.edit(
        "content/site.yaml",
        "    scope: accept\n",
        "    scope: accepted\n",
    );
    let out = site.check();
    assert_eq!(out.code, 1);
    out.assert_error_at(
        GAOLING,
        site.position_of(GAOLING, "payout\n"),
        "unknown record kind `payout`",
    );
    out.assert_error_at(
        NOTICE,
        site.position_of(NOTICE, "党务\n"),
        "unknown notice category `党务`",
    );
    out.assert_error_at(
        "content/site.yaml",
        site.position_of("content/site.yaml", "finances"),
        "unknown record kind `finances`",
    );
    out.assert_error_at(
        "content/site.yaml",
        site.position_of("content/site.yaml", "accepted"),
        "unknown scope `accepted`",
    );
}

#[test]
fn duplicate_record_ids_and_bad_slugs_are_refused() {
    let site = Site::example(YDT);
    site.write(
        "content/communities/cuizhuyuan/records/2026-11-caiwu.yml",
        &site.read(CAIWU),
    );
    site.write(
        "content/communities/Cuizhu Yuan/community.yaml",
        &site.read(COMMUNITY),
    );
    site.write(
        "content/communities/cuizhuyuan/records/jiandu.yaml",
        &site.read(CAIWU),
    );
    let out = site.check();
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("record id `2026-11-caiwu` is already used by"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("community folder `Cuizhu Yuan` is not a valid slug"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("`jiandu` cannot be used as a record id"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_declared_total_that_differs_names_both_figures() {
    let site = Site::example(YDT);
    site.edit(GAOLING, "  amount: 5600.00", "  amount: 5700.00");
    let out = site.check();
    assert_eq!(out.code, 1);
    out.assert_error_at(
        GAOLING,
        site.position_of(GAOLING, "5700.00"),
        "declared total of 金额（元） is 5700.00 but the rows add up to 5600.00",
    );
}

#[test]
fn totals_are_exact_decimals() {
    let site = Site::example(YDT);
    let record = "kind: payouts\nperiod: 2026-11\ntitle: 测试\npublished: 2026-12-01\nrows:\n  - name: 张*\n    subsidy: 临时救助\n    amount: 0.1\n  - name: 李*\n    subsidy: 临时救助\n    amount: \"0.2\"\ntotals:\n  amount: 0.30\n";
    site.write(
        "content/communities/cuizhuyuan/records/2026-11-exact.yaml",
        record,
    );
    let out = site.build();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json = site.read("public/c/cuizhuyuan/2026-11-exact/data.json");
    assert!(json.contains("\"amount\": \"0.30\""), "{json}");
    assert!(
        json.contains("\"amount\": \"0.10\"") && json.contains("\"amount\": \"0.20\""),
        "{json}"
    );
}

#[test]
fn unmasked_identifiers_fail_the_build_with_their_position() {
    let site = Site::example(YDT);
    let id = valid_id("34010419800101123");
    let card = luhn_valid("622202020011223344");
    site.edit(
        GAOLING,
        "note: 本月新增，年满80周岁",
        &format!("note: 本月新增，身份证{id}"),
    );
    site.edit(
        CAIWU,
        "summary: 支付社区用房10月水费",
        &format!("summary: 支付水费，经办人电话 +86 139-5512-3456，卡号 {card}"),
    );
    site.edit(
        NOTICE,
        "根据《中国共产党",
        "联系人１３９５５１２３４５６。根据《中国共产党",
    );
    let before = site.output();
    let out = site.build();
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        site.output(),
        before,
        "a failed build must not write anything"
    );
    out.assert_error_at(GAOLING, site.position_of(GAOLING, &id), "resident ID");
    out.assert_error_at(
        CAIWU,
        site.position_of(CAIWU, "+86 139-5512-3456"),
        "mobile",
    );
    out.assert_error_at(CAIWU, site.position_of(CAIWU, &card), "bank card");
    out.assert_error_at(NOTICE, site.position_of(NOTICE, "１３９"), "mobile");
}

#[test]
fn direction_controls_and_zero_width_characters_fail_the_build_with_their_position() {
    let site = Site::example(YDT);
    // A direction override in a ledger line, an escaped one in a quoted record title, a
    // zero-width space splitting a mobile number in a community's address, and a notice that
    // writes an override as a character reference (Markdown would turn it into the character).
    site.edit(
        CAIWU,
        "summary: 支付社区用房10月水费",
        "summary: 支付社区用房10月水费，账号\u{202E}1234-56021\u{202C}",
    );
    site.edit(
        GAOLING,
        "title: 翠竹园社区2026年11月高龄津贴发放名单公示",
        "title: \"\\u202E翠竹园社区2026年11月高龄津贴发放名单公示\"",
    );
    site.edit(
        COMMUNITY,
        "address: 合肥市包河区翠竹园路88号",
        "address: 合肥市包河区翠竹园路88号，电话139\u{200B}5512\u{200B}3456",
    );
    site.edit(NOTICE, "根据《中国共产党", "&#x202E;根据《中国共产党");
    let before = site.output();
    let out = site.build();
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        site.output(),
        before,
        "a failed build must not write anything"
    );
    out.assert_error_at(
        CAIWU,
        site.position_of(CAIWU, "\u{202E}"),
        "U+202E RIGHT-TO-LEFT OVERRIDE (文字方向控制符)",
    );
    out.assert_error_at(
        CAIWU,
        site.position_of(CAIWU, "\u{202C}"),
        "U+202C POP DIRECTIONAL FORMATTING",
    );
    out.assert_error_at(
        GAOLING,
        site.position_of(GAOLING, "\\u202E"),
        "U+202E RIGHT-TO-LEFT OVERRIDE",
    );
    out.assert_error_at(
        COMMUNITY,
        site.position_of(COMMUNITY, "\u{200B}"),
        "U+200B ZERO WIDTH SPACE (不可见字符)",
    );
    out.assert_error_at(
        NOTICE,
        site.position_of(NOTICE, "&#x202E;"),
        "U+202E RIGHT-TO-LEFT OVERRIDE",
    );
    assert!(
        out.stderr.contains("<U+202E>1234-56021<U+202C>"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("请删除"), "{}", out.stderr);
    assert!(
        !out.stderr.contains('\u{202E}'),
        "the error itself must not reorder the terminal"
    );
}

#[test]
fn complaint_categories_are_checked_like_any_published_text() {
    // Category names and the bodies complaints are transferred to appear on every complaint
    // form: a hidden character or a private mobile number there is refused, with its position.
    let site = Site::example(YDT);
    site.edit(
        "content/site.yaml",
        "name: 物业服务",
        "name: \"物业\\u202E服务\"",
    );
    site.edit(
        "content/site.yaml",
        "phone: 0551-63560110",
        "phone: 13955123456",
    );
    let out = site.check();
    assert_eq!(out.code, 1, "{}", out.stderr);
    out.assert_error_at(
        "content/site.yaml",
        site.position_of("content/site.yaml", "\\u202E"),
        "U+202E RIGHT-TO-LEFT OVERRIDE",
    );
    out.assert_error_at(
        "content/site.yaml",
        site.position_of("content/site.yaml", "13955123456"),
        "mobile",
    );
}

#[test]
fn a_sites_own_kind_is_checked_for_hidden_characters() {
    // A kind's labels head every table cell on a phone; they are published text too.
    let site = Site::example(YDT);
    let kind = "content/kinds/decisions.yaml";
    site.write(
        kind,
        "kind: decisions\nname: 四议两公开\ndescription: 重大事项决策\ncolumns:\n  - key: matter\n    label: 事\u{200B}项\n    type: text\n  - key: result\n    label: \"结果\\u202E\"\n    type: text\n",
    );
    let out = site.check();
    assert_eq!(out.code, 1, "{}", out.stderr);
    out.assert_error_at(
        kind,
        site.position_of(kind, "\u{200B}"),
        "U+200B ZERO WIDTH SPACE",
    );
    out.assert_error_at(
        kind,
        site.position_of(kind, "\\u202E"),
        "U+202E RIGHT-TO-LEFT OVERRIDE",
    );
}

#[test]
fn masked_forms_public_numbers_and_invalid_check_digits_pass() {
    let site = Site::example(YDT);
    let id = valid_id("34010419800101123");
    let wrong_check = format!("{}{}", &id[..17], if id.ends_with('0') { '1' } else { '0' });
    site.edit(GAOLING, "note: 本月新增，年满80周岁", &format!("note: 证件 340104********1234，电话 138****1234，编号 {wrong_check}，社区 0551-63516288"));
    site.edit(
        COMMUNITY,
        "  - 0551-63516277",
        "  - 0551-63516277\n  - 13955100000",
    );
    site.edit(
        CAIWU,
        "summary: 支付社区用房10月水费",
        "summary: 支付社区用房10月水费（值班手机 139-5510-0000）",
    );
    let out = site.check();
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn payout_names_must_be_masked_unless_the_record_says_so() {
    let site = Site::example(YDT);
    site.edit(GAOLING, "name: 毛*", "name: 毛泽");
    let out = site.check();
    assert_eq!(out.code, 1);
    out.assert_error_at(
        GAOLING,
        site.position_of(GAOLING, "毛泽"),
        "recipient name `毛泽` is not masked",
    );
    site.edit(
        GAOLING,
        "published: 2026-12-01",
        "published: 2026-12-01\nfull_names: true",
    );
    assert_eq!(site.check().code, 0);
}

#[test]
fn every_problem_is_reported_in_one_run() {
    let site = Site::example(YDT);
    site.edit(GAOLING, "  amount: 5600.00", "  amount: 1.00");
    site.edit(CAIWU, "income: 32000.00", "income: abc");
    site.edit(NOTICE, "date: 2026-11-06", "date: 2026-11-66");
    site.edit(
        "content/communities/binhu/community.yaml",
        "district:",
        "distrct:",
    );
    let out = site.check();
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("4 error(s)"), "{}", out.stderr);
}

#[test]
fn a_broken_template_is_named_with_its_file_and_line() {
    let site = Site::example(YDT);
    site.edit(
        "themes/default/templates/record.html",
        "{{ record.title }}{% endblock heading %}",
        "{{ record.title }{% endblock heading %}",
    );
    let out = site.check();
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("template error"), "{}", out.stderr);
    let (line, _) = site.position_of(
        "themes/default/templates/record.html",
        "{{ record.title }{%",
    );
    assert!(
        out.stderr
            .contains(&format!("--> themes/default/templates/record.html:{line}:")),
        "{}",
        out.stderr
    );
}

#[test]
fn a_missing_month_is_a_warning_not_an_error() {
    let site = Site::example(YDT);
    std::fs::remove_file(site.path(CAIWU)).unwrap();
    let out = site.check();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("warning: 翠竹园社区 has no 财务收支 (finance) record for 2026-11"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("ydt new finance --community cuizhuyuan --period 2026-11"),
        "{}",
        out.stderr
    );
}

#[test]
fn usage_errors_exit_with_2() {
    let site = Site::example(YDT);
    assert_eq!(
        site.ydt(&["new", "payouts", "--community", "nowhere"]).code,
        2
    );
    assert_eq!(
        site.ydt(&["new", "lottery", "--community", "cuizhuyuan"])
            .code,
        2
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ydt"))
        .args(["build", "--no-such-flag"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ydt"))
        .args(["check", "--root", "/nonexistent/ydt"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn new_writes_a_skeleton_for_the_next_month() {
    let site = Site::example(YDT);
    let out = site.ydt(&["new", "finance", "--community", "cuizhuyuan"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let rel = "content/communities/cuizhuyuan/records/2026-12-finance.yaml";
    assert_eq!(out.stdout.trim(), rel);
    let text = site.read(rel);
    assert!(
        text.contains("kind: finance")
            && text.contains("period: 2026-12")
            && text.contains("income:"),
        "{text}"
    );
    // The skeleton is not publishable as it stands: the clerk is told what to fill in.
    let check = site.check();
    assert_eq!(check.code, 1);
    assert!(
        check.stderr.contains("2026-12-finance.yaml")
            && check.stderr.contains("this row has no `summary`"),
        "{}",
        check.stderr
    );
    // And a second `new` for the same month refuses to overwrite it.
    assert_eq!(
        site.ydt(&[
            "new",
            "finance",
            "--community",
            "cuizhuyuan",
            "--period",
            "2026-12"
        ])
        .code,
        2
    );
}

#[test]
fn github_format_prints_one_annotation_per_problem() {
    let site = Site::example(YDT);
    site.edit(GAOLING, "summary:", "sumary:");
    let out = site.ydt(&["check", "--format", "github"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let (line, col) = site.position_of(GAOLING, "sumary:");
    let wanted = format!("/{GAOLING},line={line},col={col}::");
    let annotation = out
        .stdout
        .lines()
        .find(|l| l.starts_with("::error file=") && l.contains(&wanted))
        .unwrap_or_else(|| panic!("no annotation at {wanted} in:\n{}", out.stdout));
    assert!(!annotation.contains('\n'));
    // The human report still goes to the log.
    assert!(
        out.stderr.contains(&format!("--> {GAOLING}:{line}:")),
        "{}",
        out.stderr
    );
}

const GONGCHENG: &str = "content/communities/cuizhuyuan/records/2026-11-gongcheng.yaml";
const SANZI: &str = "content/communities/cuizhuyuan/records/2026-11-sanzi.yaml";
const QINGSHUI_DIBAO: &str = "content/communities/qingshui/records/2026-11-dibao.yaml";

#[test]
fn a_period_that_is_not_the_month_of_the_file_name_is_refused() {
    let site = Site::example(YDT);
    site.edit(CAIWU, "period: \"2026-11\"", "period: \"2026-10\"");
    let out = site.check();
    assert_eq!(out.code, 1, "{}", out.stderr);
    out.assert_error_at(
        CAIWU,
        site.position_of(CAIWU, "\"2026-10\""),
        "文件名 2026-11-caiwu.yaml 却是 2026-11 的",
    );
    assert!(
        out.stderr.contains("改成 period: \"2026-11\""),
        "{}",
        out.stderr
    );
}

#[test]
fn enumerated_columns_take_only_their_listed_values_and_the_help_lists_them() {
    let site = Site::example(YDT);
    site.edit(GONGCHENG, "status: 已竣工", "status: 在建");
    site.edit(SANZI, "category: 资产", "category: 房屋");
    site.edit(SANZI, "use: 出租", "use: 租给超市");
    let out = site.check();
    assert_eq!(out.code, 1, "{}", out.stderr);
    out.assert_error_at(
        GONGCHENG,
        site.position_of(GONGCHENG, "在建"),
        "“在建”不在其中",
    );
    out.assert_error_at(
        GONGCHENG,
        site.position_of(GONGCHENG, "在建"),
        "招标中、施工中、已竣工、已验收",
    );
    out.assert_error_at(SANZI, site.position_of(SANZI, "房屋"), "资产、资源、资金");
    out.assert_error_at(
        SANZI,
        site.position_of(SANZI, "租给超市"),
        "出租、自用、闲置、公益使用",
    );
}

#[test]
fn an_id_number_column_accepts_only_the_masked_shape() {
    let site = Site::example(YDT);
    // Half masked: the guard sees no whole ID, but the column wants first 6 and last 4 only.
    site.edit(
        QINGSHUI_DIBAO,
        "id_number: 340111********4670",
        "id_number: 3401111980****4670",
    );
    let out = site.check();
    assert_eq!(out.code, 1, "{}", out.stderr);
    out.assert_error_at(
        QINGSHUI_DIBAO,
        site.position_of(QINGSHUI_DIBAO, "3401111980****4670"),
        "身份证号一栏只能填写打码后的号码",
    );
    assert!(out.stderr.contains("340111********4670"), "{}", out.stderr);
}

#[test]
fn identifiers_in_the_spellings_clerks_use_fail_the_build() {
    let site = Site::example(YDT);
    let id = valid_id("34010419800101123");
    let spaced = format!("{}\u{3000}{}", &id[..14], &id[14..]);
    site.edit(
        GAOLING,
        "note: 本月新增，年满80周岁",
        "note: 本月新增，原证号340104800101123",
    );
    site.edit(
        CAIWU,
        "summary: 支付社区用房10月水费",
        &format!("summary: 支付水费，经办人（139）5678—1234，证件 {spaced}"),
    );
    let out = site.build();
    assert_eq!(out.code, 1, "{}", out.stderr);
    out.assert_error_at(
        GAOLING,
        site.position_of(GAOLING, "340104800101123"),
        "resident ID",
    );
    out.assert_error_at(CAIWU, site.position_of(CAIWU, "139）5678—1234"), "mobile");
    out.assert_error_at(CAIWU, site.position_of(CAIWU, &spaced), "resident ID");
}

#[test]
fn a_spreadsheet_or_any_other_file_that_is_not_content_is_an_error_naming_it() {
    let site = Site::example(YDT);
    let roster = "content/communities/cuizhuyuan/records/低保名册.xlsx";
    std::fs::write(site.path(roster), b"PK\x03\x04 not really a workbook").unwrap();
    site.write("content/page.html", "BROKEN");
    site.write("content/communities/binhu/photo.jpg", "");
    site.write("content/communities/binhu/records/.gitkeep", "");
    let out = site.check();
    assert_eq!(out.code, 1, "{}", out.stderr);
    out.assert_error_at(roster, (1, 1), "不是公开内容");
    assert!(out.stderr.contains("ydt import"), "{}", out.stderr);
    out.assert_error_at("content/page.html", (1, 1), "不是公开内容");
    out.assert_error_at(
        "content/communities/binhu/photo.jpg",
        (1, 1),
        "不是公开内容",
    );
    assert_eq!(
        out.stderr.matches("不是公开内容").count(),
        3,
        "{}",
        out.stderr
    );
}

#[test]
fn a_calendar_that_ends_before_the_longest_deadline_is_a_warning() {
    use ydt_function::clock::{Date, now_unix};
    let site = Site::example(YDT);
    // As the example site's stands: it reaches past today's deadlines, or it does not.
    let today = Date::shanghai(now_unix());
    let yesterday = Date::from_days(today.days() - 1);
    let text = site.read("content/site.yaml");
    let start = text.find("calendar:").unwrap();
    let short = format!(
        "{}calendar:\n  holidays:\n    - {yesterday}\n  workdays: []\n",
        &text[..start]
    );
    site.write("content/site.yaml", &short);
    let out = site.check();
    assert_eq!(out.code, 0, "a warning, not an error: {}", out.stderr);
    let (line, col) = site.position_of("content/site.yaml", "calendar:");
    out.assert_error_at(
        "content/site.yaml",
        (line, col),
        &format!("the calendar ends {yesterday}, before"),
    );

    let far = Date::from_days(today.days() + 400);
    site.write(
        "content/site.yaml",
        &format!(
            "{}calendar:\n  holidays:\n    - {far}\n  workdays: []\n",
            &text[..start]
        ),
    );
    assert!(!site.check().stderr.contains("the calendar ends"));
}
