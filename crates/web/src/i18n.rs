//! The UI's words in Danish and English, and how a request's language is chosen.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;
use samspor_domain::i18n::Lang;

pub const LANG_COOKIE: &str = "samspor_lang";

/// The language of this request: the reader's choice (cookie), else Danish.
/// The browser's language is not used: Samspor is a Danish workplace system, and
/// many Danish staff run browsers set to English.
#[derive(Debug, Clone, Copy)]
pub struct UiLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for UiLang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(UiLang(lang_of(&parts.headers)))
    }
}

pub fn lang_of(headers: &axum::http::HeaderMap) -> Lang {
    let jar = CookieJar::from_headers(headers);
    jar.get(LANG_COOKIE)
        .and_then(|c| Lang::parse(c.value()))
        .unwrap_or_default()
}

/// Looks words up by key for one language. Templates call `t.t("key")`.
#[derive(Debug, Clone, Copy)]
pub struct Tr(pub Lang);

impl Tr {
    pub fn t(&self, key: &str) -> &'static str {
        match lookup(key) {
            Some((_, da, en)) => match self.0 {
                Lang::Da => da,
                Lang::En => en,
            },
            None => {
                debug_assert!(false, "missing UI text {key}");
                "?"
            }
        }
    }

    pub fn lang(&self) -> &'static str {
        self.0.as_str()
    }

    pub fn language(&self) -> Lang {
        self.0
    }

    pub fn is_da(&self) -> bool {
        self.0 == Lang::Da
    }
}

/// Each area of the UI keeps its words in its own table, so they can be edited apart.
static TABLES: [&[(&str, &str, &str)]; 15] = [
    TEXTS,
    crate::courses::texts::TEXTS,
    crate::intake::texts::TEXTS,
    crate::courses::treatment::texts::TEXTS,
    crate::courses::groups::texts::TEXTS,
    crate::export::texts::TEXTS,
    crate::courses::measurements::texts::TEXTS,
    crate::consent::texts::TEXTS,
    crate::referrals::texts::TEXTS,
    crate::advice::texts::TEXTS,
    crate::kit::texts::TEXTS,
    crate::medcom::texts::TEXTS,
    crate::learning_environment::texts::TEXTS,
    crate::messages::texts::TEXTS,
    crate::accounts::texts::TEXTS,
];

/// Every UI text as (key, Danish, English), for checks that a page is wholly in one language.
pub fn ui_texts() -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
    TABLES.iter().flat_map(|table| table.iter().copied())
}

fn lookup(key: &str) -> Option<(&'static str, &'static str, &'static str)> {
    TABLES.iter().find_map(|table| {
        table
            .binary_search_by(|(k, _, _)| k.cmp(&key))
            .ok()
            .map(|i| table[i])
    })
}

