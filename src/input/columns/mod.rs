//! Column-wise input: a table of events given as columns (a DataFrame, an Arrow table),
//! validated row by row with exactly the checks, order and messages of the same event given
//! as JSON, and added to an evaluator in row order.
//!
//! The rules live here, for every binding: which value types each field takes, that null,
//! NaN and infinite floats are missing values, where an attribute is found (an `attrs` entry,
//! even `null`, wins over a column `attrs.name`, which wins over a column `name`), and the
//! text of a rejected row. A binding only turns its own values into [`Column`]s (and, with
//! the feature `arrow`, hands Arrow arrays over as they are).
//!
//! Large tables are validated on two threads, one of them also adding the events to the
//! evaluator in order; accepted rows are handed over borrowed, with no allocation per event.

#[cfg(feature = "arrow")]
pub mod arrow;
mod entries;

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};

pub use entries::{Entries, Slot};

use crate::contract::{Contract, KindId, ProductId};
use crate::engine::eval::Evaluator;
use crate::event::{AttrValue, EventRef, Reason, Rejection, Scalar, Validator};
use crate::parallel::{in_order, BlockSource};

/// Why a table cannot be read at all (its rows are not looked at).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column `{column}`: {message}")]
pub struct ColumnError {
    /// the column's name
    pub column: String,
    /// what is wrong with it
    pub message: String,
}

/// The instant of one row of an `at` column given as values.
#[derive(Debug, Clone)]
pub enum At {
    /// Unix seconds of a timezone-aware time
    Secs(i64),
    /// any other value (RFC 3339 text, mostly), judged as in JSON
    Value(Value),
    /// a value that could not be converted, and why
    Bad(String),
}

/// One column of a table.
pub enum Column {
    /// not given: every value is missing
    Absent,
    /// values converted to JSON; `Err` is why a value could not be converted
    Values(Vec<Result<Value, String>>),
    /// the `at` column given as values
    Instants(Vec<At>),
    /// Arrow arrays, read in place
    #[cfg(feature = "arrow")]
    Arrow(arrow::Column),
}

/// One value of a column. Null, NaN and infinite floats are all `Null` (a missing value).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    /// a missing value
    Null,
    /// a string
    Str(Cow<'a, str>),
    /// an integer
    Int(i64),
    /// a finite float
    Float(f64),
    /// a boolean
    Bool(bool),
    /// Unix seconds of a timezone-aware time
    Secs(i64),
    /// any other value
    Json(&'a Value),
    /// a value that could not be converted, and why
    Bad(&'a str),
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl Cell<'_> {
    fn json_type(&self) -> &'static str {
        match self {
            Cell::Null | Cell::Bad(_) => "null",
            Cell::Str(_) => "a string",
            Cell::Int(_) | Cell::Float(_) | Cell::Secs(_) => "a number",
            Cell::Bool(_) => "a boolean",
            Cell::Json(v) => json_type(v),
        }
    }

    fn is_null(&self) -> bool {
        matches!(self, Cell::Null | Cell::Bad(_))
    }
}

impl<'a> Cell<'a> {
    /// The value for the validator; `None` for no value (null, or not convertible).
    fn scalar(self) -> Option<Scalar<'a>> {
        Some(match self {
            Cell::Null | Cell::Bad(_) => return None,
            Cell::Str(s) => Scalar::Str(s),
            Cell::Int(i) | Cell::Secs(i) => Scalar::Int(i),
            Cell::Float(x) => Scalar::Float(x),
            Cell::Bool(b) => Scalar::Bool(b),
            Cell::Json(v) => Scalar::Json(Cow::Borrowed(v)),
        })
    }

    /// The value as JSON, as the same value given in a record is.
    fn into_value(self) -> Cow<'a, Value> {
        self.scalar()
            .map_or(Cow::Owned(Value::Null), Scalar::into_json)
    }
}

impl Column {
    fn len(&self) -> Option<usize> {
        match self {
            Column::Absent => None,
            Column::Values(v) => Some(v.len()),
            Column::Instants(v) => Some(v.len()),
            #[cfg(feature = "arrow")]
            Column::Arrow(c) => Some(c.len()),
        }
    }

