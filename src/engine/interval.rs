//! Interval measures: down time from the spans of subjects that last (outages), per
//! product, overlapping spans merged, less the spans excluded (announced maintenance
//! windows); availability over the products in scope. O(n log n) in the spans: one sort and
//! one sweep, never per second.

use crate::contract::{Lasts, Measure, ProductId, SubjectId};
use crate::engine::clock;
use crate::engine::eval::Evaluator;
use crate::engine::measure::{scoped, Acc, NO_FLAGS};
use crate::engine::score;
use crate::engine::store::{Slim, Val};
use crate::time::period::Period;

/// One span of a product, `[start, end)` in Unix seconds.
pub(super) type Span = (ProductId, i64, i64);

/// The union of `[start, end)` intervals, sorted and merged (touching ones too).
fn merged(mut v: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    v.sort_unstable();
    let mut out: Vec<(i64, i64)> = Vec::with_capacity(v.len());
    for (s, e) in v {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// Seconds of `a` (merged) not covered by `b` (merged).
fn minus(a: &[(i64, i64)], b: &[(i64, i64)]) -> i64 {
    let mut total = 0i64;
    let mut j = 0usize;
    for &(s, e) in a {
        let mut cur = s;
        while let Some(&(ws, we)) = b.get(j) {
            if we <= cur {
                j += 1;
                continue;
            }
            if ws >= e {
                break;
            }
            if ws > cur {
                total = total.saturating_add(ws - cur);
            }
            cur = cur.max(we);
            if cur >= e {
                break;
            }
        }
        if cur < e {
            total = total.saturating_add(e - cur);
        }
    }
    total
}

/// The down time of `spans` less `excluded`, summed over products: each product's spans are
/// merged (so overlapping outages count once) and an excluded span only removes time of its
/// own product.
pub(super) fn downtime(spans: &[Span], excluded: &[Span]) -> i64 {
    let mut products: Vec<ProductId> = spans.iter().map(|s| s.0).collect();
    products.sort_unstable();
    products.dedup();
    let mut total = 0i64;
    for p in products {
        let of = |v: &[Span]| -> Vec<(i64, i64)> {
            merged(
                v.iter()
                    .filter(|s| s.0 == p && s.2 > s.1)
                    .map(|s| (s.1, s.2))
                    .collect(),
            )
        };
        total = total.saturating_add(minus(&of(spans), &of(excluded)));
    }
    total
}

impl Evaluator {
    /// The span of subject definition `si` whose anchor is `evs[ai]`: `(start, end, closed,
    /// notice)`: `closed` when it ended at or before `as_of` (a `lasts until` span still open
    /// runs to `as_of`), `notice` the seconds from the anchor's `at` to the start.
    fn span(
        &self,
        si: SubjectId,
        evs: &[Slim],
        ai: usize,
        as_of: i64,
    ) -> Option<(i64, i64, bool, i64)> {
        let c = self.plan.contract();
        let view = self.view();
        let anchor = evs.get(ai)?;
        match &c.subject(si)?.lasts {
            Some(Lasts::Until(ms)) => {
                let end = evs
                    .iter()
                    .skip(ai.saturating_add(1))
                    .take_while(|e| e.at <= as_of)
                    .find(|e| clock::matches(ms, *e, |cd, e| view.cond(cd, e, NO_FLAGS)))
                    .map(|e| e.at);
                Some((anchor.at, end.unwrap_or(as_of), end.is_some(), 0))
            }
            Some(Lasts::Attrs { from, until }) => {
                match (view.attr(anchor, *from), view.attr(anchor, *until)) {
                    (Some(Val::Time(s)), Some(Val::Time(e))) => {
                        Some((s, e, true, s.saturating_sub(anchor.at)))
                    }
                    _ => None,
                }
            }
            None => None,
        }
    }

    /// Adds the span of subject definition `si` (anchored at `evs[ai]`) to the interval
    /// measures that read it: down time clipped to the period and `as_of`, excluded spans
    /// clipped to the period, and for `mttr` the length of a span anchored in the period
    /// and closed by `as_of`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn spans_of(
        &self,
        si: SubjectId,
        evs: &[Slim],
        ai: usize,
        anchor_t: i64,
        period: &Period,
        as_of: i64,
        acc: &mut [Vec<Acc>],
    ) {
        let plan = &*self.plan;
        let c = plan.contract();
        let view = self.view();
        let Some((start, end, closed, notice)) = self.span(si, evs, ai, as_of) else {
            return;
        };
        let Some(anchor) = evs.get(ai) else { return };
        let product = anchor.product;
        let down = (start.max(period.start), end.min(period.end).min(as_of));
        let window = (start.max(period.start), end.min(period.end));
        for (ii, ind) in c.indicators().iter_enumerated() {
            let (is_down, is_excluded, mttr) = match &ind.measure {
                Measure::Availability { subject, excluding }
                | Measure::Downtime { subject, excluding } => (
                    *subject == si,
                    excluding.iter().any(|x| {
                        x.subject == si
                            && x.notice.is_none_or(|(op, secs)| {
                                score::holds(notice.into(), op, secs.into())
                            })
                    }),
                    false,
                ),
                Measure::Mttr { subject, filter } => (
                    false,
                    false,
                    *subject == si
                        && closed
                        && anchor_t >= period.start
                        && anchor_t < period.end
                        && filter
                            .as_ref()
                            .is_none_or(|f| view.cond(f, anchor, NO_FLAGS)),
                ),
                _ => continue,
            };
            for (a, row) in acc.iter_mut().enumerate() {
                if !scoped(plan, a, product) {
                    continue;
                }
                let Some(x) = row.get_mut(ii.index()) else {
                    continue;
                };
                if is_down && down.1 > down.0 {
                    x.spans.push((product, down.0, down.1));
                }
                if is_excluded && window.1 > window.0 {
                    x.excluded.push((product, window.0, window.1));
                }
                if mttr {
                    x.add_sample(rust_decimal::Decimal::from(
                        end.saturating_sub(start).max(0),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn p(i: usize) -> ProductId {
        ProductId::new(i).unwrap()
    }

    #[test]
    fn overlapping_spans_count_once_and_windows_remove_their_product_s_time_only() {
        let h = 3600;
        // 10:00–11:00 ∪ 10:30–12:00 = 2 h
        assert_eq!(
            downtime(
                &[(p(0), 10 * h, 11 * h), (p(0), 10 * h + 1800, 12 * h)],
                &[]
            ),
            2 * h
        );
        // a window 10:15–10:45 of the same product removes 30 min; of another, nothing
        let spans = [(p(0), 10 * h, 11 * h)];
        assert_eq!(
            downtime(&spans, &[(p(0), 10 * h + 900, 10 * h + 2700)]),
            h - 1800
        );
        assert_eq!(downtime(&spans, &[(p(1), 10 * h, 11 * h)]), h);
        // overlapping windows are not removed twice; a window covering all removes all
        let w = [
            (p(0), 10 * h, 10 * h + 1800),
            (p(0), 10 * h + 900, 10 * h + 2700),
        ];
        assert_eq!(downtime(&spans, &w), h - 2700);
        assert_eq!(downtime(&spans, &[(p(0), 9 * h, 12 * h)]), 0);
        // two products add up; empty spans count nothing
        assert_eq!(
            downtime(&[(p(0), 0, 100), (p(1), 50, 80), (p(1), 90, 90)], &[]),
            130
        );
    }
}
