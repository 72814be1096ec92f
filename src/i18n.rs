//! The student's language: every sentence a person reads comes from Fluent files
//! (`i18n/en/netgrade.ftl`, `i18n/zh-CN/netgrade.ftl`) compiled into the binary, through
//! [`tr!`](crate::tr). Machine formats keep their stable English `kind`s.
//!
//! The language is chosen once, at start-up ([`set_language`]): `--lang zh|en`, else the first
//! of `LC_ALL`, `LC_MESSAGES`, `LANG` that is set (`zh_CN.UTF-8` → Chinese), else English.
//! Message ids and their arguments are checked at compile time against the English file
//! (i18n-embed-fl); a test checks that every language has every message, with no argument the
//! English one lacks.

use std::sync::LazyLock;

use i18n_embed::LanguageLoader;
use i18n_embed::fluent::FluentLanguageLoader;
use i18n_embed::unic_langid::LanguageIdentifier;
use rust_embed::RustEmbed;

/// `i18n/<language>/netgrade.ftl`, embedded (in debug builds too).
#[derive(RustEmbed)]
#[folder = "i18n/"]
pub struct Localizations;

/// A language netgrade speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// English.
    En,
    /// Simplified Chinese.
    Zh,
}

impl Language {
    /// Every language.
    pub const ALL: [Language; 2] = [Language::En, Language::Zh];

    /// Its identifier (the folder of its Fluent file).
    pub fn id(self) -> LanguageIdentifier {
        let tag = match self {
            Language::En => "en",
            Language::Zh => "zh-CN",
        };
        tag.parse().unwrap_or_default()
    }

    /// The language a locale or a `--lang` value names: `zh`, `zh_CN.UTF-8`, `zh-Hans`, `en_US`,
    /// `C`, `POSIX`; `None` for others.
    pub fn parse(text: &str) -> Option<Language> {
        let tag = text.trim().split(['.', '@']).next().unwrap_or("");
        let primary = tag
            .split(['_', '-'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Language::Zh),
            "en" | "c" | "posix" => Some(Language::En),
            _ => None,
        }
    }

    /// `flag` (from `--lang`) when given, else the locale of the environment `env`
    /// (`LC_ALL`, then `LC_MESSAGES`, then `LANG`: the first that is set decides), else English.
    pub fn choose(flag: Option<Language>, env: impl Fn(&str) -> Option<String>) -> Language {
        if let Some(language) = flag {
            return language;
        }
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .into_iter()
            .find_map(|key| env(key).filter(|value| !value.is_empty()))
            .map_or(Language::En, |value| {
                Language::parse(&value).unwrap_or(Language::En)
            })
    }
}

/// The loader every [`tr!`](crate::tr) uses; English until [`set_language`] says otherwise.
pub static LOADER: LazyLock<FluentLanguageLoader> = LazyLock::new(|| loader_for(Language::En));

/// A loader for one language (falling back to English for a message it lacks).
pub fn loader_for(language: Language) -> FluentLanguageLoader {
    let loader = FluentLanguageLoader::new("netgrade", Language::En.id());
    // The files are compiled in, so loading cannot fail but for a broken file, which the
    // tests catch; a failure leaves the English fallback.
    let _ = loader.load_languages(&Localizations, &[language.id(), Language::En.id()]);
    // Fluent wraps arguments in invisible direction marks by default; a terminal shows them.
    loader.set_use_isolating(false);
    loader
}

/// Makes `language` the language of every message from now on.
pub fn set_language(language: Language) {
    let _ = LOADER.load_languages(&Localizations, &[language.id(), Language::En.id()]);
    LOADER.set_use_isolating(false);
}

/// The language in force.
pub fn language() -> Language {
    let current = LOADER.current_language();
    if current.language.as_str() == "zh" {
        Language::Zh
    } else {
        Language::En
    }
}

/// A text an exercise's author wrote, in English and perhaps in Chinese (a hint, say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Localized {
    /// English.
    pub en: String,
    /// Simplified Chinese, when given.
    pub zh: Option<String>,
}

impl Localized {
    /// The same text in every language.
    pub fn plain(text: impl Into<String>) -> Localized {
        Localized {
            en: text.into(),
            zh: None,
        }
    }

    /// The text in the current language (English where no translation is given).
    pub fn text(&self) -> &str {
        match (language(), &self.zh) {
            (Language::Zh, Some(zh)) => zh,
            _ => &self.en,
        }
    }
}

impl std::fmt::Display for Localized {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.text())
    }
}

/// An operating-system error in words a beginner understands ("os error 104" is not).
pub fn error_words(error: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match error.kind() {
        ErrorKind::ConnectionRefused => crate::tr!("error-refused"),
        ErrorKind::TimedOut => crate::tr!("error-connect-timed-out"),
        ErrorKind::ConnectionReset => crate::tr!("error-reset"),
        ErrorKind::BrokenPipe => crate::tr!("error-broken-pipe"),
        ErrorKind::ConnectionAborted => crate::tr!("error-aborted"),
        ErrorKind::NetworkUnreachable | ErrorKind::HostUnreachable => {
            crate::tr!("error-unreachable")
        }
        _ => crate::tr!("error-other", error = error.to_string()),
    }
}

/// A message of the current language: `tr!("id")`, `tr!("id", port = 8888, name = text)`.
#[macro_export]
macro_rules! tr {
    ($($arguments:tt)*) => {
        i18n_embed_fl::fl!($crate::i18n::LOADER, $($arguments)*)
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_comes_from_the_flag_then_the_locale() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |key: &str| {
                pairs
                    .iter()
                    .find(|(name, _)| *name == key)
                    .map(|(_, value)| (*value).to_owned())
            }
        };
        let choose = Language::choose;
        assert_eq!(choose(None, env(&[("LANG", "zh_CN.UTF-8")])), Language::Zh);
        assert_eq!(
            choose(None, env(&[("LANG", "zh_CN.UTF-8"), ("LC_ALL", "C")])),
            Language::En
        );
        assert_eq!(
            choose(
                None,
                env(&[("LANG", "en_US.UTF-8"), ("LC_MESSAGES", "zh_TW")])
            ),
            Language::Zh
        );
        assert_eq!(
            choose(None, env(&[("LC_ALL", ""), ("LANG", "zh_CN")])),
            Language::Zh
        );
        assert_eq!(
            choose(Some(Language::En), env(&[("LC_ALL", "zh_CN.UTF-8")])),
            Language::En
        );
        assert_eq!(choose(None, env(&[("LANG", "de_DE.UTF-8")])), Language::En);
        assert_eq!(choose(None, env(&[])), Language::En);
    }
}
