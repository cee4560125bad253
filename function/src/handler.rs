//! Route → parse → validate → store → respond, for every `/api/*` request.
//!
//! The same code answers on Lambda (over DynamoDB) and in `ydt serve` (over the local store). It
//! never answers 5xx for anything a client sent: bad input is a 4xx with `{error, field}` (or an
//! HTML page for the no-JavaScript form), a storage fault a 503 the page can retry.

use lambda_http::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Error, Request, RequestExt, Response};
use serde::Serialize;

use crate::app::App;
use crate::clock::{Date, shanghai_timestamp};
use crate::keys::constant_time_eq;
use crate::manifest::SubmissionType;
use crate::page;
use crate::store::{
    CaseItem, CaseRecord, CaseTable, Counter, Created, Rating, Receipt, Store, StoreError, change,
};
use crate::table::{meta, rating, status};
use crate::validate::{self, Input, Invalid};

/// The longest a submission or lookup may take before the resident is told to retry (503): well
/// inside API Gateway's 30 s, so the answer is ours, not a gateway timeout the page cannot read.
/// Cutting a store call short is safe: a case is written in one transaction with its
/// idempotency record, so the retry finds it or writes it, never half of it.
pub const ANSWER_WITHIN: std::time::Duration = std::time::Duration::from_secs(20);

/// Largest request body accepted (413 beyond).
pub const MAX_BODY_BYTES: usize = 32 * 1024;
/// Seconds a client is asked to wait after a storage fault.
const RETRY_AFTER_STORAGE_SECS: u64 = 5;
/// How long an idempotency record is kept: retries come within minutes, drafts within weeks.
const IDEMPOTENCY_TTL_SECS: i64 = 90 * 86_400;

/// The client's address when the request did not come through API Gateway or a Lambda function
/// URL (`ydt serve` inserts it as a request extension).
#[derive(Debug, Clone)]
pub struct PeerAddr(pub String);

/// The 1×1 transparent GIF answered by the visit counter.
pub const PIXEL_GIF: &[u8] = &[
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b,
];

/// How the client wants its answer: JSON for the API, an HTML page for a plain form post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reply {
    Json,
    Html,
}

/// A refusal: status, message, field; rendered as JSON or as a page.
#[derive(Debug, Clone)]
struct ApiError {
    status: StatusCode,
    message: String,
    field: Option<&'static str>,
    retry_after: Option<u64>,
    allow: Option<&'static str>,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            field: None,
            retry_after: None,
            allow: None,
        }
    }

    fn not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "没有这个地址")
    }

    fn method_not_allowed(allow: &'static str) -> ApiError {
        ApiError {
            allow: Some(allow),
            ..ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "不支持这种请求方式")
        }
    }

    /// A refusal for too many requests also says whom to call instead (a resident with an
    /// urgent matter must not be left waiting for the limit).
    fn or_call(mut self, body: &crate::manifest::Body) -> ApiError {
        if self.status == StatusCode::TOO_MANY_REQUESTS
            && let Some(phone) = &body.phone
        {
            self.message = format!(
                "{}。着急的话，请直接打电话给{}：{phone}",
                self.message, body.name
            );
        }
        self
    }

    /// Unknown case and wrong query code: one answer, so neither can be told from the other.
    fn case_not_found() -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "没有找到这件事：请核对案件编号和查询码",
        )
    }

    /// A rating the case cannot take now: still open, or this closing rated already.
    fn cannot_rate(message: &str) -> ApiError {
        ApiError {
            field: Some("rating"),
            ..ApiError::new(StatusCode::CONFLICT, message)
        }
    }
}

