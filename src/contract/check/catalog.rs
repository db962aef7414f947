//! The service catalog (categories, subcategories, products) and the parties.

use std::collections::{BTreeMap, HashSet};

use rust_decimal::Decimal;

use super::{util, Ctx, Res};
use crate::contract::{CalendarId, Category, CategoryId, Party, PartyId, Product, ProductId, Role};
use crate::language::ast::{self, CatalogItem};
use crate::language::code::Code;
use crate::language::diagnostic::Diagnostic;

impl Ctx {
    pub(crate) fn catalog_pass(&mut self, cats: &[&ast::CategoryDecl]) {
        let mut seen_cats: HashSet<String> = HashSet::new();
        for c in cats {
            if !seen_cats.insert(c.name.name.clone()) {
                self.push(
                    Diagnostic::error(
                        Code::E0140,
                        format!("category `{}` is declared twice", c.name.name),
                        c.name.span,
                    )
                    .with_label("second declaration")
                    .with_help("put all products of a category in one `category` block"),
                );
                continue;
            }
            let Some(cat_idx) = self.categories.next_id() else {
                self.push(super::too_many(c.name.span));
                continue;
            };
            self.categories.push(Category {
                id: c.name.name.clone(),
                title_zh: c.title_zh.as_ref().map(|s| s.value.clone()),
                title_en: c.title_en.as_ref().map(|s| s.value.clone()),
            });
            let cat_cal = match &c.calendar {
                Some(n) => self.calendar_ref(n),
                None => Res::Missing,
            };
            let mut seen_subs: HashSet<String> = HashSet::new();
            for item in &c.items {
                match item {
                    CatalogItem::Product(p) => {
                        self.product(p, cat_idx, &c.name.name, None, cat_cal);
                    }
                    CatalogItem::Subcategory(s) => {
                        if !seen_subs.insert(s.name.name.clone()) {
                            self.push(
                                Diagnostic::error(
                                    Code::E0140,
                                    format!(
                                        "subcategory `{}.{}` is declared twice",
                                        c.name.name, s.name.name
                                    ),
                                    s.name.span,
                                )
                                .with_label("second declaration")
                                .with_help("put all products of a subcategory in one block"),
                            );
                            continue;
                        }
                        let sub_cal = match &s.calendar {
                            Some(n) => self.calendar_ref(n),
                            None => cat_cal,
                        };
                        for p in &s.products {
                            self.product(p, cat_idx, &c.name.name, Some(&s.name.name), sub_cal);
                        }
                    }
                }
            }
        }
    }

    fn product(
        &mut self,
        p: &ast::ProductDecl,
        category: CategoryId,
        cat_name: &str,
        sub: Option<&str>,
        inherited: Res<CalendarId>,
    ) {
        let id = match sub {
            Some(s) => format!("{cat_name}.{s}.{}", p.name.name),
            None => format!("{cat_name}.{}", p.name.name),
        };
        if self.product_set.contains(&id) {
            self.push(
                Diagnostic::error(
                    Code::E0140,
                    format!("product `{id}` is declared twice"),
                    p.name.span,
                )
                .with_label("second declaration")
                .with_help("product ids must be unique; rename or remove one"),
            );
            return;
        }
        let cal = match &p.calendar {
            Some(n) => self.calendar_ref(n),
            None => inherited,
        };
        let calendar = match cal {
            Res::Ok(c) => Some(c),
            Res::Bad => None,
            Res::Missing => {
                self.push(
                    Diagnostic::error(
                        Code::E0141,
                        format!("product `{id}` has no calendar"),
                        p.name.span,
                    )
                    .with_label("no calendar here or on its subcategory or category")
                    .with_help(
                        "add `calendar NAME` to the product, its subcategory or its category",
                    ),
                );
                None
            }
        };
        if self.product_ids.push(id.clone()).is_none() {
            self.push(super::too_many(p.name.span));
            return;
        }
        self.product_set.insert(id.clone());
        self.products.push(calendar.map(|calendar| Product {
            id,
            title_zh: p.title_zh.as_ref().map(|s| s.value.clone()),
            title_en: p.title_en.as_ref().map(|s| s.value.clone()),
            category,
            subcategory: sub.map(str::to_string),
            calendar,
        }));
    }

