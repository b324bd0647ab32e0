//! The lawful basis for sharing a child's data with another organisation (DOMAIN.md §4;
//! sundhedsloven §§ 15, 17, 41–44; forældreansvarsloven §§ 2, 3, 23; barnets lov §§ 132–135).
//!
//! Three kinds of basis feed one decision ([`basis_for`]): a **consent** (§ 41, stk. 1 for
//! treatment between health persons; § 43, stk. 1 for other purposes, written and lapsing within
//! a year, § 44), a **statutory basis** without consent (§ 41, stk. 2; § 43, stk. 2) and a
//! clinician's **emergency access**; an **objection** overrides a statutory basis that allows
//! one. What each kind of recipient may receive, and on which terms, is data
//! (`lawful_basis/rules.json`), so that it can be corrected without touching this code.

pub mod access_log;
pub mod categories;
pub mod consent;
pub mod decision;
pub mod family;
pub mod kinds;
pub mod rules;
pub mod statutory;

pub use consent::{Consent, ConsentInput, ConsentState, Recipient};
pub use decision::{Basis, BasisRecord, Request, basis_for};
pub use family::{Family, GuardianFact, Person};
pub use kinds::{ConsentForm, DataCategory, Ground, Purpose, RecipientKind};
pub use rules::Rules;
pub use statutory::{
    EmergencyAccess, EmergencyReview, Notification, Objection, ReviewInput, StatutoryBasis,
    StatutoryInput, withholding,
};