impl From<Invalid> for ApiError {
    fn from(invalid: Invalid) -> ApiError {
        ApiError {
            field: invalid.field,
            ..ApiError::new(StatusCode::BAD_REQUEST, invalid.message)
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> ApiError {
        eprintln!("{err}");
        ApiError {
            retry_after: Some(RETRY_AFTER_STORAGE_SECS),
            ..ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "系统暂时繁忙，请稍后再试一次；您填写的内容没有丢失",
            )
        }
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    field: Option<&'a str>,
}

/// `201`/`200` body of `POST /api/submissions`.
#[derive(Serialize)]
struct SubmissionAnswer<'a> {
    case_id: &'a str,
    query_code: &'a str,
    status: &'a str,
    due_date: &'a str,
    routed_to: &'a str,
}

/// `200` body of `POST /api/track`.
#[derive(Serialize)]
struct TrackAnswer<'a> {
    case_id: &'a str,
    status: &'a str,
    routed_to: &'a str,
    due_date: &'a str,
    /// The acceptance deadline.
    accept_due: &'a str,
    /// The extended handling deadline and why, `null` unless extended.
    extended_to: Option<&'a str>,
    extend_reason: Option<&'a str>,
    /// `null` until rated.
    rating: Option<&'a str>,
    /// Whether a rating would be taken now.
    may_rate: bool,
    /// For an objection: the record, and whether it came after the 公示期.
    record: Option<&'a str>,
    late: bool,
    replies: Vec<PublicReply>,
    /// Every change, oldest first: status, reply, rating, extension.
    history: &'a [crate::store::TimelineEvent],
}

/// `200` body of `POST /api/feedback`.
#[derive(Serialize)]
struct FeedbackAnswer<'a> {
    case_id: &'a str,
    status: &'a str,
    rating: &'a str,
    /// For a 不满意: the second round's due date.
    due_date: &'a str,
}

#[derive(Serialize)]
struct PublicReply {
    at: String,
    text: String,
}

/// Answers one request. Always `Ok`: every failure is an HTTP answer.
pub async fn handle<S: Store>(app: &App<S>, req: Request) -> Result<Response<Body>, Error> {
    let path = req.uri().path();
    let method = req.method();
    let answer = match path {
        "/api/submissions" if method == Method::POST => within_deadline(submit(app, &req)).await,
        "/api/track" if method == Method::POST => within_deadline(track(app, &req)).await,
        "/api/feedback" if method == Method::POST => within_deadline(feedback(app, &req)).await,
        "/api/v.gif" if method == Method::GET || method == Method::HEAD => {
            return Ok(visit(app, &req, method == Method::GET).await);
        }
        "/api/submissions" | "/api/track" | "/api/feedback" => {
            Err((ApiError::method_not_allowed("POST"), None))
        }
        "/api/v.gif" => Err((ApiError::method_not_allowed("GET, HEAD"), None)),
        _ => Err((ApiError::not_found(), None)),
    };
    Ok(answer.unwrap_or_else(|(err, page)| error_response(app, &err, page)))
}

/// A 503 the page retries once [`ANSWER_WITHIN`] has passed. The answer is JSON then, also for a
/// form post: what was typed is still in the resident's browser, one step back.
async fn within_deadline(answer: impl Future<Output = Answer>) -> Answer {
    match tokio::time::timeout(ANSWER_WITHIN, answer).await {
        Ok(answer) => answer,
        Err(_) => Err((
            StoreError(format!("no answer within {} s", ANSWER_WITHIN.as_secs())).into(),
            None,
        )),
    }
}

/// Where an HTML error page sends the resident back, and the text to keep for them.
struct PageContext {
    back: (String, String),
    kept_text: Option<String>,
    title: &'static str,
    /// A refused submission from the no-JavaScript form: what was sent, to fill the form again.
    refill: Option<page::Refill>,
}

type Answer = Result<Response<Body>, (ApiError, Option<PageContext>)>;

/// Reads a POST body: size, content type, UTF-8, syntax.
fn read_input(req: &Request) -> Result<(Input, Reply), ApiError> {
    let bytes: &[u8] = req.body().as_ref();
    if bytes.len() > MAX_BODY_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "提交的内容太大（不能超过 32 KB）",
        ));
    }
    let media_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    let reply = match media_type.as_str() {
        "application/json" => Reply::Json,
        "application/x-www-form-urlencoded" => Reply::Html,
        _ => {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "只接受 application/json 或表单提交",
            ));
        }
    };
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ApiError::from(Invalid::request("提交的文字编码不对，请使用 UTF-8")))?;
    let input = match reply {
        Reply::Json => Input::json(text),
        Reply::Html => Input::form(text),
    }
    .map_err(ApiError::from)?;
    Ok((input, reply))
}

