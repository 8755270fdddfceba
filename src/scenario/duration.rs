//! Human-readable durations for scenario files: parsing text such as `"250ms"`,
//! `"1.5h"` or `"1h30m"` into whole microseconds, and formatting microseconds
//! back into the shortest text that parses to the same value.
//!
//! All arithmetic is done on integers so that the same text gives the same
//! number of microseconds on every machine, and so that decimal fractions such
//! as `"0.1s"` are exact rather than rounded through binary floating point.

/// Microseconds in one second.
pub const US_PER_S: u64 = 1_000_000;

/// The units understood by the parser, each with its length in microseconds.
///
/// The order matters for formatting: larger units come first so that ties in
/// length are resolved in favour of the larger unit.
const UNITS: [(&str, u64); 8] = [
    ("y", 365 * 86_400 * US_PER_S),
    ("w", 7 * 86_400 * US_PER_S),
    ("d", 86_400 * US_PER_S),
    ("h", 3_600 * US_PER_S),
    ("m", 60 * US_PER_S),
    ("s", US_PER_S),
    ("ms", 1_000),
    ("us", 1),
];

/// The most fraction digits accepted after removing trailing zeros.
///
/// Every unit is at most about 3.2e13 us, so a fraction that still has more
/// than 20 significant digits cannot land on a whole microsecond; capping the
/// length also keeps the fraction inside `u128` arithmetic.
const MAX_FRACTION_DIGITS: usize = 20;

/// The most integer digits accepted after removing leading zeros.
///
/// `u64::MAX` has 20 digits, so anything longer overflows whatever the unit;
/// the cap keeps the intermediate value inside `u128`.
const MAX_INTEGER_DIGITS: usize = 20;

fn generic_error(text: &str) -> String {
    format!(
        "expected a duration like \"250ms\", \"5s\", \"4m\", \"2h\" or \"365d\" \
         (units: us, ms, s, m, h, d, w, y), found {text:?}"
    )
}

fn unit_length(unit: &str) -> Option<u64> {
    UNITS
        .iter()
        .find(|(name, _)| *name == unit)
        .map(|&(_, length)| length)
}

/// Parses a human duration into whole microseconds.
///
/// The text is one or more `number unit` parts, optionally separated by
/// whitespace, e.g. `"250ms"`, `"1.5h"`, `"1h30m"` or `"2m 5s"`. The number
/// is a non-negative decimal (`"1.5"`, not `".5"` or `"1."`), and the units
/// are `us`, `ms`, `s`, `m` (minutes), `h`, `d`, `w` (7 days) and `y`
/// (365 days). In compound forms each unit may appear once, largest first,
/// which catches slips such as `"1m1m"` or `"30s1h"`.
///
/// Errors are returned, never panics, for empty text, negative numbers,
/// missing or unknown units, fractions finer than one microsecond, and totals
/// that do not fit in a `u64`.
pub fn parse_duration_us(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(generic_error(text));
    }
    if trimmed.starts_with('-') {
        return Err(format!("a duration cannot be negative, found {trimmed:?}"));
    }

    let bytes = trimmed.as_bytes();
    let mut pos = 0;
    let mut total: u64 = 0;
    // The length of the previous unit, so that compound parts must shrink.
    let mut previous_unit: Option<u64> = None;

    while pos < bytes.len() {
        // Number: integer digits, then optionally '.' and fraction digits.
        let int_start = pos;
        while pos < bytes.len() && bytes[pos].is_ascii_digit() {
            pos += 1;
        }
        let int_digits = &trimmed[int_start..pos];
        if int_digits.is_empty() {
            return Err(generic_error(trimmed));
        }
        let mut frac_digits = "";
        if pos < bytes.len() && bytes[pos] == b'.' {
            pos += 1;
            let frac_start = pos;
            while pos < bytes.len() && bytes[pos].is_ascii_digit() {
                pos += 1;
            }
            frac_digits = &trimmed[frac_start..pos];
            if frac_digits.is_empty() {
                return Err(generic_error(trimmed));
            }
        }

        // Optional whitespace between the number and its unit.
        while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }

        // Unit: a run of ASCII letters, so that "ms" is not read as "m".
        let unit_start = pos;
        while pos < bytes.len() && bytes[pos].is_ascii_alphabetic() {
            pos += 1;
        }
        let unit = &trimmed[unit_start..pos];
        let Some(unit_us) = unit_length(unit) else {
            return Err(generic_error(trimmed));
        };
        if previous_unit.is_some_and(|prev| unit_us >= prev) {
            return Err(format!(
                "in a compound duration each unit may appear once, largest first \
                 (e.g. \"1h30m\"), found {trimmed:?}"
            ));
        }
        previous_unit = Some(unit_us);

        let part = part_value_us(int_digits, frac_digits, unit_us, trimmed)?;
        total = total
            .checked_add(part)
            .ok_or_else(|| too_large_error(trimmed))?;

        // Optional whitespace before the next part.
        while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
    }
    Ok(total)
}

