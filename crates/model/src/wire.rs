//! Lossless (de)serialisation machinery shared by every wire type.
//!
//! Real saved responses mix spellings (`bbox`/`bBox`), write `null` where a field is absent,
//! write coordinates as integers or floats, and carry fields we have never seen. Derived serde
//! impls lose all three on the way back out, and `#[serde(flatten)]` (the usual way to keep
//! unknown fields) buffers every object and hides JSON paths. So wire types are declared with
//! [`wire_object!`], which generates plain structs of `Option` fields plus a [`WireMeta`] that
//! remembers nulls, spellings and integer literals, and hand-written visitors that read straight
//! from the deserializer (fast, and `serde_path_to_error` still sees every key).

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// How the known fields of one wire object were written in the input, so that writing the
/// object back reproduces it. Bit `i` refers to the `i`-th known field of the type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WireMeta {
    nulls: u32,
    alt: u32,
    ints: u32,
}

impl WireMeta {
    /// Whether field `i` was an explicit `null` in the input.
    pub fn was_null(&self, i: usize) -> bool {
        self.nulls & (1 << i) != 0
    }
    /// Whether field `i` used its alternate (legacy) spelling.
    pub fn used_alt(&self, i: usize) -> bool {
        self.alt & (1 << i) != 0
    }
    /// Whether numeric field `i` was written as an integer literal.
    pub fn was_int(&self, i: usize) -> bool {
        self.ints & (1 << i) != 0
    }
    pub(crate) fn set_null(&mut self, i: usize, on: bool) {
        set_bit(&mut self.nulls, i, on);
    }
    pub(crate) fn set_alt(&mut self, i: usize, on: bool) {
        set_bit(&mut self.alt, i, on);
    }
    pub(crate) fn set_int(&mut self, i: usize, on: bool) {
        set_bit(&mut self.ints, i, on);
    }
}

fn set_bit(bits: &mut u32, i: usize, on: bool) {
    if on {
        *bits |= 1 << i;
    } else {
        *bits &= !(1 << i);
    }
}

/// A value that can be read from and written to the wire while remembering whether a number was
/// an integer literal. Only `f64` cares; every other type ignores the flag. Reading takes the
/// [`Projection`] in force, handed down from the value read to the values inside it.
pub(crate) trait WireValue: Sized {
    /// Reads the value; the flag is true when a number was written as an integer.
    fn read<'de, D: Deserializer<'de>>(d: D, p: Projection) -> Result<(Self, bool), D::Error>;
    /// Writes the value; `as_int` asks for an integer literal where the value allows it.
    fn write<S: Serializer>(&self, as_int: bool, s: S) -> Result<S::Ok, S::Error>;
}

macro_rules! plain_wire {
    ($($t:ty),* $(,)?) => {$(
        impl WireValue for $t {
            fn read<'de, D: Deserializer<'de>>(d: D, _: Projection) -> Result<(Self, bool), D::Error> {
                <$t as Deserialize>::deserialize(d).map(|v| (v, false))
            }
            fn write<S: Serializer>(&self, _as_int: bool, s: S) -> Result<S::Ok, S::Error> {
                Serialize::serialize(self, s)
            }
        }
    )*};
}

plain_wire!(
    String,
    bool,
    u32,
    i64,
    serde_json::Value,
    serde_json::Map<String, serde_json::Value>,
    crate::jobs::RawJson,
    crate::item::Cell,
    crate::item::ParseConcern,
);

impl<T: WireValue + Serialize> WireValue for Vec<T> {
    fn read<'de, D: Deserializer<'de>>(d: D, p: Projection) -> Result<(Self, bool), D::Error> {
        struct V<T>(Projection, PhantomData<T>);
        impl<'de, T: WireValue> Visitor<'de> for V<T> {
            type Value = Vec<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
                // As serde's own: a size hint from the input is trusted only so far.
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(v) = seq.next_element_seed(Projected::<T>::new(self.0))? {
                    out.push(v);
                }
                Ok(out)
            }
        }
        // A seq visitor of our own, so element errors keep their index in the path.
        d.deserialize_seq(V(p, PhantomData)).map(|v| (v, false))
    }
    fn write<S: Serializer>(&self, _as_int: bool, s: S) -> Result<S::Ok, S::Error> {
        Serialize::serialize(self, s)
    }
}