async fn submit<S: Store>(app: &App<S>, req: &Request) -> Answer {
    let (input, reply) = read_input(req).map_err(|err| (err, None))?;
    // For a refused form post: back to the community's form, keeping what was typed.
    let context = || {
        let slug = input.text("community").ok().flatten().unwrap_or_default();
        let back = match app.manifest.community(slug.trim()) {
            Some(c) => (format!("/c/{}/jiandu/", c.slug), format!("返回{}", c.name)),
            None => ("/".to_string(), "返回首页".to_string()),
        };
        let text = |name: &'static str| input.text(name).ok().flatten().unwrap_or_default();
        PageContext {
            back,
            kept_text: input.text("body").ok().flatten(),
            title: "没能提交",
            refill: Some(page::Refill {
                community: text("community").trim().to_string(),
                kind: text("type"),
                category: text("category"),
                body: text("body"),
                anonymous: matches!(text("anonymous").as_str(), "on" | "true" | "1" | "yes"),
                contact_name: text("contact_name"),
                contact_phone: text("contact_phone"),
                record: text("record"),
                field: None,
            }),
        }
    };
    let page = |err: ApiError| (err, (reply == Reply::Html).then(context));

    let submission = validate::submission(&app.manifest, &input).map_err(|e| page(e.into()))?;
    let client = client_address(app, req);
    let now = (app.clock)();
    let today = Date::shanghai(now);
    let idempotency_key = match &submission.idempotency_key {
        Some(key) => key.clone(),
        None => app
            .key
            .form_idempotency_key(&submission.identity(), &client, &today.to_string()),
    };
    let query_code = app.key.query_code(&idempotency_key);
    let routing = route(app, &submission, today);

    if submission.honeypot {
        // Looks like any receipt; nothing is stored or counted.
        let fake = Receipt {
            case_id: format!("{}{}-{}", routing.prefix, today.compact(), &query_code[..4]),
            status: routing.status.to_string(),
            due_date: routing.due_date.clone(),
            routed_to: routing.routed_to.clone(),
        };
        return Ok(receipt_response(
            app,
            &submission,
            &fake,
            &query_code,
            StatusCode::CREATED,
            reply,
        ));
    }

    let key_hash = app.key.idempotency_hash(&idempotency_key);
    let table = routing.table;
    if let Some(first) = app
        .store
        .receipt_for_key(table, &key_hash)
        .await
        .map_err(|e| page(e.into()))?
    {
        return Ok(receipt_response(
            app,
            &submission,
            &first,
            &query_code,
            StatusCode::OK,
            reply,
        ));
    }
    let limits = (app.limits.submissions, app.limits.submissions_per_address);
    rate_limit(
        app,
        "submit",
        limits,
        &client,
        device(&input).as_deref(),
        now,
    )
    .await
    .map_err(|e| page(e.or_call(&submission.community.handler)))?;

    let number = app
        .store
        .next_case_number(table, &today.compact())
        .await
        .map_err(|e| page(e.into()))?;
    let case_id = format!("{}{}-{:04}", routing.prefix, today.compact(), number);
    let created_at = shanghai_timestamp(now);
    let case = CaseItem {
        case_id: case_id.clone(),
        community: submission.community.slug.clone(),
        community_name: submission.community.name.clone(),
        kind: submission.kind.as_str().to_string(),
        type_name: submission.kind.label().to_string(),
        category: submission.category.id.clone(),
        category_name: submission.category.name.clone(),
        body: submission.body.clone(),
        anonymous: submission.anonymous,
        contact_name: submission.contact_name.clone(),
        contact_phone: submission.contact_phone.clone(),
        status: routing.status.to_string(),
        routed_to: routing.routed_to.clone(),
        reply: String::new(),
        created_at: created_at.clone(),
        updated_at: created_at.clone(),
        due_at: routing.due_date.clone(),
        // A transfer ends the community's part at once.
        closed_at: status::is_terminal(routing.status).then(|| created_at.clone()),
        query_hash: app.key.query_hash(&query_code),
        accept_due: routing.accept_due.clone(),
        record: submission.record.as_ref().map(|r| r.id.clone()),
        late: routing.late,
        on_behalf: submission.on_behalf.clone(),
        notify_sms: submission.notify_sms,
        ..CaseItem::default()
    };
    let receipt = Receipt {
        case_id,
        status: case.status.clone(),
        due_date: case.due_at.clone(),
        routed_to: case.routed_to.clone(),
    };
    let created = app
        .store
        .create_case(
            table,
            &case,
            &key_hash,
            &receipt,
            now + IDEMPOTENCY_TTL_SECS,
        )
        .await
        .map_err(|e| page(e.into()))?;
    Ok(match created {
        Created::Stored => receipt_response(
            app,
            &submission,
            &receipt,
            &query_code,
            StatusCode::CREATED,
            reply,
        ),
        Created::Duplicate(first) => {
            receipt_response(app, &submission, &first, &query_code, StatusCode::OK, reply)
        }
    })
}

