//! The HTML answers of the no-JavaScript form and track page: small, self-contained pages in
//! Chinese, readable on a cheap phone. Every piece of user or stored text goes through [`escape`](crate::html::escape).

use std::fmt::Write as _;

use crate::html::{escape, tel_link};
use crate::manifest::{Manifest, SubmissionType};
use crate::store::{CaseItem, TimelineEvent, change};
use crate::table::{rating, status};

/// The theme's look in miniature (themes/default/templates/style.css): the same fonts, sizes,
/// colours and boxes, so the answer reads as part of the site. Kept inline: the page must stand
/// alone, with nothing else to fetch on a weak connection.
const STYLE: &str = concat!(
    "*{box-sizing:border-box}",
    "body{margin:0;font-family:-apple-system,\"PingFang SC\",\"Hiragino Sans GB\",\"Microsoft YaHei\",\"Noto Sans CJK SC\",\"Source Han Sans SC\",sans-serif;font-size:18px;line-height:1.75;color:#1a1a1a;background:#fff;overflow-wrap:anywhere}",
    "header{background:#b71c1c;padding:6px 16px}",
    "header a{display:inline-block;color:#fff;text-decoration:none;font-size:16px;padding:8px 0}",
    "main{max-width:760px;margin:0 auto;padding:12px 16px 32px}",
    "h1{font-size:26px;line-height:1.35;margin:12px 0}",
    "h2{font-size:22px;margin:28px 0 8px;border-left:5px solid #b71c1c;padding-left:10px;line-height:1.4}",
    "a{color:#0b4f9c;text-underline-offset:3px}",
    "a:focus-visible{outline:3px solid #ffbf47;outline-offset:2px;box-shadow:0 0 0 5px #000}",
    "dl{display:grid;grid-template-columns:auto 1fr;gap:4px 14px;margin:12px 0}",
    "dt{color:#474747}dd{margin:0;font-weight:bold}",
    ".box{display:block;border:3px solid #1b5e20;border-radius:10px;padding:12px 16px;margin:16px 0;background:#f3faf3}",
    ".box dl{grid-template-columns:1fr}.box dt{font-weight:normal}",
    ".big{font-size:min(30px,6.4vw);font-weight:bold;letter-spacing:1px;line-height:1.3;font-family:ui-monospace,Menlo,Consolas,monospace;font-variant-numeric:tabular-nums;overflow-wrap:normal}",
    ".err{color:#b71c1c;font-weight:bold;border:2px solid #b71c1c;background:#fdecea;border-radius:8px;padding:10px 14px}",
    "textarea{width:100%;font:inherit;min-height:8em;padding:10px;border:2px solid #6b6b6b;border-radius:8px}",
    ".reply{border-left:5px solid #1b5e20;background:#f3faf3;padding:8px 12px;margin:4px 0 16px;white-space:pre-wrap}",
    ".at{margin:12px 0 0;color:#474747;font-size:16px}",
    ".nav a{display:flex;align-items:center;justify-content:center;min-height:52px;margin:10px 0;border:2px solid #b71c1c;border-radius:10px;color:#b71c1c;font-size:20px;font-weight:bold;text-decoration:none}",
    ".nav a.primary{background:#b71c1c;color:#fff}",
    ".note{border:3px solid #1b5e20;border-radius:10px;padding:10px 14px;background:#f3faf3;font-weight:bold}",
    "ol.history{padding-left:1.4em}ol.history li{margin:6px 0}",
    "fieldset{border:2px solid #6b6b6b;border-radius:10px;margin:12px 0;padding:8px 14px}",
    "label.choice{display:flex;align-items:center;gap:10px;min-height:48px;font-size:20px}",
    "label.choice input{width:24px;height:24px}",
    "button{display:block;width:100%;min-height:52px;margin:12px 0;border:0;border-radius:10px;background:#b71c1c;color:#fff;font:inherit;font-size:20px;font-weight:bold}",
    "form label{display:block;font-weight:bold;margin:14px 0 4px}",
    "select,input[type=text],input[type=tel]{width:100%;font:inherit;min-height:48px;padding:6px 10px;border:2px solid #6b6b6b;border-radius:8px;background:#fff}",
    "input[type=radio],input[type=checkbox]{width:24px;height:24px;accent-color:#b71c1c}",
    "@media print{header,.nav{display:none}.box{border-color:#000;background:#fff}}",
);

