//! Validation: events checked strictly against the contract, by a fast path for the common
//! line and a precise one that says what is wrong; attribute values and exact decimals.
//! Over 800 lines with its tests, which compare the private paths (fast, precise, scalar) here.

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::contract::{AttrDef, AttrType, Contract, KindId, ProductId};
use crate::event::{
    parse_instant, AttrProblem, AttrValue, Event, EventRecord, EventRef, Reason, MAX_NUMBER,
};

/// Validates events against one contract: name lookups are done once per event.
pub struct Validator<'c> {
    pub(super) contract: &'c Contract,
    pub(super) kinds: hashbrown::HashMap<&'c str, KindId>,
    pub(super) products: hashbrown::HashMap<&'c str, ProductId>,
}

impl<'c> Validator<'c> {
    /// A validator of events for `contract`, its kind and product names indexed.
    pub fn new(contract: &'c Contract) -> Self {
        let kinds = contract
            .kinds
            .iter_enumerated()
            .map(|(i, k)| (k.name.as_str(), i))
            .collect();
        let products = contract
            .products
            .iter_enumerated()
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
    pub fn line(&self, bytes: &[u8]) -> Result<Option<Event>, Reason> {
        self.line_with(bytes, &mut Vec::new(), |e| e.to_event())
    }

    /// [`Validator::line`] handing the accepted event, borrowed, to `f` (no allocation per
    /// line in the common case); `values` is scratch space reused from line to line.
    pub fn line_with<R>(
        &self,
        bytes: &[u8],
        values: &mut Vec<AttrValue>,
        f: impl FnOnce(EventRef<'_>) -> R,
    ) -> Result<Option<R>, Reason> {
        // the SIMD check first; the standard one only to say where an invalid line breaks
        let text = match simdutf8::basic::from_utf8(bytes) {
            Ok(t) => t,
            Err(_) => std::str::from_utf8(bytes).map_err(|e| Reason::NotUtf8 {
                offset: e.valid_up_to(),
            })?,
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
            serde_json::from_str(trimmed).map_err(|e| Reason::NotJson(e.to_string()))?;
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
    pub fn value(&self, value: &serde_json::Value) -> Result<Event, Reason> {
        let obj = value.as_object().ok_or_else(|| Reason::NotObject {
            found: json_type(value),
        })?;
        let id = required_str(obj, "id")?;
        let kind_name = required_str(obj, "kind")?;
        let subject = required_str(obj, "subject")?;
        let at = match obj.get("at") {
            None => return Err(Reason::Missing("at")),
            Some(serde_json::Value::String(s)) => parse_instant(s).map_err(Reason::At)?,
            Some(v) => return Err(wrong_type("at", "a string", v)),
        };
        let product = match obj.get("product") {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(p)) => Some(p.as_str()),
            Some(v) => return Err(wrong_type("product", "a string", v)),
        };
        // `party` is informational: it plays no role in scoring and is not validated
        let empty = serde_json::Map::new();
        let attrs = match obj.get("attrs") {
            None => &empty,
            Some(serde_json::Value::Object(m)) => m,
            Some(v) => return Err(wrong_type("attrs", "an object", v)),
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
    ) -> Result<Event, Reason> {
        self.fields(id, at, kind_name, subject, product, |name| {
            attrs.get(name).map(std::borrow::Cow::Borrowed)
        })
    }

    /// Validates a record handed in by a caller.
    pub fn record(&self, r: &EventRecord) -> Result<Event, Reason> {
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
    ) -> Result<Event, Reason> {
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
    ) -> Result<(Option<KindId>, ProductId), Reason> {
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
    ) -> Result<(Option<KindId>, ProductId), Reason> {
        let (id, subject) = names;
        for (key, v) in [("id", id), ("kind", kind_name), ("subject", subject)] {
            if v.is_empty() {
                return Err(Reason::Empty(key));
            }
        }
        let product = match product {
            None => return Err(Reason::Missing("product")),
            Some(p) => *self
                .products
                .get(p)
                .ok_or_else(|| Reason::UnknownProduct(p.to_string()))?,
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
                Some(s) => scalar_value(a, s),
            };
            // only a required attribute can reject an event; an optional one of the wrong
            // type is treated as absent (it matches no value a condition names)
            let v = match v {
                Ok(v) => v,
                Err(problem) if a.required => {
                    values.truncate(before);
                    return Err(Reason::Attribute {
                        kind: kind_name.into(),
                        name: a.name.as_str().into(),
                        problem: Box::new(problem),
                    });
                }
                Err(_) => AttrValue::Missing,
            };
            if a.required && v == AttrValue::Missing {
                values.truncate(before);
                return Err(Reason::MissingAttribute {
                    kind: kind_name.into(),
                    name: a.name.as_str().into(),
                    expected: type_phrase(a).into(),
                });
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
    /// a string
    Str(std::borrow::Cow<'a, str>),
    /// an integer
    Int(i64),
    /// a NaN or infinite float is a missing value, as JSON has no such number
    Float(f64),
    /// a boolean
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
///
/// An integer scalar (an Arrow or Python `int`) is an integer literal for an `integer`
/// attribute; a float scalar never is, even `5.0`: it stands for the JSON number its value
/// is written as (`5.0`), which has a fraction, exactly as the JSON rule reads the token
/// `5.0`. (A pandas integer column with missing values is float64: give it the nullable
/// `Int64` dtype to keep its integers.)
fn scalar_value(def: &AttrDef, s: Scalar<'_>) -> Result<AttrValue, AttrProblem> {
    use std::borrow::Cow;
    let ty = &def.ty;
    match (ty, s) {
        (_, Scalar::Null) => Ok(AttrValue::Missing),
        (AttrType::Text, Scalar::Str(s)) => Ok(AttrValue::Text(s.into_owned())),
        (AttrType::Enum(vs), Scalar::Str(s)) => match vs
            .iter()
            .position(|x| *x == *s)
            .and_then(|i| u16::try_from(i).ok())
        {
            Some(i) => Ok(AttrValue::Enum(i)),
            None => attr_value(def, Some(&serde_json::Value::String(s.into_owned()))),
        },
        (AttrType::Time, Scalar::Str(s)) => parse_instant(&s)
            .map(AttrValue::Time)
            .map_err(AttrProblem::InvalidTime),
        (AttrType::Bool, Scalar::Bool(b)) => Ok(AttrValue::Bool(b)),
        (AttrType::Number(_) | AttrType::Integer, Scalar::Int(i)) => {
            // the decimal of `i`'s JSON text, as `parse_decimal` reads it (scale 0)
            let d = Decimal::from(i);
            if d.abs() <= MAX_NUMBER && in_range(def, d) {
                Ok(AttrValue::Number(d))
            } else {
                attr_value(def, Some(&serde_json::Value::from(i)))
            }
        }
        (_, Scalar::Float(x)) if !x.is_finite() => Ok(AttrValue::Missing),
        (AttrType::Number(_), Scalar::Float(x)) => {
            // the text serde_json gives the float (`Number::from_f64`), without allocating it
            let mut buf = zmij::Buffer::new();
            match parse_decimal(buf.format_finite(x)) {
                Some(d) if in_range(def, d) => Ok(AttrValue::Number(d)),
                _ => attr_value(def, Some(&Scalar::Float(x).into_json())),
            }
        }
        (AttrType::Text, Scalar::Json(Cow::Owned(serde_json::Value::String(s)))) => {
            Ok(AttrValue::Text(s))
        }
        (_, Scalar::Json(v)) => attr_value(def, Some(&v)),
        // among them a float for an `integer` attribute: not an integer (see above)
        (_, other) => attr_value(def, Some(&other.into_json())),
    }
}

/// Whether `d` is within the attribute's range (always, without one).
fn in_range(def: &AttrDef, d: Decimal) -> bool {
    def.range.is_none_or(|(min, max)| min <= d && d <= max)
}

/// Whether the text of a JSON number is an integer literal, `-?(0|[1-9][0-9]*)`: no
/// fraction, no exponent (so `5.0` and `5e0` are not, though their values are whole; `-0` is).
pub(super) fn is_integer_literal(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text).as_bytes();
    match digits {
        [b'0'] => true,
        [b'1'..=b'9', rest @ ..] => rest.iter().all(u8::is_ascii_digit),
        _ => false,
    }
}

/// The value of the JSON number written `text` for a `number` or `integer` attribute: an
/// `integer` takes only an integer literal, then the exact decimal must lie in the range.
/// Every path reads a number token through here, so all give the same value or problem.
pub(super) fn number_value(def: &AttrDef, text: &str) -> Result<Decimal, AttrProblem> {
    // serde_json writes an exponent with its sign (`5e0` is `5e+0`), a float's shortest text
    // without it (`1e20`): messages show the exponent without `+`, the same on every path
    let found = || cut(&text.replacen("e+", "e", 1));
    if def.ty == AttrType::Integer && !is_integer_literal(text) {
        return Err(AttrProblem::NotInteger { found: found() });
    }
    match (parse_decimal(text), def.range) {
        (Some(d), Some((min, max))) if d < min || d > max => Err(AttrProblem::OutsideRange {
            min,
            max,
            found: found(),
        }),
        (Some(d), _) => Ok(d),
        // beyond 10^18 in magnitude: outside every range (the checker keeps bounds within it)
        (None, Some((min, max))) => Err(AttrProblem::OutsideRange {
            min,
            max,
            found: found(),
        }),
        (None, None) => Err(AttrProblem::OutOfRange(text.to_string())),
    }
}

fn required_str<'a>(
    obj: &'a serde_json::Map<String, serde_json::Value>,
    key: &'static str,
) -> Result<&'a str, Reason> {
    match obj.get(key) {
        None => Err(Reason::Missing(key)),
        Some(serde_json::Value::String(s)) if s.is_empty() => Err(Reason::Empty(key)),
        Some(serde_json::Value::String(s)) => Ok(s),
        Some(v) => Err(wrong_type(key, "a string", v)),
    }
}

/// [`Reason::WrongType`] for the value `v` of `field`.
fn wrong_type(field: &'static str, expected: &'static str, v: &serde_json::Value) -> Reason {
    Reason::WrongType {
        field,
        expected,
        found: json_type(v),
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

fn type_phrase(def: &AttrDef) -> String {
    let ty = match &def.ty {
        AttrType::Text => "a string".into(),
        AttrType::Bool => "a JSON boolean".into(),
        AttrType::Number(_) => "a JSON number".into(),
        AttrType::Integer => "an integer".into(),
        AttrType::Time => "an RFC 3339 time with seconds and offset".into(),
        AttrType::Enum(vs) => format!("one of {}", vs.join(", ")),
    };
    match def.range {
        Some((min, max)) => format!("{ty} from {} to {}", min.normalize(), max.normalize()),
        None => ty,
    }
}

fn attr_value(def: &AttrDef, v: Option<&serde_json::Value>) -> Result<AttrValue, AttrProblem> {
    let ty = &def.ty;
    use serde_json::Value as J;
    let Some(v) = v else {
        return Ok(AttrValue::Missing);
    };
    if v.is_null() {
        return Ok(AttrValue::Missing);
    }
    let found = || AttrProblem::WrongValue {
        expected: type_phrase(def),
        found: shown(v),
    };
    match (ty, v) {
        (AttrType::Text, J::String(s)) => Ok(AttrValue::Text(s.clone())),
        (AttrType::Bool, J::Bool(b)) => Ok(AttrValue::Bool(*b)),
        // with `arbitrary_precision`, the text of a number is its token as written
        (AttrType::Number(_) | AttrType::Integer, J::Number(n)) => {
            number_value(def, &n.to_string()).map(AttrValue::Number)
        }
        (AttrType::Time, J::String(s)) => parse_instant(s)
            .map(AttrValue::Time)
            .map_err(AttrProblem::InvalidTime),
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
pub(super) fn lacks_required(declared: &[crate::contract::AttrDef], values: &[AttrValue]) -> bool {
    declared
        .iter()
        .zip(values)
        .any(|(a, v)| a.required && *v == AttrValue::Missing)
}

/// An attribute value straight from its JSON token; `None` for anything unusual (wrong type,
/// out of range), which the precise path then judges.
fn attr_value_raw(def: &AttrDef, r: &serde_json::value::RawValue) -> Option<AttrValue> {
    let t = r.get();
    let ty = &def.ty;
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
        AttrType::Number(_) | AttrType::Integer
            if t.starts_with(|c: char| c == '-' || c.is_ascii_digit()) =>
        {
            number_value(def, t).ok().map(AttrValue::Number)
        }
        AttrType::Number(_) | AttrType::Integer => None,
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
                .and_then(|a| attr_value_raw(a, r))
                .ok_or_else(|| serde::de::Error::custom("not a valid value"))?;
            if let Some(slot) = self.values.get_mut(i) {
                *slot = v;
            }
        }
        Ok(())
    }
}

fn shown(v: &serde_json::Value) -> String {
    cut(&v.to_string())
}

/// A value's text for a message, cut after 40 characters.
fn cut(s: &str) -> String {
    if s.chars().count() > 40 {
        let cut: String = s.chars().take(40).collect();
        format!("{cut}…")
    } else {
        s.to_string()
    }
}

/// Parses a JSON number text (possibly with exponent) into an exact decimal.
pub(super) fn parse_decimal(text: &str) -> Option<Decimal> {
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

#[cfg(test)]
mod tests {
    use super::super::tests::generated;

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

    /// Every hostile value of an `integer` attribute with a range (and of an optional one,
    /// and of a `number` with a range): the scanner, the serde path and the precise path
    /// accept the same lines with the same values, and the precise path says why it rejects.
    #[test]
    fn integers_and_ranges_agree_on_every_path() {
        let src = include_str!("../../examples/egov-2026.sla");
        let end = src.rfind('}').unwrap();
        let src = format!(
            "{}  event survey.rated {{ rating: integer 1 .. 5, extra?: integer, ms?: number ms 0 .. 60000ms }}\n}}\n",
            &src[..end]
        );
        let contract = crate::contract::check::load(&src).unwrap().contract;
        let v = super::Validator::new(&contract);
        let line = |attrs: &str| {
            format!(
                r#"{{"id":"s","at":"2026-10-09T09:12:00+08:00","kind":"survey.rated","subject":"S","product":"infra.servers","attrs":{{{attrs}}}}}"#
            )
        };
        let range = "`survey.rated` attribute `rating` must be from 1 to 5";
        let not_int = "`survey.rated` attribute `rating` must be an integer";
        let wrong = "`survey.rated` attribute `rating` must be an integer from 1 to 5";
        let missing = "`survey.rated` needs attribute `rating` (an integer from 1 to 5)";
        let cases: Vec<(String, Option<String>)> = [
            ("1", None),
            ("2", None),
            ("3", None),
            ("4", None),
            ("5", None),
            ("0", Some(format!("{range}, found `0`"))),
            ("6", Some(format!("{range}, found `6`"))),
            ("-1", Some(format!("{range}, found `-1`"))),
            ("-0", Some(format!("{range}, found `-0`"))),
            ("4.5", Some(format!("{not_int}, found `4.5`"))),
            ("5.0", Some(format!("{not_int}, found `5.0`"))),
            // as serde_json writes it, the exponent's `+` left out
            ("5e0", Some(format!("{not_int}, found `5e0`"))),
            ("5E0", Some(format!("{not_int}, found `5e0`"))),
            ("5e+0", Some(format!("{not_int}, found `5e0`"))),
            ("5e-0", Some(format!("{not_int}, found `5e-0`"))),
            ("true", Some(format!("{wrong}, found true"))),
            (r#""5""#, Some(format!(r#"{wrong}, found "5""#))),
            ("null", Some(missing.to_string())),
            (
                "99999999999999999999999999999",
                Some(format!("{range}, found `99999999999999999999999999999`")),
            ),
            ("1e400", Some(format!("{not_int}, found `1e400`"))),
        ]
        .into_iter()
        .map(|(val, why)| (line(&format!(r#""rating":{val}"#)), why))
        .chain([
            (line(""), Some(missing.to_string())),
            // optional attributes of a wrong value are absent; the event is kept
            (line(r#""rating":3,"extra":4.5,"ms":-1"#), None),
            (line(r#""rating":3,"extra":-0,"ms":60000.0"#), None),
            (line(r#""rating":3,"ms":60000.5"#), None),
            (line(r#""rating":3,"extra":"7""#), None),
            (
                line(r#""rating":3,"rating":9"#),
                Some(format!("{range}, found `9`")),
            ),
            (line(r#""rating":9,"rating":3"#), None),
            (line(r#""rating" : 4 "#), None),
        ])
        .collect();
        for (text, why) in &cases {
            let precise = serde_json::from_str::<serde_json::Value>(text)
                .map_err(|e| e.to_string())
                .and_then(|j| v.value(&j).map_err(|r| r.to_string()));
            let scanned = v.scan_with(text, &mut Vec::new(), |e| e.to_event());
            let fast = v.fast(text);
            let line = v.line(text.as_bytes()).map_err(|r| r.to_string());
            match why {
                None => {
                    let e = precise.clone().unwrap_or_else(|r| panic!("{text}: {r}"));
                    assert_eq!(line, Ok(Some(e.clone())), "{text}");
                    if let Some(s) = scanned {
                        assert_eq!(s, e, "{text}");
                    }
                    if let Some(f) = fast {
                        assert_eq!(f, e, "{text}");
                    }
                }
                Some(why) => {
                    assert!(scanned.is_none() && fast.is_none(), "{text}");
                    assert_eq!(precise.as_ref().err(), Some(why), "{text}");
                    assert_eq!(line.as_ref().err(), Some(why), "{text}");
                }
            }
        }
        // the accepted values are the exact decimals of the tokens
        let e = v
            .line(line(r#""rating":4,"ms":0.25"#).as_bytes())
            .unwrap()
            .unwrap();
        assert_eq!(
            e.attrs,
            vec![
                crate::event::AttrValue::Number(4.into()),
                crate::event::AttrValue::Missing,
                crate::event::AttrValue::Number(rust_decimal::Decimal::new(25, 2)),
            ]
        );
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

    use proptest::prelude::{any, Just, Strategy};

    fn attr_defs() -> impl Strategy<Value = super::AttrDef> {
        use crate::contract::{AttrDef, AttrType, Unit};
        use rust_decimal::Decimal;
        let ty = proptest::prop_oneof![
            Just(AttrType::Text),
            Just(AttrType::Bool),
            Just(AttrType::Number(Unit::Number)),
            Just(AttrType::Number(Unit::Seconds)),
            Just(AttrType::Integer),
            Just(AttrType::Time),
            Just(AttrType::Enum(vec!["P1".into(), "P2".into(), "é".into()])),
        ];
        // ranges as the checker leaves them: bounds within 10^18, min <= max
        let range = proptest::prop_oneof![
            Just(None),
            Just(Some((Decimal::ONE, Decimal::from(5)))),
            Just(Some((Decimal::ZERO, Decimal::from(60_000)))),
            Just(Some((Decimal::new(-25, 1), Decimal::new(125, 2)))),
            Just(Some((-super::MAX_NUMBER, super::MAX_NUMBER))),
        ];
        (ty, range).prop_map(|(ty, range)| AttrDef {
            name: "a".into(),
            ty,
            required: true,
            range,
        })
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
            -2i64..8,
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
                4.5,
                5.0,
                -1.0,
                60_000.0,
            ]),
            (-1e6f64..1e6),
        ];
        let json = proptest::prop_oneof![
            Just(serde_json::json!(null)),
            Just(serde_json::json!([1, 2])),
            Just(serde_json::json!({"a": 1})),
            Just(serde_json::json!(true)),
            Just(serde_json::json!(12.5)),
            Just(serde_json::from_str::<serde_json::Value>("5e0").unwrap_or_default()),
            Just(serde_json::from_str::<serde_json::Value>("-0").unwrap_or_default()),
            Just(serde_json::from_str::<serde_json::Value>("3").unwrap_or_default()),
            Just(
                serde_json::from_str::<serde_json::Value>("99999999999999999999999999999")
                    .unwrap_or_default()
            ),
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
        fn scalars_are_judged_as_their_json(ty in attr_defs(), s in scalars()) {
            let json = s.clone().into_json();
            let direct = super::scalar_value(&ty, s.clone());
            let via_json = super::attr_value(&ty, Some(&json));
            proptest::prop_assert_eq!(
                format!("{direct:?}"), format!("{via_json:?}"), "{:?} as {:?}", s, ty
            );
        }
    }
}