    /// Resolves a product pattern; reports one matching nothing. `None` when it matches nothing.
    pub(crate) fn product_pattern(&mut self, p: &ast::Path) -> Option<Vec<ProductId>> {
        let found = util::match_pattern(&self.product_ids, &p.parts, p.wildcard);
        if !found.is_empty() {
            return Some(found);
        }
        let text = p.text();
        let d = Diagnostic::error(
            Code::E0134,
            format!("product pattern `{text}` matches no product"),
            p.span,
        )
        .with_label("no such product");
        // Suggest over full ids and over category / subcategory prefixes (as patterns).
        let mut cands: Vec<String> = Vec::new();
        if p.wildcard {
            for id in &self.product_ids {
                let parts: Vec<&str> = id.split('.').collect();
                for n in 1..parts.len() {
                    let pat = format!("{}.*", parts.get(..n).unwrap_or_default().join("."));
                    if !cands.contains(&pat) {
                        cands.push(pat);
                    }
                }
            }
        } else {
            cands = self.product_ids.as_slice().to_vec();
        }
        let d = util::with_suggestion(
            d,
            &text,
            &cands,
            "write a product id such as `app.om_mgmt.desk` or a pattern such as `network.*`",
        );
        self.push(d);
        None
    }

    pub(crate) fn parties_pass(&mut self, parties: &[&ast::PartyDecl]) {
        for p in parties {
            if self.party_names.contains_key(&p.name.name) {
                self.push(
                    Diagnostic::error(
                        Code::E0130,
                        format!("party `{}` is declared twice", p.name.name),
                        p.name.span,
                    )
                    .with_label("second declaration")
                    .with_help("party ids must be unique; rename or remove one"),
                );
                continue;
            }
            let Some(id) = self.parties.next_id() else {
                self.push(super::too_many(p.name.span));
                continue;
            };
            self.party_names.insert(p.name.name.clone(), id);
            self.party_order.push(p.name.name.clone());
            let party = self.party(p);
            self.parties.push(party);
        }
        // The chain needs a prime.
        if !parties.is_empty() && !parties.iter().any(|p| p.role.name == "prime") {
            self.push(
                Diagnostic::warning(
                    Code::W0101,
                    "the contract has parties but none with role `prime`",
                    self.name_span,
                )
                .with_label("no prime contractor")
                .with_help("declare the prime contractor, e.g. `party prime prime \"总包方\"`"),
            );
        }
        // A product covered by two subcontractors makes back-to-back deductions ambiguous.
        let mut by_product: BTreeMap<ProductId, Vec<(String, ast::Span)>> = BTreeMap::new();
        for p in parties {
            if p.role.name != "sub" {
                continue;
            }
            for pat in &p.covers {
                for prod in util::match_pattern(&self.product_ids, &pat.parts, pat.wildcard) {
                    let v = by_product.entry(prod).or_default();
                    // only the first two subcontractors of a product are ever named
                    if v.len() < 2 && !v.iter().any(|(n, _)| *n == p.name.name) {
                        v.push((p.name.name.clone(), pat.span));
                    }
                }
            }
        }
        for (prod, v) in by_product {
            if let (Some((a, _)), Some((b, span))) = (v.first(), v.get(1)) {
                let id = self.product_ids.get(prod).cloned().unwrap_or_default();
                self.push(
                    Diagnostic::warning(
                        Code::W0102,
                        format!("product `{id}` is covered by two subcontractors, `{a}` and `{b}`"),
                        *span,
                    )
                    .with_label(format!("also covers `{id}`"))
                    .with_help("back-to-back deductions for this product are ambiguous; narrow one of the patterns"),
                );
            }
        }
    }

