//! Events: the canonical record, strict validation against the contract, and a streaming
//! JSON Lines reader that never drops a line silently.
//!
//! A line is either accepted (validated into a compact [`Event`]) or rejected with a
//! [`Rejection`] that keeps the line number, the reason and the text. Duplicates are decided
//! later, among accepted events only.

mod scan;

use std::io::BufRead;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::contract::{AttrType, Contract, KindId, ProductId};

/// Limits that keep hostile input bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// longer lines are rejected without being parsed
    pub max_line_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_line_bytes: 1 << 20,
        }
    }
}

/// The value of a declared attribute, in the attribute's base unit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum AttrValue {
    #[default]
    Missing,
    Text(String),
    /// index into the enum's values
    Enum(u16),
    Bool(bool),
    Number(Decimal),
    /// Unix seconds
    Time(i64),
}

/// An accepted event, validated against the contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// shared, not copied, by the evaluator's duplicate set
    pub id: std::sync::Arc<str>,
    /// Unix seconds (fractional seconds truncated)
    pub at: i64,
    /// `None`: a kind the contract does not declare (accepted and ignored)
    pub kind: Option<KindId>,
    pub subject: String,
    pub product: ProductId,
    /// one value per declared attribute of the kind, in declaration order
    pub attrs: Vec<AttrValue>,
}

impl Event {
    /// A borrowed view of the event.
    pub fn as_ref(&self) -> EventRef<'_> {
        EventRef {
            id: &self.id,
            at: self.at,
            kind: self.kind,
            subject: &self.subject,
            product: self.product,
            attrs: &self.attrs,
        }
    }
}

/// An accepted event, borrowed: what the evaluator reads of it. Reading a file hands these
/// over without allocating per event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventRef<'a> {
    pub id: &'a str,
    pub at: i64,
    pub kind: Option<KindId>,
    pub subject: &'a str,
    pub product: ProductId,
    pub attrs: &'a [AttrValue],
}

/// Why an event was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    /// 1-based line number in the input, when read from a file
    pub line: Option<u64>,
    pub reason: String,
    /// the line or record as received (lossy UTF-8)
    pub text: String,
}

/// Why nothing was accepted: how many events were rejected, with the first few reasons (the
/// text of an error that would otherwise only say "no accepted events").
pub fn rejection_summary(rejected: &[Rejection]) -> String {
    const SHOWN: usize = 3;
    if rejected.is_empty() {
        return "the input holds no events".into();
    }
    let mut out = format!(
        "{} event{} rejected; the first reason{}: ",
        rejected.len(),
        if rejected.len() == 1 {
            " was"
        } else {
            "s were"
        },
        if rejected.len() == 1 { "" } else { "s" },
    );
    let firsts: Vec<String> = rejected
        .iter()
        .take(SHOWN)
        .map(|r| match r.line {
            Some(l) => format!("line {l}: {}", r.reason),
            None => r.reason.clone(),
        })
        .collect();
    out.push_str(&firsts.join("; "));
    if rejected.len() > SHOWN {
        out.push_str(&format!("; and {} more", rejected.len() - SHOWN));
    }
    out
}

/// Adds `lines` to the line number of every rejection: for rejections of a part read from
/// the middle of a file, numbered from that part's start.
pub(crate) fn renumber(rejected: &mut [Rejection], lines: u64) {
    for r in rejected {
        if let Some(l) = &mut r.line {
            *l += lines;
        }
    }
}

/// An event as handed in by a caller (Rust service, Python), before validation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventRecord {
    pub id: String,
    /// RFC 3339 with seconds and an offset
    pub at: String,
    pub kind: String,
    pub subject: String,
    pub product: Option<String>,
    pub party: Option<String>,
    pub attrs: serde_json::Map<String, serde_json::Value>,
}

/// Validates events against one contract: name lookups are done once per event.
pub struct Validator<'c> {
    contract: &'c Contract,
    kinds: hashbrown::HashMap<&'c str, KindId>,
    products: hashbrown::HashMap<&'c str, ProductId>,
}

