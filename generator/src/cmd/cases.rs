//! `ydt cases`: the handlers' console for the embedded store of `ydt serve` — list the cases,
//! show one, set its status and reply. An edit does what the DynamoDB console plus the stream
//! consumer do on AWS: the item changes, the change is recorded in the case's timeline, and a
//! terminal status (已转办, 不予受理, 已办结) stamps `closed_at`. A running `ydt serve` sees the
//! edit at once.
//!
//! Not for production cases: those live in DynamoDB and are edited in the AWS console.

use std::path::Path;

use ydt_function::clock::{Date, now_unix, shanghai_timestamp};
use ydt_function::store::local::LocalStore;
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
        let overdue = status::is_open(&case.status) && case.due_at < today;
        println!(
            "{}  {}  {}  {}/{}  {}{}  due {}{}  → {}",
            case.case_id,
            &case.created_at.get(..16).unwrap_or(&case.created_at),
            case.community_name,
            case.type_name,
            case.category_name,
            case.status,
            table_label(*table),
            case.due_at,
            if overdue { " 逾期" } else { "" },
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
    println!("created_at    {}", case.created_at);
    println!("due_at        {}", case.due_at);
    println!("closed_at     {}", case.closed_at.as_deref().unwrap_or("-"));
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

/// Sets a case's status and/or reply, as a handler does in the console.
pub fn set(root: &Path, case_id: &str, new_status: Option<&str>, reply: Option<&str>) -> u8 {
    if new_status.is_none() && reply.is_none() {
        eprintln!("error: give --status and/or --reply");
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
    let store = match open(root) {
        Ok(store) => store,
        Err(code) => return code,
    };
    let Some((table, _)) = find(&store, case_id) else {
        eprintln!("error: no case {case_id}");
        return 1;
    };
    let id = case_id.trim().to_ascii_uppercase();
    match store.edit(&id, new_status, reply, &shanghai_timestamp(now_unix())) {
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