    fn cell(&self, row: usize) -> Cell<'_> {
        match self {
            Column::Absent => Cell::Null,
            Column::Values(v) => match v.get(row) {
                None | Some(Ok(Value::Null)) => Cell::Null,
                Some(Ok(Value::String(s))) => Cell::Str(Cow::Borrowed(s)),
                Some(Ok(j)) => Cell::Json(j),
                Some(Err(e)) => Cell::Bad(e),
            },
            Column::Instants(v) => match v.get(row) {
                None | Some(At::Value(Value::Null)) => Cell::Null,
                Some(At::Secs(s)) => Cell::Secs(*s),
                Some(At::Value(Value::String(s))) => Cell::Str(Cow::Borrowed(s)),
                Some(At::Value(j)) => Cell::Json(j),
                Some(At::Bad(e)) => Cell::Bad(e),
            },
            #[cfg(feature = "arrow")]
            Column::Arrow(c) => c.cell(row),
        }
    }

    /// Whether some value could not be converted.
    fn any_bad(&self) -> bool {
        matches!(self, Column::Values(v) if v.iter().any(Result::is_err))
    }

    /// Why the value at `row` could not be converted.
    fn error(&self, row: usize) -> Option<&str> {
        match self {
            Column::Values(v) => v
                .get(row)
                .and_then(|x| x.as_ref().err())
                .map(String::as_str),
            _ => None,
        }
    }
}

/// Named columns (attribute columns, or the fields of an `attrs` struct column), in order.
pub struct Named {
    cols: Vec<(String, Column)>,
    /// by name, for many columns (a few are searched in order)
    index: Option<HashMap<String, usize>>,
}

impl Named {
    /// Columns by name, in order; the first of a name is the one read.
    pub fn new(cols: Vec<(String, Column)>) -> Named {
        let index = (cols.len() > 32).then(|| {
            let mut index = HashMap::new();
            for (k, (name, _)) in cols.iter().enumerate() {
                index.entry(name.clone()).or_insert(k);
            }
            index
        });
        Named { cols, index }
    }

    /// The position of the first column of `name`.
    fn position(&self, name: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(name).copied(),
            None => self.cols.iter().position(|(n, _)| n == name),
        }
    }

    fn column(&self, k: usize) -> Option<&Column> {
        self.cols.get(k).map(|(_, c)| c)
    }
}

/// Where a declared attribute can be found in a table, by position: a field of the `attrs`
/// struct, a key of the `attrs` maps, an attribute column `attrs.name` (as
/// `pandas.json_normalize` names it) or `name` (see [`Table::attr`]).
#[derive(Clone, Copy, Default)]
struct Source {
    field: Option<usize>,
    key: Option<usize>,
    flat: Option<usize>,
    extra: Option<usize>,
}

/// The sources of every declared attribute of every kind, by kind and declaration order:
/// found once per table, so that no row looks an attribute up by name (an `attrs` column of
/// JSON objects still does: each row is a map of its own).
struct Sources(Vec<Vec<Source>>);

impl Sources {
    fn get(&self, kind: KindId, k: usize) -> Source {
        // every kind and attribute number comes from the table's own contract
        self.0
            .get(kind.index())
            .and_then(|a| a.get(k))
            .copied()
            .unwrap_or_default()
    }
}

/// The `attrs` column.
pub enum Attrs {
    /// values: JSON objects, JSON text or nulls (any other value rejects its row), or none
    Values(Column),
    /// a struct column, read field by field
    Fields(Named),
    /// maps, one per row
    Entries(Entries),
}