/// The `Content-Security-Policy` header of every HTML answer: nothing runs, the one inline style
/// is allowed by its hash, forms post only back here. Computed once from [`STYLE`].
pub fn content_security_policy() -> &'static str {
    static POLICY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    POLICY.get_or_init(|| {
        use base64::Engine;
        use sha2::{Digest, Sha256};
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE));
        format!(
            "default-src 'none'; style-src 'sha256-{hash}'; img-src 'self' data:; \
             form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        )
    })
}

/// The page around `main`. The favicon's content-hashed path comes from the manifest the build
/// bundled; a manifest without assets (an older build) gives a page without one.
fn layout(title: &str, manifest: &Manifest, main: &str) -> String {
    let icon = manifest
        .assets
        .get("favicon.svg")
        .map(|href| {
            format!(
                "<link rel=\"icon\" href=\"{}\" type=\"image/svg+xml\">",
                escape(href)
            )
        })
        .unwrap_or_default();
    format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\">{icon}\
         <title>{} - {}</title><style>{STYLE}</style></head><body>\
         <header><a href=\"/\">{}</a></header><main>{main}</main></body></html>",
        escape(title),
        escape(&manifest.title),
        escape(&manifest.title),
    )
}

/// Groups a 16-digit code in fours, as it is easier to read out and write down.
pub fn grouped(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a resident needs to see after filing.
pub struct ReceiptView<'a> {
    pub community_slug: &'a str,
    pub community_name: &'a str,
    pub kind_label: &'a str,
    pub case_id: &'a str,
    pub query_code: &'a str,
    pub status: &'a str,
    pub routed_to: &'a str,
    pub routed_phone: Option<&'a str>,
    pub due_date: &'a str,
    /// The same submission was already received (a double tap or a retry).
    pub repeated: bool,
}

pub fn receipt(manifest: &Manifest, view: &ReceiptView) -> String {
    let mut main = String::new();
    let heading = if view.repeated {
        format!("您的{}已收到（重复提交不会重复登记）", view.kind_label)
    } else {
        format!("您的{}已收到", view.kind_label)
    };
    let _ = write!(
        main,
        "<h1>{}</h1><div class=\"box\"><dl><dt>案件编号</dt><dd class=\"big\">{}</dd>\
         <dt>查询码</dt><dd class=\"big\">{}</dd></dl></div>\
         <p><strong>请抄下或截图保存案件编号和查询码。</strong>凭这两个号码可以在查询页查看办理情况和答复。{}</p><dl><dt>状态</dt><dd>{}</dd><dt>办理单位</dt><dd>{}{}</dd>\
         <dt>答复期限</dt><dd>{} 前</dd></dl>",
        escape(&heading),
        escape(view.case_id),
        escape(&grouped(view.query_code)),
        escape(crate::validate::message::QUERY_CODE_LOST),
        escape(view.status),
        escape(view.routed_to),
        view.routed_phone
            .map(|p| format!("（电话 {}）", tel_link(p)))
            .unwrap_or_default(),
        escape(view.due_date),
    );
    if view.status == crate::table::status::TRANSFERRED {
        let _ = write!(
            main,
            "<p>这件事不属于本社区的受理范围，已转给{}办理。</p>",
            escape(view.routed_to)
        );
    }
    let _ = write!(
        main,
        "<p class=\"nav\"><a class=\"primary\" href=\"/track/\">以后在这里查询办理情况</a>\
         <a href=\"/c/{}/\">返回{}</a></p>",
        escape(view.community_slug),
        escape(view.community_name),
    );
    layout(&heading, manifest, &main)
}

