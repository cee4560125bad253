//! `manifest.json`: what the function needs to know about the site, written by `ydt build` and
//! bundled beside `bootstrap`. This is the one definition both sides use; the generator fills it
//! from `site.yaml` and the communities, the function reads it at start-up.

use serde::{Deserialize, Serialize};

/// The whole manifest, as written to `public/manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Site title, for the HTML answers of the no-JavaScript form.
    pub title: String,
    /// Public origin of the site, without a trailing slash (`https://ydt.example.cn`).
    pub base_url: String,
    /// The supervising body (纪工委): receives every report (举报).
    pub supervisor: Body,
    /// Working days a handler has to answer a complaint or suggestion that is in scope.
    pub response_days: u32,
    /// Working days a handler has to accept (受理) a case: the first of its two clocks. Never
    /// later than the handling deadline.
    #[serde(default = "default_accept_days")]
    pub accept_days: u32,
    /// Working days a case reopened by a 不满意 rating gets again (二次办理), counted from the
    /// reopening. Zero means `response_days`.
    #[serde(default)]
    pub reopen_days: u32,
    /// Working days a handler has to answer an objection (异议) filed inside a record's 公示期.
    #[serde(default = "default_objection_days")]
    pub objection_days: u32,
    /// Complaint categories, in the order the form lists them.
    pub categories: Vec<Category>,
    /// Every community of the site.
    pub communities: Vec<Community>,
    /// Holidays and make-up workdays, for due dates.
    pub calendar: Calendar,
    /// The theme's static assets: name (`favicon.svg`) → the content-hashed path they are
    /// published under (`/static/favicon.3f2a9c0d1e4b.svg`), for the function's own pages.
    /// Empty in a manifest from before assets were hashed.
    #[serde(default)]
    pub assets: std::collections::BTreeMap<String, String>,
}

/// 信访工作条例: acceptance is decided within 15 days.
fn default_accept_days() -> u32 {
    15
}

fn default_objection_days() -> u32 {
    5
}

/// An office that receives cases: the supervising body, or a body out-of-scope cases go to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Body {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// Whether the site's handlers take a category of case themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Handled by the community's handler.
    Accept,
    /// Passed on to another body (`transfer_to`); the resident is told at once.
    Transfer,
}

/// The kinds of submission a resident can make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SubmissionType {
    /// 投诉
    Complaint,
    /// 举报: always goes to the supervising body.
    Report,
    /// 建议
    Suggestion,
    /// 异议 to one published record, within (or after) its 公示期; filed from the record's own
    /// form, not under a category.
    Objection,
}

impl SubmissionType {
    /// The types a category may be offered for (the main form's three choices).
    pub const ALL: [SubmissionType; 3] = [Self::Complaint, Self::Report, Self::Suggestion];

    /// Every type the API takes.
    pub const ANY: [SubmissionType; 4] = [
        Self::Complaint,
        Self::Report,
        Self::Suggestion,
        Self::Objection,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Complaint => "complaint",
            Self::Report => "report",
            Self::Suggestion => "suggestion",
            Self::Objection => "objection",
        }
    }

    /// The word residents know it by.
    pub fn label(self) -> &'static str {
        match self {
            Self::Complaint => "投诉",
            Self::Report => "举报",
            Self::Suggestion => "建议",
            Self::Objection => "异议",
        }
    }
}

/// A complaint category with its scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    /// Stable ASCII id, the form's `category` value.
    pub id: String,
    /// What residents read, e.g. 补贴发放.
    pub name: String,
    pub scope: Scope,
    /// For `Scope::Transfer`: the body the case goes to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer_to: Option<Body>,
    /// Submission types this category is offered for; empty means all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<SubmissionType>,
}

impl Category {
    /// Whether a resident may file this category under `kind`.
    pub(crate) fn allows(&self, kind: SubmissionType) -> bool {
        self.types.is_empty() || self.types.contains(&kind)
    }
}

/// A community, as the function needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Community {
    /// Lowercase ASCII slug, as in `/c/<slug>/`.
    pub slug: String,
    /// Chinese name, e.g. 翠竹园社区.
    pub name: String,
    pub street: String,
    pub district: String,
    /// Who handles in-scope complaints and suggestions (the case's `routed_to`).
    pub handler: Body,
    /// QR placement ids (`?from=<placement>`), for visit counts.
    #[serde(default)]
    pub placements: Vec<String>,
    /// The community's published records, which objections (异议) name.
    #[serde(default)]
    pub records: Vec<RecordRef>,
}

/// A published record, as an objection names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordRef {
    /// The record's id, as in `/c/<slug>/<record-id>/`.
    pub id: String,
    pub title: String,
    /// The last day of its 公示期 (`YYYY-MM-DD`): an objection filed after it is still taken,
    /// marked late and handled in the time of a complaint. `None`: the record has no 公示期.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objection_until: Option<String>,
}

impl Community {
    pub(crate) fn record(&self, id: &str) -> Option<&RecordRef> {
        self.records.iter().find(|r| r.id == id)
    }
}

/// Holidays and make-up workdays (调休上班), as `YYYY-MM-DD` in Asia/Shanghai.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Calendar {
    #[serde(default)]
    pub holidays: Vec<String>,
    #[serde(default)]
    pub workdays: Vec<String>,
}

impl Manifest {
    /// Working days of a reopened case's second round (二次办理).
    pub fn reopen_days(&self) -> u32 {
        if self.reopen_days == 0 {
            self.response_days
        } else {
            self.reopen_days
        }
    }

    pub(crate) fn community(&self, slug: &str) -> Option<&Community> {
        self.communities.iter().find(|c| c.slug == slug)
    }

    pub(crate) fn category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }
}
