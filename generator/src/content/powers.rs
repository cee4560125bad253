//! `powers/<id>.yaml`: one small power of the 小微权力清单 (the site's in `content/powers/`, a
//! community's own in `content/communities/<slug>/powers/`). Reads the fields with their positions
//! and checks the id and the record kind; the privacy guard reads the text later, in
//! [`checks`](crate::checks).

use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use serde_saphyr::Spanned;

use super::is_slug;
use super::yaml::Doc;
use crate::diagnostics::{Diagnostic, Report, SourceFile, Span};
use crate::model::{Kinds, Power, Step};

type S = Spanned<String>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PowerFile {
    name: S,
    #[serde(default)]
    summary: Option<S>,
    basis: Vec<S>,
    acting_body: S,
    #[serde(default)]
    kind: Option<S>,
    steps: Vec<StepFile>,
    negative_list: Vec<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepFile {
    who: S,
    what: S,
    #[serde(default)]
    time_limit: Option<S>,
    #[serde(default)]
    publish: Option<S>,
}

/// Reads every power file in `dir` (a `powers/` folder; none if it is missing), sorted by id,
/// reporting every mistake.
pub(super) fn load_dir(root: &Path, dir: &Path, kinds: &Kinds, report: &mut Report) -> Vec<Power> {
    let mut powers: Vec<Power> = Vec::new();
    for path in super::files_in(dir, &["yaml", "yml"]) {
        let Some(file) = super::read_source(root, &path, report) else {
            continue;
        };
        let id = super::stem(&path);
        if powers.iter().any(|p| p.id == id) {
            report.push(
                Diagnostic::error(Span::whole(&file), format!("权力事项编号 `{id}` 重复"))
                    .with_help("两个文件只差扩展名（.yaml 和 .yml）：删掉或改名其中一个"),
            );
            continue;
        }
        if let Some(power) = load_power(&file, &id, kinds, report) {
            powers.push(power);
        }
    }
    powers
}

fn load_power(
    file: &Arc<SourceFile>,
    id: &str,
    kinds: &Kinds,
    report: &mut Report,
) -> Option<Power> {
    if !is_slug(id) {
        report.push(
            Diagnostic::error(Span::whole(file), format!("文件名 `{id}` 不能用作权力事项编号"))
                .with_help("文件名只用小写拼音字母、数字和短横线，如 dibao-shenqing.yaml：它就是网址 /quanli/<编号>/ 的一部分"),
        );
        return None;
    }
    let doc = Doc::whole(file);
    let raw: PowerFile = match doc.parse(&file.text) {
        Ok(raw) => raw,
        Err(d) => {
            report.push(d);
            return None;
        }
    };
    let kind = match raw.kind {
        Some(k) => {
            let k = doc.text(k);
            let id = k.value.trim();
            if kinds.get(id).is_none() {
                report.push(
                    Diagnostic::error(k.span.clone(), format!("unknown record kind `{}`", k.value))
                        .with_help(format!(
                            "known kinds: {} (or leave kind out when the power publishes no record)",
                            kinds.ids().join(", ")
                        )),
                );
                None
            } else {
                Some(id.to_string())
            }
        }
        None => None,
    };
    let name = doc.text(raw.name);
    let whole = Span::whole(file);
    if raw.steps.is_empty() {
        report.push(
            Diagnostic::error(whole.clone(), format!("{} 没有写办理流程", name.value))
                .with_help("在 steps: 下面按顺序写每一步：who（谁办）、what（办什么）、time_limit（时限）、publish（公开什么）"),
        );
    }
    if raw.basis.is_empty() {
        report.push(
            Diagnostic::error(whole.clone(), format!("{} 没有写依据", name.value))
                .with_help("在 basis: 下面写法律法规或政策文件的名称，如 《社会救助暂行办法》"),
        );
    }
    let steps = raw
        .steps
        .into_iter()
        .map(|s| Step {
            who: doc.text(s.who),
            what: doc.text(s.what),
            time_limit: s.time_limit.map(|t| doc.text(t)),
            publish: s.publish.map(|t| doc.text(t)),
        })
        .collect();
    Some(Power {
        id: id.to_string(),
        name,
        summary: raw.summary.map(|s| doc.text(s)),
        basis: raw.basis.into_iter().map(|b| doc.text(b)).collect(),
        acting_body: doc.text(raw.acting_body),
        steps,
        kind,
        negative_list: raw.negative_list.into_iter().map(|t| doc.text(t)).collect(),
        span: whole,
    })
}