/// Where a submission goes and by when.
struct Routing {
    table: CaseTable,
    prefix: &'static str,
    status: &'static str,
    routed_to: String,
    routed_phone: Option<String>,
    due_date: String,
    /// The acceptance deadline: `accept_days`, never after the handling deadline.
    accept_due: String,
    /// An objection filed after its record's 公示期.
    late: bool,
}

fn route<S>(app: &App<S>, submission: &validate::Submission, today: Date) -> Routing {
    let manifest = &app.manifest;
    // An objection inside the 公示期 has the objection deadline; a late one is handled as a
    // complaint.
    let late = submission
        .record
        .as_ref()
        .and_then(|r| r.objection_until.as_deref())
        .is_some_and(|until| today.to_string().as_str() > until);
    let days = match submission.kind {
        SubmissionType::Objection if !late => manifest.objection_days,
        _ => manifest.response_days,
    };
    let due_date = manifest.calendar.add_working_days(today, days).to_string();
    let accept_due = manifest
        .calendar
        .add_working_days(today, manifest.accept_days.min(days))
        .to_string();
    let (table, prefix, status, body) = match submission.kind {
        // Never to the community whose officials a report may concern.
        SubmissionType::Report => (
            CaseTable::Reports,
            "J",
            status::RECEIVED,
            manifest.supervisor.clone(),
        ),
        SubmissionType::Objection => (
            CaseTable::Cases,
            "",
            status::RECEIVED,
            submission.community.handler.clone(),
        ),
        SubmissionType::Complaint | SubmissionType::Suggestion => {
            match (&submission.category.scope, &submission.category.transfer_to) {
                (crate::manifest::Scope::Transfer, Some(to)) => {
                    (CaseTable::Cases, "", status::TRANSFERRED, to.clone())
                }
                // A transfer category with no body named goes to the supervisor to pass on.
                (crate::manifest::Scope::Transfer, None) => (
                    CaseTable::Cases,
                    "",
                    status::TRANSFERRED,
                    manifest.supervisor.clone(),
                ),
                (crate::manifest::Scope::Accept, _) => (
                    CaseTable::Cases,
                    "",
                    status::RECEIVED,
                    submission.community.handler.clone(),
                ),
            }
        }
    };
    Routing {
        table,
        prefix,
        status,
        routed_to: body.name,
        routed_phone: body.phone,
        due_date,
        accept_due,
        late,
    }
}

