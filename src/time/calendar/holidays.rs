//! Built-in holiday tables.
//!
//! Each table lists, per year, the public holidays (inclusive date ranges) and the make-up
//! working days (调休) announced for that year. Dates are `(year, month, day)` so the tables are
//! plain `const` data; they are turned into `NaiveDate`s once, when a calendar is built.

/// `(year, month, day)`.
pub(crate) type Ymd = (i32, u32, u32);

/// One year of a holiday table.
pub(crate) struct TableYear {
    pub(crate) year: i32,
    /// Inclusive ranges of days off.
    pub(crate) holidays: &'static [(Ymd, Ymd)],
    /// Make-up working days, normally Saturdays or Sundays.
    pub(crate) workdays: &'static [Ymd],
}

/// A named built-in table.
pub(crate) struct Table {
    pub(crate) name: &'static str,
    /// Consecutive years, ascending.
    pub(crate) years: &'static [TableYear],
}

/// Mainland China statutory holidays, from the State Council General Office notices
/// (国务院办公厅关于…部分节假日安排的通知) for each year.
const CN_STATUTORY: Table = Table {
    name: "cn-statutory",
    years: &[
        // 国办发明电〔2023〕7号
        TableYear {
            year: 2024,
            holidays: &[
                ((2024, 1, 1), (2024, 1, 1)),   // 元旦
                ((2024, 2, 10), (2024, 2, 17)), // 春节
                ((2024, 4, 4), (2024, 4, 6)),   // 清明节
                ((2024, 5, 1), (2024, 5, 5)),   // 劳动节
                ((2024, 6, 10), (2024, 6, 10)), // 端午节
                ((2024, 9, 15), (2024, 9, 17)), // 中秋节
                ((2024, 10, 1), (2024, 10, 7)), // 国庆节
            ],
            workdays: &[
                (2024, 2, 4),
                (2024, 2, 18),
                (2024, 4, 7),
                (2024, 4, 28),
                (2024, 5, 11),
                (2024, 9, 14),
                (2024, 9, 29),
                (2024, 10, 12),
            ],
        },
        // 国办发明电〔2024〕12号
        TableYear {
            year: 2025,
            holidays: &[
                ((2025, 1, 1), (2025, 1, 1)),   // 元旦
                ((2025, 1, 28), (2025, 2, 4)),  // 春节
                ((2025, 4, 4), (2025, 4, 6)),   // 清明节
                ((2025, 5, 1), (2025, 5, 5)),   // 劳动节
                ((2025, 5, 31), (2025, 6, 2)),  // 端午节
                ((2025, 10, 1), (2025, 10, 8)), // 国庆节、中秋节
            ],
            workdays: &[
                (2025, 1, 26),
                (2025, 2, 8),
                (2025, 4, 27),
                (2025, 9, 28),
                (2025, 10, 11),
            ],
        },
        // 2026 notice, as quoted in the reference contract
        TableYear {
            year: 2026,
            holidays: &[
                ((2026, 1, 1), (2026, 1, 3)),   // 元旦
                ((2026, 2, 15), (2026, 2, 23)), // 春节
                ((2026, 4, 4), (2026, 4, 6)),   // 清明节
                ((2026, 5, 1), (2026, 5, 5)),   // 劳动节
                ((2026, 6, 19), (2026, 6, 21)), // 端午节
                ((2026, 9, 25), (2026, 9, 27)), // 中秋节
                ((2026, 10, 1), (2026, 10, 7)), // 国庆节
            ],
            workdays: &[
                (2026, 1, 4),
                (2026, 2, 14),
                (2026, 2, 28),
                (2026, 5, 9),
                (2026, 9, 20),
                (2026, 10, 10),
            ],
        },
    ],
};

/// All built-in tables.
pub(crate) const TABLES: &[Table] = &[CN_STATUTORY];

/// Public summary of [`TABLES`]: name, first year, last year.
pub(crate) const SUMMARY: &[(&str, i32, i32)] = &[("cn-statutory", 2024, 2026)];

/// Looks a table up by name.
pub(crate) fn find(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.name == name)
}

impl Table {
    /// The table's data for `year`, if it covers it.
    pub(crate) fn year(&self, year: i32) -> Option<&'static TableYear> {
        let years: &'static [TableYear] = self.years;
        years.iter().find(|y| y.year == year)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_matches_tables() {
        assert_eq!(SUMMARY.len(), TABLES.len());
        for (t, &(name, from, to)) in TABLES.iter().zip(SUMMARY) {
            assert_eq!(t.name, name);
            let years: Vec<i32> = t.years.iter().map(|y| y.year).collect();
            assert_eq!(years, (from..=to).collect::<Vec<_>>());
        }
    }
}