/// An answer that refused the request: the message, the resident's own text kept so it is not
/// lost, and a way back.
pub fn problem(
    manifest: &Manifest,
    title: &str,
    message: &str,
    kept_text: Option<&str>,
    back: (&str, &str),
) -> String {
    let mut main = format!(
        "<h1>{}</h1><p class=\"err\">{}</p>",
        escape(title),
        escape(message)
    );
    if let Some(text) = kept_text.filter(|t| !t.trim().is_empty()) {
        let _ = write!(
            main,
            "<p>您写的内容还在这里，可以复制后返回重新提交：</p><textarea readonly aria-label=\"您写的内容\">{}</textarea>",
            escape(text)
        );
    }
    let _ = write!(
        main,
        "<p class=\"nav\"><a href=\"{}\">{}</a></p>",
        escape(back.0),
        escape(back.1)
    );
    layout(title, manifest, &main)
}

/// What a refused no-JavaScript form post sent, to give it back filled in.
#[derive(Debug, Clone, Default)]
pub struct Refill {
    pub community: String,
    pub kind: String,
    pub category: String,
    pub body: String,
    pub anonymous: bool,
    pub contact_name: String,
    pub contact_phone: String,
    pub record: String,
    /// The field the refusal is about, where its message goes.
    pub field: Option<&'static str>,
}

/// A refused form post (no JavaScript): the message, then the form again, filled with what was
/// sent, the message beside the field it is about, so nothing has to be typed twice.
pub fn refused_form(manifest: &Manifest, title: &str, message: &str, sent: &Refill) -> String {
    let Some(community) = manifest.community(&sent.community) else {
        return problem(
            manifest,
            title,
            message,
            Some(&sent.body),
            ("/", "返回首页"),
        );
    };
    let note = |field: &str| {
        if sent.field == Some(field) {
            format!(
                "<p class=\"err\" id=\"err-{field}\">{}</p>",
                escape(message)
            )
        } else {
            String::new()
        }
    };
    let described = |field: &str| {
        if sent.field == Some(field) {
            format!(" aria-describedby=\"err-{field}\" aria-invalid=\"true\" autofocus")
        } else {
            String::new()
        }
    };
    let mut main = format!(
        "<h1>{}</h1><p class=\"err\" role=\"alert\">{}</p><p>您填的内容都还在，请按提示修改后再提交。</p>\
         <form method=\"post\" action=\"/api/submissions\" accept-charset=\"utf-8\">\
         <input type=\"hidden\" name=\"community\" value=\"{}\">",
        escape(title),
        escape(message),
        escape(&community.slug),
    );
    if !sent.record.is_empty() {
        let _ = write!(
            main,
            "<input type=\"hidden\" name=\"record\" value=\"{}\">",
            escape(&sent.record)
        );
    }
    let _ = write!(main, "<fieldset><legend>您要</legend>{}", note("type"));
    let kinds = [
        SubmissionType::Complaint,
        SubmissionType::Report,
        SubmissionType::Suggestion,
    ];
    let chosen_kind = kinds
        .iter()
        .find(|k| k.as_str() == sent.kind)
        .copied()
        .unwrap_or(SubmissionType::Complaint);
    for kind in kinds {
        let _ = write!(
            main,
            "<label class=\"choice\"><input type=\"radio\" name=\"type\" value=\"{}\"{}> {}</label>",
            kind.as_str(),
            if kind == chosen_kind { " checked" } else { "" },
            kind.label(),
        );
    }
    let _ = write!(
        main,
        "</fieldset><label for=\"category\">事项类别</label>{}<select id=\"category\" name=\"category\" required{}>\
         <option value=\"\">请选择</option>",
        note("category"),
        described("category"),
    );
    for category in &manifest.categories {
        let for_kinds: Vec<&str> = kinds
            .iter()
            .filter(|k| category.allows(**k))
            .map(|k| k.label())
            .collect();
        let _ = write!(
            main,
            "<option value=\"{}\"{}>{}（可用于{}）</option>",
            escape(&category.id),
            if category.id == sent.category {
                " selected"
            } else {
                ""
            },
            escape(&category.name),
            for_kinds.join("、"),
        );
    }
    let _ = write!(
        main,
        "</select><label for=\"body\">具体内容</label>{}<textarea id=\"body\" name=\"body\" required{}>{}</textarea>\
         <fieldset><legend>联系方式（可不填）</legend>\
         <label class=\"choice\"><input type=\"checkbox\" name=\"anonymous\" value=\"on\"{}> 匿名提交（不留姓名和电话）</label>\
         <label for=\"contact_name\">姓名</label>{}<input type=\"text\" id=\"contact_name\" name=\"contact_name\" value=\"{}\" autocomplete=\"name\"{}>\
         <label for=\"contact_phone\">电话</label>{}<input type=\"tel\" id=\"contact_phone\" name=\"contact_phone\" value=\"{}\" autocomplete=\"tel\" inputmode=\"tel\"{}>\
         </fieldset><p class=\"nav\"><button class=\"primary\" type=\"submit\">提交</button></p></form>\
         <p class=\"nav\"><a href=\"/c/{}/\">返回{}</a></p>",
        note("body"),
        described("body"),
        escape(&sent.body),
        if sent.anonymous { " checked" } else { "" },
        note("contact_name"),
        escape(&sent.contact_name),
        described("contact_name"),
        note("contact_phone"),
        escape(&sent.contact_phone),
        described("contact_phone"),
        escape(&community.slug),
        escape(&community.name),
    );
    layout(title, manifest, &main)
}