impl WireValue for f64 {
    fn read<'de, D: Deserializer<'de>>(d: D, _: Projection) -> Result<(Self, bool), D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = (f64, bool);
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
                Ok((v as f64, true))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
                Ok((v as f64, true))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
                Ok((v, false))
            }
        }
        d.deserialize_f64(V)
    }
    fn write<S: Serializer>(&self, as_int: bool, s: S) -> Result<S::Ok, S::Error> {
        // Integers up to 2^53 survive the f64 round trip exactly, so this is lossless.
        if as_int && self.fract() == 0.0 && self.abs() < 9.007_199_254_740_992e15 {
            if *self >= 0.0 {
                s.serialize_u64(*self as u64)
            } else {
                s.serialize_i64(*self as i64)
            }
        } else {
            s.serialize_f64(*self)
        }
    }
}

/// Reads a `T` under a projection: the deserializer state that says what to skip, handed to
/// every value read inside it (no thread-local: two reads with different projections can run
/// on one thread, or one read across threads).
pub(crate) struct Projected<T>(Projection, PhantomData<T>);

impl<T> Projected<T> {
    pub(crate) fn new(p: Projection) -> Self {
        Projected(p, PhantomData)
    }
}

impl<'de, T: WireValue> DeserializeSeed<'de> for Projected<T> {
    type Value = T;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        T::read(d, self.0).map(|(v, _)| v)
    }
}

/// Parses `text` as one `T` under `p` (nothing may follow it), without tracking the JSON path.
pub(crate) fn from_str<T: WireValue>(text: &str, p: Projection) -> serde_json::Result<T> {
    let mut de = serde_json::Deserializer::from_str(text);
    let v = Projected::<T>::new(p).deserialize(&mut de)?;
    de.end()?;
    Ok(v)
}

/// Parses one `T` under `p` from `de`, tracking the JSON path for the error (a third slower:
/// for locating an error already met). Whether anything follows is the caller's check.
pub(crate) fn read_tracked<'de, T: WireValue, D: Deserializer<'de>>(
    de: D,
    p: Projection,
) -> Result<T, serde_path_to_error::Error<D::Error>> {
    let mut track = serde_path_to_error::Track::new();
    let tracked = serde_path_to_error::Deserializer::new(de, &mut track);
    match Projected::<T>::new(p).deserialize(tracked) {
        Ok(v) => Ok(v),
        Err(e) => Err(serde_path_to_error::Error::new(track.path(), e)),
    }
}

/// Reads `Option<T>` through [`WireValue`] under a projection: `null` becomes `None`.
pub(crate) struct OptSeed<T>(pub(crate) Projection, pub(crate) PhantomData<T>);

impl<'de, T: WireValue> DeserializeSeed<'de> for OptSeed<T> {
    type Value = (Option<T>, bool);
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        struct V<T>(Projection, PhantomData<T>);
        impl<'de, T: WireValue> Visitor<'de> for V<T> {
            type Value = (Option<T>, bool);
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a value or null")
            }
            fn visit_none<E>(self) -> Result<Self::Value, E> {
                Ok((None, false))
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok((None, false))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                T::read(d, self.0).map(|(v, i)| (Some(v), i))
            }
        }
        d.deserialize_option(V(self.0, PhantomData))
    }
}

/// Writes a value through [`WireValue`] with its integer flag.
pub(crate) struct WireOut<'a, T>(pub(crate) &'a T, pub(crate) bool);

impl<T: WireValue> Serialize for WireOut<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.write(self.1, s)
    }
}

