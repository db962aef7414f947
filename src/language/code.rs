//! The registry of diagnostic codes: every code the parser and checker can emit, with its
//! severity and meaning. `docs/language.md` shows the table generated from it
//! ([`Code::table`]); a test fails when the two differ, so neither can drift.

use crate::language::diagnostic::Severity;

macro_rules! codes {
    ($($code:ident $meaning:literal,)*) => {
        /// A stable diagnostic code: `E…` for errors (the contract does not load), `W…` for
        /// warnings. New codes may be added, so matches need a wildcard arm.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Code {
            $(#[doc = $meaning] $code,)*
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$code,)*];

            /// The code as written in diagnostics and docs: `E0101`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$code => stringify!($code),)*
                }
            }

            /// What the code means, in one line (the docs' table).
            pub fn meaning(self) -> &'static str {
                match self {
                    $(Code::$code => $meaning,)*
                }
            }
        }
    };
}

codes! {
    E0001 "syntax error: unexpected token",
    E0002 "invalid literal (a date such as `2026-02-30`, a time such as `25:00`, a number out of range, a bad escape)",
    E0100 "a required contract statement is missing (`timezone`, `term`, `currency` when a fee is given)",
    E0101 "unknown time zone (not an IANA name)",
    E0102 "a contract-level statement is given twice",
    E0103 "the term ends before it starts",
    E0104 "unknown period (expected `month`, `quarter` or `year`)",
    E0105 "invalid `round` (expected `value` or `score`, and 0 to 10 places)",
    E0110 "duplicate calendar name",
    E0111 "unknown weekday (expected `mon` .. `sun`)",
    E0112 "weekday range wraps around the week",
    E0113 "working interval is empty, inverted or ends after 24:00",
    E0114 "two working intervals of one day overlap",
    E0115 "`hours 24x7` combined with other hours",
    E0116 "unknown holiday table",
    E0117 "a holiday table has no data for a year of the term",
    E0118 "holiday range ends before it starts",
    E0119 "unknown calendar",
    E0120 "calendar has no working hours",
    E0121 "calendar cannot be built",
    E0122 "a calendar is named `business`, which clocks reserve for the product's calendar",
    E0130 "duplicate party",
    E0131 "unknown party role (expected `client`, `prime`, `sub` or `third`)",
    E0132 "fee currency differs from the contract currency",
    E0133 "fee period differs from the contract period",
    E0134 "product pattern matches no product",
    E0135 "unknown party",
    E0136 "invalid fee amount (negative or with a unit)",
    E0140 "duplicate catalog id (category, subcategory or product)",
    E0141 "product has no calendar (neither its own nor inherited)",
    E0150 "duplicate event kind",
    E0151 "duplicate attribute of an event kind",
    E0152 "unknown event kind (or subject)",
    E0153 "unknown attribute",
    E0154 "unsupported unit for a `number` attribute (expected `ms`, `s` or `%`)",
    E0155 "duplicate value in an enum attribute",
    E0156 "invalid attribute range (bounds not in the attribute's unit, not whole for `integer`, or min above max)",
    E0157 "a range on a type that takes none (`text`, `bool`, `time`, an enum)",
    E0160 "duplicate subject",
    E0161 "`anchor ... at ATTR` names an attribute that is not a `time`",
    E0162 "unknown subject",
    E0163 "duplicate flag of a subject",
    E0164 "`lasts from A until B`: A or B is not a `time` attribute of the anchor kind",
    E0165 "a subject has two `lasts`",
    E0170 "duplicate indicator",
    E0171 "unknown level (expected `system`, `process` or `role`)",
    E0172 "weight is not positive",
    E0173 "an indicator lacks a required statement (`level`, `weight` or `report only`, `value`, `target`, `score`)",
    E0174 "a statement is given twice in an indicator, clock or override",
    E0175 "`rate(met)` without a `clock`",
    E0176 "`clock` without `value rate(met)`",
    E0177 "unknown value function",
    E0178 "wrong arguments to a value function",
    E0179 "attribute of the wrong type for this use",
    E0180 "deadline table does not cover every value of the enum",
    E0181 "value not in the attribute's enum",
    E0182 "clock lacks `stop` or `deadline`",
    E0183 "invalid duration (needs a unit `s`, `m`, `h`, `d`; whole seconds; positive)",
    E0184 "unit mismatch",
    E0185 "literal of the wrong type in a condition, or an operator the type does not support",
    E0186 "bare condition that is neither a flag (where a subject is known) nor a `bool` attribute",
    E0187 "invalid linear scoring (exactly two points with different values)",
    E0188 "score outside 0 ..= 100",
    E0189 "invalid deduction (`points` and `per` must be positive, `cap` within 0 ..= 100)",
    E0190 "percentile outside (0, 100]",
    E0191 "duplicate key in a deadline table",
    E0192 "unknown indicator",
    E0193 "`score deduct` on a share the target wants high, or a plain `per 1` on a share",
    E0194 "a date in a condition (conditions cannot compare dates or times)",
    E0195 "`report only` together with `weight`",
    E0199 "internal checker error (a bug; please report it)",
    E0200 "a party assesses itself",
    E0201 "`scope covered` for a party that covers no product",
    E0202 "duplicate override of one indicator",
    E0203 "duplicate assessment (same assessor and assessee)",
    E0210 "payment bands leave a gap in scores 0 ..= 100",
    E0211 "payment bands overlap",
    E0212 "payment share is not a percentage within 0% ..= 100%",
    E0213 "invalid payment band (bounds outside 0 ..= 100, empty, or an unsupported comparison)",
    E0214 "`cap deduction` outside (0%, 100%]",
    E0220 "invalid `rollup` (`floor` above `ceiling`, `start` outside them, or a unit on a number)",
    E0221 "a points rule (`deduct ...`, `bonus ...`) where scores roll up weighted",
    E0222 "`weight` or `score` on an indicator of a points roll-up",
    E0223 "a points rule that does not fit the value (`per ... clock` without a clock, `each` on a value that is not a count, `below target` with an upper target, `above target` with a lower one)",
    E0224 "a points rule reads a target the indicator does not have",
    E0225 "invalid points, step or cap (not a positive number, a unit on points, a step in another unit than the value, or two caps)",
    E0226 "`cap N per SUBJECT` on a rule that does not count that subject's clocks one by one (only `per started D late` does)",
    E0230 "an interval measure (`availability`, `downtime`, `mttr`) of a subject without `lasts`",
    E0231 "`excluding` a subject without `lasts from ... until ...`, or with a condition other than `notice OP DURATION`, or outside `availability`/`downtime`",
    E0240 "`follow KIND`: the kind has no attribute of the deadline attribute's name",
    E0241 "`follow KIND`: its attribute has another type than the anchor's (other enum values)",
    E0245 "`waive on KIND` without `indicator from ATTR`",
    E0246 "a waiver's `indicator from` attribute is not an enum of indicator ids",
    E0247 "a waiver's `reason from` or `approver from` attribute is not text",
    E0260 "invalid period flag (an unknown level, a bound that is not a score from 0 to 100, a run that is not a whole number from 1 to 12)",
    E0261 "duplicate period flag",
    W0100 "make-up working day (`workday`) that is not a Saturday or Sunday",
    W0101 "the contract has parties but none with role `prime`",
    W0102 "a product is covered by two subcontractors (ambiguous back-to-back)",
    W0103 "indicator weights do not sum to 100",
    W0104 "the contract has no `assess` (an evaluation scores nobody)",
    W0105 "a cap that can never bind (at or above the most points the rule can give)",
    W0106 "a waiver value names an indicator without a clock (such a waiver changes nothing)",
}

impl Code {
    /// `Error` for `E…` codes, `Warning` for `W…`.
    pub fn severity(self) -> Severity {
        if self.as_str().starts_with('W') {
            Severity::Warning
        } else {
            Severity::Error
        }
    }

    /// The Markdown table of every code and its meaning, as `docs/language.md` shows it.
    pub fn table() -> String {
        let mut out = String::from("| code | meaning |\n|---|---|\n");
        for c in Code::ALL {
            out.push_str(&format!("| {} | {} |\n", c.as_str(), c.meaning()));
        }
        out
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<Code> for &str {
    fn eq(&self, other: &Code) -> bool {
        *self == other.as_str()
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