/// `2026-12-01T11:58:00+08:00` as a resident writes it: `2026-12-01 11:58`. Anything else is
/// shown as it is.
fn readable_time(at: &str) -> String {
    match (at.get(..10), at.get(10..11), at.get(11..16)) {
        (Some(day), Some("T"), Some(time)) => format!("{day} {time}"),
        _ => at.to_string(),
    }
}

/// One public reply.
pub struct ReplyView<'a> {
    pub at: &'a str,
    pub text: &'a str,
}

/// What the track answer shows.
pub struct TrackView<'a> {
    pub case: &'a CaseItem,
    /// The code the resident typed, carried by the rating form so it posts on its own.
    pub query_code: &'a str,
    pub replies: &'a [ReplyView<'a>],
    pub history: &'a [TimelineEvent],
    /// For an objection: the title of the record it names.
    pub record_title: Option<&'a str>,
    /// A line at the top, e.g. that a rating was received.
    pub notice: Option<&'a str>,
}

/// One timeline event in the words a resident reads.
fn history_line(event: &TimelineEvent) -> Option<String> {
    Some(match event.change.as_str() {
        change::STATUS => format!("状态改为：{}", event.value),
        change::REPLY if event.value.trim().is_empty() => return None,
        change::REPLY => "办理单位作出答复".to_string(),
        change::RATING if event.value == rating::UNSATISFIED => "群众不满意，重新办理".to_string(),
        change::RATING => format!("群众评价：{}", event.value),
        change::EXTENSION => format!("办理期限延长至 {}", event.value),
        _ => return None,
    })
}