fn receipt_response<S>(
    app: &App<S>,
    submission: &validate::Submission,
    receipt: &Receipt,
    query_code: &str,
    status: StatusCode,
    reply: Reply,
) -> Response<Body> {
    match reply {
        Reply::Json => json(
            status,
            &SubmissionAnswer {
                case_id: &receipt.case_id,
                query_code,
                status: &receipt.status,
                due_date: &receipt.due_date,
                routed_to: &receipt.routed_to,
            },
        ),
        Reply::Html => {
            let routing = route(app, submission, Date::shanghai((app.clock)()));
            // A repeat shows the first answer; its body's phone only if routing still agrees.
            let routed_phone = routing
                .routed_phone
                .filter(|_| routing.routed_to == receipt.routed_to);
            html(
                status,
                page::receipt(
                    &app.manifest,
                    &page::ReceiptView {
                        community_slug: &submission.community.slug,
                        community_name: &submission.community.name,
                        kind_label: submission.kind.label(),
                        case_id: &receipt.case_id,
                        query_code,
                        status: &receipt.status,
                        routed_to: &receipt.routed_to,
                        routed_phone: routed_phone.as_deref(),
                        due_date: &receipt.due_date,
                        repeated: status == StatusCode::OK,
                    },
                ),
            )
        }
    }
}

/// Where a refused lookup or rating sends the resident: track's own page, so a wrong code gets
/// the very same answer from both.
fn track_page(reply: Reply) -> impl Fn(ApiError) -> (ApiError, Option<PageContext>) {
    move |err: ApiError| {
        let context = PageContext {
            back: ("/track/".to_string(), "返回查询页".to_string()),
            kept_text: None,
            title: "没能查到",
            refill: None,
        };
        (err, (reply == Reply::Html).then_some(context))
    }
}

/// A rating's comment as typed, kept on a refusal page so it is not lost.
fn input_comment(input: &Input) -> Option<String> {
    input.text("comment").ok().flatten()
}

/// The case a lookup names, if its query code matches; otherwise track's one 404.
async fn find_with_code<S: Store>(
    app: &App<S>,
    req: &Request,
    lookup: &validate::Lookup,
    device: Option<&str>,
    reply: Reply,
) -> Result<CaseRecord, (ApiError, Option<PageContext>)> {
    let page = track_page(reply);
    let now = (app.clock)();
    let client = client_address(app, req);
    let limits = (app.limits.lookups, app.limits.lookups_per_address);
    rate_limit(app, "track", limits, &client, device, now)
        .await
        .map_err(|e| page(e.or_call(&app.manifest.supervisor)))?;

    let table = CaseTable::of_case_id(&lookup.case_id);
    let found = app
        .store
        .find_case(table, &lookup.case_id)
        .await
        .map_err(|e| page(e.into()))?;
    // Compare against something even when there is no case, so both misses do the same work.
    let stored_hash = found
        .as_ref()
        .map_or_else(|| "0".repeat(64), |r| r.case.query_hash.clone());
    let matches = app.key.query_code_matches(&lookup.query_code, &stored_hash);
    match found {
        Some(record) if matches => Ok(record),
        _ => Err(page(ApiError::case_not_found())),
    }
}

async fn track<S: Store>(app: &App<S>, req: &Request) -> Answer {
    let (input, reply) = read_input(req).map_err(|err| (err, None))?;
    let page = track_page(reply);
    let lookup = validate::lookup(&input).map_err(|e| page(e.into()))?;
    let record = find_with_code(app, req, &lookup, device(&input).as_deref(), reply).await?;
    Ok(track_response(
        app,
        &record,
        &lookup.query_code,
        reply,
        None,
    ))
}

fn track_response<S>(
    app: &App<S>,
    record: &CaseRecord,
    query_code: &str,
    reply: Reply,
    notice: Option<&str>,
) -> Response<Body> {
    let replies = public_replies(record);
    let case = &record.case;
    match reply {
        Reply::Json => json(
            StatusCode::OK,
            &TrackAnswer {
                case_id: &case.case_id,
                status: &case.status,
                routed_to: &case.routed_to,
                due_date: &case.due_at,
                accept_due: &case.accept_due,
                extended_to: case.extended_to.as_deref(),
                extend_reason: case.extend_reason.as_deref(),
                rating: case.rating.as_deref(),
                may_rate: case.may_be_rated(),
                record: case.record.as_deref(),
                late: case.late,
                replies,
                history: &record.timeline,
            },
        ),
        Reply::Html => {
            let views: Vec<_> = replies
                .iter()
                .map(|r| page::ReplyView {
                    at: &r.at,
                    text: &r.text,
                })
                .collect();
            let record_title = case.record.as_deref().and_then(|id| {
                app.manifest
                    .community(&case.community)
                    .and_then(|c| c.record(id))
                    .map(|r| r.title.as_str())
            });
            html(
                StatusCode::OK,
                page::track(
                    &app.manifest,
                    &page::TrackView {
                        case,
                        query_code,
                        replies: &views,
                        history: &record.timeline,
                        record_title,
                        notice,
                    },
                ),
            )
        }
    }
}

