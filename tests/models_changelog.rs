//! The CHANGELOG's unreleased "Models" section names every change of the models' outline.
//!
//! `tests/models_baseline/outline.txt` is `accessgrid::models::outline()` as of the last
//! release (until the first publish: as of the semver baseline, `.ci/semver-baseline`);
//! a release copies the outline there and moves the "Models" entries under its version.
//! Between releases, every endpoint or type whose outline block differs from the baseline
//! (added, removed or changed) must be named in backticks in the "Models" section of
//! `## [Unreleased]`: `` `AccessCard` `` or `` `AccessCard.badge_color` ``.

use std::collections::BTreeMap;

/// The outline's blocks by name: `endpoint issue_card ...` is `issue_card`, a type's
/// header `struct AccessCard (answer)` is `AccessCard`; a block is its header and the
/// indented lines under it.
fn blocks(outline: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in outline.lines() {
        if line.is_empty() || line.starts_with('#') {
            current = None;
        } else if line.starts_with(' ') {
            if let Some(name) = &current {
                let block: &mut String = out.entry(name.clone()).or_default();
                block.push_str(line);
                block.push('\n');
            }
        } else {
            let words: Vec<&str> = line.split_whitespace().collect();
            let name = if words.first() == Some(&"endpoint") {
                words.get(1).copied()
            } else {
                // `<kind words> Name (role)`
                line.split(" (")
                    .next()
                    .and_then(|head| head.split_whitespace().last())
            };
            let name = name.unwrap_or(line).to_owned();
            out.insert(name.clone(), format!("{line}\n"));
            current = Some(name);
        }
    }
    out
}

/// Names whose block was added, removed or changed.
fn changed(baseline: &str, current: &str) -> Vec<String> {
    let (old, new) = (blocks(baseline), blocks(current));
    let mut names: Vec<String> = old
        .keys()
        .chain(new.keys())
        .filter(|n| old.get(*n) != new.get(*n))
        .cloned()
        .collect();
    names.dedup();
    names.sort();
    names.dedup();
    names
}

/// The text of `### Models` under `## [Unreleased]` (empty when there is none).
fn unreleased_models(changelog: &str) -> String {
    let Some(start) = changelog.find("## [Unreleased]") else {
        return String::new();
    };
    let unreleased = &changelog[start + "## [Unreleased]".len()..];
    let unreleased = &unreleased[..unreleased.find("\n## ").unwrap_or(unreleased.len())];
    let Some(models) = unreleased.find("### Models") else {
        return String::new();
    };
    let section = &unreleased[models + "### Models".len()..];
    section[..section.find("\n### ").unwrap_or(section.len())].to_owned()
}

/// The names the section does not mention as `` `Name` `` or `` `Name.field` ``.
fn unmentioned(names: &[String], section: &str) -> Vec<String> {
    names
        .iter()
        .filter(|n| !section.contains(&format!("`{n}`")) && !section.contains(&format!("`{n}.")))
        .cloned()
        .collect()
}

#[test]
fn changelog_names_every_outline_change_since_the_release() {
    let baseline = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/models_baseline/outline.txt"
    ))
    .expect("the released outline");
    let changelog = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/CHANGELOG.md"))
        .expect("CHANGELOG.md");
    let names = changed(&baseline, accessgrid::models::outline());
    let missing = unmentioned(&names, &unreleased_models(&changelog));
    assert!(
        missing.is_empty(),
        "the models changed since the last release (tests/models_baseline/outline.txt), and \
         the CHANGELOG's `## [Unreleased]` / `### Models` section does not name {missing:?} \
         (in backticks: `Type` or `Type.field`)"
    );
}

/// The check itself: a field added to one type, a value to an enum, an endpoint removed,
/// a type added; each is caught until the section names it.
#[test]
fn the_check_catches_each_kind_of_change() {
    let old = "# head\n\n## endpoints\nendpoint get_card GET /v1/key-cards/{card_id}\n  answer: AccessCard\n\
               endpoint gone GET /v1/gone\n  answer: AccessCard\n\n## types\n\
               struct AccessCard (answer)\n  id: String, required\n\
               open enum CardState (answer)\n  \"active\": Active\n\
               struct Same (request)\n  a: Option<String>\n";
    let new = "# head\n\n## endpoints\nendpoint get_card GET /v1/key-cards/{card_id}\n  answer: AccessCard\n\n## types\n\
               struct AccessCard (answer)\n  badge: Option<String>\n  id: String, required\n\
               open enum CardState (answer)\n  \"active\": Active\n  \"lost\": Lost\n\
               struct Fresh (answer)\n  x: Option<u64>\n\
               struct Same (request)\n  a: Option<String>\n";
    let names = changed(old, new);
    assert_eq!(names, ["AccessCard", "CardState", "Fresh", "gone"]);
    let changelog = "# Changelog\n\n## [Unreleased]\n\n### Models\n- `AccessCard.badge`: new.\n\
                     - `CardState`: value `lost`.\n\n### Added\n- `Fresh` and `gone` are named here, not in Models.\n\n\
                     ## [0.1.0]\n### Models\n- `Fresh`, `gone`\n";
    assert_eq!(
        unmentioned(&names, &unreleased_models(changelog)),
        ["Fresh", "gone"]
    );
    assert!(changed(old, old).is_empty());
}
