//! `ydt cases`: the handlers' console for the embedded store of `ydt serve` — list the cases,
//! show one, set its status and reply, extend its handling deadline once. An edit does what the
//! DynamoDB console plus the stream consumer do on AWS: the item changes, the change is recorded
//! in the case's timeline, and a terminal status (已转办, 不予受理, 已办结) stamps `closed_at`. A
//! running `ydt serve` sees the edit at once.
//!
//! Not for production cases: those live in DynamoDB and are edited in the AWS console.

use std::path::Path;

use ydt_function::clock::{Date, now_unix, shanghai_timestamp};
use ydt_function::manifest::Calendar;
use ydt_function::store::local::{Edit, Extension, LocalStore};
use ydt_function::store::{CaseRecord, CaseTable};
use ydt_function::table::status;

fn open(root: &Path) -> Result<LocalStore, u8> {
    let dir = crate::serve::store_dir(root);
    LocalStore::open(&dir).map_err(|err| {
        eprintln!(
            "error: cannot open the case store in {}: {err}",
            dir.display()
        );
        1
    })
}

fn table_label(table: CaseTable) -> &'static str {
    match table {
        CaseTable::Cases => "",
        CaseTable::Reports => "(举报表)",
    }
}

/// Lists every case, oldest first, marking overdue ones.
pub fn list(root: &Path) -> u8 {
    let store = match open(root) {
        Ok(store) => store,
        Err(code) => return code,
    };
    let cases = match store.cases() {
        Ok(cases) => cases,
        Err(err) => {
            eprintln!("error: {err}");
            return 1;
        }
    };
    if cases.is_empty() {
        println!("no cases yet (submit one through ydt serve)");
        return 0;
    }
    let today = Date::shanghai(now_unix()).to_string();
    for (table, record) in &cases {
        let case = &record.case;
        let open = status::is_open(&case.status);
        let late = if open && case.handling_due() < today.as_str() {
            " 逾期未办结"
        } else if case.status == status::RECEIVED
            && !case.accept_due.is_empty()
            && case.accept_due < today
        {
            " 逾期未受理"
        } else {
            ""
        };
        println!(
            "{}  {}  {}  {}/{}  {}{}  due {}{}  → {}",
            case.case_id,
            &case.created_at.get(..16).unwrap_or(&case.created_at),
            case.community_name,
            case.type_name,
            case.category_name,
            case.status,
            table_label(*table),
            case.handling_due(),
            late,
            case.routed_to,
        );
    }
    0
}

fn print_case(table: CaseTable, record: &CaseRecord) {
    let case = &record.case;
    println!("case_id       {} {}", case.case_id, table_label(table));
    println!("community     {} ({})", case.community_name, case.community);
    println!("type          {} ({})", case.type_name, case.kind);
    println!("category      {} ({})", case.category_name, case.category);
    println!("status        {}", case.status);
    println!("routed_to     {}", case.routed_to);
    if let Some(record) = &case.record {
        println!(
            "record        {record}{}",
            if case.late {
                " (late: after the 公示期)"
            } else {
                ""
            }
        );
    }
    println!("created_at    {}", case.created_at);
    println!("accept_due    {}", or_dash(&case.accept_due));
    println!("due_at        {}", case.due_at);
    if let Some(to) = &case.extended_to {
        println!("extended_to   {to}");
        println!(
            "extend_reason {}",
            case.extend_reason.as_deref().unwrap_or("-")
        );
    }
    println!("closed_at     {}", case.closed_at.as_deref().unwrap_or("-"));
    if let Some(rating) = &case.rating {
        println!(
            "rating        {rating}  {}",
            case.rated_at.as_deref().unwrap_or("")
        );
        if let Some(comment) = &case.rating_comment {
            println!("rating_comment {comment}");
        }
    }
    if let Some(by) = &case.on_behalf {
        println!("on_behalf     {} {}", by.role, by.name);
    }
    if case.notify_sms {
        println!("notify_sms    yes");
    }
    if case.anonymous {
        println!("contact       (anonymous)");
    } else {
        println!(
            "contact_name  {}",
            case.contact_name.as_deref().unwrap_or("-")
        );
        println!(
            "contact_phone {}",
            case.contact_phone.as_deref().unwrap_or("-")
        );
    }
    println!("body\n  {}", case.body.replace('\n', "\n  "));
    println!(
        "reply\n  {}",
        if case.reply.is_empty() {
            "-"
        } else {
            &case.reply
        }
    );
    if !record.timeline.is_empty() {
        println!("timeline");
        for event in &record.timeline {
            println!("  {}  {}: {}", event.at, event.change, event.value);
        }
    }
}

