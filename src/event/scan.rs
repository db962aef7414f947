//! The fastest path for an event line: one pass over the bytes of a flat, canonical line
//! (the shape exporters and the generator write), with no JSON tree and no second reading of
//! any token. Anything it is not sure of (an escape, a nested value, a duplicate field, an
//! invalid attribute) makes it decline, and the line goes to the serde path, which accepts
//! exactly the same lines with the same values; a differential test holds the two together.

use super::validate::{lacks_required, number_value};
use super::{parse_instant, AttrValue, EventRef, Validator};
use crate::contract::{AttrDef, AttrType};

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Non-zero when some byte of `x` is zero; its lowest set bit is in the first such byte.
fn zero_byte(x: u64) -> u64 {
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// One scalar JSON token.
#[derive(Clone, Copy)]
enum Tok<'a> {
    /// a string without escapes: its content
    Str(&'a str),
    /// a number's text, checked against the JSON grammar
    Num(&'a str),
    True,
    False,
    Null,
}

struct Cursor<'a> {
    s: &'a str,
    i: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        (self.peek()? == c).then(|| self.i += 1)
    }

    /// A string's content, the opening quote already read; `None` at an escape or a
    /// control character (both left to serde).
    fn string_body(&mut self) -> Option<&'a str> {
        let b = self.s.as_bytes();
        let start = self.i;
        loop {
            // eight bytes at a time while none of them can end the string or need serde
            while let Some(chunk) = b.get(self.i..self.i + 8) {
                let x = u64::from_le_bytes(chunk.try_into().ok()?);
                let m = zero_byte(x ^ (ONES * u64::from(b'"')))
                    | zero_byte(x ^ (ONES * u64::from(b'\\')))
                    | (x.wrapping_sub(ONES * 0x20) & !x & HIGHS);
                if m != 0 {
                    // the first byte that may be one of them, judged below
                    self.i += (m.trailing_zeros() / 8) as usize;
                    break;
                }
                self.i += 8;
            }
            let c = *b.get(self.i)?;
            if c == b'"' {
                let out = self.s.get(start..self.i)?;
                self.i += 1;
                return Some(out);
            }
            if c == b'\\' || c < 0x20 {
                return None;
            }
            self.i += 1;
        }
    }

    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        self.string_body()
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        self.i - start
    }

    /// A number by the JSON grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    fn number(&mut self) -> Option<&'a str> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return None;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        self.s.get(start..self.i)
    }

    fn word(&mut self, w: &str) -> Option<()> {
        let rest = self.s.get(self.i..)?;
        rest.starts_with(w).then(|| self.i += w.len())
    }

    /// A scalar value; `None` for an object, an array or anything invalid.
    fn scalar(&mut self) -> Option<Tok<'a>> {
        self.ws();
        Some(match self.peek()? {
            b'"' => {
                self.i += 1;
                Tok::Str(self.string_body()?)
            }
            b't' => self.word("true").map(|_| Tok::True)?,
            b'f' => self.word("false").map(|_| Tok::False)?,
            b'n' => self.word("null").map(|_| Tok::Null)?,
            _ => Tok::Num(self.number()?),
        })
    }

    /// After a member: `true` for `,` (another follows), `false` for `}`.
    fn next_member(&mut self) -> Option<bool> {
        self.ws();
        let c = self.peek()?;
        self.i += 1;
        match c {
            b',' => Some(true),
            b'}' => Some(false),
            _ => None,
        }
    }
}