impl<'c> Validator<'c> {
    pub fn new(contract: &'c Contract) -> Self {
        let kinds = contract
            .kinds
            .iter()
            .enumerate()
            .map(|(i, k)| (k.name.as_str(), i))
            .collect();
        let products = contract
            .products
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.as_str(), i))
            .collect();
        Validator {
            contract,
            kinds,
            products,
        }
    }

    /// The contract events are validated against.
    pub fn contract(&self) -> &'c Contract {
        self.contract
    }

    /// Validates one JSON Lines line. `Ok(None)` for a blank line (not counted anywhere).
    pub fn line(&self, bytes: &[u8]) -> Result<Option<Event>, String> {
        self.line_with(bytes, &mut Vec::new(), |e| e.to_event())
    }

    /// [`Validator::line`] handing the accepted event, borrowed, to `f` (no allocation per
    /// line in the common case); `values` is scratch space reused from line to line.
    pub fn line_with<R>(
        &self,
        bytes: &[u8],
        values: &mut Vec<AttrValue>,
        f: impl FnOnce(EventRef<'_>) -> R,
    ) -> Result<Option<R>, String> {
        // the SIMD check first; the standard one only to say where an invalid line breaks
        let text = match simdutf8::basic::from_utf8(bytes) {
            Ok(t) => t,
            Err(_) => std::str::from_utf8(bytes)
                .map_err(|e| format!("not UTF-8 (invalid byte at offset {})", e.valid_up_to()))?,
        };
        let trimmed = text.trim_matches(|c| c == ' ' || c == '\t' || c == '\r' || c == '\n');
        if trimmed.is_empty() {
            return Ok(None);
        }
        // `f` is called at most once: the fast path either calls it or declines
        let mut f = Some(f);
        if let Some(Some(r)) = self.scan_with(trimmed, values, |e| f.take().map(|f| f(e))) {
            return Ok(Some(r));
        }
        let fast = self.fast_with(trimmed, values, |e| f.take().map(|f| f(e)));
        if let Some(Some(r)) = fast {
            return Ok(Some(r));
        }
        let value: serde_json::Value =
            serde_json::from_str(trimmed).map_err(|e| format!("not JSON: {e}"))?;
        let e = self.value(&value)?;
        Ok(f.map(|f| f(e.as_ref())))
    }

    /// The common case without building a JSON tree: every field present and of the right
    /// type, every declared attribute valid. Anything else returns `None` and goes through
    /// [`Validator::value`], which gives the precise reason; both paths accept the same lines.
    #[cfg(test)]
    fn fast(&self, text: &str) -> Option<Event> {
        let mut values = Vec::new();
        self.fast_with(text, &mut values, |e| e.to_event())
    }

    /// [`Validator::fast`] handing a borrowed event to `f`; `values` is scratch space for the
    /// attribute values, reused from line to line.
    fn fast_with<R>(
        &self,
        text: &str,
        values: &mut Vec<AttrValue>,
        f: impl FnOnce(EventRef<'_>) -> R,
    ) -> Option<R> {
        use serde_json::value::RawValue;
        #[derive(Deserialize)]
        struct Line<'a> {
            #[serde(borrow)]
            id: &'a RawValue,
            #[serde(borrow)]
            at: &'a RawValue,
            #[serde(borrow)]
            kind: &'a RawValue,
            #[serde(borrow)]
            subject: &'a RawValue,
            #[serde(borrow, default)]
            product: Option<&'a RawValue>,
            #[serde(borrow, default)]
            attrs: Option<&'a RawValue>,
        }
        let l: Line = serde_json::from_str(text).ok()?;
        let id = raw_str(l.id)?;
        let kind_name = raw_str(l.kind)?;
        let subject = raw_str(l.subject)?;
        if id.is_empty() || kind_name.is_empty() || subject.is_empty() {
            return None;
        }
        let at = parse_instant(&raw_str(l.at)?).ok()?;
        let product = *self.products.get(raw_str(l.product?)?.as_ref())?;
        if l.attrs.is_none() && text.contains("\"attrs\"") {
            // `"attrs": null` also reads as None: leave it to the precise path
            return None;
        }
        let kind = self.kinds.get(kind_name.as_ref()).copied();
        values.clear();
        let declared = kind
            .and_then(|k| self.contract.kinds.get(k))
            .map_or(&[][..], |d| d.attrs.as_slice());
        values.resize(declared.len(), AttrValue::Missing);
        if let Some(r) = l.attrs {
            if !r.get().starts_with('{') {
                return None;
            }
            let mut de = serde_json::Deserializer::from_str(r.get());
            serde::de::DeserializeSeed::deserialize(
                AttrSeed {
                    declared,
                    values: values.as_mut_slice(),
                },
                &mut de,
            )
            .ok()?;
        }
        if lacks_required(declared, values) {
            return None;
        }
        Some(f(EventRef {
            id: &id,
            at,
            kind,
            subject: &subject,
            product,
            attrs: values,
        }))
    }

    /// Validates one event given as a JSON value.
    pub fn value(&self, value: &serde_json::Value) -> Result<Event, String> {
        let obj = value
            .as_object()
            .ok_or_else(|| format!("not a JSON object (found {})", json_type(value)))?;
        let id = required_str(obj, "id")?;
        let kind_name = required_str(obj, "kind")?;
        let subject = required_str(obj, "subject")?;
        let at = match obj.get("at") {
            None => return Err("missing `at`".into()),
            Some(serde_json::Value::String(s)) => {
                parse_instant(s).map_err(|e| format!("`at`: {e}"))?
            }
            Some(v) => return Err(format!("`at` must be a string, found {}", json_type(v))),
        };
        let product = match obj.get("product") {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(p)) => Some(p.as_str()),
            Some(v) => {
                return Err(format!(
                    "`product` must be a string, found {}",
                    json_type(v)
                ))
            }
        };
        // `party` is informational: it plays no role in scoring and is not validated
        let empty = serde_json::Map::new();
        let attrs = match obj.get("attrs") {
            None => &empty,
            Some(serde_json::Value::Object(m)) => m,
            Some(v) => return Err(format!("`attrs` must be an object, found {}", json_type(v))),
        };
        self.parts(id, at, kind_name, subject, product, attrs)
    }

    /// Validates an event given field by field (for column-wise input such as DataFrames);
    /// `at` is already converted to Unix seconds.
    pub fn parts(
        &self,
        id: &str,
        at: i64,
        kind_name: &str,
        subject: &str,
        product: Option<&str>,
        attrs: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<Event, String> {
        self.fields(id, at, kind_name, subject, product, |name| {
            attrs.get(name).map(std::borrow::Cow::Borrowed)
        })
    }

    /// Validates a record handed in by a caller.
    pub fn record(&self, r: &EventRecord) -> Result<Event, String> {
        let mut obj = serde_json::Map::new();
        obj.insert("id".into(), r.id.clone().into());
        obj.insert("at".into(), r.at.clone().into());
        obj.insert("kind".into(), r.kind.clone().into());
        obj.insert("subject".into(), r.subject.clone().into());
        if let Some(p) = &r.product {
            obj.insert("product".into(), p.clone().into());
        }
        if let Some(p) = &r.party {
            obj.insert("party".into(), p.clone().into());
        }
        obj.insert("attrs".into(), serde_json::Value::Object(r.attrs.clone()));
        self.value(&serde_json::Value::Object(obj))
    }

    /// Validates an event given field by field, exactly like [`Validator::parts`], except
    /// that attributes are not handed over as a map: `attr` gives the value of one attribute
    /// by name (`None` when absent; `null` is a missing value too) and is asked only for the
    /// attributes the event's kind declares. For column-wise input (Arrow tables, DataFrames),
    /// where building a map per event would cost more than validating it.
    pub fn fields<'v>(
        &self,
        id: &str,
        at: i64,
        kind_name: &str,
        subject: &str,
        product: Option<&str>,
        attr: impl FnMut(&str) -> Option<std::borrow::Cow<'v, serde_json::Value>>,
    ) -> Result<Event, String> {
        let mut values = Vec::new();
        let (kind, product) =
            self.fields_into(kind_name, (id, subject), product, attr, &mut values)?;
        Ok(Event {
            id: std::sync::Arc::from(id),
            at,
            kind,
            subject: subject.to_string(),
            product,
            attrs: values,
        })
    }

    /// [`Validator::fields`] without building the event: appends the attribute values of an
    /// accepted event to `values` (left as it was on a rejection) and returns its kind and
    /// product, so that the caller can hand the event over borrowed ([`EventRef`]) with no
    /// allocation per event. `names` are the event's `id` and `subject`.
    pub fn fields_into<'v>(
        &self,
        kind_name: &str,
        names: (&str, &str),
        product: Option<&str>,
        mut attr: impl FnMut(&str) -> Option<std::borrow::Cow<'v, serde_json::Value>>,
        values: &mut Vec<AttrValue>,
    ) -> Result<(Option<KindId>, ProductId), String> {
        self.scalars_into(
            kind_name,
            names,
            product,
            |_, _, name| attr(name).map(Scalar::Json),
            values,
        )
    }

    /// [`Validator::fields_into`] for a caller that holds attribute values as scalars (the
    /// cells of columns) and has found, once per batch, where each declared attribute is:
    /// `attr(kind, k, name)` gives the value of the `k`-th declared attribute of `kind`
    /// (`None` when absent). Each scalar is judged exactly as the JSON value it stands for,
    /// with the same outcome and the same message, but numbers are not formatted into a
    /// JSON value and text is not copied before it is known to be needed.
    pub fn scalars_into<'v>(
        &self,
        kind_name: &str,
        names: (&str, &str),
        product: Option<&str>,
        mut attr: impl FnMut(KindId, usize, &str) -> Option<Scalar<'v>>,
        values: &mut Vec<AttrValue>,
    ) -> Result<(Option<KindId>, ProductId), String> {
        let (id, subject) = names;
        for (key, v) in [("id", id), ("kind", kind_name), ("subject", subject)] {
            if v.is_empty() {
                return Err(format!("empty `{key}`"));
            }
        }
        let product = match product {
            None => return Err("missing `product`".into()),
            Some(p) => *self
                .products
                .get(p)
                .ok_or_else(|| format!("unknown product `{p}`"))?,
        };
        let kind = self.kinds.get(kind_name).copied();
        let Some((k, def)) = kind.and_then(|k| Some((k, self.contract.kinds.get(k)?))) else {
            return Ok((kind, product));
        };
        let before = values.len();
        values.reserve(def.attrs.len());
        for (j, a) in def.attrs.iter().enumerate() {
            let v = match attr(k, j, &a.name) {
                None => Ok(AttrValue::Missing),
                Some(s) => scalar_value(&a.ty, s),
            };
            // only a required attribute can reject an event; an optional one of the wrong
            // type is treated as absent (it matches no value a condition names)
            let v = match v {
                Ok(v) => v,
                Err(e) if a.required => {
                    values.truncate(before);
                    return Err(format!("`{kind_name}` attribute `{}` {e}", a.name));
                }
                Err(_) => AttrValue::Missing,
            };
            if a.required && v == AttrValue::Missing {
                values.truncate(before);
                return Err(format!(
                    "`{kind_name}` needs attribute `{}` ({})",
                    a.name,
                    type_phrase(&a.ty)
                ));
            }
            values.push(v);
        }
        Ok((kind, product))
    }
}