fn or_dash(text: &str) -> &str {
    if text.is_empty() { "-" } else { text }
}

fn find(store: &LocalStore, case_id: &str) -> Option<(CaseTable, CaseRecord)> {
    let wanted = case_id.trim().to_ascii_uppercase();
    store
        .cases()
        .ok()?
        .into_iter()
        .find(|(_, r)| r.case.case_id == wanted)
}

/// Shows one case in full, contact details and timeline included.
pub fn show(root: &Path, case_id: &str) -> u8 {
    let store = match open(root) {
        Ok(store) => store,
        Err(code) => return code,
    };
    match find(&store, case_id) {
        Some((table, record)) => {
            print_case(table, &record);
            0
        }
        None => {
            eprintln!("error: no case {case_id}");
            1
        }
    }
}

/// What `ydt cases set` was asked to do.
pub struct SetOptions<'a> {
    pub status: Option<&'a str>,
    pub reply: Option<&'a str>,
    /// Extend the handling deadline by this many working days, once a round…
    pub extend_days: Option<u32>,
    /// …for this reason, which residents read in track.
    pub reason: Option<&'a str>,
}

/// Sets a case's status and/or reply, and extends its handling deadline, as a handler does in
/// the console.
pub fn set(root: &Path, case_id: &str, options: SetOptions) -> u8 {
    let SetOptions {
        status: new_status,
        reply,
        extend_days,
        reason,
    } = options;
    if new_status.is_none() && reply.is_none() && extend_days.is_none() {
        eprintln!("error: give --status, --reply and/or --extend-days with --reason");
        return 2;
    }
    if let Some(value) = new_status
        && !status::ALL.contains(&value)
    {
        eprintln!(
            "error: unknown status {value:?}; use one of {}",
            status::ALL.join(", ")
        );
        return 2;
    }
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    match (extend_days, reason) {
        (Some(0), _) => {
            eprintln!("error: --extend-days must be at least 1");
            return 2;
        }
        (Some(_), None) => {
            eprintln!("error: --extend-days needs --reason: residents read why in track");
            return 2;
        }
        (None, Some(_)) => {
            eprintln!("error: --reason goes with --extend-days");
            return 2;
        }
        _ => {}
    }
    let store = match open(root) {
        Ok(store) => store,
        Err(code) => return code,
    };
    let Some((table, found)) = find(&store, case_id) else {
        eprintln!("error: no case {case_id}");
        return 1;
    };
    let id = case_id.trim().to_ascii_uppercase();
    let at = shanghai_timestamp(now_unix());
    let mut edit = Edit {
        status: new_status.map(str::to_string),
        reply: reply.map(str::to_string),
        extend: None,
    };
    let result = match (extend_days, reason) {
        (Some(days), Some(reason)) => {
            let due =
                Date::parse(&found.case.due_at).unwrap_or_else(|_| Date::shanghai(now_unix()));
            let to = calendar(root).add_working_days(due, days).to_string();
            edit.extend = Some((to, reason.to_string()));
            match store.extend(&id, edit, &at) {
                Ok(Extension::Extended(record)) => Ok(Some(*record)),
                Ok(Extension::AlreadyExtended(to)) => {
                    eprintln!(
                        "error: {id}'s deadline was extended already (to {to}); it may be extended once, and again only after a reopening"
                    );
                    return 1;
                }
                Ok(Extension::NotOpen(current)) => {
                    eprintln!(
                        "error: {id} is {current}: only an open case has a deadline to extend"
                    );
                    return 1;
                }
                Ok(Extension::NoCase) => Ok(None),
                Err(err) => Err(err),
            }
        }
        _ => store.edit(&id, new_status, reply, &at),
    };
    match result {
        Ok(Some(record)) => {
            print_case(table, &record);
            0
        }
        Ok(None) => {
            eprintln!("error: no case {case_id}");
            1
        }
        Err(err) => {
            eprintln!("error: {err}");
            1
        }
    }
}

/// The site's working-day calendar, from the manifest `ydt serve` answers with; weekends only if
/// there is none yet.
fn calendar(root: &Path) -> Calendar {
    let path = crate::serve::work_dir(root).join("public/manifest.json");
    match ydt_function::app::load_manifest(&path) {
        Ok(manifest) => manifest.calendar,
        Err(err) => {
            eprintln!("warning: {err}; counting weekends only");
            Calendar::default()
        }
    }
}