/// The attributes of one row.
enum RowAttrs<'a> {
    None,
    Map(Cow<'a, Map<String, Value>>),
    /// in the fields of a struct column
    Fields,
    /// the entries of a map
    Entries(&'a [(usize, Slot)]),
}

/// The fields of an event, one column each.
pub struct Fields {
    /// `id`
    pub id: Column,
    /// `at`
    pub at: Column,
    /// `kind`
    pub kind: Column,
    /// `subject`
    pub subject: Column,
    /// `product`
    pub product: Column,
    /// `party`
    pub party: Column,
}

/// A table of events given as columns, every column of the same length and every Arrow
/// array validated.
pub struct Table {
    n: usize,
    fields: Fields,
    attrs: Attrs,
    /// the other columns, flat attributes, in column order
    extra: Named,
    /// some value of a field or attribute column could not be converted (most inputs have
    /// none, and their rows need not be searched for one)
    any_bad: bool,
}

fn str_cell<'c>(c: Cell<'c>, key: &'static str) -> Result<Cow<'c, str>, Reason> {
    match c {
        Cell::Null => Err(Reason::Missing(key)),
        Cell::Str(s) if s.is_empty() => Err(Reason::Empty(key)),
        Cell::Str(s) => Ok(s),
        other => Err(Reason::WrongType {
            field: key,
            expected: "a string",
            found: other.json_type(),
        }),
    }
}

impl Table {
    /// A table of `n` rows. `Err` names the first column (the `attrs` column, the attribute
    /// columns in order, then the fields) that does not have `n` values, or else the first
    /// Arrow column, in the same order, that is malformed; large tables are checked on two
    /// threads, with the same outcome.
    pub fn new(n: usize, fields: Fields, attrs: Attrs, extra: Named) -> Result<Table, ColumnError> {
        let attrs_len = match &attrs {
            Attrs::Values(c) => c.len(),
            Attrs::Entries(e) => Some(e.len()),
            Attrs::Fields(_) => None,
        };
        let mut named: Vec<(&str, &Column)> = Vec::new();
        if let Attrs::Fields(f) = &attrs {
            named.extend(f.cols.iter().map(|(n, c)| (n.as_str(), c)));
        }
        named.extend(extra.cols.iter().map(|(n, c)| (n.as_str(), c)));
        let f = &fields;
        let all: Vec<(&str, &Column)> = named
            .into_iter()
            .chain([
                ("id", &f.id),
                ("at", &f.at),
                ("kind", &f.kind),
                ("subject", &f.subject),
                ("product", &f.product),
                ("party", &f.party),
            ])
            .collect();
        let lengths = attrs_len
            .map(|len| ("attrs", len))
            .into_iter()
            .chain(all.iter().filter_map(|(name, c)| Some((*name, c.len()?))));
        for (name, len) in lengths {
            if len != n {
                return Err(ColumnError {
                    column: name.to_string(),
                    message: format!("has {len} values, expected {n}"),
                });
            }
        }
        // the fields first, then `attrs`, then the attribute columns
        let (attributes, fields_first) = all.split_at(all.len().saturating_sub(6));
        let mut checked: Vec<(&str, &Column)> = fields_first.to_vec();
        if let Attrs::Values(c) = &attrs {
            checked.push(("attrs", c));
        }
        checked.extend_from_slice(attributes);
        check_arrow(&checked)?;
        let any_bad = [&f.id, &f.kind, &f.subject, &f.product]
            .into_iter()
            .chain(extra.cols.iter().map(|(_, c)| c))
            .any(Column::any_bad);
        Ok(Table {
            n,
            fields,
            attrs,
            extra,
            any_bad,
        })
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Whether the table has no row.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Validates every row and adds the events to `ev` in row order, rejections numbered
    /// (1-based) after the positions `ev` was fed before.
    pub fn feed(&self, ev: &mut Evaluator) {
        let plan = Arc::clone(ev.plan());
        let v = Validator::new(plan.contract());
        let tz = plan.contract().timezone();
        let base = ev.positions();
        ev.reserve(self.n);
        let rows = Rows {
            table: self,
            v: &v,
            sources: self.sources(v.contract()),
        };
        let threads = if self.n < 4 * BLOCK { 1 } else { 2 };
        // adding never fails and blocks are made in memory: nothing here returns an error
        let _ = in_order(&rows, threads, AHEAD, |_, block| {
            ev.push_outcomes(block.outcomes(self, tz, base));
            Ok(Some(block))
        });
        ev.add_positions(self.n as u64);
    }

    /// The first value of the row that could not be converted (a field, then `attrs`, then
    /// the attribute columns in order), as the reason for rejecting the row.
    fn conversion_error(&self, i: usize) -> Result<RowAttrs<'_>, Reason> {
        if !self.any_bad {
            return self.row_attrs(i);
        }
        let f = &self.fields;
        for (name, c) in [
            ("id", &f.id),
            ("kind", &f.kind),
            ("subject", &f.subject),
            ("product", &f.product),
        ] {
            if let Some(e) = c.error(i) {
                return Err(Reason::Other(format!("`{name}`: {e}")));
            }
        }
        let attrs = self.row_attrs(i)?;
        for (name, c) in &self.extra.cols {
            if let Some(e) = c.error(i) {
                return Err(Reason::Other(format!("attribute `{name}`: {e}")));
            }
        }
        Ok(attrs)
    }

    fn row_attrs(&self, i: usize) -> Result<RowAttrs<'_>, Reason> {
        let c = match &self.attrs {
            Attrs::Fields(..) => return Ok(RowAttrs::Fields),
            Attrs::Entries(d) => match d.row(i) {
                entries::RowEntries::Map(e) => return Ok(RowAttrs::Entries(e)),
                entries::RowEntries::Bad(e) => Cell::Bad(e),
                entries::RowEntries::Value(Value::Null) => Cell::Null,
                entries::RowEntries::Value(Value::String(s)) => Cell::Str(Cow::Borrowed(s)),
                entries::RowEntries::Value(v) => Cell::Json(v),
            },
            Attrs::Values(c) => c.cell(i),
        };
        let j: Cow<'_, Value> = match c {
            Cell::Null => return Ok(RowAttrs::None),
            Cell::Bad(e) => return Err(Reason::Other(format!("`attrs`: {e}"))),
            Cell::Str(s) => Cow::Owned(
                serde_json::from_str::<Value>(&s)
                    .map_err(|e| Reason::Other(format!("`attrs` is not JSON: {e}")))?,
            ),
            other => other.into_value(),
        };
        match j {
            Cow::Owned(Value::Object(m)) => Ok(RowAttrs::Map(Cow::Owned(m))),
            Cow::Borrowed(Value::Object(m)) => Ok(RowAttrs::Map(Cow::Borrowed(m))),
            Cow::Owned(Value::Null) | Cow::Borrowed(Value::Null) => Ok(RowAttrs::None),
            other => Err(Reason::WrongType {
                field: "attrs",
                expected: "an object",
                found: json_type(&other),
            }),
        }
    }

    /// Where each declared attribute is found in this table.
    fn sources(&self, contract: &Contract) -> Sources {
        Sources(
            contract
                .kinds()
                .iter()
                .map(|k| {
                    k.attrs
                        .iter()
                        .map(|a| Source {
                            field: match &self.attrs {
                                Attrs::Fields(f) => f.position(&a.name),
                                _ => None,
                            },
                            key: match &self.attrs {
                                Attrs::Entries(d) => d.number(&a.name),
                                _ => None,
                            },
                            flat: self.extra.position(&format!("attrs.{}", a.name)),
                            extra: self.extra.position(&a.name),
                        })
                        .collect()
                })
                .collect(),
        )
    }

    /// The value of attribute `name`, found at `src`, in row `i`: an `attrs` entry (even
    /// `null`) wins over a column `attrs.name`, which wins over a column `name`; a null
    /// column value is no value.
    fn attr<'a>(
        &'a self,
        i: usize,
        attrs: &'a RowAttrs<'_>,
        name: &str,
        src: Source,
    ) -> Option<Scalar<'a>> {
        match attrs {
            RowAttrs::Map(m) => {
                if let Some(v) = m.get(name) {
                    return Some(Scalar::Json(Cow::Borrowed(v)));
                }
            }
            RowAttrs::Fields => {
                if let (Attrs::Fields(fields), Some(k)) = (&self.attrs, src.field) {
                    if let Some(v) = fields.column(k).and_then(|c| c.cell(i).scalar()) {
                        return Some(v);
                    }
                }
            }
            RowAttrs::Entries(e) => {
                if let (Attrs::Entries(d), Some(n)) = (&self.attrs, src.key) {
                    if let Some(v) = d.find(e, n) {
                        return Some(v);
                    }
                }
            }
            RowAttrs::None => {}
        }
        if let Some(v) = src
            .flat
            .and_then(|k| self.extra.column(k))
            .and_then(|c| c.cell(i).scalar())
        {
            return Some(v);
        }
        self.extra.column(src.extra?)?.cell(i).scalar()
    }

    /// Validates row `i` (0-based): the same checks, in the same order, as for the row given
    /// as a JSON object. The attribute values of an accepted row are appended to `values`.
    fn validate<'b>(
        &'b self,
        v: &Validator<'_>,
        sources: &Sources,
        i: usize,
        values: &mut Vec<AttrValue>,
    ) -> Result<Valid<'b>, Reason> {
        let f = &self.fields;
        let attrs = self.conversion_error(i)?;
        let id = str_cell(f.id.cell(i), "id")?;
        let kind = str_cell(f.kind.cell(i), "kind")?;
        let subject = str_cell(f.subject.cell(i), "subject")?;
        let at = match f.at.cell(i) {
            Cell::Secs(s) => s,
            Cell::Bad(e) => return Err(Reason::Other(e.to_string())),
            Cell::Null => return Err(Reason::Missing("at")),
            Cell::Str(s) => crate::event::parse_instant(&s).map_err(Reason::At)?,
            other => {
                return Err(Reason::WrongType {
                    field: "at",
                    expected: "a string or a timezone-aware timestamp",
                    found: other.json_type(),
                })
            }
        };
        let product = f.product.cell(i);
        let product = match &product {
            Cell::Null => None,
            Cell::Str(p) => Some(p.as_ref()),
            other => {
                return Err(Reason::WrongType {
                    field: "product",
                    expected: "a string",
                    found: other.json_type(),
                })
            }
        };
        let first = values.len();
        let (kind, product) = v.scalars_into(
            &kind,
            (&id, &subject),
            product,
            |k, j, name| self.attr(i, &attrs, name, sources.get(k, j)),
            values,
        )?;
        Ok(Valid {
            id,
            subject,
            at,
            kind,
            product,
            attrs: (first, values.len()),
        })
    }

    /// The row as JSON text, for a rejection.
    fn text(&self, i: usize, tz: chrono_tz::Tz) -> String {
        let f = &self.fields;
        let mut m = Map::new();
        m.insert("id".into(), f.id.cell(i).into_value().into_owned());
        m.insert(
            "at".into(),
            match f.at.cell(i) {
                Cell::Secs(s) => Value::String(crate::engine::eval::format_instant(tz, s)),
                other => other.into_value().into_owned(),
            },
        );
        m.insert("kind".into(), f.kind.cell(i).into_value().into_owned());
        m.insert(
            "subject".into(),
            f.subject.cell(i).into_value().into_owned(),
        );
        m.insert(
            "product".into(),
            f.product.cell(i).into_value().into_owned(),
        );
        let party = f.party.cell(i);
        if !party.is_null() {
            m.insert("party".into(), party.into_value().into_owned());
        }
        if let Ok(attrs) = self.conversion_error(i) {
            let mut a = match attrs {
                RowAttrs::Map(x) => x.into_owned(),
                RowAttrs::None => Map::new(),
                RowAttrs::Entries(e) => {
                    let mut a = Map::new();
                    if let Attrs::Entries(d) = &self.attrs {
                        for (n, slot) in e {
                            a.insert(
                                d.name(*n).to_string(),
                                d.slot(*slot).into_json().into_owned(),
                            );
                        }
                    }
                    a
                }
                RowAttrs::Fields => {
                    let mut a = Map::new();
                    if let Attrs::Fields(fields) = &self.attrs {
                        for (name, c) in &fields.cols {
                            let c = c.cell(i);
                            if !c.is_null() {
                                a.insert(name.clone(), c.into_value().into_owned());
                            }
                        }
                    }
                    a
                }
            };
            // the attribute columns by attribute name, `attrs.x` before `x` (as they are read)
            for flattened in [true, false] {
                for (name, c) in &self.extra.cols {
                    let key = name.strip_prefix("attrs.");
                    if key.is_some() != flattened {
                        continue;
                    }
                    let c = c.cell(i);
                    if !c.is_null() {
                        a.entry(key.unwrap_or(name).to_string())
                            .or_insert_with(|| c.into_value().into_owned());
                    }
                }
            }
            m.insert("attrs".into(), Value::Object(a));
        }
        Value::Object(m).to_string()
    }
}