/// One attribute value as a column-wise reader holds it ([`Validator::scalars_into`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar<'a> {
    /// given as null: a missing value
    Null,
    Str(std::borrow::Cow<'a, str>),
    Int(i64),
    /// a NaN or infinite float is a missing value, as JSON has no such number
    Float(f64),
    Bool(bool),
    /// any other value
    Json(std::borrow::Cow<'a, serde_json::Value>),
}

impl<'a> Scalar<'a> {
    /// The JSON value the scalar stands for (borrowed when it is one).
    pub fn into_json(self) -> std::borrow::Cow<'a, serde_json::Value> {
        use serde_json::Value as J;
        std::borrow::Cow::Owned(match self {
            Scalar::Null => J::Null,
            Scalar::Str(s) => J::String(s.into_owned()),
            Scalar::Int(i) => J::from(i),
            Scalar::Float(x) => serde_json::Number::from_f64(x).map_or(J::Null, J::Number),
            Scalar::Bool(b) => J::Bool(b),
            Scalar::Json(v) => return v,
        })
    }
}

/// [`attr_value`] of the JSON value a scalar stands for; the common pairs of type and value
/// are judged here directly, everything else (and every error) by `attr_value` itself.
fn scalar_value(ty: &AttrType, s: Scalar<'_>) -> Result<AttrValue, String> {
    use std::borrow::Cow;
    match (ty, s) {
        (_, Scalar::Null) => Ok(AttrValue::Missing),
        (AttrType::Text, Scalar::Str(s)) => Ok(AttrValue::Text(s.into_owned())),
        (AttrType::Enum(vs), Scalar::Str(s)) => match vs
            .iter()
            .position(|x| *x == *s)
            .and_then(|i| u16::try_from(i).ok())
        {
            Some(i) => Ok(AttrValue::Enum(i)),
            None => attr_value(ty, Some(&serde_json::Value::String(s.into_owned()))),
        },
        (AttrType::Time, Scalar::Str(s)) => parse_instant(&s)
            .map(AttrValue::Time)
            .map_err(|e| format!("is not a valid time: {e}")),
        (AttrType::Bool, Scalar::Bool(b)) => Ok(AttrValue::Bool(b)),
        (AttrType::Number(_), Scalar::Int(i)) => {
            // the decimal of `i`'s JSON text, as `parse_decimal` reads it (scale 0)
            let d = Decimal::from(i);
            if d.abs() <= MAX_NUMBER {
                Ok(AttrValue::Number(d))
            } else {
                attr_value(ty, Some(&serde_json::Value::from(i)))
            }
        }
        (_, Scalar::Float(x)) if !x.is_finite() => Ok(AttrValue::Missing),
        (AttrType::Number(_), Scalar::Float(x)) => {
            // the text serde_json gives the float (`Number::from_f64`), without allocating it
            let mut buf = zmij::Buffer::new();
            match parse_decimal(buf.format_finite(x)) {
                Some(d) => Ok(AttrValue::Number(d)),
                None => attr_value(ty, Some(&Scalar::Float(x).into_json())),
            }
        }
        (AttrType::Text, Scalar::Json(Cow::Owned(serde_json::Value::String(s)))) => {
            Ok(AttrValue::Text(s))
        }
        (ty, Scalar::Json(v)) => attr_value(ty, Some(&v)),
        (ty, other) => attr_value(ty, Some(&other.into_json())),
    }
}

fn required_str<'a>(
    obj: &'a serde_json::Map<String, serde_json::Value>,
    key: &str,
) -> Result<&'a str, String> {
    match obj.get(key) {
        None => Err(format!("missing `{key}`")),
        Some(serde_json::Value::String(s)) if s.is_empty() => Err(format!("empty `{key}`")),
        Some(serde_json::Value::String(s)) => Ok(s),
        Some(v) => Err(format!("`{key}` must be a string, found {}", json_type(v))),
    }
}

fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

fn type_phrase(ty: &AttrType) -> String {
    match ty {
        AttrType::Text => "a string".into(),
        AttrType::Bool => "a JSON boolean".into(),
        AttrType::Number(_) => "a JSON number".into(),
        AttrType::Time => "an RFC 3339 time with seconds and offset".into(),
        AttrType::Enum(vs) => format!("one of {}", vs.join(", ")),
    }
}

fn attr_value(ty: &AttrType, v: Option<&serde_json::Value>) -> Result<AttrValue, String> {
    use serde_json::Value as J;
    let Some(v) = v else {
        return Ok(AttrValue::Missing);
    };
    if v.is_null() {
        return Ok(AttrValue::Missing);
    }
    let found = || format!("must be {}, found {}", type_phrase(ty), shown(v));
    match (ty, v) {
        (AttrType::Text, J::String(s)) => Ok(AttrValue::Text(s.clone())),
        (AttrType::Bool, J::Bool(b)) => Ok(AttrValue::Bool(*b)),
        (AttrType::Number(_), J::Number(n)) => {
            let text = n.to_string();
            parse_decimal(&text).map(AttrValue::Number).ok_or_else(|| {
                format!("is out of range ({text}; numbers are at most 10^18 in magnitude)")
            })
        }
        (AttrType::Time, J::String(s)) => parse_instant(s)
            .map(AttrValue::Time)
            .map_err(|e| format!("is not a valid time: {e}")),
        (AttrType::Enum(values), J::String(s)) => values
            .iter()
            .position(|x| x == s)
            .and_then(|i| u16::try_from(i).ok())
            .map(AttrValue::Enum)
            .ok_or_else(found),
        _ => Err(found()),
    }
}

/// A JSON string token, borrowed when it has no escapes.
fn raw_str(r: &serde_json::value::RawValue) -> Option<std::borrow::Cow<'_, str>> {
    let t = r.get();
    if !t.starts_with('"') {
        return None;
    }
    match serde_json::from_str::<&str>(t) {
        Ok(s) => Some(std::borrow::Cow::Borrowed(s)),
        Err(_) => serde_json::from_str::<String>(t)
            .ok()
            .map(std::borrow::Cow::Owned),
    }
}

