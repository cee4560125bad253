//! `ydt report`: the supervising body's daily report from the DynamoDB tables (see
//! [`crate::report`] for what it says).

use std::path::{Path, PathBuf};

use ydt_function::clock::{Date, now_unix};
use ydt_function::daily;
use ydt_function::store::CaseTable;
use ydt_function::store::dynamodb::{TableNames, connect};
use ydt_function::supervision;

use super::{EXIT_OK, EXIT_USAGE};
use crate::content;
use crate::model::Period;
use crate::report::{Readings, Summary, assemble, csv_files, html, text};

/// What `ydt report` was asked for: the command line's own arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Last day covered, YYYY-MM-DD (Asia/Shanghai); default today.
    #[arg(long)]
    pub date: Option<String>,
    /// Days of visits ending with --date.
    #[arg(long, default_value_t = 7)]
    pub days: u32,
    /// Month whose required disclosures are checked, YYYY-MM; default the site's latest.
    #[arg(long)]
    pub month: Option<String>,
    /// Flag communities with fewer visits than this over the days; default one a day.
    #[arg(long)]
    pub min_visits: Option<u64>,
    /// Output folder; default <root>/reports/<date>/.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// DynamoDB endpoint (else AWS_ENDPOINT_URL or the region's).
    #[arg(long, env = "AWS_ENDPOINT_URL")]
    pub endpoint: Option<String>,
    /// AWS region (else AWS_REGION).
    #[arg(long, env = "AWS_REGION")]
    pub region: Option<String>,
    #[arg(long, env = "YDT_CASES_TABLE", default_value = "ydt-cases")]
    pub cases_table: String,
    #[arg(long, env = "YDT_REPORTS_TABLE", default_value = "ydt-reports")]
    pub reports_table: String,
    #[arg(long, env = "YDT_META_TABLE", default_value = "ydt-meta")]
    pub meta_table: String,
}

impl Options {
    fn tables(&self) -> TableNames {
        TableNames {
            cases: self.cases_table.clone(),
            reports: self.reports_table.clone(),
            meta: self.meta_table.clone(),
        }
    }
}

/// `ydt report`: reads the tables, writes the files, prints the summary.
pub fn run(options: &Options) -> u8 {
    let (site, problems) = content::load(&options.root);
    let Some(site) = site else {
        problems.print();
        return EXIT_USAGE;
    };
    let date = match options.date.as_deref() {
        Some(text) => match Date::parse(text) {
            Ok(d) => d,
            Err(_) => {
                eprintln!("error: --date {text}: write it as YYYY-MM-DD");
                return EXIT_USAGE;
            }
        },
        None => Date::shanghai(now_unix()),
    };
    let month = match options.month.as_deref() {
        Some(text) => match Period::parse(text) {
            Ok(p) => p,
            Err(why) => {
                eprintln!("error: --month {text}: {why}");
                return EXIT_USAGE;
            }
        },
        None => match site
            .communities
            .iter()
            .filter_map(|c| c.latest_period())
            .max()
        {
            Some(p) => p,
            None => {
                eprintln!("error: the site has no records yet; give --month");
                return EXIT_USAGE;
            }
        },
    };
    let days = options.days.max(1);
    let threshold = options.min_visits.unwrap_or(u64::from(days));
    let slugs: Vec<String> = site.communities.iter().map(|c| c.slug.clone()).collect();

    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return EXIT_USAGE;
        }
    };
    let read = runtime.block_on(async {
        let client = connect(options.endpoint.as_deref(), options.region.as_deref())
            .await
            .dynamodb;
        let names = &options.tables();
        let mut visits = Vec::new();
        for offset in (0..i64::from(days)).rev() {
            let day = Date::from_days(date.days() - offset);
            visits.extend(supervision::visits_on(&client, names, day).await?);
        }
        let mut cases = Vec::new();
        for slug in &slugs {
            for table in [CaseTable::Cases, CaseTable::Reports] {
                cases.extend(supervision::cases_of(&client, names, table, slug).await?);
            }
        }
        // Overdue on `date`: open and due before it.
        let overdue = daily::overdue(&client, names, date).await?;
        Ok::<_, ydt_function::store::StoreError>(Readings {
            visits,
            cases,
            overdue,
        })
    });
    let readings = match read {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot read the tables: {e}");
            return EXIT_USAGE;
        }
    };
    let summary = assemble(&site, date, days, month, threshold, readings);

    let out = options
        .out
        .clone()
        .unwrap_or_else(|| options.root.join("reports").join(date.to_string()));
    if let Err(e) = write_files(&out, &summary) {
        eprintln!("error: cannot write {}: {e}", out.display());
        return EXIT_USAGE;
    }
    print!("{}", text(&summary));
    eprintln!("wrote {}", out.join("index.html").display());
    EXIT_OK
}

fn write_files(out: &Path, summary: &Summary) -> std::io::Result<()> {
    std::fs::create_dir_all(out)?;
    for (name, body) in csv_files(summary) {
        std::fs::write(out.join(name), body)?;
    }
    std::fs::write(out.join("index.html"), html(summary))
}