    fn party(&mut self, p: &ast::PartyDecl) -> Option<Party> {
        let mut ok = true;
        let role = match p.role.name.as_str() {
            "client" => Some(Role::Client),
            "prime" => Some(Role::Prime),
            "sub" => Some(Role::Sub),
            "third" => Some(Role::Third),
            _ => None,
        };
        if role.is_none() {
            let d = Diagnostic::error(
                Code::E0131,
                format!("unknown party role `{}`", p.role.name),
                p.role.span,
            )
            .with_label("not a role");
            self.push(util::with_suggestion(
                d,
                &p.role.name,
                ["client", "prime", "sub", "third"],
                "roles are `client`, `prime`, `sub` (subcontractor) and `third` (third party)",
            ));
        }
        let mut fee = None;
        if let Some(f) = &p.fee {
            if f.amount.unit.is_some() || f.amount.number < Decimal::ZERO {
                ok = false;
                self.push(
                    Diagnostic::error(
                        Code::E0136,
                        format!(
                            "a fee is a non-negative amount of money, found `{}`",
                            util::quantity_text(&f.amount)
                        ),
                        f.amount.span,
                    )
                    .with_label("invalid amount")
                    .with_help("write e.g. `fee 200000.00 CNY / month`"),
                );
            }
            if let Some(cur) = &self.currency {
                if *cur != f.currency.name {
                    ok = false;
                    self.push(
                        Diagnostic::error(
                            Code::E0132,
                            format!(
                                "fee currency `{}` differs from the contract currency `{cur}`",
                                f.currency.name
                            ),
                            f.currency.span,
                        )
                        .with_label(format!("expected `{cur}`"))
                        .with_help(format!("state every fee in {cur}")),
                    );
                }
            }
            match util::period_kind(&f.per.name) {
                Some(per) if per == self.period => {}
                Some(_) if self.period_bad => {}
                Some(_) => {
                    ok = false;
                    let period = util::period_name(self.period);
                    self.push(
                        Diagnostic::error(
                            Code::E0133,
                            format!(
                                "fee is per {} but the contract's assessment period is a {period}",
                                f.per.name
                            ),
                            f.per.span,
                        )
                        .with_label(format!("expected `{period}`"))
                        .with_help(format!(
                            "state the fee per {period} (the amount paid each assessment period)"
                        )),
                    );
                }
                None => {
                    ok = false;
                    let d = Diagnostic::error(
                        Code::E0104,
                        format!("unknown period `{}`", f.per.name),
                        f.per.span,
                    )
                    .with_label("unknown period");
                    self.push(util::with_suggestion(
                        d,
                        &f.per.name,
                        ["month", "quarter", "year"],
                        "expected `month`, `quarter` or `year`",
                    ));
                }
            }
            fee = Some(f.amount.number);
        }
        let mut covered: Vec<ProductId> = Vec::new();
        for pat in &p.covers {
            match self.product_pattern(pat) {
                Some(v) => covered.extend(v),
                None => ok = false,
            }
        }
        if p.covers.is_empty() && role == Some(Role::Prime) {
            // The prime answers to the client for every product.
            covered = self.product_ids.ids().collect();
        }
        covered.sort_unstable();
        covered.dedup();
        let role = role?;
        if !ok {
            return None;
        }
        Some(Party {
            id: p.name.name.clone(),
            role,
            title: p.title.as_ref().map(|t| t.value.clone()),
            fee,
            covers: p.covers.iter().map(ast::Path::text).collect(),
            covered,
        })
    }

    /// Resolves a party reference; reports an unknown name.
    pub(crate) fn party_ref(&mut self, name: &ast::Ident) -> Res<PartyId> {
        match self.party_names.get(&name.name) {
            Some(&i) if self.parties.get(i).is_some_and(Option::is_some) => Res::Ok(i),
            Some(_) => Res::Bad,
            None => {
                let d = Diagnostic::error(
                    Code::E0135,
                    format!("unknown party `{}`", name.name),
                    name.span,
                )
                .with_label("no party of this name");
                let fallback = if self.party_order.is_empty() {
                    "declare it with `party ID ROLE \"name\"`".to_string()
                } else {
                    format!("declared parties: {}", util::list(&self.party_order))
                };
                self.push(util::with_suggestion(
                    d,
                    &name.name,
                    &self.party_order,
                    &fallback,
                ));
                Res::Bad
            }
        }
    }
}
