//! Machine-readable indexes: an Atom feed per community and the sitemap (an index of child
//! sitemaps once past 50,000 URLs). Dates come from the content, never from the clock, so the
//! same content gives the same bytes.

use ydt_function::html::{escape, escape_into};

use crate::model::{Community, Site};
use ydt_function::clock::Date;

/// Atom feed of a community's records and notices, newest first.
pub(crate) fn atom(site: &Site, community: &Community, base_url: &str) -> Vec<u8> {
    struct Entry {
        title: String,
        path: String,
        date: Date,
        summary: String,
    }
    let mut entries: Vec<Entry> = community
        .records
        .iter()
        .map(|r| Entry {
            title: r.title.value.clone(),
            path: format!("/c/{}/{}/", community.slug, r.id),
            date: r.published,
            summary: r.summary.as_ref().map_or_else(
                || format!("{}，共{}条", r.title.value, r.rows.len()),
                |s| s.value.clone(),
            ),
        })
        .chain(community.notices.iter().map(|n| {
            Entry {
                title: n.title.value.clone(),
                path: format!("/c/{}/notices/{}/", community.slug, n.id),
                date: n.date,
                summary: n
                    .summary
                    .as_ref()
                    .map_or_else(|| n.title.value.clone(), |s| s.value.clone()),
            }
        }))
        .collect();
    entries.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.path.cmp(&b.path)));
    let updated = entries
        .first()
        .map_or_else(|| "1970-01-01".to_string(), |e| e.date.to_string());
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"zh-CN\">\n",
    );
    let home = format!("{base_url}/c/{}/", community.slug);
    xml.push_str(&format!(
        "  <title>{} · {}</title>\n  <id>{}</id>\n  <link href=\"{}\"/>\n  <link rel=\"self\" href=\"{}feed.xml\"/>\n  <updated>{updated}T00:00:00+08:00</updated>\n  <author><name>{}</name></author>\n",
        escape(&community.name.value),
        escape(&site.config.title.value),
        escape(&home),
        escape(&home),
        escape(&home),
        escape(&community.handler.name),
    ));
    for e in entries {
        let url = format!("{base_url}{}", e.path);
        xml.push_str(&format!(
            "  <entry>\n    <title>{}</title>\n    <id>{}</id>\n    <link href=\"{}\"/>\n    <updated>{}T00:00:00+08:00</updated>\n    <summary>{}</summary>\n  </entry>\n",
            escape(&e.title),
            escape(&url),
            escape(&url),
            e.date,
            escape(&e.summary)
        ));
    }
    xml.push_str("</feed>\n");
    xml.into_bytes()
}

/// The largest number of URLs one sitemap file may hold.
pub(crate) const SITEMAP_LIMIT: usize = 50_000;

/// `sitemap.xml`, and `sitemap-N.xml` children when there are more URLs than one file may hold.
pub(crate) fn sitemaps(site: &Site, base_url: &str) -> Vec<(String, Vec<u8>)> {
    let mut urls: Vec<(String, Option<Date>)> = vec![
        ("/".into(), None),
        ("/track/".into(), None),
        ("/help/".into(), None),
        ("/data/".into(), None),
        ("/quanli/".into(), None),
    ];
    urls.extend(
        site.powers
            .iter()
            .map(|p| (format!("/quanli/{}/", p.id), None)),
    );
    for c in &site.communities {
        let latest = c
            .records
            .iter()
            .map(|r| r.published)
            .chain(c.notices.iter().map(|n| n.date))
            .max();
        urls.push((format!("/c/{}/", c.slug), latest));
        urls.push((format!("/c/{}/jiandu/", c.slug), None));
        urls.extend(
            c.powers
                .iter()
                .map(|p| (format!("/c/{}/quanli/{}/", c.slug, p.id), None)),
        );
        urls.push((
            format!("/c/{}/notices/", c.slug),
            c.notices.iter().map(|n| n.date).max(),
        ));
        urls.extend(
            c.records
                .iter()
                .map(|r| (format!("/c/{}/{}/", c.slug, r.id), Some(r.published))),
        );
        urls.extend(
            c.notices
                .iter()
                .map(|n| (format!("/c/{}/notices/{}/", c.slug, n.id), Some(n.date))),
        );
    }
    split_sitemaps(&urls, base_url, SITEMAP_LIMIT)
}

pub(crate) fn split_sitemaps(
    urls: &[(String, Option<Date>)],
    base_url: &str,
    limit: usize,
) -> Vec<(String, Vec<u8>)> {
    // A city's sitemap has a hundred thousand entries and is written again after every save in
    // `ydt serve`: appended in place, the base escaped once.
    let base = escape(base_url);
    let urlset = |chunk: &[(String, Option<Date>)]| {
        let mut xml = String::with_capacity(160 + chunk.len() * (base.len() + 64));
        xml.push_str(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for (path, date) in chunk {
            xml.push_str("<url><loc>");
            xml.push_str(&base);
            escape_into(&mut xml, path);
            xml.push_str("</loc>");
            if let Some(d) = date {
                use std::fmt::Write;
                let _ = write!(xml, "<lastmod>{d}</lastmod>");
            }
            xml.push_str("</url>\n");
        }
        xml.push_str("</urlset>\n");
        xml.into_bytes()
    };
    if urls.len() <= limit {
        return vec![("sitemap.xml".into(), urlset(urls))];
    }
    let mut files = Vec::new();
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (i, chunk) in urls.chunks(limit).enumerate() {
        let name = format!("sitemap-{}.xml", i + 1);
        index.push_str(&format!(
            "<sitemap><loc>{}</loc></sitemap>\n",
            escape(&format!("{base_url}/{name}"))
        ));
        files.push((name, urlset(chunk)));
    }
    index.push_str("</sitemapindex>\n");
    files.insert(0, ("sitemap.xml".into(), index.into_bytes()));
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_the_limit_the_sitemap_becomes_an_index() {
        let urls: Vec<(String, Option<Date>)> = (0..5).map(|i| (format!("/p{i}/"), None)).collect();
        let files = split_sitemaps(&urls, "https://x.cn", 2);
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "sitemap.xml",
                "sitemap-1.xml",
                "sitemap-2.xml",
                "sitemap-3.xml"
            ]
        );
        let index = String::from_utf8(files[0].1.clone()).unwrap();
        assert!(index.contains("<sitemapindex") && index.contains("https://x.cn/sitemap-3.xml"));
        let last = String::from_utf8(files[3].1.clone()).unwrap();
        assert!(last.contains("https://x.cn/p4/") && !last.contains("/p3/"));
        let single = split_sitemaps(&urls, "https://x.cn", 5);
        assert_eq!(single.len(), 1);
        assert!(
            String::from_utf8(single[0].1.clone())
                .unwrap()
                .contains("<urlset")
        );
    }
}