fn too_large_error(text: &str) -> String {
    format!(
        "duration {text:?} is too large (the maximum is {} us, about 584942 years)",
        u64::MAX
    )
}

/// Converts one `int.frac unit` part to microseconds exactly.
fn part_value_us(
    int_digits: &str,
    frac_digits: &str,
    unit_us: u64,
    text: &str,
) -> Result<u64, String> {
    let int_digits = int_digits.trim_start_matches('0');
    if int_digits.len() > MAX_INTEGER_DIGITS {
        return Err(too_large_error(text));
    }
    let frac_digits = frac_digits.trim_end_matches('0');
    if frac_digits.len() > MAX_FRACTION_DIGITS {
        return Err(sub_microsecond_error(text));
    }

    let unit = u128::from(unit_us);
    let int_value = digits_value(int_digits);
    let frac_value = digits_value(frac_digits);
    // At most 20 digits, so 10^len fits comfortably in u128.
    let scale = 10u128.pow(frac_digits.len() as u32);

    // Both products are below 1e20 * 3.2e13 < 2^128, so they cannot overflow.
    let frac_scaled = frac_value * unit;
    if !frac_scaled.is_multiple_of(scale) {
        return Err(sub_microsecond_error(text));
    }
    let value = int_value * unit + frac_scaled / scale;
    u64::try_from(value).map_err(|_| too_large_error(text))
}

fn sub_microsecond_error(text: &str) -> String {
    format!(
        "duration {text:?} has a sub-microsecond fraction; durations are whole \
         microseconds (the smallest unit is 1us)"
    )
}

/// The value of a string of at most 20 ASCII digits.
fn digits_value(digits: &str) -> u128 {
    digits
        .bytes()
        .fold(0u128, |acc, b| acc * 10 + u128::from(b - b'0'))
}

/// Formats microseconds as the shortest text that [`parse_duration_us`] reads
/// back to exactly the same value.
///
/// The rule: build every candidate below, then keep the shortest, taking the
/// earliest candidate in this order when lengths tie:
///
/// 1. a whole number of one unit, largest unit first (`"90m"`, `"2h"`);
/// 2. an exact terminating decimal of one unit, largest unit first
///    (`"2.5s"`, `"1.25d"`);
/// 3. a compound form built greedily from the largest unit down
///    (`"1h1us"`).
///
/// Weeks are never produced, because `"14d"` reads more naturally than `"2w"`
/// and is never longer by more than one character. Zero is `"0s"`. For
/// example 5_400_000_000 us gives `"90m"` rather than `"1.5h"`, because it is
/// one character shorter.
pub fn format_duration_us(us: u64) -> String {
    if us == 0 {
        return "0s".to_string();
    }
    let units = UNITS.iter().filter(|(name, _)| *name != "w");

    let mut best: Option<String> = None;
    let mut consider = |candidate: String| {
        if best.as_ref().is_none_or(|b| candidate.len() < b.len()) {
            best = Some(candidate);
        }
    };

    for &(name, length) in units.clone() {
        if us.is_multiple_of(length) {
            consider(format!("{}{name}", us / length));
        }
    }
    for &(name, length) in units.clone() {
        if !us.is_multiple_of(length)
            && let Some(decimal) = exact_decimal(us, length)
        {
            consider(format!("{decimal}{name}"));
        }
    }
    let mut compound = String::new();
    let mut rest = us;
    for &(name, length) in units {
        if rest >= length {
            compound.push_str(&format!("{}{name}", rest / length));
            rest %= length;
        }
    }
    consider(compound);

    best.unwrap_or_else(|| format!("{us}us"))
}

