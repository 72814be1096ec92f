//! [`TextSpec`]: a text a student reads (a title, a test's name, a hint), in one language or
//! one per language. YAML reads a plain `no` or `1` as a boolean or a number; here it is the
//! text as written.

use schemars::JsonSchema;
use serde::Deserialize;

/// A text for students: one text, or one per language (English required).
#[derive(Debug, Clone, JsonSchema, PartialEq, Eq)]
#[serde(untagged)]
pub enum TextSpec {
    /// The same text in every language.
    Plain(String),
    /// One text per language.
    ByLanguage {
        /// English.
        en: String,
        /// Simplified Chinese.
        #[serde(default)]
        zh: Option<String>,
    },
}

/// The `{ en, zh }` form, with unknown languages refused.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TextByLanguage {
    en: String,
    #[serde(default)]
    zh: Option<String>,
}

impl<'de> Deserialize<'de> for TextSpec {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;

        impl<'de> serde::de::Visitor<'de> for TextVisitor {
            type Value = TextSpec;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a text, or one text per language: { en: ..., zh: ... }")
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<TextSpec, E> {
                Ok(TextSpec::Plain(text.to_owned()))
            }

            // A plain scalar YAML reads as a number or a boolean is still text here.
            fn visit_bool<E: serde::de::Error>(self, value: bool) -> Result<TextSpec, E> {
                Ok(TextSpec::Plain(value.to_string()))
            }

            fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<TextSpec, E> {
                Ok(TextSpec::Plain(value.to_string()))
            }

            fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<TextSpec, E> {
                Ok(TextSpec::Plain(value.to_string()))
            }

            fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<TextSpec, E> {
                Ok(TextSpec::Plain(value.to_string()))
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<TextSpec, A::Error> {
                let TextByLanguage { en, zh } =
                    Deserialize::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(TextSpec::ByLanguage { en, zh })
            }
        }

        deserializer.deserialize_any(TextVisitor)
    }
}
