//! Reading record kinds: the four built-in kinds in `generator/kinds/` and a site's own
//! `content/kinds/<kind>.yaml`, which adds a kind or replaces one of the same id (and may come with
//! a template `record-<kind>.html`). The schema types are in [`crate::model`].

use std::sync::Arc;

use super::yaml::Doc;
use crate::diagnostics::{Diagnostic, SourceFile};
use crate::model::{ColumnType, KindSchema, Kinds};

const BUILT_IN: [(&str, &str); 4] = [
    (
        "generator/kinds/payouts.yaml",
        include_str!("../../kinds/payouts.yaml"),
    ),
    (
        "generator/kinds/finance.yaml",
        include_str!("../../kinds/finance.yaml"),
    ),
    (
        "generator/kinds/assets.yaml",
        include_str!("../../kinds/assets.yaml"),
    ),
    (
        "generator/kinds/projects.yaml",
        include_str!("../../kinds/projects.yaml"),
    ),
];

/// The built-in kinds, then the site's own files (which win on the same id).
pub(crate) fn load(site_kinds: &[Arc<SourceFile>]) -> (Kinds, Vec<Diagnostic>) {
    let mut kinds = Kinds::default();
    let mut problems = Vec::new();
    let built_in: Vec<Arc<SourceFile>> = BUILT_IN
        .iter()
        .map(|(p, t)| SourceFile::new(*p, *t))
        .collect();
    for file in built_in.iter().chain(site_kinds) {
        match Doc::whole(file).parse::<KindSchema>(&file.text) {
            Ok(mut schema) => {
                schema.source = Some(Arc::clone(file));
                if let Some(problem) = schema_problem(&schema) {
                    problems.push(Diagnostic::error(
                        crate::diagnostics::Span::whole(file),
                        problem,
                    ));
                } else {
                    kinds.by_id.insert(schema.kind.clone(), schema);
                }
            }
            Err(d) => problems.push(d),
        }
    }
    (kinds, problems)
}

fn schema_problem(schema: &KindSchema) -> Option<String> {
    if !super::is_slug(&schema.kind) {
        return Some(format!(
            "kind `{}` must be lowercase ASCII letters, digits and dashes",
            schema.kind
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    for c in &schema.columns {
        if !seen.insert(&c.key) {
            return Some(format!("column `{}` is defined twice", c.key));
        }
        if !c.values.is_empty() && c.ty != ColumnType::Text {
            return Some(format!(
                "column `{}` lists `values` but is not a text column",
                c.key
            ));
        }
        if c.total && c.ty != ColumnType::Money {
            return Some(format!(
                "column `{}` has `total: true` but is not a money column",
                c.key
            ));
        }
    }
    schema
        .one_of
        .iter()
        .find(|k| schema.column(k).is_none())
        .map(|k| format!("`one_of` names `{k}`, which is not a column"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_kinds_load_cleanly() {
        let (kinds, problems) = load(&[]);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(kinds.ids(), ["assets", "finance", "payouts", "projects"]);
        let payouts = kinds.get("payouts").unwrap();
        assert!(payouts.column("name").unwrap().is_person());
        assert_eq!(
            payouts
                .total_columns()
                .map(|c| c.key.as_str())
                .collect::<Vec<_>>(),
            ["amount"]
        );
    }

    #[test]
    fn a_site_can_add_a_kind_with_a_schema_alone() {
        let file = SourceFile::new(
            "content/kinds/decisions.yaml",
            "kind: decisions\nname: 四议两公开\ndescription: 重大事项决策\ncolumns:\n  - key: matter\n    label: 事项\n    type: text\n    required: true\n",
        );
        let (kinds, problems) = load(&[file]);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(kinds.get("decisions").unwrap().name, "四议两公开");
    }

    #[test]
    fn a_broken_kind_file_is_reported_with_its_position() {
        let file = SourceFile::new(
            "content/kinds/x.yaml",
            "kind: x\nname: X\ndescription: d\ncolumns:\n  - key: a\n    label: A\n    type: float\n",
        );
        let (_, problems) = load(&[file]);
        assert_eq!(problems.len(), 1);
        let (path, line, _) = problems[0].location().unwrap();
        assert_eq!((path.as_str(), line), ("content/kinds/x.yaml", 7));
    }
}
