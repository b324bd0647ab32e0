//! Staff roles. Every user has exactly one role in one organisation.

use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Coordinator,
    Therapist,
    Psychiatry,
    Gp,
    KitCoordinator,
    Secretariat,
    Analyst,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Admin,
        Role::Coordinator,
        Role::Therapist,
        Role::Psychiatry,
        Role::Gp,
        Role::KitCoordinator,
        Role::Secretariat,
        Role::Analyst,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Coordinator => "coordinator",
            Role::Therapist => "therapist",
            Role::Psychiatry => "psychiatry",
            Role::Gp => "gp",
            Role::KitCoordinator => "kit_coordinator",
            Role::Secretariat => "secretariat",
            Role::Analyst => "analyst",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Role::Admin, Lang::Da) => "Administrator",
            (Role::Admin, Lang::En) => "Administrator",
            (Role::Coordinator, Lang::Da) => "Visitation / tovholder",
            (Role::Coordinator, Lang::En) => "Visitation coordinator",
            (Role::Therapist, Lang::Da) => "STIME-behandler",
            (Role::Therapist, Lang::En) => "STIME therapist",
            (Role::Psychiatry, Lang::Da) => "Børne- og ungdomspsykiatri",
            (Role::Psychiatry, Lang::En) => "Child psychiatry",
            (Role::Gp, Lang::Da) => "Almen praksis",
            (Role::Gp, Lang::En) => "General practitioner",
            (Role::KitCoordinator, Lang::Da) => "KIT-koordinator",
            (Role::KitCoordinator, Lang::En) => "KIT coordinator",
            (Role::Secretariat, Lang::Da) => "Partnerskabssekretariat",
            (Role::Secretariat, Lang::En) => "Partnership secretariat",
            (Role::Analyst, Lang::Da) => "Analytiker",
            (Role::Analyst, Lang::En) => "Analyst",
        }
    }

    /// Whether an account of this role may sit in an organisation of `kind`. A GP or a
    /// child-psychiatry clinician placed in a municipality would see its children by
    /// organisation; they must see only what a lawful basis gives them, so they belong to a
    /// practice or a psychiatric unit. Municipal roles may sit in the municipality's units.
    pub fn fits(self, kind: crate::organisation::OrgKind) -> bool {
        use crate::organisation::OrgKind;
        match self {
            Role::Gp => kind == OrgKind::GpPractice,
            Role::Psychiatry => matches!(kind, OrgKind::Psychiatry | OrgKind::HospitalDepartment),
            _ => true,
        }
    }

    /// Whether an organisation's administrator may give this role to an account in an
    /// organisation of `kind`. A region's secretariat and the national analyst see across
    /// municipalities, so only the operator creates them (the command line).
    pub fn grantable_by_admin(self, kind: crate::organisation::OrgKind) -> bool {
        self.fits(kind) && !matches!(self, Role::Secretariat | Role::Analyst)
    }

    /// Roles whose daily work is with individual children.
    pub fn works_with_children(self) -> bool {
        matches!(
            self,
            Role::Coordinator
                | Role::Therapist
                | Role::Psychiatry
                | Role::Gp
                | Role::KitCoordinator
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_administrator_grants_only_roles_that_stay_inside_the_organisation() {
        use crate::organisation::OrgKind;
        for kind in OrgKind::ALL {
            for role in Role::ALL {
                let granted = role.grantable_by_admin(kind);
                if matches!(role, Role::Secretariat | Role::Analyst) || !role.fits(kind) {
                    assert!(!granted, "{role:?} in {kind:?}");
                } else {
                    assert!(granted, "{role:?} in {kind:?}");
                }
            }
        }
        assert!(Role::Coordinator.grantable_by_admin(OrgKind::Municipality));
        assert!(!Role::Gp.grantable_by_admin(OrgKind::Municipality));
        assert!(Role::Gp.grantable_by_admin(OrgKind::GpPractice));
    }

    #[test]
    fn every_role_round_trips() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
            let json = serde_json::to_string(&r).unwrap();
            assert_eq!(json, format!("\"{}\"", r.as_str()));
        }
        assert_eq!(Role::parse("superuser"), None);
    }
}

#[cfg(test)]
mod fit_tests {
    use super::Role;
    use crate::organisation::OrgKind;

    #[test]
    fn gps_and_psychiatry_sit_only_in_their_own_kind_of_organisation() {
        assert!(Role::Gp.fits(OrgKind::GpPractice));
        assert!(!Role::Gp.fits(OrgKind::Municipality));
        assert!(Role::Psychiatry.fits(OrgKind::Psychiatry));
        assert!(Role::Psychiatry.fits(OrgKind::HospitalDepartment));
        assert!(!Role::Psychiatry.fits(OrgKind::Municipality));
        assert!(Role::Coordinator.fits(OrgKind::Municipality));
    }
}