/// A key of a wire object: the index of a known field (and whether its alternate spelling was
/// used), an unknown key kept verbatim, or a key the current [`Projection`] skips.
pub(crate) enum Key {
    Known(usize, bool),
    Unknown(String),
    Skipped,
}

/// Field names that a reading skips (their values are stepped over, never built), for callers
/// that need only part of each item: rendering markdown does not read boxes, for instance.
/// Such documents are not lossless; the loader's ordinary reads never skip anything. It is
/// deserializer state: [`Projected`] hands it down from a value to the values inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Projection {
    /// Names to skip wherever they occur.
    pub(crate) skip: &'static [&'static str],
    /// Also skip, item by item, what rendering markdown from the item tree with GFM tables
    /// never reads, judged from the fields read before (API output writes `type` and `md`
    /// first): see [`crate::Item`]'s reading. Off for every other use.
    pub(crate) markdown_only: bool,
    /// Keep only what finding running heads and feet reads: an item's `md`, and its kind
    /// (every other field is stepped over once `type` is read; unknown keys always are).
    pub(crate) edges_only: bool,
}

/// Matches object keys against a type's known field names without allocating for known keys,
/// and against the names the projection skips.
pub(crate) struct KeySeed(
    pub(crate) &'static [(&'static str, &'static str)],
    pub(crate) &'static [&'static str],
);

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed {
    type Value = Key;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
        let skip = self.1;
        if !skip.is_empty() && skip.contains(&v) {
            return Ok(Key::Skipped);
        }
        for (i, (name, alt)) in self.0.iter().enumerate() {
            if *name == v {
                return Ok(Key::Known(i, false));
            }
            if !alt.is_empty() && *alt == v {
                return Ok(Key::Known(i, true));
            }
        }
        Ok(Key::Unknown(v.to_owned()))
    }
}

/// What a message says a wire object is, from its type's name: no Rust type names in
/// messages (`ItemsPage` → `a page object`, `ParseResponse` → `a parse response object`).
pub(crate) fn expecting(type_name: &str) -> String {
    if type_name.ends_with("Page") {
        return "a page object".into();
    }
    let base = type_name.strip_suffix("Object").unwrap_or(type_name);
    let mut words = String::new();
    for c in base.chars() {
        if c.is_uppercase() && !words.is_empty() {
            words.push(' ');
        }
        words.extend(c.to_lowercase());
    }
    let article = if words.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {words} object")
}