/// Validates the Arrow columns, in order; `Err` is the first malformed one. Large inputs are
/// checked on two threads, in two parts of about the same size (the outcome is the same).
#[cfg(feature = "arrow")]
fn check_arrow(cols: &[(&str, &Column)]) -> Result<(), ColumnError> {
    let cols: Vec<(&str, &arrow::Column)> = cols
        .iter()
        .filter_map(|(name, c)| match c {
            Column::Arrow(a) => Some((*name, a)),
            _ => None,
        })
        .collect();
    let first_error = |part: &[(&str, &arrow::Column)]| {
        part.iter().find_map(|(name, c)| {
            c.check().err().map(|message| ColumnError {
                column: name.to_string(),
                message,
            })
        })
    };
    let total: usize = cols.iter().map(|(_, c)| c.weight()).sum();
    if total < 1 << 20 {
        return first_error(&cols).map_or(Ok(()), Err);
    }
    let mut acc = 0usize;
    let split = cols
        .iter()
        .position(|(_, c)| {
            acc = acc.saturating_add(c.weight());
            acc >= total / 2
        })
        .map_or(cols.len(), |k| k + 1);
    let (a, b) = cols.split_at(split.min(cols.len()));
    let (ea, eb) = crate::parallel::join(|| first_error(a), || first_error(b));
    ea.or(eb).map_or(Ok(()), Err)
}