/// Whether a required attribute is missing from `values` (one per declared attribute).
fn lacks_required(declared: &[crate::contract::AttrDef], values: &[AttrValue]) -> bool {
    declared
        .iter()
        .zip(values)
        .any(|(a, v)| a.required && *v == AttrValue::Missing)
}

/// An attribute value straight from its JSON token; `None` for anything unusual (wrong type,
/// out of range), which the precise path then judges.
fn attr_value_raw(ty: &AttrType, r: &serde_json::value::RawValue) -> Option<AttrValue> {
    let t = r.get();
    if t == "null" {
        return Some(AttrValue::Missing);
    }
    match ty {
        AttrType::Text => raw_str(r).map(|s| AttrValue::Text(s.into_owned())),
        AttrType::Bool => match t {
            "true" => Some(AttrValue::Bool(true)),
            "false" => Some(AttrValue::Bool(false)),
            _ => None,
        },
        AttrType::Number(_) if t.starts_with(|c: char| c == '-' || c.is_ascii_digit()) => {
            parse_decimal(t).map(AttrValue::Number)
        }
        AttrType::Number(_) => None,
        AttrType::Time => parse_instant(&raw_str(r)?).ok().map(AttrValue::Time),
        AttrType::Enum(values) => {
            let s = raw_str(r)?;
            let i = values.iter().position(|x| *x == *s)?;
            u16::try_from(i).ok().map(AttrValue::Enum)
        }
    }
}

/// A JSON object key, borrowed when it has no escapes.
struct Key<'a>(std::borrow::Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_str(V)
    }
}

/// Reads an `attrs` object straight into the values of the declared attributes (a later
/// occurrence of a key overwrites an earlier one, as in a map); a value of the wrong type
/// fails, and the caller leaves the line to the precise path.
struct AttrSeed<'s> {
    declared: &'s [crate::contract::AttrDef],
    values: &'s mut [AttrValue],
}

impl<'de> serde::de::DeserializeSeed<'de> for AttrSeed<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for AttrSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> Result<(), A::Error> {
        while let Some((k, r)) = m.next_entry::<Key<'de>, &'de serde_json::value::RawValue>()? {
            let Some(i) = self.declared.iter().position(|a| a.name == k.0) else {
                continue;
            };
            let v = self
                .declared
                .get(i)
                .and_then(|a| attr_value_raw(&a.ty, r))
                .ok_or_else(|| serde::de::Error::custom("not a valid value"))?;
            if let Some(slot) = self.values.get_mut(i) {
                *slot = v;
            }
        }
        Ok(())
    }
}

fn shown(v: &serde_json::Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        let cut: String = s.chars().take(40).collect();
        format!("{cut}…")
    } else {
        s
    }
}

/// Parses a JSON number text (possibly with exponent) into an exact decimal.
/// Attribute numbers are at most this in magnitude: sums of up to 7.9 × 10^10 of them stay
/// within the decimal range, so means and sums are exact and never overflow.
pub const MAX_NUMBER: Decimal = Decimal::from_parts(0xa764_0000, 0x0de0_b6b3, 0, false, 0);

fn parse_decimal(text: &str) -> Option<Decimal> {
    if let Some(d) = plain_decimal(text) {
        return Some(d);
    }
    let d = if text.contains(['e', 'E']) {
        Decimal::from_scientific(text).ok()
    } else {
        text.parse::<Decimal>().ok()
    };
    d.filter(|d| d.abs() <= MAX_NUMBER)
}

/// The decimal of a plain number text (an optional `-`, at most 18 digits, at most one `.`
/// between digits, no exponent), with the scale its digits after the point give: exactly
/// what `Decimal`'s own parsing gives, without its general path (a number of up to 18
/// digits is within [`MAX_NUMBER`]). `None` for anything else, which that path reads.
fn plain_decimal(text: &str) -> Option<Decimal> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let b = digits.as_bytes();
    // at most 18 digits and a point: the mantissa below cannot overflow
    if b.is_empty() || b.len() > 19 || !b.first()?.is_ascii_digit() || !b.last()?.is_ascii_digit() {
        return None;
    }
    let mut mantissa = 0u64;
    let mut point = None;
    for (k, &c) in b.iter().enumerate() {
        match c {
            b'0'..=b'9' => mantissa = mantissa * 10 + u64::from(c - b'0'),
            b'.' if point.is_none() => point = Some(k),
            _ => return None,
        }
    }
    if b.len() - usize::from(point.is_some()) > 18 {
        return None;
    }
    let scale = u32::try_from(point.map_or(0, |p| b.len() - p - 1)).ok()?;
    Some(Decimal::from_parts(
        mantissa as u32,
        (mantissa >> 32) as u32,
        0,
        // as `Decimal` reads it: zero has no sign
        negative && mantissa != 0,
        scale,
    ))
}