/// Declares a wire object: a struct whose known fields are all `Option`s, plus `unknown` (fields
/// we do not know, kept verbatim) and `wire` (how the input spelled them), with lossless serde
/// impls. `field: Type => "name"` or `=> "name" | "altName"` for a legacy spelling.
/// `pub struct Name [skip_if path] { ... }` names a `fn(&Name, field_index, Projection) ->
/// bool` asked before each known field is read; `true` steps over its value (see
/// [`Projection`]).
macro_rules! wire_object {
    (
        $(#[$meta:meta])*
        pub struct $name:ident $([skip_if $hook:path])? {
            $(
                $(#[$fmeta:meta])*
                $field:ident : $ty:ty => $key:literal $(| $alt:literal)?
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: Option<$ty>, )*
            /// Fields this version of pagetree does not know, kept verbatim and written back.
            pub unknown: serde_json::Map<String, serde_json::Value>,
            /// How the input wrote the known fields (nulls, spellings, integer literals).
            pub wire: $crate::wire::WireMeta,
        }

        impl $name {
            /// Known field names, each with its alternate spelling (or `""`).
            pub const FIELDS: &'static [(&'static str, &'static str)] =
                &[$( ($key, wire_object!(@alt $($alt)?)) ),*];
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                <$name as $crate::wire::WireValue>::read(d, $crate::wire::Projection::default())
                    .map(|(v, _)| v)
            }
        }

        impl $crate::wire::WireValue for $name {
            fn read<'de, D: serde::Deserializer<'de>>(
                d: D,
                projection: $crate::wire::Projection,
            ) -> Result<(Self, bool), D::Error> {
                struct V($crate::wire::Projection);
                impl<'de> serde::de::Visitor<'de> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str(&$crate::wire::expecting(stringify!($name)))
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<$name, A::Error> {
                        let mut out = $name::default();
                        let projection = self.0;
                        while let Some(key) = map.next_key_seed($crate::wire::KeySeed(
                            $name::FIELDS,
                            projection.skip,
                        ))? {
                            match key {
                                $crate::wire::Key::Skipped => {
                                    map.next_value::<serde::de::IgnoredAny>()?;
                                }
                                $crate::wire::Key::Unknown(_) if projection.edges_only => {
                                    map.next_value::<serde::de::IgnoredAny>()?;
                                }
                                $crate::wire::Key::Unknown(k) => {
                                    let v: serde_json::Value = map.next_value()?;
                                    out.unknown.insert(k, v);
                                }
                                $crate::wire::Key::Known(i, alt) => {
                                    $(
                                        if $hook(&out, i, projection) {
                                            map.next_value::<serde::de::IgnoredAny>()?;
                                            continue;
                                        }
                                    )?
                                    let mut n = 0usize;
                                    $(
                                        if i == n {
                                            let (v, int) = map.next_value_seed(
                                                $crate::wire::OptSeed::<$ty>(
                                                    projection,
                                                    std::marker::PhantomData,
                                                ),
                                            )?;
                                            out.wire.set_null(i, v.is_none());
                                            out.wire.set_int(i, int);
                                            out.wire.set_alt(i, alt);
                                            out.$field = v;
                                        }
                                        n += 1;
                                    )*
                                    let _ = n;
                                }
                            }
                        }
                        Ok(out)
                    }
                }
                d.deserialize_map(V(projection)).map(|v| (v, false))
            }
            fn write<S: serde::Serializer>(&self, _as_int: bool, s: S) -> Result<S::Ok, S::Error> {
                serde::Serialize::serialize(self, s)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                let mut m = s.serialize_map(None)?;
                let mut i = 0usize;
                $(
                    let name = if self.wire.used_alt(i) { Self::FIELDS[i].1 } else { $key };
                    match &self.$field {
                        Some(v) => m.serialize_entry(
                            name,
                            &$crate::wire::WireOut(v, self.wire.was_int(i)),
                        )?,
                        None if self.wire.was_null(i) => m.serialize_entry(name, &())?,
                        None => {}
                    }
                    i += 1;
                )*
                let _ = i;
                for (k, v) in &self.unknown {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
        }

    };
    (@alt $alt:literal) => { $alt };
    (@alt) => { "" };
}

pub(crate) use wire_object;

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    wire_object! {
        /// A test object.
        pub struct Probe {
            /// A number.
            x: f64 => "x",
            /// A renamed field.
            start: i64 => "start_index" | "startIndex",
            /// Text.
            label: String => "label",
        }
    }

    fn round_trip(v: Value) -> Value {
        let p: Probe = serde_json::from_value(v).unwrap();
        serde_json::to_value(&p).unwrap()
    }

    #[test]
    fn keeps_nulls_spellings_ints_and_unknowns() {
        for v in [
            json!({"x": 12, "startIndex": 3, "label": null, "zz": [1, {"a": null}]}),
            json!({"x": 12.0, "start_index": 3}),
            json!({"x": -4, "label": "t"}),
            json!({}),
        ] {
            assert_eq!(round_trip(v.clone()), v);
        }
    }

    #[test]
    fn reads_values() {
        let p: Probe = serde_json::from_value(json!({"x": 2, "startIndex": 5})).unwrap();
        assert_eq!(p.x, Some(2.0));
        assert_eq!(p.start, Some(5));
        assert_eq!(p.label, None);
    }

    #[test]
    fn wrong_type_is_an_error() {
        let e = serde_json::from_str::<Probe>(r#"{"x": "12"}"#).unwrap_err();
        assert!(e.to_string().contains("expected a number"), "{e}");
    }
}