/// An attribute value from its token, exactly as the serde path reads it; `None` for a value
/// of the wrong type or out of range.
fn attr_value(def: &AttrDef, t: Tok<'_>) -> Option<AttrValue> {
    if let Tok::Null = t {
        return Some(AttrValue::Missing);
    }
    match (&def.ty, t) {
        (AttrType::Text, Tok::Str(s)) => Some(AttrValue::Text(s.to_string())),
        (AttrType::Bool, Tok::True) => Some(AttrValue::Bool(true)),
        (AttrType::Bool, Tok::False) => Some(AttrValue::Bool(false)),
        // the integer test and the range on the token as written, as on every path
        (AttrType::Number(_) | AttrType::Integer, Tok::Num(n)) => {
            number_value(def, n).ok().map(AttrValue::Number)
        }
        (AttrType::Time, Tok::Str(s)) => parse_instant(s).ok().map(AttrValue::Time),
        (AttrType::Enum(values), Tok::Str(s)) => {
            let i = values.iter().position(|x| x == s)?;
            u16::try_from(i).ok().map(AttrValue::Enum)
        }
        _ => None,
    }
}

impl Validator<'_> {
    /// The event of a flat, canonical line, handed to `f` borrowed; `None` (and `f` not
    /// called) for anything else. `values` is scratch space reused from line to line.
    pub(super) fn scan_with<R>(
        &self,
        text: &str,
        values: &mut Vec<AttrValue>,
        f: impl FnOnce(EventRef<'_>) -> R,
    ) -> Option<R> {
        let mut c = Cursor { s: text, i: 0 };
        c.eat(b'{')?;
        let (mut id, mut at, mut kind, mut subject, mut product) = (None, None, None, None, None);
        // where the attrs object starts: read once the kind (and so its attributes) is known
        let mut attrs: Option<usize> = None;
        // whether the attribute values are already in `values`
        let mut read = false;
        // the kind's number, once looked up (one lookup per line)
        let mut resolved: Option<Option<crate::contract::KindId>> = None;
        if c.eat(b'}').is_none() {
            loop {
                let key = c.string()?;
                c.eat(b':')?;
                let slot = match key {
                    "id" => &mut id,
                    "at" => &mut at,
                    "kind" => &mut kind,
                    "subject" => &mut subject,
                    "product" => &mut product,
                    "attrs" => {
                        // a second `attrs`, or `attrs` not an object: the serde path decides
                        if attrs.is_some() {
                            return None;
                        }
                        c.eat(b'{')?;
                        attrs = Some(c.i - 1);
                        match kind {
                            // the usual order: the kind is known, read the values now
                            Some(k) => {
                                let kid = self.kinds.get(k).copied();
                                resolved = Some(kid);
                                read_attrs(&mut c, self.declared_of(kid), values)?;
                                read = true;
                            }
                            None => skip_object(&mut c)?,
                        }
                        if !c.next_member()? {
                            break;
                        }
                        continue;
                    }
                    _ => {
                        // an informational field (`party`): any scalar
                        c.scalar()?;
                        if !c.next_member()? {
                            break;
                        }
                        continue;
                    }
                };
                if slot.is_some() {
                    return None;
                }
                *slot = Some(c.string()?);
                if !c.next_member()? {
                    break;
                }
            }
        }
        c.ws();
        if c.i != text.len() {
            return None;
        }
        let (id, kind_name, subject) = (id?, kind?, subject?);
        if id.is_empty() || kind_name.is_empty() || subject.is_empty() {
            return None;
        }
        let at = parse_instant(at?).ok()?;
        let product = *self.products.get(product?)?;
        let kind = resolved.unwrap_or_else(|| self.kinds.get(kind_name).copied());
        let declared = self.declared_of(kind);
        if !read {
            values.clear();
            values.resize(declared.len(), AttrValue::Missing);
            if let Some(start) = attrs {
                let mut c = Cursor {
                    s: text,
                    i: start + 1,
                };
                read_attrs(&mut c, declared, values)?;
            }
        }
        if lacks_required(declared, values) {
            return None;
        }
        Some(f(EventRef {
            id,
            at,
            kind,
            subject,
            product,
            attrs: values,
        }))
    }
}

