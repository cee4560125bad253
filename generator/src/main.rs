//! `ydt`: the command line. Thin: parses arguments and calls the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "ydt",
    version,
    about = "监督一点通: build each community's disclosure site from YAML and Markdown"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check the content and build the site into --out (default <root>/public).
    Build {
        /// Site root holding content/ and themes/.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output directory; replaced whole, in one atomic step, only when the build succeeds.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Public origin to use instead of site.yaml's base_url (e.g. for a staging copy).
        #[arg(long)]
        base_url: Option<String>,
    },
    /// Run every check and report every problem, without writing anything.
    Check {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// `github` also prints each problem as a GitHub Actions annotation on stdout.
        #[arg(long, value_enum, default_value_t)]
        format: ydt::cmd::check::DiagnosticFormat,
    },
    /// Write a record skeleton for a clerk to fill in.
    New {
        /// Record kind: payouts, finance, assets, projects, or one defined in content/kinds/.
        kind: String,
        /// Community slug (the folder name under content/communities/).
        #[arg(long)]
        community: String,
        /// Period YYYY-MM; defaults to the month after the community's latest record.
        #[arg(long)]
        period: Option<String>,
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// 把表格（.xlsx、.xls、.ods、.csv）导入为一条公开记录：姓名、身份证号打码，电话、银行卡号等列不写入
    Import(ydt::cmd::import::Options),
    /// Preview the site on 127.0.0.1 with live reload; /api/* answers over a local case store.
    Serve {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        #[arg(long, default_value_t = ydt::serve::DEFAULT_PORT)]
        port: u16,
    },
    /// The local case store of `ydt serve`: list cases, show one, set status and reply.
    Cases {
        #[command(subcommand)]
        action: Option<CasesAction>,
        #[arg(long, default_value = ".", global = true)]
        root: PathBuf,
    },
    /// The supervisors' report from the DynamoDB tables: visits, cases, overdue, missing
    /// disclosures; printed, and written as CSV files and one HTML page.
    #[cfg(feature = "dynamodb")]
    Report(ydt::cmd::report::Options),
}

#[derive(Subcommand)]
enum CasesAction {
    /// List every case, oldest first (the default).
    List,
    /// Show one case in full, with contact details and timeline.
    Show { case_id: String },
    /// Set the status and/or the public reply, as a handler does in the console.
    Set {
        case_id: String,
        /// 待受理, 已受理, 办理中, 已转办, 不予受理 or 已办结.
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        reply: Option<String>,
        /// Extend the handling deadline by N working days (once; again only after a reopening).
        #[arg(long, value_name = "N")]
        extend_days: Option<u32>,
        /// Why the deadline is extended; residents read it in track.
        #[arg(long, requires = "extend_days")]
        reason: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build {
            root,
            out,
            base_url,
        } => ydt::cmd::build::run(&root, out.as_deref(), base_url.as_deref()),
        Command::Check { root, format } => ydt::cmd::check::run(&root, format),
        Command::New {
            kind,
            community,
            period,
            root,
        } => ydt::cmd::new::run(&root, &kind, &community, period.as_deref()),
        Command::Import(options) => ydt::cmd::import::run(&options),
        Command::Serve { root, port } => ydt::cmd::serve::run(&root, port),
        #[cfg(feature = "dynamodb")]
        Command::Report(options) => ydt::cmd::report::run(&options),
        Command::Cases { action, root } => match action.unwrap_or(CasesAction::List) {
            CasesAction::List => ydt::cmd::cases::list(&root),
            CasesAction::Show { case_id } => ydt::cmd::cases::show(&root, &case_id),
            CasesAction::Set {
                case_id,
                status,
                reply,
                extend_days,
                reason,
            } => ydt::cmd::cases::set(
                &root,
                &case_id,
                ydt::cmd::cases::SetOptions {
                    status: status.as_deref(),
                    reply: reply.as_deref(),
                    extend_days,
                    reason: reason.as_deref(),
                },
            ),
        },
    };
    ExitCode::from(result)
}
