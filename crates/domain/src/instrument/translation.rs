//! Respondent-facing texts in two languages, FHIR style: `text` and `display` hold the Danish
//! label (the document's `language`), and the English one sits next to it in `_text` or
//! `_display` as a translation extension. Both are required, so no respondent ever meets a
//! question or answer that exists in only one language.

use super::json::{Issue, Node, Res};

/// The FHIR core extension for a translation of a primitive string.
pub(super) const TRANSLATION_URL: &str = "http://hl7.org/fhir/StructureDefinition/translation";

/// The language of every `text` and `display`: the product's language.
pub(super) const PRIMARY_LANG: &str = "da";

/// The language every label must also be translated into.
const SECOND_LANG: &str = "en";

/// The Danish `key` of a FHIR element and its English translation from `_key`.
pub(super) fn bilingual(element: &Node<'_>, key: &str) -> Res<(String, String)> {
    let da = element.get(key)?.text()?.to_string();
    let en = english(element, key)?;
    Ok((da, en))
}

fn english(element: &Node<'_>, key: &str) -> Res<String> {
    let sibling = format!("_{key}");
    let Some(extras) = element.opt(&sibling)? else {
        return Err(Issue {
            field: element.child_path(&sibling),
            message: format!(
                "missing English translation of \"{key}\": add an extension \
                 {TRANSLATION_URL} with lang \"{SECOND_LANG}\""
            ),
        });
    };
    let list = extras.get("extension")?;
    let mut found: Option<String> = None;
    for extension in list.array()? {
        // Other extensions (rendering hints and the like) are FHIR's business, not ours.
        if extension.get("url")?.text()? != TRANSLATION_URL {
            continue;
        }
        let (lang_node, content) = translation_parts(&extension)?;
        match lang_node.text()? {
            SECOND_LANG => {
                if found.is_some() {
                    return Err(
                        lang_node.issue(format!("a second translation into \"{SECOND_LANG}\""))
                    );
                }
                found = Some(content);
            }
            // Catches a file written the other way round (English text, Danish translation).
            PRIMARY_LANG => {
                return Err(lang_node.issue(format!(
                    "\"{key}\" itself is the \"{PRIMARY_LANG}\" text; translate it into \
                     \"{SECOND_LANG}\" instead"
                )));
            }
            // Further languages are allowed and not used.
            _ => {}
        }
    }
    found.ok_or_else(|| {
        list.issue(format!(
            "no translation with lang \"{SECOND_LANG}\" (extension {TRANSLATION_URL})"
        ))
    })
}

/// The `lang` node and the `content` text of one translation extension.
fn translation_parts<'a>(extension: &Node<'a>) -> Res<(Node<'a>, String)> {
    let parts = extension.get("extension")?;
    let mut lang: Option<Node<'a>> = None;
    let mut content: Option<String> = None;
    for part in parts.array()? {
        let url = part.get("url")?;
        match url.text()? {
            "lang" if lang.is_none() => lang = Some(part.get("valueCode")?),
            "content" if content.is_none() => {
                content = Some(part.get("valueString")?.text()?.to_string());
            }
            "lang" | "content" => return Err(url.issue("given twice in one translation")),
            other => {
                return Err(url.issue(format!(
                    "\"{other}\" is not part of a translation; expected lang and content"
                )));
            }
        }
    }
    match (lang, content) {
        (Some(lang), Some(content)) => Ok((lang, content)),
        (None, _) => Err(parts.issue("a translation needs a \"lang\" part")),
        (_, None) => Err(parts.issue("a translation needs a \"content\" part")),
    }
}