impl<'c> Validator<'c> {
    /// The declared attributes of a kind by number (none for an undeclared kind).
    fn declared_of(&self, kind: Option<crate::contract::KindId>) -> &'c [crate::contract::AttrDef] {
        let contract: &'c crate::contract::Contract = self.contract;
        kind.and_then(|k| contract.kinds.get(k))
            .map_or(&[][..], |d| d.attrs.as_slice())
    }
}

/// Reads a flat `attrs` object, its `{` already read, into `values` (reset to one missing
/// value per declared attribute first); `None` for a nested value or an invalid attribute.
fn read_attrs(
    c: &mut Cursor<'_>,
    declared: &[crate::contract::AttrDef],
    values: &mut Vec<AttrValue>,
) -> Option<()> {
    values.clear();
    values.resize(declared.len(), AttrValue::Missing);
    if c.eat(b'}').is_some() {
        return Some(());
    }
    loop {
        let key = c.string()?;
        c.eat(b':')?;
        let t = c.scalar()?;
        // a later occurrence of a key overwrites an earlier one, as in a map
        if let Some(i) = declared.iter().position(|a| a.name == key) {
            let v = attr_value(declared.get(i)?, t)?;
            *values.get_mut(i)? = v;
        }
        if !c.next_member()? {
            return Some(());
        }
    }
}

