//! "Did you mean" suggestions for misspelt names in scenario files, such as
//! `unknown field `reboot_concurency`; did you mean `reboot_concurrency`?`.
//!
//! The candidates are the schema's: a field path for `--set` ([`nearest_path`]), and
//! for a model file the names serde allows where the mistake is (which a schema test
//! proves are the schema's fields, variants and parameters).

/// The settable path closest to `path`, if it is a plausible typo of one.
pub fn nearest_path(path: &str) -> Option<String> {
    let paths = super::schema::settable_paths();
    let candidates: Vec<&str> = paths.iter().map(String::as_str).collect();
    nearest(path, &candidates).map(str::to_string)
}

/// How many paths an unknown path's message lists: the nearest, not all of them.
pub const LISTED_PATHS: usize = 10;

/// The `n` settable paths nearest to `path` by Levenshtein distance, nearest first
/// (ties in the schema's order), for a message that cannot list them all.
pub fn nearest_paths(path: &str, n: usize) -> Vec<String> {
    let mut paths: Vec<(usize, String)> = super::schema::settable_paths()
        .into_iter()
        .map(|p| (strsim::levenshtein(path, &p), p))
        .collect();
    // Stable: equal distances keep the schema's order.
    paths.sort_by_key(|(d, _)| *d);
    paths.into_iter().take(n).map(|(_, p)| p).collect()
}

/// What an unknown path's message ends with: the nearest settable paths and where to
/// see every one.
pub fn paths_hint(path: &str) -> String {
    let all = super::schema::settable_paths().len();
    format!(
        "Nearest settable paths: {} ({LISTED_PATHS} of {all}; `bigvsim validate --list-paths` lists them all).",
        nearest_paths(path, LISTED_PATHS).join(", ")
    )
}

/// Names renamed since an earlier version, (old, new): a model or a `--set` written
/// for that version is pointed at the new name, however far apart the two are.
/// `boot_slowdown_per_concurrent_boot` became the site-wide half of a contention
/// split into per-head and site-wide parts.
const RENAMED: &[(&str, &str)] = &[(
    "boot_slowdown_per_concurrent_boot",
    "boot_slowdown_per_boot_on_site",
)];

/// The candidate closest to `word` by Levenshtein distance (`strsim`'s, which counts
/// characters), if it is close
/// enough to be a plausible typo; a renamed name (whole, or ending a path) gets its
/// new name when that is a candidate.
///
/// "Close enough" means a distance of at most `max(2, len / 3)`, where `len`
/// is the number of characters in `word`, so short words tolerate two edits
/// and long ones proportionally more. Ties go to the earlier candidate, which
/// keeps the answer deterministic. Distances count characters, not bytes.
pub fn nearest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    for (old, new) in RENAMED {
        if let Some(prefix) = word.strip_suffix(old)
            && let Some(c) = candidates
                .iter()
                .find(|c| c.strip_suffix(new) == Some(prefix))
        {
            return Some(c);
        }
    }
    let limit = (word.chars().count() / 3).max(2);
    let mut best: Option<(usize, &'a str)> = None;
    for &candidate in candidates {
        let distance = strsim::levenshtein(word, candidate);
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The brain's field names, from the schema.
    fn brain_fields() -> Vec<&'static str> {
        let brain = crate::scenario::schema::field("brain").expect("a section");
        brain.children().map(|f| f.name()).collect()
    }

    #[test]
    fn lists_the_ten_nearest_paths_nearest_first() {
        // `brain.reboot_concurency` is one edit from `brain.reboot_concurrency`, which
        // comes first; ten paths are listed, each no farther than the next.
        let near = nearest_paths("brain.reboot_concurency", LISTED_PATHS);
        assert_eq!(near.len(), 10);
        assert_eq!(near[0], "brain.reboot_concurrency");
        let d: Vec<usize> = near
            .iter()
            .map(|p| strsim::levenshtein("brain.reboot_concurency", p))
            .collect();
        assert!(d.windows(2).all(|w| w[0] <= w[1]), "{d:?}");
        let hint = paths_hint("brain.reboot_concurency");
        assert!(hint.len() < 600, "{hint}");
        assert!(hint.contains("validate --list-paths"), "{hint}");
    }

    #[test]
    fn computes_edit_distances() {
        // Proves the distance itself on textbook pairs: kitten → sitting is 3
        // (two substitutions, one insertion); "" → "abc" is 3; equal words 0;
        // "é" vs "e" is 1 because characters, not bytes, are compared.
        use strsim::levenshtein;
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("abc", ""), 3);
        assert_eq!(levenshtein("same", "same"), 0);
        assert_eq!(levenshtein("é", "e"), 1);
        // The limit counts characters too: 9 of them (18 bytes) allow 3 edits, not 6.
        assert_eq!(nearest("ééééééééé", &["ééééé"]), None);
        assert_eq!(nearest("ééééééééé", &["éééééé"]), Some("éééééé"));
    }

    #[test]
    fn suggests_the_intended_field() {
        // Proves the motivating case: `reboot_concurency` is one insertion
        // from `reboot_concurrency` (limit max(2, 17/3 = 5) = 5), and
        // `boot_tme` is one from `boot_time`; an exact name is distance 0.
        let fields = brain_fields();
        assert_eq!(
            nearest("reboot_concurency", &fields),
            Some("reboot_concurrency")
        );
        assert_eq!(nearest("boot_tme", &fields), Some("boot_time"));
        assert_eq!(nearest("queue_policy", &fields), Some("queue_policy"));
        // A whole path: one letter missing from the settable path.
        assert_eq!(
            nearest_path("brain.reboot_concurency").as_deref(),
            Some("brain.reboot_concurrency")
        );
        assert_eq!(
            nearest_path("site.vms_per_hed").as_deref(),
            Some("site.vms_per_head")
        );
        // A path below a field.
        assert_eq!(
            nearest_path("brain.boot_tme.mean").as_deref(),
            Some("brain.boot_time.mean")
        );
    }

    #[test]
    fn refuses_distant_words() {
        // Proves the threshold: "horizon" (7 chars, limit 2) is at least 6
        // edits from every field, so None; "ab" vs "xyz" is distance 3 > 2,
        // so None; "abcd" vs "abxy" is 2 ≤ 2, so it is suggested; no
        // candidates gives None.
        assert_eq!(nearest("horizon", &brain_fields()), None);
        assert_eq!(nearest("ab", &["xyz"]), None);
        assert_eq!(nearest("abcd", &["abxy"]), Some("abxy"));
        assert_eq!(nearest("anything", &[]), None);
    }

    #[test]
    fn points_a_renamed_field_at_its_new_name() {
        // Proves the rename table: the old contention field is 12 edits from both new
        // names, beyond the typo limit of 11 (33 characters / 3), yet both the bare
        // name and the path are pointed at the site-wide field, not the per-head one.
        let fields = brain_fields();
        assert_eq!(
            nearest("boot_slowdown_per_concurrent_boot", &fields),
            Some("boot_slowdown_per_boot_on_site")
        );
        assert_eq!(
            nearest_path("brain.boot_slowdown_per_concurrent_boot").as_deref(),
            Some("brain.boot_slowdown_per_boot_on_site")
        );
    }

    #[test]
    fn breaks_ties_by_candidate_order() {
        // Proves ties go to the earlier candidate: "cat" is distance 1 from
        // both "bat" and "cut", so whichever is listed first wins.
        assert_eq!(nearest("cat", &["bat", "cut"]), Some("bat"));
        assert_eq!(nearest("cat", &["cut", "bat"]), Some("cut"));
    }
}
