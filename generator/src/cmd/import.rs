//! `ydt import`: prints where the record went and what was done to the spreadsheet's columns, or
//! why nothing was written.

use std::path::PathBuf;

use ydt_function::clock::{Date, now_unix};

use super::{EXIT_CONTENT, EXIT_OK, EXIT_USAGE};
use crate::import::{self, Refusal, Request};
use crate::model::Period;

/// The arguments of `ydt import`, as clap reads them.
#[derive(Debug, clap::Args)]
pub struct Options {
    /// 表格文件：.xlsx、.xls、.ods 或 .csv（UTF-8 或 GBK）
    pub file: PathBuf,
    /// 记录种类：payouts、finance、assets、projects，或 content/kinds/ 里自定义的
    #[arg(long)]
    pub kind: String,
    /// 社区文件夹名（content/communities/ 下的拼音名）
    #[arg(long)]
    pub community: String,
    /// 所属月份 YYYY-MM；不写则从标题或文件名里找
    #[arg(long)]
    pub period: Option<String>,
    /// 要读取的工作表名称（默认第一个）
    #[arg(long)]
    pub sheet: Option<String>,
    /// 记录标题（默认取表格的标题行）
    #[arg(long)]
    pub title: Option<String>,
    /// 公开日期 YYYY-MM-DD（默认今天，北京时间）
    #[arg(long)]
    pub published: Option<String>,
    /// 文件名中月份之后的部分，如 dibao → 2026-12-dibao.yaml（默认为种类名）
    #[arg(long)]
    pub name: Option<String>,
    /// 表头与列的对应：--map 户主=name（可写多次）
    #[arg(long = "map", value_name = "列名=key")]
    pub maps: Vec<String>,
    /// 站点根目录（包含 content/ 和 themes/）
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
}

/// `ydt import`: writes the record and prints its path (stdout) and the summary (stderr).
pub fn run(options: &Options) -> u8 {
    let request = match request(options) {
        Ok(r) => r,
        Err(message) => {
            eprintln!("错误：{message}");
            return EXIT_USAGE;
        }
    };
    match import::import(&request) {
        Ok(imported) => {
            println!("{}", imported.path);
            eprintln!("已写入 {}", imported.path);
            for line in imported.summary() {
                eprintln!("  {line}");
            }
            eprintln!("请打开文件核对一遍，再运行 ydt check");
            EXIT_OK
        }
        Err(Refusal::Usage { message, help }) => {
            eprintln!("错误：{message}");
            if let Some(help) = help {
                eprintln!("  = 帮助：{help}");
            }
            EXIT_USAGE
        }
        Err(Refusal::Sheet { message, help }) => {
            eprintln!("错误：{message}");
            if let Some(help) = help {
                eprintln!("  = 帮助：{help}");
            }
            eprintln!("没有写入任何文件。");
            EXIT_CONTENT
        }
        Err(Refusal::Content(report)) => {
            report.print();
            eprintln!(
                "导入的记录没有通过检查，没有写入任何文件（上面的行号是将要写入的记录文件里的，文件内容按表格数据行的顺序排列）。"
            );
            EXIT_CONTENT
        }
    }
}

fn request(options: &Options) -> Result<Request, String> {
    let period = options
        .period
        .as_deref()
        .map(|p| Period::parse(p).map_err(|why| format!("--period {p}：{why}")))
        .transpose()?;
    let published = options
        .published
        .as_deref()
        .map(|d| Date::parse(d).map_err(|why| format!("--published {d}：{why}")))
        .transpose()?;
    let maps = options
        .maps
        .iter()
        .map(|m| {
            m.split_once('=')
                .map(|(label, key)| (label.trim().to_string(), key.trim().to_string()))
                .ok_or_else(|| format!("--map {m}：要写成 列名=key，如 --map 户主=name"))
        })
        .collect::<Result<_, _>>()?;
    Ok(Request {
        root: options.root.clone(),
        file: options.file.clone(),
        kind: options.kind.clone(),
        community: options.community.clone(),
        period,
        sheet: options.sheet.clone(),
        title: options.title.clone(),
        published,
        name: options.name.clone(),
        maps,
        today: Date::shanghai(now_unix()),
    })
}