/// Parses strict RFC 3339 with seconds and an offset (`Z` or `±hh:mm`) into Unix seconds.
/// Fractional seconds are truncated. Rejects hour 24, second 60, `+0800` and missing offsets.
pub fn parse_instant(s: &str) -> Result<i64, String> {
    let b = s.as_bytes();
    let bad =
        || format!("`{s}` is not RFC 3339 with seconds and offset, e.g. 2026-10-09T09:12:00+08:00");
    let naive = || {
        format!(
            "`{s}` has no time zone offset (a naive time): add `Z` or an offset such as `+08:00`"
        )
    };
    // `yyyy-mm-ddThh:mm:ss` at fixed places: read without bounds checks per byte
    let Some(head) = b.first_chunk::<19>() else {
        return Err(bad());
    };
    let [y1, y2, y3, y4, dash1, mo1, mo2, dash2, d1, d2, t, h1, h2, colon1, mi1, mi2, colon2, s1, s2] =
        *head;
    let digits = [y1, y2, y3, y4, mo1, mo2, d1, d2, h1, h2, mi1, mi2, s1, s2]
        .map(|c| u32::from(c.wrapping_sub(b'0')));
    let seps_ok = [dash1, dash2, t, colon1, colon2] == *b"--T::";
    if !seps_ok || digits.iter().any(|&d| d > 9) {
        return Err(bad());
    }
    let [y1, y2, y3, y4, mo1, mo2, d1, d2, h1, h2, mi1, mi2, s1, s2] = digits;
    let year = y1 * 1000 + y2 * 100 + y3 * 10 + y4;
    let (month, day) = (mo1 * 10 + mo2, d1 * 10 + d2);
    let (hour, minute, second) = (h1 * 10 + h2, mi1 * 10 + mi2, s1 * 10 + s2);
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(|c| c.is_ascii_digit()) {
            i += 1;
        }
        if i == start {
            return Err(bad());
        }
    }
    let offset_secs: i64 = match b.get(i..) {
        Some([b'Z']) => 0,
        Some(&[sign @ (b'+' | b'-'), h1, h2, b':', m1, m2]) => {
            let d = |c: u8| u32::from(c.wrapping_sub(b'0'));
            if [h1, h2, m1, m2].iter().any(|&c| d(c) > 9) {
                return Err(bad());
            }
            let (oh, om) = (d(h1) * 10 + d(h2), d(m1) * 10 + d(m2));
            if oh > 23 || om > 59 {
                return Err(format!("`{s}`: offset out of range"));
            }
            let v = i64::from(oh * 3600 + om * 60);
            if sign == b'-' {
                -v
            } else {
                v
            }
        }
        // a local time with no offset (a naive datetime's text): say what is missing
        Some([]) => return Err(naive()),
        _ => return Err(bad()),
    };
    if hour > 23 || minute > 59 || second > 59 {
        return Err(format!("`{s}`: time of day out of range"));
    }
    if year == 0 {
        return Err(format!("`{s}`: year 0000 is not a valid date"));
    }
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return Err(format!("`{s}`: no such date"));
    }
    let days = days_from_civil(year, month, day);
    Ok(days * 86_400 + i64::from(hour * 3600 + minute * 60 + second) - offset_secs)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date of years 1 to 9999 (the civil-days
/// algorithm of H. Hinnant, without negative years).
fn days_from_civil(year: u32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// One outcome of reading a line.
#[derive(Debug)]
pub enum LineOutcome {
    Accepted(Event),
    Rejected(Rejection),
}

/// Streams a JSON Lines input: calls `f` for every non-blank line, in order, with its outcome.
/// Memory stays bounded by the longest line accepted (see [`Limits`]).
pub fn read_jsonl<R: BufRead>(
    contract: &Contract,
    input: R,
    limits: Limits,
    mut f: impl FnMut(LineOutcome),
) -> std::io::Result<u64> {
    read_jsonl_with(contract, input, limits, |o| match o {
        LineRef::Accepted(e) => f(LineOutcome::Accepted(e.to_event())),
        LineRef::Rejected(r) => f(LineOutcome::Rejected(r)),
    })
}

/// One outcome of reading a line, the accepted event borrowed.
#[derive(Debug)]
pub enum LineRef<'a> {
    Accepted(EventRef<'a>),
    Rejected(Rejection),
}

impl EventRef<'_> {
    /// An owned copy.
    pub fn to_event(&self) -> Event {
        Event {
            id: std::sync::Arc::from(self.id),
            at: self.at,
            kind: self.kind,
            subject: self.subject.to_string(),
            product: self.product,
            attrs: self.attrs.to_vec(),
        }
    }
}

/// [`read_jsonl`] handing accepted events over borrowed: no allocation per line in the
/// common case.
pub fn read_jsonl_with<R: BufRead>(
    contract: &Contract,
    input: R,
    limits: Limits,
    mut f: impl FnMut(LineRef<'_>),
) -> std::io::Result<u64> {
    read_lines(contract, input, limits, |o, _| f(o)).map(|end| end.lines)
}

/// Where the input stands after a line: bytes read through its end, and lines read
/// (blank ones included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Through {
    pub bytes: u64,
    pub lines: u64,
}

/// [`read_jsonl_with`] telling `f` where each line ends, and returning where the input
/// ended. A whole line is read in place from the reader's buffer and consumed after `f` has
/// seen it, so a reader cannot count its way to a line's end: this says where it is.
pub(crate) fn read_lines<R: BufRead>(
    contract: &Contract,
    mut input: R,
    limits: Limits,
    mut f: impl FnMut(LineRef<'_>, Through),
) -> std::io::Result<Through> {
    let mut bytes = 0u64;
    let validator = Validator::new(contract);
    let mut buf = Vec::with_capacity(4096);
    let mut values = Vec::new();
    let mut line_no = 0u64;
    let max = limits.max_line_bytes;
    // one line's outcome: its bytes (the first `max` of a longer line), its whole length,
    // and whether it is over the limit (the newline itself does not count against it)
    let mut one = |line: &[u8], len: usize, truncated: bool, at: Through| {
        let line_no = at.lines;
        if truncated {
            let text = String::from_utf8_lossy(line.get(..max).unwrap_or(line));
            f(
                LineRef::Rejected(Rejection {
                    line: Some(line_no),
                    reason: format!("line longer than {max} bytes ({len} bytes)"),
                    text: text.into_owned() + "…",
                }),
                at,
            );
            return;
        }
        if let Err(reason) = validator.line_with(line, &mut values, |e| f(LineRef::Accepted(e), at))
        {
            let text = String::from_utf8_lossy(line);
            f(
                LineRef::Rejected(Rejection {
                    line: Some(line_no),
                    reason,
                    text: text.trim_end_matches(['\n', '\r']).to_string(),
                }),
                at,
            )
        }
    };
    loop {
        // a whole line in the reader's buffer is read where it is, not copied
        let available = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if let Some(end) = memchr::memchr(b'\n', available) {
            let line = available.get(..=end).unwrap_or_default();
            line_no += 1;
            bytes += line.len() as u64;
            let at = Through {
                bytes,
                lines: line_no,
            };
            one(line, line.len(), line.len() - 1 > max, at);
            input.consume(end + 1);
            continue;
        }
        // no whole line in the buffer: a line longer than it, or the last one without a
        // newline; it is read into `buf` (up to the limit)
        buf.clear();
        let n = read_line_bounded(&mut input, &mut buf, max)?;
        if n.bytes == 0 {
            break;
        }
        line_no += 1;
        bytes += n.bytes as u64;
        let at = Through {
            bytes,
            lines: line_no,
        };
        one(&buf, n.bytes, n.truncated, at);
    }
    Ok(Through {
        bytes,
        lines: line_no,
    })
}

/// Like [`read_jsonl`], with the parsing spread over `threads` worker threads. Outcomes still
/// reach `f` one by one in file order, so results are identical to [`read_jsonl`]; memory stays
/// bounded (a few blocks of 1 MiB per thread, plus the longest line kept).
pub fn read_jsonl_parallel<R: std::io::Read + Send>(
    contract: &Contract,
    mut input: R,
    limits: Limits,
    threads: usize,
    mut f: impl FnMut(LineOutcome),
) -> std::io::Result<u64> {
    use std::sync::mpsc::{sync_channel, Receiver};
    use std::sync::{Arc, Mutex};
    if threads <= 1 {
        return read_jsonl(contract, std::io::BufReader::new(input), limits, f);
    }
    const BLOCK: usize = 1 << 20;
    enum Job {
        /// whole lines, the first one numbered `first_line`
        Block(u64, u64, Vec<u8>),
        /// a line over the limit: its number, full length and first bytes
        TooLong(u64, u64, usize, Vec<u8>),
    }
    type Done = (u64, std::io::Result<(Vec<LineOutcome>, u64)>);
    let in_flight = threads * 4;
    std::thread::scope(|scope| {
        let (work_tx, work_rx) = sync_channel::<Job>(threads * 2);
        let work_rx: Arc<Mutex<Receiver<Job>>> = Arc::new(Mutex::new(work_rx));
        let (done_tx, done_rx) = sync_channel::<Done>(threads * 2);
        let (credit_tx, credit_rx) = sync_channel::<()>(in_flight);
        for _ in 0..in_flight {
            let _ = credit_tx.send(());
        }
        for _ in 0..threads {
            let work_rx = Arc::clone(&work_rx);
            let done_tx = done_tx.clone();
            scope.spawn(move || loop {
                let job = match work_rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => return,
                };
                let Ok(job) = job else { return };
                let (idx, res) = match job {
                    Job::Block(idx, first, bytes) => {
                        let mut out = Vec::new();
                        let res = read_jsonl(contract, bytes.as_slice(), limits, |o| {
                            out.push(match o {
                                LineOutcome::Rejected(mut r) => {
                                    r.line = r.line.map(|n| n + first - 1);
                                    LineOutcome::Rejected(r)
                                }
                                a => a,
                            })
                        });
                        (idx, res.map(|n| (out, n)))
                    }
                    Job::TooLong(idx, line, total, prefix) => {
                        let r = Rejection {
                            line: Some(line),
                            reason: format!(
                                "line longer than {} bytes ({total} bytes)",
                                limits.max_line_bytes
                            ),
                            text: String::from_utf8_lossy(&prefix).into_owned() + "…",
                        };
                        (idx, Ok((vec![LineOutcome::Rejected(r)], 1)))
                    }
                };
                if done_tx.send((idx, res)).is_err() {
                    return;
                }
            });
        }
        // the reader cuts the input into blocks of whole lines
        let reader = scope.spawn(move || -> std::io::Result<()> {
            let mut idx = 0u64;
            let mut line = 1u64;
            let mut buf: Vec<u8> = Vec::with_capacity(BLOCK * 2);
            let mut long: Option<(usize, Vec<u8>)> = None;
            let mut chunk = vec![0u8; BLOCK];
            let send = |job: Job| -> bool { credit_rx.recv().is_ok() && work_tx.send(job).is_ok() };
            loop {
                let n = match input.read(&mut chunk) {
                    Ok(n) => n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                };
                let data = chunk.get(..n).unwrap_or(&[]);
                let mut rest = data;
                if let Some((total, prefix)) = long.as_mut() {
                    // inside an over-long line: skip to its end
                    match rest.iter().position(|&c| c == b'\n') {
                        Some(i) => {
                            // counted like `read_jsonl` does: with the newline
                            *total += i + 1;
                            let (total, prefix) = (*total, std::mem::take(prefix));
                            long = None;
                            if !send(Job::TooLong(idx, line, total, prefix)) {
                                return Ok(());
                            }
                            idx += 1;
                            line += 1;
                            rest = rest.get(i + 1..).unwrap_or(&[]);
                        }
                        None => {
                            *total += rest.len();
                            rest = &[];
                        }
                    }
                }
                buf.extend_from_slice(rest);
                let last_nl = buf.iter().rposition(|&c| c == b'\n');
                if n == 0 || last_nl.is_some_and(|i| i + 1 >= BLOCK) {
                    let cut = if n == 0 {
                        buf.len()
                    } else {
                        last_nl.map_or(0, |i| i + 1)
                    };
                    if cut > 0 {
                        let tail = buf.split_off(cut);
                        let block = std::mem::replace(&mut buf, tail);
                        let lines = block.iter().filter(|&&c| c == b'\n').count() as u64
                            + u64::from(block.last() != Some(&b'\n'));
                        if !send(Job::Block(idx, line, block)) {
                            return Ok(());
                        }
                        idx += 1;
                        line += lines;
                    }
                    if n == 0 {
                        if let Some((total, prefix)) = long.take() {
                            let _ = send(Job::TooLong(idx, line, total, prefix));
                        }
                        return Ok(());
                    }
                }
                // a line that outgrows the limit with no newline in sight: stop keeping it
                let start = buf.iter().rposition(|&c| c == b'\n').map_or(0, |i| i + 1);
                if long.is_none() && buf.len() - start > limits.max_line_bytes + 1 {
                    let before = buf.split_off(start);
                    let whole = std::mem::replace(&mut buf, before);
                    // `whole` holds the complete lines, `buf` the long one's beginning
                    if !whole.is_empty() {
                        let lines = whole.iter().filter(|&&c| c == b'\n').count() as u64;
                        if !send(Job::Block(idx, line, whole)) {
                            return Ok(());
                        }
                        idx += 1;
                        line += lines;
                    }
                    let total = buf.len();
                    buf.truncate(limits.max_line_bytes);
                    long = Some((total, std::mem::take(&mut buf)));
                }
            }
        });
        drop(done_tx);
        let mut next = 0u64;
        let mut pending: std::collections::BTreeMap<u64, std::io::Result<(Vec<LineOutcome>, u64)>> =
            std::collections::BTreeMap::new();
        let mut lines = 0u64;
        let mut failure = None;
        for (idx, res) in done_rx {
            pending.insert(idx, res);
            while let Some(res) = pending.remove(&next) {
                next += 1;
                let _ = credit_tx.send(());
                match res {
                    Ok((outcomes, n)) => {
                        lines += n;
                        outcomes.into_iter().for_each(&mut f);
                    }
                    Err(e) => failure = failure.or(Some(e)),
                }
            }
        }
        drop(credit_tx);
        match reader.join() {
            Ok(Err(e)) => return Err(e),
            Err(_) => return Err(std::io::Error::other("the reader thread failed")),
            Ok(Ok(())) => {}
        }
        match failure {
            Some(e) => Err(e),
            None => Ok(lines),
        }
    })
}

struct LineRead {
    bytes: usize,
    truncated: bool,
}

/// Reads one line into `buf`, keeping at most `max` bytes (the rest of a long line is
/// consumed and counted, not stored).
fn read_line_bounded<R: BufRead>(
    input: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<LineRead> {
    let mut total = 0usize;
    loop {
        let available = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(LineRead {
                bytes: total,
                truncated: total > max,
            });
        }
        let (chunk, done) = match memchr::memchr(b'\n', available) {
            Some(i) => (available.get(..=i).unwrap_or(available), true),
            None => (available, false),
        };
        let len = chunk.len();
        if buf.len() < max {
            let room = max - buf.len();
            buf.extend_from_slice(chunk.get(..room.min(len)).unwrap_or(chunk));
        }
        total += len;
        input.consume(len);
        if done {
            // the newline itself does not count against the limit
            return Ok(LineRead {
                bytes: total,
                truncated: total - 1 > max,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_instant;

    fn outcomes(
        contract: &crate::contract::Contract,
        data: &[u8],
        limits: super::Limits,
        threads: usize,
    ) -> (Vec<String>, u64) {
        let mut out = Vec::new();
        let n = super::read_jsonl_parallel(contract, data, limits, threads, |o| {
            out.push(match o {
                super::LineOutcome::Accepted(e) => format!("ok {}", e.id),
                super::LineOutcome::Rejected(r) => {
                    format!("no {:?} {} {}", r.line, r.reason, r.text.len())
                }
            })
        })
        .unwrap();
        (out, n)
    }

    /// Parallel reading gives the same outcomes, in the same order, as sequential reading,
    /// including over-long lines and a last line without a newline.
    #[test]
    fn parallel_reading_is_sequential_reading() {
        let src = include_str!("../../examples/egov-2026.sla");
        let contract = crate::contract::check::load(src).unwrap().contract;
        let cfg = slagrade_gen::GenConfig {
            events: 40_000,
            malformed_ppm: 5_000,
            ..Default::default()
        };
        let mut data = Vec::new();
        slagrade_gen::generate(&cfg, &mut data).unwrap();
        let limits = super::Limits {
            max_line_bytes: 3_000,
        };
        let long = |n: usize| {
            let mut v = br#"{"id":""#.to_vec();
            v.extend(std::iter::repeat_n(b'x', n));
            v.extend_from_slice(b"\"}\n");
            v
        };
        // long lines: over the limit, over a whole block, and at the very end without newline
        let mut input = long(5_000);
        input.extend_from_slice(&data[..data.len() / 2]);
        input.extend(long(3_500_000));
        input.extend_from_slice(b"\n\n");
        input.extend_from_slice(&data[data.len() / 2..]);
        input.extend(long(2_000_000));
        input.pop();
        let one = outcomes(&contract, &input, limits, 1);
        for threads in [2, 3] {
            assert_eq!(outcomes(&contract, &input, limits, threads), one);
        }
        assert!(one.0.iter().filter(|o| o.contains("longer than")).count() == 3);
    }

    /// Lines are read in place from the reader's buffer when whole there, and copied when
    /// they cross its end: the outcomes (texts and reasons of rejections included) do not
    /// depend on where the buffer ends, for lines just under, at and over the limit.
    #[test]
    fn outcomes_do_not_depend_on_the_reader_buffer() {
        let src = include_str!("../../examples/egov-2026.sla");
        let contract = crate::contract::check::load(src).unwrap().contract;
        let limits = super::Limits {
            max_line_bytes: 300,
        };
        let mut input = generated(60, 20_000).into_bytes();
        // 298 to 302 bytes before the line end, and far over
        for n in [289, 290, 291, 292, 293, 500] {
            for end in [&b"\n"[..], b"\r\n"] {
                input.extend_from_slice(br#"{"id":""#);
                input.extend(std::iter::repeat_n(b'y', n));
                input.extend_from_slice(b"\"}");
                input.extend_from_slice(end);
            }
        }
        input.extend_from_slice(b"\n \n");
        input.extend(generated(20, 0).into_bytes());
        input.extend_from_slice(br#"{"id":"last, no newline"}"#);
        let read = |capacity: usize| {
            let mut out = Vec::new();
            let reader = std::io::BufReader::with_capacity(capacity, &input[..]);
            let end = super::read_lines(&contract, reader, limits, |o, at| {
                out.push(match o {
                    super::LineRef::Accepted(e) => format!("ok {} {} {at:?}", e.id, e.at),
                    super::LineRef::Rejected(r) => format!("no {r:?} {at:?}"),
                })
            })
            .unwrap();
            (out, end)
        };
        let whole = read(1 << 20);
        assert!(
            whole
                .0
                .iter()
                .filter(|o| o.contains("longer than 300"))
                .count()
                >= 4
        );
        assert!(whole.0.iter().any(|o| o.contains("last, no newline")));
        // where each line ends, counted independently
        let mut ends = input
            .iter()
            .enumerate()
            .filter(|(_, c)| **c == b'\n')
            .map(|(i, _)| i as u64 + 1);
        let first = whole.0.first().unwrap();
        let first_end = ends.next().unwrap();
        assert!(first.ends_with(&format!("Through {{ bytes: {first_end}, lines: 1 }}")));
        let lines = input.iter().filter(|c| **c == b'\n').count() as u64 + 1;
        let bytes = input.len() as u64;
        assert_eq!(whole.1, super::Through { bytes, lines });
        for capacity in [1, 2, 7, 64, 299, 301, 302, 4096] {
            assert_eq!(read(capacity), whole, "buffer of {capacity} bytes");
        }
    }

    /// A generated stream with this share of malformed lines (per million), as text.
    pub(super) fn generated(events: u64, malformed_ppm: u32) -> String {
        let cfg = slagrade_gen::GenConfig {
            events,
            malformed_ppm,
            ..Default::default()
        };
        let mut buf = Vec::new();
        slagrade_gen::generate(&cfg, &mut buf).unwrap();
        String::from_utf8(buf).unwrap()
    }

    /// The fast path accepts exactly what the precise path accepts, with the same result.
    #[test]
    fn fast_path_agrees_with_the_precise_path() {
        let src = include_str!("../../examples/egov-2026.sla");
        let contract = crate::contract::check::load(src).unwrap().contract;
        let v = super::Validator::new(&contract);
        let text = generated(20_000, 20_000);
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        // variants the generator does not write
        let base = r#"{"id":"x","at":"2026-10-09T09:12:00+08:00","kind":"ticket.opened","subject":"T","product":"infra.servers","attrs":{"priority":"P1"}}"#;
        for (from, to) in [
            (r#""priority":"P1""#, r#""priority":"P\u0031""#),
            (r#""priority":"P1""#, r#""priority":"P1","priority":"P9""#),
            (r#""priority":"P1""#, r#""priority":"P9","priority":"P1""#),
            (r#""priority":"P1""#, r#""priority":"P1","source":3"#),
            (r#""priority":"P1""#, r#""priority":null"#),
            (r#","attrs":{"priority":"P1"}"#, r#","attrs":null"#),
            (r#""id":"x""#, r#""id":"x","id":"y""#),
            (r#""id":"x""#, r#""id":"\u00e9""#),
            (r#""product":"infra.servers""#, r#""product":null"#),
            (r#""subject":"T""#, r#""subject":"""#),
            (r#""kind":"ticket.opened""#, r#""kind":"x.y""#),
            (r#"}}"#, r#"},"party":{"a":1}}"#),
        ] {
            lines.push(base.replace(from, to));
        }
        let mut fast = 0;
        for line in &lines {
            let precise = serde_json::from_str::<serde_json::Value>(line)
                .ok()
                .and_then(|j| v.value(&j).ok());
            if let Some(e) = v.fast(line) {
                fast += 1;
                assert_eq!(Some(e), precise, "{line}");
            }
            assert_eq!(v.line(line.as_bytes()).ok().flatten(), precise, "{line}");
        }
        assert!(fast > lines.len() / 2);
    }

    #[test]
    fn numbers_are_bounded() {
        use super::{parse_decimal, Decimal, MAX_NUMBER};
        assert_eq!(
            MAX_NUMBER,
            "1000000000000000000".parse::<Decimal>().unwrap()
        );
        assert_eq!(parse_decimal("1e18"), Some(MAX_NUMBER));
        assert_eq!(parse_decimal("-1000000000000000000"), Some(-MAX_NUMBER));
        assert_eq!(parse_decimal("1000000000000000000.5"), None);
        assert_eq!(parse_decimal("7e28"), None);
        // the fast reading of plain texts keeps the sign of zero and the scale
        for text in [
            "-0.0",
            "-0",
            "0.000",
            "12.50",
            "007",
            "-5.25",
            "999999999999999999",
        ] {
            let general = text.parse::<Decimal>().map(|d| d.serialize()).ok();
            assert_eq!(
                super::plain_decimal(text).map(|d| d.serialize()),
                general,
                "{text}"
            );
        }
        assert_eq!(parse_decimal("0.000001"), "0.000001".parse().ok());
    }

    #[test]
    fn instants() {
        // 2026-10-09T09:12:00+08:00 = 2026-10-09T01:12:00Z; 2026-10-09 is day 20735 since 1970
        assert_eq!(
            parse_instant("2026-10-09T09:12:00+08:00").unwrap(),
            20_735 * 86_400 + 3600 + 12 * 60
        );
        assert_eq!(
            parse_instant("2026-10-09T01:12:00.999Z").unwrap(),
            parse_instant("2026-10-09T09:12:00+08:00").unwrap()
        );
        for bad in [
            "2026-10-09T09:12:00",
            "2026-10-09T09:12:00+0800",
            "2026-10-09T24:00:00Z",
            "2026-10-09T23:59:60Z",
            "2026-10-09T09:12Z",
            "2026-02-30T09:12:00Z",
            "2026-10-09 09:12:00Z",
            "2026-10-09T09:12:00.Z",
            "2026-10-09T09:12:00+08:00x",
        ] {
            assert!(parse_instant(bad).is_err(), "{bad}");
        }
        // a time without an offset (the text of a naive datetime) is told apart
        for naive in ["2026-10-09T09:12:00", "2026-10-09T09:12:00.5"] {
            assert_eq!(
                parse_instant(naive).unwrap_err(),
                format!("`{naive}` has no time zone offset (a naive time): add `Z` or an offset such as `+08:00`")
            );
        }
        assert!(parse_instant("2026-10-09T09:12Z")
            .unwrap_err()
            .contains("is not RFC 3339"));
    }

    use proptest::prelude::{any, Just, Strategy};

    fn attr_types() -> impl Strategy<Value = super::AttrType> {
        use crate::contract::{AttrType, Unit};
        proptest::prop_oneof![
            Just(AttrType::Text),
            Just(AttrType::Bool),
            Just(AttrType::Number(Unit::Number)),
            Just(AttrType::Number(Unit::Seconds)),
            Just(AttrType::Time),
            Just(AttrType::Enum(vec!["P1".into(), "P2".into(), "é".into()])),
        ]
    }

    fn scalars() -> impl Strategy<Value = super::Scalar<'static>> {
        use super::Scalar;
        use std::borrow::Cow;
        let text = proptest::prop_oneof![
            proptest::sample::select(vec![
                "",
                "P1",
                "P2",
                "p1",
                "é",
                "2026-10-09T09:12:00Z",
                "2026-10-09T09:12:00.5+08:00",
                "2026-02-30T09:12:00Z",
                "1",
                "true",
                "null",
            ])
            .prop_map(String::from),
            "\\PC{0,6}",
        ];
        // numbers near the bound of 10^18, and floats whose shortest text has an exponent
        let int = proptest::prop_oneof![
            any::<i64>(),
            (-3i64..3).prop_map(|d| 1_000_000_000_000_000_000 + d),
            (-3i64..3).prop_map(|d| -1_000_000_000_000_000_000 + d),
            -1000i64..1000,
        ];
        let float = proptest::prop_oneof![
            any::<f64>(),
            proptest::sample::select(vec![
                f64::NAN,
                f64::INFINITY,
                f64::NEG_INFINITY,
                0.0,
                -0.0,
                0.1,
                1.0,
                1e18,
                -1e18,
                1e18 + 256.0,
                1e19,
                1e-7,
                1e-30,
                5e-324,
                123456.789,
                2.5e15,
            ]),
            (-1e6f64..1e6),
        ];
        let json = proptest::prop_oneof![
            Just(serde_json::json!(null)),
            Just(serde_json::json!([1, 2])),
            Just(serde_json::json!({"a": 1})),
            Just(serde_json::json!(true)),
            Just(serde_json::json!(12.5)),
            Just(serde_json::from_str::<serde_json::Value>("1e400").unwrap_or_default()),
            Just(serde_json::json!("P2")),
            Just(serde_json::json!("2026-10-09T09:12:00Z")),
        ];
        proptest::prop_oneof![
            Just(Scalar::Null),
            text.prop_map(|s| Scalar::Str(Cow::Owned(s))),
            int.prop_map(Scalar::Int),
            float.prop_map(Scalar::Float),
            any::<bool>().prop_map(Scalar::Bool),
            json.prop_map(|v| Scalar::Json(Cow::Owned(v))),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 20_000, ..Default::default()
        })]

        /// Plain number texts read the fast way are exactly the decimals `Decimal` reads,
        /// down to the sign of zero and the scale.
        #[test]
        fn plain_decimals_are_decimals(text in "-?[0-9]{0,20}(\\.[0-9]{0,20})?[eE]?[0-9]?") {
            let fast = super::plain_decimal(&text);
            let general = text.parse::<rust_decimal::Decimal>().ok();
            if let Some(d) = fast {
                let g = general.map(|g| g.serialize());
                proptest::prop_assert_eq!(Some(d.serialize()), g, "{}", text);
            }
            let digits = text.chars().filter(char::is_ascii_digit).count();
            if digits <= 18 && !text.contains(['e', 'E']) && general.is_some()
                && text.trim_start_matches('-').starts_with(|c: char| c.is_ascii_digit())
                && text.ends_with(|c: char| c.is_ascii_digit()) {
                proptest::prop_assert!(fast.is_some(), "{} not read the fast way", text);
            }
        }

        /// A scalar is judged exactly as the JSON value it stands for: the same value (a
        /// decimal of the same scale) or the same message.
        #[test]
        fn scalars_are_judged_as_their_json(ty in attr_types(), s in scalars()) {
            let json = s.clone().into_json();
            let direct = super::scalar_value(&ty, s.clone());
            let via_json = super::attr_value(&ty, Some(&json));
            proptest::prop_assert_eq!(
                format!("{direct:?}"), format!("{via_json:?}"), "{:?} as {:?}", s, ty
            );
        }

        /// Instants agree with chrono's RFC 3339 reading wherever ours accepts (chrono also
        /// takes forms the contract language refuses, such as second 60), over every field
        /// just inside and outside its range.
        #[test]
        fn instants_agree_with_chrono(
            // centuries and leap years often enough to meet 29 February
            y in proptest::prop_oneof![
                0u32..10_000,
                (0u32..100).prop_map(|c| c * 100),
                (0u32..2500).prop_map(|q| q * 4)
            ],
            mo in proptest::prop_oneof![0u32..14, Just(2)],
            d in proptest::prop_oneof![0u32..33, 28u32..32],
            h in 0u32..26, mi in 0u32..61, se in 0u32..61,
            frac in proptest::option::of(0u32..1000),
            off in proptest::option::of((proptest::prelude::any::<bool>(), 0u32..25, 0u32..61)),
        ) {
            let mut text = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{se:02}");
            if let Some(f) = frac {
                text += &format!(".{f:03}");
            }
            match off {
                None => text.push('Z'),
                Some((neg, oh, om)) => {
                    text += &format!("{}{oh:02}:{om:02}", if neg { '-' } else { '+' });
                }
            }
            let ours = parse_instant(&text);
            let theirs = chrono::DateTime::parse_from_rfc3339(&text).map(|t| t.timestamp());
            let valid = y > 0 && se < 60 && h < 24 && mi < 60
                && off.is_none_or(|(_, oh, om)| oh < 24 && om < 60);
            match (&ours, &theirs) {
                (Ok(a), Ok(b)) => proptest::prop_assert_eq!(a, b, "{}", text),
                (Err(_), Ok(_)) => proptest::prop_assert!(!valid, "{} refused", text),
                (Ok(_), Err(e)) => proptest::prop_assert!(false, "{} taken; chrono: {}", text, e),
                (Err(_), Err(_)) => {}
            }
        }
    }
}