/// `POST /api/feedback`: the resident's rating of a closed case. Once per closing; 不满意 sends
/// the case back to 办理中 with a new due date (二次办理). A wrong code gets track's own 404.
async fn feedback<S: Store>(app: &App<S>, req: &Request) -> Answer {
    let (input, reply) = read_input(req).map_err(|err| (err, None))?;
    // A rating refused for what it is (bad input, 409) says so; a wrong code or a storage fault
    // reads exactly as track's.
    let kept = input_comment(&input);
    let page = move |err: ApiError| {
        let context = PageContext {
            back: ("/track/".to_string(), "返回查询页".to_string()),
            kept_text: kept.clone(),
            title: "没能评价",
            refill: None,
        };
        (err, (reply == Reply::Html).then_some(context))
    };
    let feedback = validate::feedback(&input).map_err(|e| page(e.into()))?;
    let record =
        find_with_code(app, req, &feedback.lookup, device(&input).as_deref(), reply).await?;
    let case = &record.case;
    let refuse = |record: &CaseRecord| {
        let message = if status::is_terminal(&record.case.status) {
            "这次办理结果已经评价过了；重新办理并办结后，可以再评价"
        } else {
            "这件事还在办理中，办结后才能评价"
        };
        page(ApiError::cannot_rate(message))
    };
    if !case.may_be_rated() {
        return Err(refuse(&record));
    }
    let now = (app.clock)();
    let reopen_due = (feedback.rating == rating::UNSATISFIED).then(|| {
        app.manifest
            .calendar
            .add_working_days(Date::shanghai(now), app.manifest.reopen_days())
            .to_string()
    });
    let rated = Rating {
        value: feedback.rating.to_string(),
        comment: feedback.comment.clone(),
        at: shanghai_timestamp(now),
        reopen_due,
    };
    let table = CaseTable::of_case_id(&case.case_id);
    let fault = track_page(reply);
    let written = app
        .store
        .rate_case(table, &case.case_id, &case.status, &rated)
        .await
        .map_err(|e| fault(e.into()))?;
    // Read back, so the answer shows the case as it now is (and a lost race its winner).
    let after = app
        .store
        .find_case(table, &case.case_id)
        .await
        .map_err(|e| fault(e.into()))?
        .unwrap_or_else(|| record.clone());
    if !written {
        return Err(refuse(&after));
    }
    Ok(match reply {
        Reply::Json => json(
            StatusCode::OK,
            &FeedbackAnswer {
                case_id: &after.case.case_id,
                status: &after.case.status,
                rating: feedback.rating,
                due_date: &after.case.due_at,
            },
        ),
        Reply::Html => {
            let notice = if rated.reopen_due.is_some() {
                format!(
                    "已收到您的评价：不满意。这件事已重新办理，新的答复期限是 {}，{}会督促办理。",
                    after.case.due_at, app.manifest.supervisor.name
                )
            } else {
                format!("已收到您的评价：{}。谢谢您的监督。", feedback.rating)
            };
            track_response(
                app,
                &after,
                &feedback.lookup.query_code,
                reply,
                Some(&notice),
            )
        }
    })
}

/// The replies a resident sees: each reply recorded in the timeline, plus the case item's current
/// `reply` if the timeline has not caught up with it yet (a console edit shows at once).
fn public_replies(record: &CaseRecord) -> Vec<PublicReply> {
    let mut replies: Vec<PublicReply> = record
        .timeline
        .iter()
        .filter(|e| e.change == change::REPLY && !e.value.trim().is_empty())
        .map(|e| PublicReply {
            at: e.at.clone(),
            text: e.value.clone(),
        })
        .collect();
    let current = record.case.reply.trim();
    if !current.is_empty() && replies.last().is_none_or(|r| r.text.trim() != current) {
        let at = if record.case.updated_at.is_empty() {
            &record.case.created_at
        } else {
            &record.case.updated_at
        };
        replies.push(PublicReply {
            at: at.clone(),
            text: record.case.reply.clone(),
        });
    }
    replies
}

