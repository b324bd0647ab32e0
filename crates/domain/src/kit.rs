//! KIT ("Koordineret Indsats på Tværs"): one coordinated course for a child who needs
//! psychiatric treatment and municipal support at the same time. One shared plan (goals, who
//! does what in each sector, the next review), a named contact person in each sector, network
//! meetings with the family, and tasks that always have an owning organisation and a deadline.

use crate::i18n::Lang;
use crate::validation::{FieldError, FieldErrors, optional_text, required_text};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The longest text of one plan, meeting or task field.
pub const TEXT_MAX: usize = 4000;
/// The longest name or short contact line.
pub const LINE_MAX: usize = 200;

/// A sector taking part in a KIT course.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sector {
    Municipality,
    Psychiatry,
    School,
    Gp,
}

impl Sector {
    pub const ALL: [Sector; 4] = [
        Sector::Municipality,
        Sector::Psychiatry,
        Sector::School,
        Sector::Gp,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Sector::Municipality => "municipality",
            Sector::Psychiatry => "psychiatry",
            Sector::School => "school",
            Sector::Gp => "gp",
        }
    }

    pub fn parse(s: &str) -> Option<Sector> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Sector::Municipality, Lang::Da) => "Kommunen",
            (Sector::Municipality, Lang::En) => "Municipality",
            (Sector::Psychiatry, Lang::Da) => "Børne- og ungdomspsykiatrien",
            (Sector::Psychiatry, Lang::En) => "Child and adolescent psychiatry",
            (Sector::School, Lang::Da) => "Skole / PPR",
            (Sector::School, Lang::En) => "School / PPR",
            (Sector::Gp, Lang::Da) => "Egen læge",
            (Sector::Gp, Lang::En) => "General practice",
        }
    }

    /// Whether every KIT course has this sector (the two that coordinate the course).
    pub fn required(self) -> bool {
        matches!(self, Sector::Municipality | Sector::Psychiatry)
    }
}

/// One sector's part as entered.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PartyInput {
    pub sector: Option<String>,
    pub org_id: Option<Uuid>,
    pub contact_name: Option<String>,
    /// Phone or e-mail, as the contact person wants to be reached.
    pub contact: Option<String>,
    /// What this sector does in the course.
    pub responsibility: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Party {
    pub sector: Sector,
    pub org_id: Uuid,
    pub contact_name: String,
    pub contact: Option<String>,
    pub responsibility: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PlanInput {
    pub goals: Option<String>,
    pub next_review_on: Option<String>,
    #[serde(default)]
    pub parties: Vec<PartyInput>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub goals: String,
    pub next_review_on: NaiveDate,
    pub parties: Vec<Party>,
}

fn day(errors: &mut FieldErrors, field: &str, value: Option<&str>) -> Option<NaiveDate> {
    let parsed = value.and_then(|v| NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok());
    if parsed.is_none() {
        errors.push(FieldError::new(
            field,
            "Give a date (YYYY-MM-DD).",
            "Angiv en dato (ÅÅÅÅ-MM-DD).",
        ));
    }
    parsed
}

/// Checks a plan: goals, a review date from today on, and one party per sector with a named
/// contact person and what the sector does; municipality and child psychiatry always take part.
pub fn parse_plan(input: &PlanInput, today: NaiveDate) -> Result<Plan, FieldErrors> {
    let mut errors = FieldErrors::default();
    let goals = required_text(&mut errors, "goals", input.goals.as_deref(), TEXT_MAX);
    let review = day(
        &mut errors,
        "next_review_on",
        input.next_review_on.as_deref(),
    );
    if review.is_some_and(|d| d < today) {
        errors.push(FieldError::new(
            "next_review_on",
            "The next review cannot lie in the past.",
            "Næste opfølgning kan ikke ligge i fortiden.",
        ));
    }
    let mut parties: Vec<Party> = Vec::new();
    for (i, p) in input.parties.iter().enumerate() {
        let f = |name: &str| format!("parties[{i}].{name}");
        let sector = p.sector.as_deref().and_then(|s| Sector::parse(s.trim()));
        if sector.is_none() {
            errors.push(FieldError::new(
                f("sector"),
                "Choose the sector: municipality, psychiatry, school or gp.",
                "Vælg sektoren: kommune, psykiatri, skole eller egen læge.",
            ));
        }
        if sector.is_some_and(|s| parties.iter().any(|x| x.sector == s)) {
            errors.push(FieldError::new(
                f("sector"),
                "Each sector takes part once, with one contact person.",
                "Hver sektor deltager én gang, med én kontaktperson.",
            ));
        }
        if p.org_id.is_none() {
            errors.push(FieldError::new(
                f("org_id"),
                "Choose the organisation.",
                "Vælg organisationen.",
            ));
        }
        let contact_name = required_text(
            &mut errors,
            &f("contact_name"),
            p.contact_name.as_deref(),
            LINE_MAX,
        );
        let contact = optional_text(&mut errors, &f("contact"), p.contact.as_deref(), LINE_MAX);
        let responsibility = required_text(
            &mut errors,
            &f("responsibility"),
            p.responsibility.as_deref(),
            TEXT_MAX,
        );
        if let (Some(sector), Some(org_id)) = (sector, p.org_id) {
            parties.push(Party {
                sector,
                org_id,
                contact_name,
                contact,
                responsibility,
            });
        }
    }
    for sector in Sector::ALL.into_iter().filter(|s| s.required()) {
        if !input
            .parties
            .iter()
            .any(|p| p.sector.as_deref().map(str::trim) == Some(sector.as_str()))
        {
            errors.push(FieldError::new(
                "parties",
                format!(
                    "A KIT plan names a contact person in {}.",
                    sector.label(Lang::En).to_lowercase()
                ),
                format!(
                    "En KIT-plan navngiver en kontaktperson i {}.",
                    sector.label(Lang::Da).to_lowercase()
                ),
            ));
        }
    }
    match review {
        Some(next_review_on) if errors.is_empty() => Ok(Plan {
            goals,
            next_review_on,
            parties,
        }),
        _ => Err(errors),
    }
}

/// A task as entered (on its own or decided at a meeting).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TaskInput {
    pub title: Option<String>,
    /// The organisation that owns the task: one of the plan's parties.
    pub owner_org_id: Option<Uuid>,
    /// The person who does it, if named.
    pub owner_name: Option<String>,
    pub due_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Task {
    pub title: String,
    pub owner_org_id: Uuid,
    pub owner_name: Option<String>,
    pub due_on: NaiveDate,
}

/// Checks a task: what, who owns it (an organisation; a task nobody owns is not done) and by
/// when. `prefix` places the fields (`tasks[0].` for a meeting's tasks).
pub fn parse_task(input: &TaskInput, prefix: &str) -> Result<Task, FieldErrors> {
    let mut errors = FieldErrors::default();
    let f = |name: &str| format!("{prefix}{name}");
    let title = required_text(&mut errors, &f("title"), input.title.as_deref(), TEXT_MAX);
    if input.owner_org_id.is_none() {
        errors.push(FieldError::new(
            f("owner_org_id"),
            "A task needs an owner: choose the organisation responsible for it.",
            "En opgave skal have en ejer: vælg den organisation, der er ansvarlig for den.",
        ));
    }
    let owner_name = optional_text(
        &mut errors,
        &f("owner_name"),
        input.owner_name.as_deref(),
        LINE_MAX,
    );
    let due = day(&mut errors, &f("due_on"), input.due_on.as_deref());
    match (input.owner_org_id, due) {
        (Some(owner_org_id), Some(due_on)) if errors.is_empty() => Ok(Task {
            title,
            owner_org_id,
            owner_name,
            due_on,
        }),
        _ => Err(errors),
    }
}

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Open,
    Done,
}