/// The track answer: where the case is, its deadlines, every reply, the whole history, and
/// once it is closed a rating form that works without JavaScript.
pub fn track(manifest: &Manifest, view: &TrackView) -> String {
    let case = view.case;
    let mut main = String::new();
    if let Some(notice) = view.notice {
        let _ = write!(
            main,
            "<p class=\"note\" role=\"status\">{}</p>",
            escape(notice)
        );
    }
    let _ = write!(
        main,
        "<h1>案件 {}</h1><dl><dt>状态</dt><dd class=\"big\">{}</dd><dt>办理单位</dt><dd>{}</dd>",
        escape(&case.case_id),
        escape(&case.status),
        escape(&case.routed_to),
    );
    if let Some(title) = view.record_title {
        let _ = write!(
            main,
            "<dt>异议事项</dt><dd>{}{}</dd>",
            escape(title),
            if case.late {
                "（公示期后提出，按投诉办理）"
            } else {
                ""
            }
        );
    }
    if !case.accept_due.is_empty() && case.status == status::RECEIVED {
        let _ = write!(
            main,
            "<dt>受理期限</dt><dd>{} 前</dd>",
            escape(&case.accept_due)
        );
    }
    let _ = write!(
        main,
        "<dt>答复期限</dt><dd>{} 前</dd>",
        escape(&case.due_at)
    );
    if let Some(to) = case.extended_to.as_deref().filter(|t| !t.is_empty()) {
        let _ = write!(
            main,
            "<dt>延期至</dt><dd>{} 前</dd><dt>延期原因</dt><dd>{}</dd>",
            escape(to),
            escape(case.extend_reason.as_deref().unwrap_or(""))
        );
    }
    if let Some(given) = case.rating.as_deref().filter(|r| !r.is_empty()) {
        let _ = write!(main, "<dt>您的评价</dt><dd>{}</dd>", escape(given));
    }
    main.push_str("</dl><h2>答复</h2>");
    if view.replies.is_empty() {
        main.push_str("<p>还没有答复。办理单位会在答复期限前答复，请过几天再来查看。</p>");
    }
    for reply in view.replies {
        let _ = write!(
            main,
            "<p class=\"at\">{}</p><div class=\"reply\">{}</div>",
            escape(&readable_time(reply.at)),
            escape(reply.text)
        );
    }
    let lines: Vec<_> = view
        .history
        .iter()
        .filter_map(|e| Some((readable_time(&e.at), history_line(e)?)))
        .collect();
    if !lines.is_empty() {
        main.push_str("<h2>办理经过</h2><ol class=\"history\">");
        for (at, line) in lines {
            let _ = write!(main, "<li>{}　{}</li>", escape(&at), escape(&line));
        }
        main.push_str("</ol>");
    }
    if case.may_be_rated() {
        let _ = write!(
            main,
            "<h2>评价办理结果</h2><form method=\"post\" action=\"/api/feedback\" accept-charset=\"utf-8\">\
             <input type=\"hidden\" name=\"case_id\" value=\"{}\"><input type=\"hidden\" name=\"query_code\" value=\"{}\">\
             <fieldset><legend>您对这次办理满意吗？</legend>",
            escape(&case.case_id),
            escape(view.query_code),
        );
        for value in rating::ALL {
            let _ = write!(
                main,
                "<label class=\"choice\"><input type=\"radio\" name=\"rating\" value=\"{0}\" required> {0}</label>",
                value
            );
        }
        let _ = write!(
            main,
            "</fieldset><p>选“不满意”，这件事会重新办理，并告知{}。</p>\
             <label for=\"comment\">意见（可不填）</label>\
             <textarea id=\"comment\" name=\"comment\" maxlength=\"{}\"></textarea>\
             <button type=\"submit\">提交评价</button></form>",
            escape(&manifest.supervisor.name),
            crate::validate::COMMENT_MAX_CHARS,
        );
    }
    if let Some(phone) = &manifest.supervisor.phone {
        let _ = write!(
            main,
            "<p>对办理有意见，可以致电{}：{}</p>",
            escape(&manifest.supervisor.name),
            tel_link(phone)
        );
    }
    main.push_str(
        "<p class=\"nav\"><a href=\"/track/\">查询其他案件</a><a href=\"/\">返回首页</a></p>",
    );
    layout(&format!("案件 {}", case.case_id), manifest, &main)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_times_read_as_day_and_minute() {
        assert_eq!(
            readable_time("2026-12-01T11:58:00+08:00"),
            "2026-12-01 11:58"
        );
        assert_eq!(readable_time("2026-12-01"), "2026-12-01");
        assert_eq!(readable_time("昨天"), "昨天");
    }

    #[test]
    fn pages_link_the_favicon_the_build_published() {
        let mut manifest: Manifest =
            serde_json::from_str(include_str!("../tests/fixtures/manifest.json")).unwrap();
        let page = problem(&manifest, "出错了", "请重试", None, ("/", "返回"));
        assert!(
            page.contains(r#"<link rel="icon" href="/static/favicon.0123456789ab.svg""#),
            "{page}"
        );
        // A manifest from before assets were hashed: no link to a file that is not there.
        manifest.assets.clear();
        let page = problem(&manifest, "出错了", "请重试", None, ("/", "返回"));
        assert!(!page.contains("rel=\"icon\""), "{page}");
    }
}