/// Skips a flat object of scalars, its `{` already read.
fn skip_object(c: &mut Cursor<'_>) -> Option<()> {
    if c.eat(b'}').is_some() {
        return Some(());
    }
    loop {
        c.string()?;
        c.eat(b':')?;
        c.scalar()?;
        if !c.next_member()? {
            return Some(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Event, Validator};
    use proptest::prelude::*;
    use std::sync::OnceLock;

    fn contract() -> &'static crate::contract::Contract {
        static C: OnceLock<crate::contract::Contract> = OnceLock::new();
        C.get_or_init(|| {
            let src = include_str!("../../examples/egov-2026.sla");
            crate::contract::check::load(src).unwrap().contract
        })
    }

    fn scan(v: &Validator<'_>, line: &str) -> Option<Event> {
        v.scan_with(line, &mut Vec::new(), |e| e.to_event())
    }

    /// What the precise path (a JSON tree, then [`Validator::value`]) makes of a line.
    fn precise(v: &Validator<'_>, line: &str) -> Option<Event> {
        serde_json::from_str::<serde_json::Value>(line)
            .ok()
            .and_then(|j| v.value(&j).ok())
    }

    const BASE: &str = r#"{"id":"x","at":"2026-10-09T09:12:00+08:00","kind":"ticket.opened","subject":"T","product":"infra.servers","party":"prime","attrs":{"priority":"P1"}}"#;
    const PROBE: &str = r#"{"id":"p","at":"2026-10-09T09:12:00Z","kind":"net.probe","subject":"wan-1","product":"network.egov_wan","attrs":{"latency_ms":48.5}}"#;

    #[test]
    fn scan_takes_the_generated_lines_and_agrees_with_the_precise_path() {
        let v = Validator::new(contract());
        let text = super::super::tests::generated(20_000, 20_000);
        let (mut valid, mut scanned) = (0, 0);
        for line in text.lines() {
            let p = precise(&v, line);
            valid += usize::from(p.is_some());
            if let Some(e) = scan(&v, line) {
                scanned += 1;
                assert_eq!(Some(e), p, "{line}");
            }
        }
        // the fast tier really is the common path
        assert!(scanned * 100 >= valid * 99, "{scanned} of {valid}");
    }

    #[test]
    fn scan_declines_or_agrees_on_hand_made_variants() {
        let v = Validator::new(contract());
        let mut taken = 0;
        let variants = [
            (r#""priority":"P1""#, r#""priority":"P\u0031""#),
            (r#""priority":"P1""#, r#""priority":"P1","priority":"P3""#),
            (r#""priority":"P1""#, r#""priority":"P9""#),
            (r#""priority":"P1""#, r#""priority":null"#),
            (r#""priority":"P1""#, r#""priority":"P2","source":{"a":1}"#),
            (r#""priority":"P1""#, r#""priority":"P2","source":7"#),
            (r#","attrs":{"priority":"P1"}"#, r#","attrs":null"#),
            (r#","attrs":{"priority":"P1"}"#, r#","attrs":{}"#),
            (
                r#","attrs":{"priority":"P1"}"#,
                r#","attrs":{"priority":"P1"},"attrs":{}"#,
            ),
            (r#""id":"x""#, r#""id":"x","id":"y""#),
            (r#""id":"x""#, r#""id":"""#),
            (r#""id":"x""#, r#""id":7"#),
            (r#""id":"x""#, r#""id":"x\ty""#),
            (r#""id":"x""#, r#""id":"工单-1""#),
            (r#""id":"x""#, r#" "id" : "x" "#),
            (r#""party":"prime""#, r#""party":{"a":1}"#),
            (r#""party":"prime""#, r#""party":null"#),
            (r#""party":"prime""#, r#""party":-0.5e+3"#),
            (r#""party":"prime""#, r#""party":01"#),
            (r#""party":"prime""#, r#""party":1."#),
            (r#""party":"prime""#, r#""party":tru"#),
            (r#""party":"prime""#, r#""party":"a","party":"b""#),
            (r#""product":"infra.servers""#, r#""product":null"#),
            (r#""product":"infra.servers""#, r#""product":"nope""#),
            (r#""product":"infra.servers","#, ""),
            (r#""kind":"ticket.opened""#, r#""kind":"x.y""#),
            (
                r#""at":"2026-10-09T09:12:00+08:00""#,
                r#""at":"2026-10-09T09:12:00""#,
            ),
            (r#"}}"#, r#"}} x"#),
            (r#"}}"#, r#"},}"#),
            (r#"}}"#, "}}\t\r\n "),
        ];
        for (from, to) in variants {
            let line = BASE.replace(from, to);
            assert_ne!(line, BASE, "{from}");
            if let Some(e) = scan(&v, &line) {
                taken += 1;
                assert_eq!(Some(e), precise(&v, &line), "{line}");
            }
        }
        // read here too: a repeated attribute, a non-ASCII id, whitespace around tokens, an
        // informational null, number or repeated field, an undeclared kind, trailing space
        assert_eq!(taken, 8);
        let numbers = [
            "48.5", "0", "-0", "12e2", "1E-2", "-3.25", "1e18", "1e19", "00", "1.", ".5", "-",
            "1e", "+1", "1.5e+", "true", "\"48\"", "null",
        ];
        for n in numbers {
            let line = PROBE.replace("48.5", n);
            if let Some(e) = scan(&v, &line) {
                assert_eq!(Some(e), precise(&v, &line), "{line}");
            }
        }
        assert!(scan(&v, PROBE).is_some());
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        /// Any edit of a valid line: the scan either declines or reads what serde reads.
        #[test]
        fn edited_lines_are_declined_or_read_exactly(
            base in prop_oneof![Just(BASE), Just(PROBE)],
            edits in proptest::collection::vec(
                (any::<prop::sample::Index>(), 0u8..3, prop::sample::select(
                    br#"{}[]":,\ 0123456789.eE+-tfnulxP"#.to_vec()
                )),
                1..4,
            ),
        ) {
            let v = Validator::new(contract());
            let mut b = base.as_bytes().to_vec();
            for (at, op, c) in edits {
                let i = at.index(b.len() + 1);
                match op {
                    0 => b.insert(i, c),
                    1 if i < b.len() => { b.remove(i); }
                    _ if i < b.len() => b[i] = c,
                    _ => b.push(c),
                }
            }
            let Ok(line) = String::from_utf8(b) else { return Ok(()) };
            if let Some(e) = scan(&v, &line) {
                prop_assert_eq!(Some(e), precise(&v, &line), "{}", line);
            }
        }
    }
}
