//! `ydt-corpus`: writes a synthetic site root — `content/` in the clerks' format and a copy of the
//! repository's `themes/` — at county or city scale, to measure `ydt build` and to compare it with
//! other generators on the same data.
//!
//! The corpus is a pure function of `--size` and `--seed`: the same arguments give byte-identical
//! files. Each community draws from its own generator seeded by (seed, community number), so a
//! community's files do not depend on how many others there are. Amounts are computed in whole fen
//! (integers), so every declared total equals the sum of its rows and `ydt check` passes.
//!
//! It is not a fixture for the checks: every value is valid, every name and ID number masked.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: ydt-corpus --size small|county|city --seed N --out DIR [--months M] [--format ydt|hugo]\n\
  small: 30 communities, county: 300, city: 2000; M months of records (default 5, up to 2026-11).\n\
  DIR must not exist or be empty; it becomes a site root (content/ and themes/).\n\
  --format hugo writes the same content as a Hugo content/ tree instead (for bench/hugo.sh).";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match Options::parse(&args) {
        Ok(o) => o,
        Err(why) => {
            eprintln!("error: {why}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match write_site(&options) {
        Ok(stats) => {
            eprintln!(
                "wrote {} communities, {} records ({} rows), {} notices into {}",
                options.communities,
                stats.records,
                stats.rows,
                stats.notices,
                options.out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

struct Options {
    format: Format,
    communities: usize,
    months: u8,
    seed: u64,
    out: PathBuf,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options, String> {
        let (mut size, mut seed, mut out, mut months) = (None, None, None, 5u8);
        let mut format = Format::Ydt;
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let mut value = || {
                it.next()
                    .cloned()
                    .ok_or_else(|| format!("{flag} needs a value"))
            };
            match flag.as_str() {
                "--size" => size = Some(value()?),
                "--seed" => {
                    seed = Some(
                        value()?
                            .parse::<u64>()
                            .map_err(|_| "--seed is a whole number".to_string())?,
                    )
                }
                "--out" => out = Some(PathBuf::from(value()?)),
                "--months" => {
                    months = value()?
                        .parse::<u8>()
                        .ok()
                        .filter(|m| (1..=11).contains(m))
                        .ok_or("--months is 1 to 11")?
                }
                "--format" => {
                    format = match value()?.as_str() {
                        "ydt" => Format::Ydt,
                        "hugo" => Format::Hugo,
                        other => return Err(format!("unknown format `{other}`")),
                    }
                }
                "-h" | "--help" => return Err("help".into()),
                other => return Err(format!("unknown argument `{other}`")),
            }
        }
        let communities = match size.as_deref() {
            Some("small") => 30,
            Some("county") => 300,
            Some("city") => 2000,
            Some(other) => return Err(format!("unknown size `{other}`")),
            None => return Err("--size is required".into()),
        };
        Ok(Options {
            format,
            communities,
            months,
            seed: seed.ok_or("--seed is required")?,
            out: out.ok_or("--out is required")?,
        })
    }
}

/// Where the files go: the clerks' format, or the same text framed as Hugo pages (records as
/// front matter, `kind` renamed `record_kind` since Hugo reserves it) under `content/c/<slug>/`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Ydt,
    Hugo,
}

#[derive(Default)]
struct Stats {
    records: usize,
    rows: usize,
    notices: usize,
}

/// splitmix64: tiny, fast and good enough to make varied but reproducible content.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Rng {
        let mut r = Rng(seed ^ stream.wrapping_mul(0xA24B_AED4_963E_E407));
        r.next();
        r
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }

    /// A number in `lo..=hi`, small ones more often (lists are mostly short, some long).
    fn skewed(&mut self, lo: i64, hi: i64) -> i64 {
        let a = self.range(lo, hi);
        let b = self.range(lo, hi);
        a.min(b)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// Whole fen as yuan with two decimals: 123450 → `1234.50`.
fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

const DISTRICTS: [&str; 9] = [
    "包河区",
    "蜀山区",
    "庐阳区",
    "瑶海区",
    "肥西县",
    "肥东县",
    "长丰县",
    "庐江县",
    "巢湖市",
];

/// Word stems for street and community names, with their pinyin for slugs.
const STEMS: [(&str, &str); 50] = [
    ("翠竹", "cuizhu"),
    ("清水", "qingshui"),
    ("滨湖", "binhu"),
    ("金桂", "jingui"),
    ("杏林", "xinglin"),
    ("芙蓉", "furong"),
    ("望湖", "wanghu"),
    ("紫云", "ziyun"),
    ("青松", "qingsong"),
    ("丹霞", "danxia"),
    ("银杏", "yinxing"),
    ("桃源", "taoyuan"),
    ("兰亭", "lanting"),
    ("梅岭", "meiling"),
    ("荷塘", "hetang"),
    ("柳岸", "liuan"),
    ("枫林", "fenglin"),
    ("石榴", "shiliu"),
    ("玉兰", "yulan"),
    ("碧桂", "bigui"),
    ("长江", "changjiang"),
    ("淮河", "huaihe"),
    ("巢湖", "chaohu"),
    ("大蜀", "dashu"),
    ("天鹅", "tiane"),
    ("明珠", "mingzhu"),
    ("锦绣", "jinxiu"),
    ("和平", "heping"),
    ("幸福", "xingfu"),
    ("安居", "anju"),
    ("康乐", "kangle"),
    ("振兴", "zhenxing"),
    ("丰乐", "fengle"),
    ("双岗", "shuanggang"),
    ("三里", "sanli"),
    ("五里", "wuli"),
    ("杨林", "yanglin"),
    ("板桥", "banqiao"),
    ("南岗", "nangang"),
    ("北城", "beicheng"),
    ("新华", "xinhua"),
    ("红星", "hongxing"),
    ("朝阳", "chaoyang"),
    ("龙岗", "longgang"),
    ("凤凰", "fenghuang"),
    ("花园", "huayuan"),
    ("梧桐", "wutong"),
    ("香樟", "xiangzhang"),
    ("海棠", "haitang"),
    ("春晖", "chunhui"),
];

const MIDDLES: [(&str, &str); 5] = [
    ("", ""),
    ("东", "dong"),
    ("西", "xi"),
    ("南", "nan"),
    ("北", "bei"),
];

const SUFFIXES: [(&str, &str); 10] = [
    ("园", "yuan"),
    ("苑", "yuan2"),
    ("湾", "wan"),
    ("里", "li"),
    ("新村", "xincun"),
    ("花园", "huayuan"),
    ("家园", "jiayuan"),
    ("路", "lu"),
    ("桥", "qiao"),
    ("庄", "zhuang"),
];

const STREET_SUFFIXES: [(&str, &str); 4] = [("", ""), ("路", "lu"), ("湖", "hu"), ("山", "shan")];

const SURNAMES: [&str; 40] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "蒋", "蔡", "欧阳",
];

const GIVEN: [&str; 24] = [
    "明", "华", "英", "芳", "平", "军", "梅", "兰", "秀", "珍", "国", "强", "玉", "生", "德", "文",
    "桂", "凤", "新", "海", "霞", "荣", "林", "福",
];

const COMPANIES: [&str; 12] = [
    "安徽江淮市政工程有限公司",
    "合肥宏道路桥建设有限公司",
    "合肥皖厨厨房设备工程有限公司",
    "安徽省庐州建筑安装有限公司",
    "合肥绿源园林绿化工程有限公司",
    "安徽徽建装饰工程有限公司",
    "合肥安居物业服务有限公司",
    "安徽长淮水利建设有限公司",
    "合肥城建智能科技有限公司",
    "安徽楚江电力安装有限公司",
    "合肥恒通消防工程有限公司",
    "安徽新巢建设集团有限公司",
];

struct Community {
    slug: String,
    name: String,
    street: String,
    district: &'static str,
    /// Eight digits after 0551-: office, handler.
    office_phone: String,
    handler_phone: String,
}

/// The community's name and slug for number `i`: a stem, an optional direction and a suffix,
/// visited in a scrambled but one-to-one order (7919 is prime to 2500).
fn community_name(i: usize) -> (String, String) {
    let k = (i * 7919) % (STEMS.len() * MIDDLES.len() * SUFFIXES.len());
    let (stem, rest) = (k % STEMS.len(), k / STEMS.len());
    let (middle, suffix) = (rest % MIDDLES.len(), rest / MIDDLES.len());
    let (s, m, x) = (STEMS[stem], MIDDLES[middle], SUFFIXES[suffix]);
    let name = format!("{}{}{}社区", s.0, m.0, x.0);
    let slug = [s.1, m.1, x.1]
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("-");
    (name, slug)
}

fn communities(n: usize) -> Vec<Community> {
    assert!(n <= STEMS.len() * MIDDLES.len() * SUFFIXES.len());
    // About 15 communities a street, 15 streets a district.
    let streets = n.div_ceil(15);
    (0..n)
        .map(|i| {
            let street_no = i * streets / n;
            let district = DISTRICTS[(street_no / 15) % DISTRICTS.len()];
            let stem = STEMS[(street_no * 13) % STEMS.len()];
            let suffix = STREET_SUFFIXES[(street_no / STEMS.len()) % STREET_SUFFIXES.len()];
            let (name, slug) = community_name(i);
            Community {
                slug,
                name,
                street: format!("{}{}街道", stem.0, suffix.0),
                district,
                office_phone: format!("0551-6{:07}", 3_000_000 + i * 2),
                handler_phone: format!("0551-6{:07}", 3_000_001 + i * 2),
            }
        })
        .collect()
}

fn write_site(o: &Options) -> std::io::Result<Stats> {
    if o.out.exists() && fs::read_dir(&o.out)?.next().is_some() {
        return Err(std::io::Error::other(format!(
            "{} is not empty; give a new folder",
            o.out.display()
        )));
    }
    let content = o.out.join("content");
    let communities_dir = match o.format {
        Format::Ydt => {
            fs::create_dir_all(content.join("communities"))?;
            fs::write(content.join("site.yaml"), site_yaml(o.communities))?;
            copy_dir(&repo().join("themes"), &o.out.join("themes"))?;
            content.join("communities")
        }
        Format::Hugo => {
            fs::create_dir_all(content.join("c"))?;
            fs::write(content.join("c/_index.md"), "---\ntitle: 全部社区\n---\n")?;
            content.join("c")
        }
    };
    let periods: Vec<(u16, u8)> = (0..o.months)
        .map(|k| (2026, 11 - o.months + 1 + k))
        .collect();
    let mut stats = Stats::default();
    for (i, c) in communities(o.communities).iter().enumerate() {
        let mut rng = Rng::new(o.seed, i as u64 + 1);
        let files = Files {
            dir: communities_dir.join(&c.slug),
            format: o.format,
        };
        write_community(&files, c, &periods, &mut rng, &mut stats)?;
    }
    Ok(stats)
}

/// One community's folder in the chosen format.
struct Files {
    dir: PathBuf,
    format: Format,
}

impl Files {
    fn create(&self) -> std::io::Result<()> {
        fs::create_dir_all(self.dir.join("notices"))?;
        match self.format {
            Format::Ydt => fs::create_dir_all(self.dir.join("records")),
            Format::Hugo => fs::write(
                self.dir.join("notices/_index.md"),
                "---\ntitle: 公告\n---\n",
            ),
        }
    }

    fn community(&self, yaml: &str) -> std::io::Result<()> {
        match self.format {
            Format::Ydt => fs::write(self.dir.join("community.yaml"), yaml),
            Format::Hugo => fs::write(
                self.dir.join("_index.md"),
                format!(
                    "---\ncommunity: true\n{}---\n",
                    yaml.replacen("name: ", "title: ", 1)
                ),
            ),
        }
    }

    fn record(&self, id: &str, yaml: &str) -> std::io::Result<()> {
        match self.format {
            Format::Ydt => fs::write(self.dir.join("records").join(format!("{id}.yaml")), yaml),
            Format::Hugo => fs::write(
                self.dir.join(format!("{id}.md")),
                format!("---\n{}---\n", yaml.replacen("kind: ", "record_kind: ", 1)),
            ),
        }
    }

    fn notice(&self, id: &str, markdown: &str) -> std::io::Result<()> {
        fs::write(self.dir.join("notices").join(format!("{id}.md")), markdown)
    }
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ lives in the repository")
        .to_path_buf()
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    fs::create_dir_all(to)?;
    let mut entries: Vec<_> = fs::read_dir(from)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// The example site's settings (categories, calendar, supervisor), under a city-wide title.
fn site_yaml(communities: usize) -> String {
    let example = include_str!("../../content/site.yaml");
    let mut out = String::new();
    for line in example.lines() {
        if line.starts_with("title:") {
            out.push_str("title: 合肥市小微权力监督一点通\n");
        } else if line.starts_with("description:") {
            let _ = writeln!(
                out,
                "description: 全市{communities}个社区的补贴发放、财务收支、集体三资和工程项目公开，扫码即看，可在线投诉、举报、提建议。"
            );
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn write_community(
    files: &Files,
    c: &Community,
    periods: &[(u16, u8)],
    rng: &mut Rng,
    stats: &mut Stats,
) -> std::io::Result<()> {
    files.create()?;
    let short = c.name.trim_end_matches("社区");
    let mut yaml = String::new();
    let _ = write!(
        yaml,
        "name: {name}\nstreet: {street}\ndistrict: {district}\noffice:\n  address: 合肥市{district}{short}路{no}号（社区党群服务中心）\n  phone: {office}\n  hours: 工作日 8:30—12:00，14:00—17:30\nhandler:\n  name: {short}社区居民委员会\n  phone: {handler}\nplacements:\n  - id: gate\n    name: {short}小区大门公示栏\n  - id: hall\n    name: 社区党群服务中心一楼大厅\n",
        name = c.name,
        street = c.street,
        district = c.district,
        no = rng.range(1, 300),
        office = c.office_phone,
        handler = c.handler_phone,
    );
    if rng.chance(50) {
        let _ = write!(yaml, "  - id: canteen\n    name: 社区老年助餐点\n");
    }
    let _ = write!(
        yaml,
        "public_phones:\n  - {}\n  - {}\n",
        c.office_phone, c.handler_phone
    );
    files.community(&yaml)?;

    // A community's assets and its people stay the same from month to month.
    let assets = asset_list(c, rng);
    let region = format!("34{:04}", rng.range(100, 9999));
    for &(year, month) in periods {
        let period = format!("{year}-{month:02}");
        let published = format!(
            "{}-{:02}-{:02}",
            year + u16::from(month == 12),
            month % 12 + 1,
            rng.range(1, 5)
        );
        let mut records: Vec<(String, String, usize)> = vec![
            payouts(c, rng, &region, &period, &published, Subsidy::Dibao),
            payouts(c, rng, &region, &period, &published, Subsidy::Gaoling),
            payouts(c, rng, &region, &period, &published, Subsidy::Canji),
        ];
        if rng.chance(40) {
            records.push(payouts(
                c,
                rng,
                &region,
                &period,
                &published,
                Subsidy::Linshi,
            ));
        }
        records.push(finance(c, rng, year, month, &published));
        records.push(assets_record(c, &assets, &period, &published));
        records.push(projects(c, rng, year, month, &published));
        for (id, text, rows) in records {
            files.record(&id, &text)?;
            stats.records += 1;
            stats.rows += rows;
        }
        for (id, text) in notices(c, rng, year, month) {
            files.notice(&id, &text)?;
            stats.notices += 1;
        }
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Subsidy {
    Dibao,
    Gaoling,
    Canji,
    Linshi,
}

fn masked_name(rng: &mut Rng) -> String {
    let surname = *rng.pick(&SURNAMES);
    if rng.chance(40) {
        format!("{surname}*")
    } else {
        format!("{surname}*{}", rng.pick(&GIVEN))
    }
}

fn payouts(
    c: &Community,
    rng: &mut Rng,
    region: &str,
    period: &str,
    published: &str,
    subsidy: Subsidy,
) -> (String, String, usize) {
    let (id, name, rows) = match subsidy {
        Subsidy::Dibao => ("dibao", "城乡最低生活保障金", rng.skewed(20, 120)),
        Subsidy::Gaoling => ("gaoling-jintie", "高龄津贴", rng.skewed(40, 200)),
        Subsidy::Canji => ("canji-butie", "残疾人两项补贴", rng.skewed(20, 90)),
        Subsidy::Linshi => ("linshi-jiuzhu", "临时救助金", rng.range(20, 30)),
    };
    let (y, m) = period.split_once('-').expect("YYYY-MM");
    let m = m.trim_start_matches('0');
    let mut text = format!(
        "kind: payouts\nperiod: \"{period}\"\ntitle: {}{y}年{m}月{name}发放名单公示\npublished: {published}\nsummary: 依据合肥市{name}有关规定，经入户调查、民主评议和张榜公示，本月发放{rows}人（户）。姓名和身份证号已脱敏。\nrows:\n",
        c.name
    );
    let mut total = 0i64;
    for _ in 0..rows {
        let (item, standard, fen, note) = match subsidy {
            Subsidy::Dibao => {
                let people = rng.range(1, 4);
                let full = people * 96_000;
                let fen = if rng.chance(30) {
                    full
                } else {
                    rng.range(300, full / 100) * 100 + if rng.chance(30) { 50 } else { 0 }
                };
                let note = if fen == full {
                    Some("全额保障")
                } else {
                    None
                };
                (
                    "城乡低保",
                    format!("保障人口{people}人，保障标准每人每月960元"),
                    fen,
                    note,
                )
            }
            Subsidy::Gaoling => match rng.range(0, 20) {
                0 => (
                    "高龄津贴",
                    "100周岁及以上，每人每月600元".to_string(),
                    60_000,
                    None,
                ),
                1..=5 => (
                    "高龄津贴",
                    "90—99周岁，每人每月300元".to_string(),
                    30_000,
                    None,
                ),
                _ => (
                    "高龄津贴",
                    "80—89周岁，每人每月100元".to_string(),
                    10_000,
                    None,
                ),
            },
            Subsidy::Canji => {
                if rng.chance(55) {
                    (
                        "重度残疾人护理补贴",
                        format!(
                            "{}级残疾，每人每月{}元",
                            if rng.chance(50) { "一" } else { "二" },
                            120
                        ),
                        12_000,
                        None,
                    )
                } else {
                    (
                        "困难残疾人生活补贴",
                        "每人每月110元".to_string(),
                        11_000,
                        None,
                    )
                }
            }
            Subsidy::Linshi => (
                "临时救助",
                "一次性救助".to_string(),
                rng.range(5, 50) * 10_000,
                Some(*rng.pick(&["因病致困", "意外事故", "突发火灾", "子女就学困难"])),
            ),
        };
        total += fen;
        let _ = write!(
            text,
            "  - name: {}\n    id_number: {region}********{:04}\n    subsidy: {item}\n    standard: {standard}\n    amount: {}\n",
            masked_name(rng),
            rng.range(0, 9999),
            yuan(fen)
        );
        if let Some(note) = note {
            let _ = writeln!(text, "    note: {note}");
        }
    }
    let _ = write!(text, "totals:\n  amount: {}\n", yuan(total));
    (format!("{period}-{id}"), text, rows as usize)
}

const INCOMES: [(&str, i64, i64); 5] = [
    ("收到街道拨付社区{m}月工作经费", 20_000, 40_000),
    ("收到{m}月房屋租金（社区临街门面房{n}号）", 2_000, 6_000),
    ("收到街道拨付社区为民服务专项资金", 10_000, 60_000),
    ("收到小区公共广告位{m}月租金", 500, 3_000),
    ("收到银行存款利息", 10, 300),
];

const EXPENSES: [(&str, i64, i64); 12] = [
    ("支付社区用房{p}月水费", 100, 600),
    ("支付社区用房{p}月电费", 1_000, 5_000),
    ("支付办公用品费（打印纸、硒鼓等）", 200, 2_000),
    ("支付宽带及固定电话费", 200, 500),
    ("支付社区公益性岗位人员补贴（{m}月）", 3_000, 9_000),
    ("支付网格员交通通讯补贴（{m}月）", 1_000, 3_000),
    ("支付困难群众慰问物资采购费", 2_000, 12_000),
    ("支付居民议事协商会会务费（资料印制）", 100, 800),
    ("支付社区老年大学教学耗材费", 300, 2_000),
    ("支付消防器材检修费", 300, 3_000),
    ("支付小区绿化养护费", 1_000, 8_000),
    ("支付银行账户管理费及转账手续费", 10, 60),
];

fn finance(
    c: &Community,
    rng: &mut Rng,
    year: u16,
    month: u8,
    published: &str,
) -> (String, String, usize) {
    let period = format!("{year}-{month:02}");
    let lines = rng.range(30, 80);
    let days = if month == 2 {
        28
    } else if [4, 6, 9, 11].contains(&month) {
        30
    } else {
        31
    };
    let prev = if month == 1 { 12 } else { month - 1 };
    let mut text = format!(
        "kind: finance\nperiod: \"{period}\"\ntitle: {}{year}年{month}月财务收支公开\npublished: {published}\nsummary: 按月公开社区本级资金收支，所列金额为社区银行账户实际收付金额。\nrows:\n",
        c.name
    );
    let (mut income, mut expense) = (0i64, 0i64);
    let mut day = 1i64;
    for n in 1..=lines {
        // Dates climb through the month and never leave it.
        if rng.chance(45) && day < days {
            day += 1;
        }
        let is_income = rng.chance(20);
        let (template, lo, hi) = if is_income {
            *rng.pick(&INCOMES)
        } else {
            *rng.pick(&EXPENSES)
        };
        let summary = template
            .replace("{m}", &month.to_string())
            .replace("{p}", &prev.to_string())
            .replace("{n}", &rng.range(1, 6).to_string());
        let fen = rng.range(lo, hi) * 100 + rng.range(0, 99);
        let _ = write!(
            text,
            "  - date: {period}-{day:02}\n    voucher: 记-{period}-{n:03}\n    summary: {summary}\n"
        );
        if is_income {
            income += fen;
            let _ = writeln!(text, "    income: {}", yuan(fen));
        } else {
            expense += fen;
            let _ = writeln!(text, "    expense: {}", yuan(fen));
        }
    }
    text.push_str("totals:\n");
    if income > 0 {
        let _ = writeln!(text, "  income: {}", yuan(income));
    }
    if expense > 0 {
        let _ = writeln!(text, "  expense: {}", yuan(expense));
    }
    (format!("{period}-caiwu"), text, lines as usize)
}

struct Asset {
    yaml: String,
    book_value: i64,
    rent: i64,
}

fn asset_list(c: &Community, rng: &mut Rng) -> Vec<Asset> {
    let short = c.name.trim_end_matches("社区");
    let mut list = vec![{
        let area = rng.range(400, 2000);
        let value = area * rng.range(3_000, 6_000) * 100;
        Asset {
            yaml: format!(
                "  - name: 社区党群服务中心用房\n    category: 资产\n    location: {short}小区{}栋1—2层\n    quantity: {area}平方米\n    book_value: {}\n    use: 自用\n",
                rng.range(1, 30),
                yuan(value)
            ),
            book_value: value,
            rent: 0,
        }
    }];
    for n in 1..=rng.range(2, 8) {
        let area = rng.range(40, 120);
        let value = area * rng.range(6_000, 9_000) * 100;
        let rented = rng.chance(75);
        let mut yaml = format!(
            "  - name: 社区临街门面房{n}号\n    category: 资产\n    location: {short}路{}号1层\n    quantity: {area}平方米\n    book_value: {}\n",
            rng.range(1, 300),
            yuan(value)
        );
        let mut rent = 0;
        if rented {
            rent = area * rng.range(400, 700) * 100;
            let lessee = if rng.chance(50) {
                format!(
                    "合肥市{short}{}有限公司",
                    rng.pick(&["便民超市", "大药房", "餐饮管理", "家政服务", "快递服务"])
                )
            } else {
                format!("{}*", rng.pick(&SURNAMES))
            };
            let _ = write!(
                yaml,
                "    use: 出租\n    lessee: {lessee}\n    annual_rent: {}\n    contract_end: {}-{:02}-{:02}\n",
                yuan(rent),
                rng.range(2027, 2029),
                rng.range(1, 12),
                rng.range(1, 28)
            );
        } else {
            yaml.push_str("    use: 闲置\n");
        }
        list.push(Asset {
            yaml,
            book_value: value,
            rent,
        });
    }
    let spaces = rng.range(20, 120);
    let rent = spaces * 60_000;
    list.push(Asset {
        yaml: format!(
            "  - name: 小区地面停车泊位\n    category: 资源\n    location: {short}小区\n    quantity: {spaces}个\n    use: 出租\n    lessee: 合肥安居物业服务有限公司\n    annual_rent: {}\n    contract_end: 2027-12-31\n",
            yuan(rent)
        ),
        book_value: 0,
        rent,
    });
    list
}

fn assets_record(
    c: &Community,
    assets: &[Asset],
    period: &str,
    published: &str,
) -> (String, String, usize) {
    let (y, m) = period.split_once('-').expect("YYYY-MM");
    let m = m.trim_start_matches('0');
    let mut text = format!(
        "kind: assets\nperiod: \"{period}\"\ntitle: {}{y}年{m}月集体“三资”情况公开\npublished: {published}\nsummary: 列出社区集体所有的资产、资源和资金，账面价值为{y}年{m}月末数；出租项目均经公开招租并签订书面合同。\nrows:\n",
        c.name
    );
    for a in assets {
        text.push_str(&a.yaml);
    }
    let book: i64 = assets.iter().map(|a| a.book_value).sum();
    let rent: i64 = assets.iter().map(|a| a.rent).sum();
    let _ = write!(
        text,
        "totals:\n  book_value: {}\n  annual_rent: {}\n",
        yuan(book),
        yuan(rent)
    );
    (format!("{period}-sanzi"), text, assets.len())
}

const PROJECTS: [&str; 10] = [
    "小区雨污分流改造工程",
    "小区道路及停车位修缮工程",
    "老年助餐点厨房设施改造",
    "小区健身器材更新",
    "非机动车充电棚建设",
    "老旧小区屋面防水维修",
    "小区路灯及监控改造",
    "社区党群服务中心外立面整修",
    "小区绿化提升工程",
    "加装电梯配套管线迁移",
];

fn projects(
    c: &Community,
    rng: &mut Rng,
    year: u16,
    month: u8,
    published: &str,
) -> (String, String, usize) {
    let period = format!("{year}-{month:02}");
    let short = c.name.trim_end_matches("社区");
    let n = rng.range(2, 6);
    let mut text = format!(
        "kind: projects\nperiod: \"{period}\"\ntitle: {}{year}年{month}月工程项目公开\npublished: {published}\nsummary: 公开社区实施的工程项目的预算、合同金额、付款进度和施工状态；项目均按“四议两公开”程序决策。\nrows:\n",
        c.name
    );
    let (mut budget, mut contract, mut paid) = (0i64, 0i64, 0i64);
    for _ in 0..n {
        let b = rng.range(30, 900) * 100_000;
        let k = b - rng.range(0, b / 1000) * 50;
        let status = *rng.pick(&["招标中", "施工中", "已竣工", "已验收"]);
        let _ = write!(
            text,
            "  - name: {short}{}\n    contractor: {}\n    budget: {}\n",
            rng.pick(&PROJECTS),
            rng.pick(&COMPANIES),
            yuan(b)
        );
        budget += b;
        if status != "招标中" {
            let p = match status {
                "施工中" => k * rng.range(20, 70) / 100,
                "已竣工" => k * 90 / 100,
                _ => k * 95 / 100,
            };
            contract += k;
            paid += p;
            let _ = write!(
                text,
                "    contract_amount: {}\n    paid: {}\n    start: {}-{:02}-{:02}\n",
                yuan(k),
                yuan(p),
                year,
                rng.range(1, i64::from(month.max(2) - 1)),
                rng.range(1, 28)
            );
            if status != "施工中" {
                let _ = writeln!(
                    text,
                    "    finish: {year}-{month:02}-{:02}",
                    rng.range(1, 28)
                );
            }
        }
        let _ = writeln!(text, "    status: {status}");
    }
    let _ = write!(text, "totals:\n  budget: {}\n", yuan(budget));
    if contract > 0 {
        let _ = write!(
            text,
            "  contract_amount: {}\n  paid: {}\n",
            yuan(contract),
            yuan(paid)
        );
    }
    (format!("{period}-gongcheng"), text, n as usize)
}

fn notices(c: &Community, rng: &mut Rng, year: u16, month: u8) -> Vec<(String, String)> {
    let short = c.name.trim_end_matches("社区");
    let mut out = Vec::new();
    let count = rng.range(1, 3);
    for k in 0..count {
        let day = rng.range(1, 28);
        let date = format!("{year}-{month:02}-{day:02}");
        let (id, title, category, summary, body) = match (rng.next() % 4, k) {
            (0, _) => (
                "tingshui",
                format!("关于{short}小区临时停水的通知"),
                "通知公告",
                format!("{month}月{}日9:00至17:00，{}—{}栋因供水阀门更换临时停水。", day.min(27) + 1, 1, rng.range(6, 20)),
                format!(
                    "各位居民：\n\n因供水单位更换老化阀门，需临时停水，具体安排如下：\n\n- **停水时间**：{year}年{month}月{}日 9:00—17:00\n- **停水范围**：{short}小区1—{}栋\n- **注意事项**：请提前储备生活用水，停水期间关闭家中水龙头。\n\n独居老人、行动不便的居民如需送水帮助，请联系网格员或社区，电话 {}。\n\n{short}社区居民委员会  \n{year}年{month}月{day}日\n",
                    day.min(27) + 1,
                    rng.range(6, 20),
                    c.office_phone
                ),
            ),
            (1, _) => {
                let members = rng.range(40, 160);
                let fen = members * rng.range(2_000, 6_000);
                (
                    "dangfei",
                    format!("中共{}委员会{year}年{month}月党费收缴情况公开", c.name),
                    "党务公开",
                    format!("{month}月应缴党费{}元，实缴{}元，收缴率100%。", yuan(fen), yuan(fen)),
                    format!(
                        "根据《中国共产党党费收缴、使用和管理的规定》，现将社区党委{year}年{month}月党费收缴情况公开如下。\n\n| 党支部 | 党员人数 | 应缴党费（元） | 实缴党费（元） |\n| --- | --- | --- | --- |\n| 全体党支部 | {members} | {} | {} |\n\n党员对本人党费缴纳基数、金额有疑问的，请向所在党支部或社区党委咨询，电话 {}。\n",
                        yuan(fen),
                        yuan(fen),
                        c.office_phone
                    ),
                )
            }
            (2, _) => (
                "siyi-liangkai",
                format!("{short}小区公共设施改造项目“四议两公开”决议公开"),
                "居务公开",
                "经党组织提议、两委会商议、党员大会审议、居民代表会议决议，现将决议和实施结果公开。".to_string(),
                format!(
                    "## 决议事项\n\n{short}小区公共设施改造，预算{}元，资金来源为街道为民服务专项资金。\n\n## 表决情况\n\n应到居民代表{}人，实到{}人，同意{}人。\n\n对决议有异议的，可在公示期内向社区或街道纪工委反映。\n",
                    yuan(rng.range(20, 200) * 100_000),
                    41,
                    rng.range(32, 41),
                    rng.range(30, 32)
                ),
            ),
            _ => (
                "dibao-fuhe",
                format!("关于{year}年{month}月城乡低保对象动态复核结果的公示"),
                "居务公开",
                format!("本次复核{}户，继续保障{}户，停保{}户。", rng.range(20, 80), rng.range(15, 70), rng.range(0, 5)),
                "经入户调查、经济状况核对和民主评议，现将复核结果予以公示。公示期7天。\n\n对公示内容有异议的，请在公示期内向社区或街道反映。\n".to_string(),
            ),
        };
        let id = format!("{year}-{month:02}-{id}-{}", k + 1);
        let text = format!(
            "---\ntitle: {title}\ndate: {date}\ncategory: {category}\nsummary: {summary}\n---\n{body}"
        );
        out.push((id, text));
    }
    out
}