impl TaskStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Open => "open",
            TaskStatus::Done => "done",
        }
    }

    pub fn parse(s: &str) -> Option<TaskStatus> {
        [TaskStatus::Open, TaskStatus::Done]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// A network meeting as entered.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MeetingInput {
    pub held_on: Option<String>,
    /// Who took part: one line each ("Name, organisation/role"), the family included.
    #[serde(default)]
    pub participants: Vec<String>,
    pub agenda: Option<String>,
    pub decisions: Option<String>,
    #[serde(default)]
    pub tasks: Vec<TaskInput>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Meeting {
    pub held_on: NaiveDate,
    pub participants: Vec<String>,
    pub agenda: String,
    pub decisions: String,
    pub tasks: Vec<Task>,
}

/// Checks a network meeting: its day (not in the future: it is a record of what was agreed),
/// who took part, the agenda, the decisions and the follow-up tasks.
pub fn parse_meeting(input: &MeetingInput, today: NaiveDate) -> Result<Meeting, FieldErrors> {
    let mut errors = FieldErrors::default();
    let held = day(&mut errors, "held_on", input.held_on.as_deref());
    if held.is_some_and(|d| d > today) {
        errors.push(FieldError::new(
            "held_on",
            "Record a meeting once it has been held.",
            "Registrér mødet, når det er holdt.",
        ));
    }
    let participants: Vec<String> = input
        .participants
        .iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    if participants.is_empty() || participants.iter().any(|p| p.chars().count() > LINE_MAX) {
        errors.push(FieldError::new(
            "participants",
            "Name who took part, one per line (the family too).",
            "Angiv deltagerne, én per linje (også familien).",
        ));
    }
    let agenda = required_text(&mut errors, "agenda", input.agenda.as_deref(), TEXT_MAX);
    let decisions = required_text(
        &mut errors,
        "decisions",
        input.decisions.as_deref(),
        TEXT_MAX,
    );
    let mut tasks = Vec::new();
    for (i, t) in input.tasks.iter().enumerate() {
        match parse_task(t, &format!("tasks[{i}].")) {
            Ok(task) => tasks.push(task),
            Err(e) => errors.extend(e),
        }
    }
    match held {
        Some(held_on) if errors.is_empty() => Ok(Meeting {
            held_on,
            participants,
            agenda,
            decisions,
            tasks,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests;