/// Counts a visit (best effort; a HEAD from a link checker is no visit) and answers the pixel
/// whatever happens.
async fn visit<S: Store>(app: &App<S>, req: &Request, count: bool) -> Response<Body> {
    let query = validate::query_pairs(req.uri().query().unwrap_or(""));
    let param = |pairs: &[(String, String)], name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let community = param(&query, "c").and_then(|slug| app.manifest.community(&slug));
    // One address reloading the pixel in a loop does not inflate the figures: past its allowance
    // its visits are not counted (the pixel answers all the same).
    let within_allowance = || async {
        let address = client_address(app, req);
        let limit = app.limits.visits_per_address;
        !matches!(
            count_against(app, "visit", &address, limit, (app.clock)()).await,
            Ok(Some(_))
        )
    };
    let count = count && community.is_some() && within_allowance().await;
    if let Some(community) = community.filter(|_| count) {
        let from_referer = || {
            let referer = req.headers().get(header::REFERER)?.to_str().ok()?;
            let query = referer.split_once('?')?.1.split('#').next()?;
            param(&validate::query_pairs(query), "from")
        };
        // Only the community's own placements are counted, so the keys stay a known set.
        let placement = param(&query, "from")
            .or_else(from_referer)
            .filter(|p| community.placements.contains(p));
        let day = Date::shanghai((app.clock)()).to_string();
        let pk = format!("{}{day}", meta::VISITS_PREFIX);
        let mut counters = vec![Counter {
            pk: pk.clone(),
            sk: community.slug.clone(),
        }];
        if let Some(placement) = placement {
            counters.push(Counter {
                pk,
                sk: format!("{}#{placement}", community.slug),
            });
        }
        for counter in &counters {
            if let Err(err) = app.store.increment(counter, None).await {
                eprintln!("visit not counted: {err}");
            }
        }
    }
    let mut response = Response::new(Body::Binary(PIXEL_GIF.to_vec()));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/gif"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Refuses with 429 once a client has used up its allowance for the window: `limits` is (per
/// device, per address). With no device id the address is the device, under the per-device
/// allowance. Counts the current and the previous window together, so no window's length of time
/// ever holds more than the limit.
async fn rate_limit<S: Store>(
    app: &App<S>,
    action: &str,
    (per_device, per_address): (u64, u64),
    address: &str,
    device: Option<&str>,
    now: i64,
) -> Result<(), ApiError> {
    match device {
        Some(device) => {
            let device_key = format!("device:{device}");
            let waits = [
                count_against(app, action, &device_key, per_device, now).await?,
                count_against(app, action, address, per_address, now).await?,
            ];
            match waits.into_iter().flatten().max() {
                Some(wait) => Err(too_many(wait)),
                None => Ok(()),
            }
        }
        None => match count_against(app, action, address, per_device, now).await? {
            Some(wait) => Err(too_many(wait)),
            None => Ok(()),
        },
    }
}

/// Counts one request against `key`'s allowance; the seconds to wait when it is used up.
async fn count_against<S: Store>(
    app: &App<S>,
    action: &str,
    key: &str,
    limit: u64,
    now: i64,
) -> Result<Option<i64>, ApiError> {
    let window_secs = app.limits.window_secs;
    let window = now.div_euclid(window_secs);
    let pk = format!("{}{}", meta::RATE_PREFIX, app.key.client_hash(key));
    let current = Counter {
        pk: pk.clone(),
        sk: format!("{action}#{window}"),
    };
    let previous = Counter {
        pk,
        sk: format!("{action}#{}", window - 1),
    };
    let expires_at = (window + 2) * window_secs;
    let in_current = app.store.increment(&current, Some(expires_at)).await?;
    let in_previous = app.store.count(&previous).await?;
    if in_current + in_previous <= limit {
        return Ok(None);
    }
    // Wait until the previous window drops out, and for the current one too if it alone is full.
    let mut wait = (window + 1) * window_secs - now;
    if in_current > limit {
        wait += window_secs;
    }
    Ok(Some(wait.max(1)))
}

fn too_many(wait: i64) -> ApiError {
    let minutes = (wait + 59) / 60;
    ApiError {
        retry_after: Some(wait as u64),
        ..ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!("操作太频繁，请 {minutes} 分钟后再试"),
        )
    }
}