/// `numerator / denominator` as a terminating decimal, or `None` when the
/// expansion does not terminate within a few dozen digits.
///
/// Every unit's length has at most 13 factors of 2 or 5, so any terminating
/// expansion ends well within the 30-digit limit.
fn exact_decimal(numerator: u64, denominator: u64) -> Option<String> {
    if denominator == 0 {
        return None;
    }
    let mut text = format!("{}.", numerator / denominator);
    let mut rest = u128::from(numerator % denominator);
    let denominator = u128::from(denominator);
    for _ in 0..30 {
        if rest == 0 {
            return Some(text);
        }
        rest *= 10;
        let digit = (rest / denominator) as u8;
        text.push(char::from(b'0' + digit));
        rest %= denominator;
    }
    if rest == 0 { Some(text) } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_simple_units() {
        // Proves each unit's scale: 250ms = 250_000 us, 5s = 5e6 us,
        // 4m = 240e6 us, 2h = 7_200e6 us, 365d = 365*86_400e6 = 31_536e9 us,
        // 1y = the same 31_536e9 us, 1w = 604_800e6 us, 90us = 90 us, 0s = 0.
        assert_eq!(parse_duration_us("250ms"), Ok(250_000));
        assert_eq!(parse_duration_us("5s"), Ok(5_000_000));
        assert_eq!(parse_duration_us("4m"), Ok(240_000_000));
        assert_eq!(parse_duration_us("2h"), Ok(7_200_000_000));
        assert_eq!(parse_duration_us("365d"), Ok(31_536_000_000_000));
        assert_eq!(parse_duration_us("1y"), Ok(31_536_000_000_000));
        assert_eq!(parse_duration_us("1w"), Ok(604_800_000_000));
        assert_eq!(parse_duration_us("90us"), Ok(90));
        assert_eq!(parse_duration_us("0s"), Ok(0));
    }

    #[test]
    fn parses_exact_decimals_and_compounds() {
        // Proves decimals are exact integers: 1.5h = 1.5 * 3_600e6 = 5_400e6 us;
        // 0.1s = 100_000 us; 1.000001s = 1_000_001 us; 1.50s strips the
        // trailing zero = 1_500_000 us. Compounds add: 1h30m = 3_600e6 + 1_800e6
        // = 5_400e6 us; "2m 5s" = 120e6 + 5e6 = 125e6 us; " 5 s " = 5e6 us.
        assert_eq!(parse_duration_us("1.5h"), Ok(5_400_000_000));
        assert_eq!(parse_duration_us("0.1s"), Ok(100_000));
        assert_eq!(parse_duration_us("1.000001s"), Ok(1_000_001));
        assert_eq!(parse_duration_us("1.50s"), Ok(1_500_000));
        assert_eq!(parse_duration_us("1h30m"), Ok(5_400_000_000));
        assert_eq!(parse_duration_us("2m 5s"), Ok(125_000_000));
        assert_eq!(parse_duration_us(" 5 s "), Ok(5_000_000));
        assert_eq!(parse_duration_us("1h 0.5m"), Ok(3_630_000_000));
    }

    #[test]
    fn rejects_bad_input_without_panicking() {
        // Proves every malformed input is an Err (never a panic): empty, blank,
        // negative, missing unit, unknown unit ("sec"), bare dot forms,
        // sub-microsecond (0.5us, 1.0000001s), repeated or ascending units,
        // and overflow (u64::MAX + 1 us, 584943y, 21-digit numbers), plus trailing
        // junk and non-ASCII units or digits.
        let bad = [
            "",
            "   ",
            "-5s",
            "5",
            "5 sec",
            "5x",
            ".5h",
            "1.h",
            "s",
            "0.5us",
            "1.0000001s",
            "1m1m",
            "30s1h",
            "18446744073709551616us",
            "584943y",
            "100000000000000000000000us",
            "1h+30m",
            "1,5h",
            "5s garbage",
            "5µs",
            "５s",
            "1e3s",
        ];
        for text in bad {
            assert!(parse_duration_us(text).is_err(), "{text:?} should fail");
        }
        let message = parse_duration_us("5 sec").unwrap_err();
        assert_eq!(
            message,
            "expected a duration like \"250ms\", \"5s\", \"4m\", \"2h\" or \"365d\" \
             (units: us, ms, s, m, h, d, w, y), found \"5 sec\""
        );
        assert!(
            parse_duration_us("0.5us")
                .unwrap_err()
                .contains("sub-microsecond")
        );
    }

    #[test]
    fn parses_the_largest_value() {
        // Proves the top of the range is reachable: u64::MAX us written in us
        // parses to 18_446_744_073_709_551_615; leading zeros are harmless.
        assert_eq!(parse_duration_us("18446744073709551615us"), Ok(u64::MAX));
        assert_eq!(
            parse_duration_us("0000000000000000000000005s"),
            Ok(5_000_000)
        );
    }

    #[test]
    fn formats_shortest_forms() {
        // Proves the documented rule on hand-worked values: 5_400e6 us is
        // "90m" (3 chars) beating "1.5h" (4); 2_500_000 us is "2.5s" beating
        // "2500ms"; 86_400e6 us is "1d"; 31_536e9 us is "1y"; 604_800e6 us is
        // "7d" (weeks are not produced); 3_600_000_001 us is "1h1us";
        // 0 is "0s"; 1 is "1us"; 1_000 us is "1ms".
        assert_eq!(format_duration_us(5_400_000_000), "90m");
        assert_eq!(format_duration_us(2_500_000), "2.5s");
        assert_eq!(format_duration_us(86_400_000_000), "1d");
        assert_eq!(format_duration_us(31_536_000_000_000), "1y");
        assert_eq!(format_duration_us(604_800_000_000), "7d");
        assert_eq!(format_duration_us(3_600_000_001), "1h1us");
        assert_eq!(format_duration_us(0), "0s");
        assert_eq!(format_duration_us(1), "1us");
        assert_eq!(format_duration_us(1_000), "1ms");
    }

    #[test]
    fn round_trips_pseudo_random_values() {
        // Proves format then parse is the identity for several thousand
        // xorshift64 values spread over all magnitudes (shifted right by
        // 0..63 bits), for multiples of each unit (which exercise the decimal
        // and whole-unit forms), and for the edge values 0, 1 and u64::MAX.
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut values = vec![0, 1, u64::MAX, u64::MAX - 1];
        for i in 0..4_000u64 {
            let raw = next();
            values.push(raw >> (i % 64));
            let (_, unit) = UNITS[(i % UNITS.len() as u64) as usize];
            values.push(((raw >> 40) % 10_000).saturating_mul(unit) / 4);
        }
        for value in values {
            let text = format_duration_us(value);
            assert_eq!(parse_duration_us(&text), Ok(value), "via {text:?}");
        }
    }
}
