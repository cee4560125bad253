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

#[cfg(test)]
mod tests {
    use super::*;

    /// Loads the given power files from a folder of their own, with the built-in kinds.
    fn load(files: &[(&str, &str)]) -> (Vec<Power>, Report) {
        let dir =
            std::env::temp_dir().join(format!("ydt-powers-{}-{}", std::process::id(), files[0].0));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in files {
            std::fs::write(dir.join(name), text).unwrap();
        }
        let (kinds, _) = crate::content::kinds::load(&[]);
        let mut report = Report::default();
        let powers = load_dir(&dir, &dir, &kinds, &mut report);
        std::fs::remove_dir_all(&dir).unwrap();
        (powers, report)
    }

    const POWER: &str = "name: 印章使用\nbasis: [《中华人民共和国村民委员会组织法》]\nacting_body: 社区居委会\nsteps:\n  - who: 申请人\n    what: 填写用印申请单\n  - who: 主任\n    what: 审核\n    time_limit: 当日\nnegative_list: [不准在空白纸上盖章]\n";

    #[test]
    fn a_power_keeps_its_steps_in_order_and_its_kind_may_be_left_out() {
        let (powers, report) = load(&[("yinzhang.yaml", POWER)]);
        assert!(!report.has_errors(), "{:?}", report.diagnostics);
        let p = &powers[0];
        assert_eq!(p.id, "yinzhang");
        assert_eq!(p.kind, None);
        let whats: Vec<&str> = p.steps.iter().map(|s| s.what.as_str()).collect();
        assert_eq!(whats, ["填写用印申请单", "审核"]);
        assert_eq!(p.steps[1].time_limit.as_ref().unwrap().as_str(), "当日");
    }

    #[test]
    fn a_power_without_steps_or_basis_is_refused() {
        let steps = POWER
            .split_once("steps:\n")
            .and_then(|(_, rest)| rest.split_once("negative_list"))
            .map(|(steps, _)| steps)
            .unwrap();
        let empty = POWER
            .replace("basis: [《中华人民共和国村民委员会组织法》]", "basis: []")
            .replace(&format!("steps:\n{steps}"), "steps: []\n");
        let (_, report) = load(&[("empty.yaml", &empty)]);
        let messages: Vec<&str> = report
            .diagnostics
            .iter()
            .map(|d| d.message.as_str())
            .collect();
        assert!(
            messages.iter().any(|m| m.contains("没有写办理流程")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.contains("没有写依据")),
            "{messages:?}"
        );
    }
}