#[cfg(not(feature = "arrow"))]
fn check_arrow(_: &[(&str, &Column)]) -> Result<(), ColumnError> {
    Ok(())
}

/// An accepted row, its names borrowed from the table; its attribute values are
/// `values[attrs.0..attrs.1]` of its block.
struct Valid<'b> {
    id: Cow<'b, str>,
    subject: Cow<'b, str>,
    at: i64,
    kind: Option<KindId>,
    product: ProductId,
    attrs: (usize, usize),
}

/// The outcomes of consecutive rows, from row `start` on.
#[derive(Default)]
struct Block<'b> {
    start: usize,
    rows: Vec<Result<Valid<'b>, Reason>>,
    values: Vec<AttrValue>,
}

impl<'b> Block<'b> {
    fn fill(
        &mut self,
        t: &'b Table,
        v: &Validator<'_>,
        sources: &Sources,
        start: usize,
        end: usize,
    ) {
        self.start = start;
        self.rows.clear();
        self.values.clear();
        for i in start..end {
            let r = t.validate(v, sources, i, &mut self.values);
            self.rows.push(r);
        }
    }

    /// The outcomes in row order: an accepted event borrowed, or its rejection (numbered
    /// after `base` positions fed before).
    fn outcomes<'s>(
        &'s self,
        t: &'s Table,
        tz: chrono_tz::Tz,
        base: u64,
    ) -> impl Iterator<Item = Result<EventRef<'s>, Rejection>> + 's {
        let values = &self.values;
        self.rows.iter().enumerate().map(move |(k, r)| {
            let row = self.start + k;
            match r {
                Ok(x) => Ok(EventRef {
                    id: &x.id,
                    at: x.at,
                    kind: x.kind,
                    subject: &x.subject,
                    product: x.product,
                    attrs: values.get(x.attrs.0..x.attrs.1).unwrap_or(&[]),
                }),
                Err(reason) => Err(Rejection {
                    line: Some(base + row as u64 + 1),
                    reason: reason.clone(),
                    text: t.text(row, tz),
                }),
            }
        })
    }
}

/// Rows validated per block.
const BLOCK: usize = 4096;

/// Validated blocks the thread adding them may hold ahead of the one it adds next.
const AHEAD: usize = 8;

/// The rows of a table, validated a block at a time on any thread (see [`in_order`]:
/// validating a row costs more than adding it, so the thread adding validates too whenever
/// the block it needs is not ready).
struct Rows<'b, 'v> {
    table: &'b Table,
    v: &'v Validator<'v>,
    sources: Sources,
}

impl<'b> BlockSource for Rows<'b, '_> {
    type Block = Block<'b>;
    type Worker = ();
    fn blocks(&self) -> usize {
        self.table.n.div_ceil(BLOCK)
    }
    fn worker(&self) -> std::io::Result<()> {
        Ok(())
    }
    fn make(&self, _: &mut (), k: usize, spare: Option<Block<'b>>) -> Block<'b> {
        let n = self.table.n;
        let (start, end) = (k * BLOCK, ((k + 1) * BLOCK).min(n));
        let mut block = spare.unwrap_or_default();
        block.fill(self.table, self.v, &self.sources, start, end);
        block
    }
}