/// (key, Danish, English), sorted by key (a test checks).
#[rustfmt::skip]
pub static TEXTS: &[(&str, &str, &str)] = &[
    ("access.action", "Handling", "Action"),
    ("access.empty", "Ingen opslag endnu.", "No entries yet."),
    ("access.intro", "Alle, der har læst eller ændret oplysninger om barnet, med tidspunkt og formål.", "Everyone who read or changed this child's data, with time and purpose."),
    ("access.org", "Organisation", "Organisation"),
    ("access.purpose", "Formål", "Purpose"),
    ("access.time", "Tidspunkt", "Time"),
    ("access.title", "Adgangslog", "Access log"),
    ("access.who", "Hvem", "Who"),
    ("action.create", "Oprettet", "Created"),
    ("action.export", "Udtrukket", "Exported"),
    ("action.login", "Logget ind", "Logged in"),
    ("action.login_failed", "Mislykket login", "Failed login"),
    ("action.logout", "Logget ud", "Logged out"),
    ("action.read", "Læst", "Read"),
    ("action.search", "Søgning", "Search"),
    ("action.update", "Ændret", "Changed"),
    ("alerts.acknowledge", "Kvittér", "Acknowledge"),
    ("alerts.escalated", "Eskaleret", "Escalated"),
    ("alerts.title", "Advarsler", "Alerts"),
    ("app.name", "Samspor", "Samspor"),
    ("app.skip", "Spring til indhold", "Skip to content"),
    ("audit.all", "Alle", "All"),
    ("audit.filter", "Filtrér", "Filter"),
    ("audit.from", "Fra dato", "From date"),
    ("audit.intro", "Alle opslag og ændringer foretaget af brugere i din organisation. Loggen kan ikke ændres, og hver post er kædet til den forrige.", "Every read and change by users of your organisation. The log cannot be changed, and each entry is chained to the one before."),
    ("audit.object", "Objekt", "Object"),
    ("audit.title", "Revisionslog", "Audit log"),
    ("audit.to", "Til dato", "To date"),
    ("band.close_to_average", "Tæt på gennemsnit", "Close to average"),
    ("band.high", "Højt", "High"),
    ("band.low", "Lavt", "Low"),
    ("band.slightly_lowered", "Let nedsat", "Slightly lowered"),
    ("band.slightly_raised", "Let forhøjet", "Slightly raised"),
    ("band.very_high", "Meget højt", "Very high"),
    ("band.very_low", "Meget lavt", "Very low"),
    ("child.address", "Adresse", "Address"),
    ("child.age", "Alder", "Age"),
    ("child.birth_date", "Fødselsdato", "Birth date"),
    ("child.cpr", "CPR-nummer", "CPR number"),
    ("child.cpr_hint", "10 cifre, fx 010115-1234", "10 digits, e.g. 010115-1234"),
    ("child.create", "Opret", "Create"),
    ("child.created", "Barnet er oprettet.", "The child has been registered."),
    ("child.custody", "Har forældremyndighed", "Has custody"),
    ("child.duplicate", "Barnet er allerede registreret:", "The child is already registered:"),
    ("child.edit", "Rediger", "Edit"),
    ("child.edit_title", "Ret oplysninger", "Correct details"),
    ("child.family_name", "Efternavn", "Family name"),
    ("child.given_name", "Fornavn", "Given name"),
    ("child.guardian", "Voksen", "Adult"),
    ("child.guardian_email", "E-mail", "E-mail"),
    ("child.guardian_name", "Navn", "Name"),
    ("child.guardian_phone", "Telefon", "Phone"),
    ("child.guardian_relation", "Relation", "Relation"),
    ("child.guardians", "Forældre og andre voksne", "Parents and other adults"),
    ("child.history", "Historik", "History"),
    ("child.history_changed", "Ændrede felter", "Changed fields"),
    ("child.history_empty", "Ingen rettelser endnu.", "No corrections yet."),
    ("child.history_intro", "Tidligere versioner af oplysningerne. Intet overskrives uden spor.", "Earlier versions of the record. Nothing is overwritten without a trace."),
    ("child.history_previous", "Tidligere værdier", "Previous values"),
    ("child.new_title", "Opret barn", "Register child"),
    ("child.no", "Nej", "No"),
    ("child.none", "Ingen", "None"),
    ("child.save", "Gem", "Save"),
    ("child.saved", "Ændringerne er gemt.", "The changes have been saved."),
    ("child.school", "Skole", "School"),
    ("child.sex", "Køn", "Sex"),
    ("child.sex_female", "Pige", "Girl"),
    ("child.sex_male", "Dreng", "Boy"),
    ("child.sex_unknown", "Ukendt", "Unknown"),
    ("child.version", "Version", "Version"),
    ("child.years", "år", "years"),
    ("child.yes", "Ja", "Yes"),
    ("children.count", "viste", "shown"),
    ("children.empty", "Ingen børn fundet.", "No children found."),
    ("children.new", "Opret barn", "Register child"),
    ("children.search", "Søg", "Search"),
    ("children.search_hint", "Navn eller CPR-nummer", "Name or CPR number"),
    ("children.title", "Børn", "Children"),
    ("error.back", "Til forsiden", "To the front page"),
    ("error.fix", "Ret fejlene markeret nedenfor.", "Correct the errors marked below."),
    ("home.admin", "Som administrator ser du revisionsloggen og kommunens deltagelse i STIME og KIT.", "As administrator you see the audit log and the municipality's participation in STIME and KIT."),
    ("home.analyst", "Rapporter og indikatorer kommer her. Du ser aldrig oplysninger om enkelte børn.", "Reports and indicators will appear here. You never see individual children's data."),
    ("home.children", "Find et barn, eller opret et nyt.", "Find a child, or register a new one."),
    ("home.greeting", "Velkommen", "Welcome"),
    ("home.org", "Organisation", "Organisation"),
    ("home.role", "Rolle", "Role"),
    ("home.secretariat", "Se og ret kommunernes deltagelse i de fem STIME-spor og KIT.", "See and edit the municipalities' participation in the five STIME tracks and KIT."),
    ("home.title", "Forside", "Front page"),
    ("lang.switch", "English", "Dansk"),
    ("login.email", "E-mail", "E-mail"),
    ("login.failed", "Forkert e-mail eller adgangskode, eller kontoen er midlertidigt låst. Prøv igen om et minut.", "Wrong e-mail or password, or the account is temporarily locked. Try again in a minute."),
    ("login.intro", "Log ind med din arbejdsmail.", "Log in with your work e-mail."),
    ("login.password", "Adgangskode", "Password"),
    ("login.submit", "Log ind", "Log in"),
    ("login.title", "Log ind", "Log in"),
    ("nav.advice", "Sparring", "Advice"),
    ("nav.audit", "Revisionslog", "Audit log"),
    ("nav.children", "Børn", "Children"),
    ("nav.home", "Forside", "Front page"),
    ("nav.kl_deliveries", "KL-indberetning", "KL reporting"),
    ("nav.learning_environment", "Læringsmiljø", "Learning environment"),
    ("nav.logout", "Log ud", "Log out"),
    ("nav.main", "Hovedmenu", "Main menu"),
    ("nav.medcom", "MedCom", "MedCom"),
    ("nav.organisations", "Organisationer", "Organisations"),
    ("nav.referrals", "Henvisninger", "Referrals"),
    ("nav.users", "Brugere", "Users"),
    ("orgs.code", "Kode", "Code"),
    ("orgs.ean_hint", "Valgfri: 13 cifre", "Optional: 13 digits"),
    ("orgs.intro", "Regioner og kommuner med officielle koder, og hvilke STIME-spor og KIT hver kommune tilbyder.", "Regions and municipalities with official codes, and which STIME tracks and KIT each municipality offers."),
    ("orgs.kind", "Type", "Kind"),
    ("orgs.municipalities", "Regioner og kommuner", "Regions and municipalities"),
    ("orgs.name", "Navn", "Name"),
    ("orgs.parent", "Hører under (kode)", "Belongs to (code)"),
    ("orgs.parent_hint", "Kommunekode som 0101 eller region som DK-84", "Municipality code like 0101 or region like DK-84"),
    ("orgs.participation", "Deltager i", "Takes part in"),
    ("orgs.participation_edit", "Rediger deltagelse", "Edit participation"),
    ("orgs.participation_intro", "Angiv startdato for hvert tilbud, kommunen deltager i. Tom dato betyder, at kommunen ikke deltager.", "Give the start date of each programme the municipality takes part in. An empty date means it does not take part."),
    ("orgs.provisional_code", "Koden er foreløbig: regionens ISO-kode er endnu ikke fastlagt.", "The code is provisional: the region's ISO code is not settled yet."),
    ("orgs.region", "Region", "Region"),
    ("orgs.region_ends", "Til og med {until}; derefter hører kommunerne under {next}.", "Until {until}; after that its municipalities belong to {next}."),
    ("orgs.region_since", "Fra {from}.", "From {from}."),
    ("orgs.saved", "Deltagelsen er gemt.", "Participation saved."),
    ("orgs.since", "Siden", "Since"),
    ("orgs.sor_hint", "Valgfri: mindst 11 cifre", "Optional: at least 11 digits"),
    ("orgs.title", "Organisationer", "Organisations"),
    ("orgs.unit_new", "Opret enhed", "Add a unit"),
    ("orgs.unit_saved", "Enheden er oprettet.", "The unit has been added."),
    ("orgs.units", "Enheder", "Units"),
    ("orgs.units_empty", "Ingen enheder endnu.", "No units yet."),
    ("q.actions", "Handlinger", "Actions"),
    ("q.all_responses", "Alle besvarelser", "All responses"),
    ("q.answered_by", "Besvaret af", "Answered by"),
    ("q.back", "Tilbage til spørgeskemaer", "Back to questionnaires"),
    ("q.band", "Niveau", "Level"),
    ("q.baseline", "Udgangspunkt", "Baseline"),
    ("q.change", "Ændring", "Change"),
    ("q.channel_email", "e-mail", "e-mail"),
    ("q.channel_manual", "af medarbejder", "by staff"),
    ("q.channel_sms", "SMS", "SMS"),
    ("q.chart_help", "Store grønne punkter viser pålidelig bedring siden første måling, store røde pålidelig forværring (reliable change index).", "Large green points mark reliable improvement since the first measurement, large red ones reliable worsening (reliable change index)."),
    ("q.choose", "Vælg", "Choose"),
    ("q.compare", "seneste svar side om side", "latest answers side by side"),
    ("q.copied", "Kopieret", "Copied"),
    ("q.copy", "Kopiér linket", "Copy the link"),
    ("q.create_link", "Opret link", "Create link"),
    ("q.date", "Dato", "Date"),
    ("q.delivery", "Afsendelse", "Delivery"),
    ("q.delivery_attempts", "forsøg", "attempts"),
    ("q.delivery_bounced", "Afvist af modtagerens server – linket er ikke kommet frem", "Refused by the recipient's server – the link did not get through"),
    ("q.delivery_by_hand", "Givet videre af en medarbejder", "Passed on by staff"),
    ("q.delivery_failed", "Ikke sendt – afsendelsen mislykkedes", "Not sent – sending failed"),
    ("q.delivery_none", "Ikke sendt – kopiér linket", "Not sent – copy the link"),
    ("q.delivery_queued", "Venter på at blive sendt", "Waiting to be sent"),
    ("q.delivery_retrying", "Ikke sendt endnu – prøver igen", "Not sent yet – trying again"),
    ("q.delivery_sent", "Sendt", "Sent"),
    ("q.expires", "Udløber", "Expires"),
    ("q.incomplete", "Ufuldstændig", "Incomplete"),
    ("q.incomplete_rule", "Skalaer med for få svar er ikke beregnet (spørgeskemaets regel for manglende svar); send et nyt link, hvis der skal svares igen.", "Scales with too few answers are not scored (the questionnaire's rule for missing answers); send a new link if it should be answered again."),
    ("q.incomplete_unanswered", "spørgsmål ubesvaret", "questions unanswered"),
    ("q.instrument", "Spørgeskema", "Questionnaire"),
    ("q.letter", "Brev med linket", "Letter with the link"),
    ("q.letter_greeting", "Til", "To"),
    ("q.letter_personal", "Linket er personligt og kan bruges én gang. Giv det ikke videre.", "The link is personal and can be used once. Please do not pass it on."),
    ("q.letter_text", "Du bedes svare på nogle spørgsmål. Scan QR-koden med din telefon, eller skriv adressen nedenfor i en browser.", "Please answer a few questions. Scan the QR code with your phone, or type the address below into a browser."),
    ("q.link_created", "Link oprettet", "Link created"),
    ("q.link_intro_queued", "Linket vises kun denne ene gang og kan bruges én gang. Om det er kommet frem, ses på barnets side med spørgeskemaer.", "The link is shown only this once and can be used once. Whether it got through is shown on the child's questionnaire page."),
    ("q.links", "Links", "Links"),
    ("q.mark_sent", "Markér som sendt", "Mark as sent"),
    ("q.no_links", "Ingen links oprettet endnu.", "No links created yet."),
    ("q.no_results", "Ingen besvarelser endnu.", "No responses yet."),
    ("q.not_scored", "– ikke beregnet: for få svar", "– not scored: too few answers"),
    ("q.not_sent", "Ikke sendt – kopiér linket", "Not sent – copy the link"),
    ("q.not_sent_text", "Samspor har ikke sendt linket: der er ingen e-mail eller SMS sat op, eller modtageren har ingen adresse til det. Kopiér linket og giv det videre, eller udskriv et brev med QR-kode – og markér det som sendt. Linket vises kun denne ene gang og kan bruges én gang.", "Samspor has not sent the link: no e-mail or SMS is set up, or the recipient has no address for it. Copy the link and pass it on, or print a letter with a QR code – and mark it as sent. The link is shown only this once and can be used once."),
    ("q.over_time", "Udvikling over tid", "Over time"),
    ("q.paper", "Indtast papirskema", "Enter a paper form"),
    ("q.print_letter", "Udskriv brev med QR-kode", "Print a letter with a QR code"),
    ("q.provisional", "foreløbig grænse", "provisional cut-off"),
    ("q.queued_email", "Linket sendes som e-mail til modtageren om et øjeblik.", "The link is being sent to the recipient by e-mail."),
    ("q.queued_sms", "Linket sendes som SMS til modtageren om et øjeblik.", "The link is being sent to the recipient by SMS."),
    ("q.rc_improved", "Pålidelig bedring", "Reliable improvement"),
    ("q.rc_none", "Ingen pålidelig ændring", "No reliable change"),
    ("q.rc_worsened", "Pålidelig forværring", "Reliable worsening"),
    ("q.respondent", "Hvem skal svare", "Who answers"),
    ("q.results", "Resultater", "Results"),
    ("q.revoke", "Træk tilbage", "Withdraw"),
    ("q.scale", "Skala", "Scale"),
    ("q.score", "Score", "Score"),
    ("q.self_report", "selv", "self-report"),
    ("q.send", "Send et spørgeskema", "Send a questionnaire"),
    ("q.source_link", "link", "link"),
    ("q.source_paper", "papir", "paper"),
    ("q.state", "Status", "State"),
    ("q.state_expired", "Udløbet", "Expired"),
    ("q.state_revoked", "Trukket tilbage", "Withdrawn"),
    ("q.state_sent", "Åbent, ikke besvaret", "Open, not answered"),
    ("q.state_started", "Påbegyndt", "Started"),
    ("q.state_submitted", "Besvaret", "Answered"),
    ("q.teacher", "Lærer eller pædagog", "Teacher or pedagogue"),
    ("q.teacher_name", "Lærerens navn (kun hvis en lærer skal svare)", "Teacher's name (only if a teacher answers)"),
    ("q.title", "Spørgeskemaer", "Questionnaires"),
    ("respond.about", "Spørgsmålene handler om", "The questions are about"),
    ("respond.back", "Tilbage", "Back"),
    ("respond.gone_text", "Linket er udløbet, trukket tilbage eller allerede brugt. Kontakt den, der sendte det, hvis du skal svare igen.", "The link has expired, been withdrawn or already been used. Contact whoever sent it if you need to answer again."),
    ("respond.gone_title", "Linket kan ikke bruges", "This link cannot be used"),
    ("respond.incomplete_go", "Gå til det første ubesvarede spørgsmål", "Go to the first unanswered question"),
    ("respond.incomplete_text", "spørgsmål er ikke besvaret. Jo flere du svarer på, jo bedre kan svarene bruges. Du kan også sende, som det er – linket kan derefter ikke bruges igen.", "questions are not answered. The more you answer, the better the answers can be used. You can also send as it is – the link cannot be used again afterwards."),
    ("respond.incomplete_title", "Nogle spørgsmål er ikke besvaret", "Some questions are not answered"),
    ("respond.neutral_texts", "Spørgsmålene vises her med Samspors korte beskrivelser, ikke spørgeskemaets officielle ordlyd.", "The questions are shown with Samspor's short descriptions, not the questionnaire's official wording."),
    ("respond.next", "Næste", "Next"),
    ("respond.of", "af", "of"),
    ("respond.page", "Side", "Page"),
    ("respond.submit", "Send svar", "Send answers"),
    ("respond.submit_anyway", "Send alligevel", "Send anyway"),
    ("respond.thanks_text", "Dine svar er modtaget. Du kan lukke siden nu.", "Your answers have been received. You can close this page now."),
    ("respond.thanks_title", "Tak for dine svar", "Thank you for your answers"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_sorted_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for table in TABLES {
            for w in table.windows(2) {
                assert!(w[0].0 < w[1].0, "{} must come before {}", w[1].0, w[0].0);
            }
            for (k, _, _) in table {
                assert!(seen.insert(*k), "{k} is in two tables");
            }
        }
    }

    #[test]
    fn every_key_used_in_a_template_exists() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for part in text.split("t.t(\"").skip(1) {
                let key = part.split('"').next().unwrap();
                assert!(
                    lookup(key).is_some(),
                    "{} uses missing text {key}",
                    path.display()
                );
            }
        }
    }
}
