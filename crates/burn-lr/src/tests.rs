//! Checks of the documentation: the schedule table, the links, the guide's
//! pages.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The README and every guide page.
fn documents() -> Vec<PathBuf> {
    let mut docs = vec![root().join("README.md")];
    let mut guide: Vec<PathBuf> = std::fs::read_dir(root().join("docs/guide"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    guide.sort();
    docs.extend(guide);
    docs
}

/// A schedule added to the library must be listed in the guide's table.
#[test]
fn the_guide_lists_every_schedule() {
    let page = include_str!("../../../docs/guide/schedules.md");
    let missing: Vec<&str> = crate::Schedule::NAMES
        .iter()
        .copied()
        .filter(|name| !page.contains(&format!("| `{name}` |")))
        .collect();
    assert!(missing.is_empty(), "not in the guide's table: {missing:?}");
}

/// GitHub's anchor of a heading: lower case, spaces to `-`, punctuation dropped.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors of a markdown file's headings (outside code blocks).
fn anchors(text: &str) -> Vec<String> {
    let mut fenced = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
        } else if !fenced && line.starts_with('#') {
            out.push(anchor(line.trim_start_matches('#')));
        }
    }
    out
}

/// The targets of a markdown file's inline links and images (outside code).
fn links(text: &str) -> Vec<String> {
    let mut fenced = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            rest = &rest[at + 2..];
            if let Some(end) = rest.find(')') {
                out.push(rest[..end].to_string());
                rest = &rest[end..];
            }
        }
    }
    out
}

/// Every relative link of the README and the guide names a file that exists
/// and, with a `#fragment`, a heading of it.
#[test]
fn every_link_of_the_readme_and_the_guide_resolves() {
    let mut broken = Vec::new();
    for doc in documents() {
        let text = std::fs::read_to_string(&doc).unwrap();
        let name = doc
            .strip_prefix(root())
            .unwrap_or(&doc)
            .display()
            .to_string();
        for link in links(&text) {
            if link.starts_with("http://") || link.starts_with("https://") {
                continue;
            }
            let (file, fragment) = link.split_once('#').unwrap_or((&link, ""));
            let target = if file.is_empty() {
                doc.clone()
            } else {
                doc.parent().unwrap().join(file)
            };
            if !target.exists() {
                broken.push(format!("{name}: {link} (no file)"));
                continue;
            }
            if !fragment.is_empty() {
                let target_text = std::fs::read_to_string(&target).unwrap_or_default();
                if !anchors(&target_text).iter().any(|a| a == fragment) {
                    broken.push(format!("{name}: {link} (no heading)"));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

/// The README stays a front page.
#[test]
fn the_readme_is_a_front_page() {
    let lines = include_str!("../../../README.md").lines().count();
    assert!(
        lines <= 250,
        "README.md has {lines} lines: move detail into docs/guide/"
    );
}

/// The names of the `pub use` statements in `source` (a name per item, the
/// last path segment or the alias).
fn reexports(source: &str) -> Vec<String> {
    let mut names = Vec::new();
    for statement in source.split("pub use ").skip(1) {
        let statement = &statement[..statement.find(';').unwrap_or(statement.len())];
        let items = match (statement.find('{'), statement.rfind('}')) {
            (Some(open), Some(close)) => &statement[open + 1..close],
            _ => statement.rsplit("::").next().unwrap_or(statement),
        };
        names.extend(
            items
                .split(',')
                .map(|item| item.split(" as ").last().unwrap_or(item).trim().to_string())
                .filter(|item| !item.is_empty()),
        );
    }
    names
}

/// The facade's surface is listed, not globbed, and its size is the one the
/// README states.
#[test]
fn the_facade_root_and_prelude_are_counted() {
    let source = include_str!("lib.rs");
    let code: String = source
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        !code.contains("::*"),
        "a glob re-export in the facade: list the names"
    );
    let root = &code[..code.find("pub mod ").unwrap()];
    let prelude_start = code.find("pub mod prelude {").unwrap();
    let prelude = &code[prelude_start..prelude_start + code[prelude_start..].find("\n}").unwrap()];
    let (root, prelude) = (reexports(root), reexports(prelude));
    assert!(
        prelude.len() <= 40,
        "{} names in the prelude: {prelude:?}",
        prelude.len()
    );
    let stated = format!(
        "The facade's root re-exports {} names and its prelude {}",
        root.len(),
        prelude.len()
    );
    let readme = include_str!("../../../README.md");
    assert!(readme.contains(&stated), "the README should say: {stated}");
}