/// The id the form's script keeps on the phone (`device`), when it is one: 16–64 letters,
/// digits, `-` or `_`. Anything else counts as no device.
fn device(input: &Input) -> Option<String> {
    let id = input.text("device").ok().flatten()?;
    ((16..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_')))
    .then_some(id)
}

/// The key an address is held to: an IPv4 address as it is, an IPv6 address by its /64 (one
/// household or phone gets a whole /64, and may change the rest at will), an IPv4 address
/// written as IPv6 as the IPv4 address.
fn address_key(ip: &str) -> String {
    let bare = ip.trim().trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Ok(std::net::IpAddr::V4(v4)) => v4.to_string(),
        Err(_) => bare.to_string(),
    }
}

/// Who is asking, for rate limits. `CloudFront-Viewer-Address` only counts when the request
/// carries the secret origin header, which only CloudFront adds; otherwise anyone could send it.
fn client_address<S>(app: &App<S>, req: &Request) -> String {
    let headers = req.headers();
    if let Some(secret) = &app.origin_secret
        && header_str(headers, &app.origin_header)
            .is_some_and(|v| constant_time_eq(v.as_bytes(), secret.as_bytes()))
        && let Some(viewer) = header_str(headers, "cloudfront-viewer-address")
    {
        // `ip:port`, also for IPv6 (`2001:db8::1:46532`): drop the port.
        let ip = viewer.rsplit_once(':').map_or(viewer, |(ip, _)| ip);
        return address_key(ip);
    }
    if let Some(RequestContext::ApiGatewayV2(context)) = req.request_context_ref()
        && let Some(ip) = &context.http.source_ip
    {
        return address_key(ip);
    }
    if let Some(PeerAddr(ip)) = req.extensions().get::<PeerAddr>() {
        return address_key(ip);
    }
    "unknown".to_string()
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// An answer no cache keeps: the status, the content type and the body. Any body type, so
/// `ydt serve`'s own answers are made the same way.
pub fn uncached<B>(status: StatusCode, content_type: &'static str, body: B) -> Response<B> {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn json(status: StatusCode, body: &impl Serialize) -> Response<Body> {
    let text = serde_json::to_string(body).unwrap_or_else(|_| "{}".to_string());
    uncached(status, "application/json; charset=utf-8", Body::Text(text))
}

fn html(status: StatusCode, page: String) -> Response<Body> {
    let mut response = uncached(status, "text/html; charset=utf-8", Body::Text(page));
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(page::content_security_policy()),
    );
    response
}

fn error_response<S>(app: &App<S>, err: &ApiError, page: Option<PageContext>) -> Response<Body> {
    let mut response = match page {
        // A form refused for what was in it: the form again, filled in.
        Some(PageContext {
            title,
            refill: Some(mut sent),
            ..
        }) if err.status == StatusCode::BAD_REQUEST => {
            sent.field = err.field;
            html(
                err.status,
                page::refused_form(&app.manifest, title, &err.message, &sent),
            )
        }
        Some(context) => html(
            err.status,
            page::problem(
                &app.manifest,
                context.title,
                &err.message,
                context.kept_text.as_deref(),
                (&context.back.0, &context.back.1),
            ),
        ),
        None => json(
            err.status,
            &ErrorBody {
                error: &err.message,
                field: err.field,
            },
        ),
    };
    let headers = response.headers_mut();
    if let Some(seconds) = err.retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    if let Some(allow) = err.allow {
        headers.insert(header::ALLOW, HeaderValue::from_static(allow));
    }
    response
}
