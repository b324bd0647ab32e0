//! The one access policy. Every handler asks `authorize` before it reads or writes.
//!
//! Staff see the children whose record belongs to their own organisation. Another
//! organisation's child is seen only through a share backed by a lawful basis (a [`Grant`],
//! computed by [`crate::lawful_basis`]), and then only the categories and the course the basis
//! covers, for reading. Anything else is answered as if it did not exist, so that access
//! attempts cannot probe which children are registered where.

use crate::lawful_basis::{Basis, DataCategory};
use crate::role::Role;
use serde::Serialize;
use uuid::Uuid;

/// What the actor's organisation may see of one child owned by another organisation, now:
/// the courses shared with it and, per category, the lawful basis that covers it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grant {
    pub courses: Vec<Uuid>,
    pub bases: Vec<(DataCategory, Basis)>,
}

impl Grant {
    pub fn basis(&self, category: DataCategory) -> Option<&Basis> {
        self.bases
            .iter()
            .find(|(c, _)| *c == category)
            .map(|(_, b)| b)
    }

    pub fn covers(&self, category: DataCategory) -> bool {
        self.basis(category).is_some()
    }
}

/// Who is acting: a logged-in user or an API token's owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub user_id: Uuid,
    pub org_id: Uuid,
    pub role: Role,
    /// The municipality the actor's organisation belongs to, if any.
    pub municipality_code: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Read,
    Search,
    Create,
    Update,
    Export,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource<'a> {
    /// One category of one child's data, owned by an organisation; `course` when the data
    /// belongs to one course; `grant` when the actor's organisation has a share of it.
    Child {
        owner_org: Uuid,
        category: DataCategory,
        course: Option<Uuid>,
        grant: Option<&'a Grant>,
    },
    /// The children of the actor's own organisation as a collection (list, search, register).
    ChildRegister,
    /// The audit log of the actor's own organisation.
    AuditLog,
    /// The list of organisations and reference data (no personal data).
    Organisations,
    /// Which STIME tracks and KIT a municipality offers.
    Participation { municipality_code: &'a str },
    /// Staff accounts of an organisation (`org_id`) that sits under `parent_org`: kept by the
    /// administrator of the organisation itself or of the one it is placed under (a
    /// municipality's administrator keeps the accounts of its PPR team and schools).
    Users {
        org_id: Uuid,
        parent_org: Option<Uuid>,
    },
    /// Units (PPR team, clinic, practice, school…) placed under an organisation.
    Units { parent_org: Uuid },
    /// The referrals a child-psychiatry unit received: its intake queue and its answers. The
    /// child's data in them is read through the share the referral made ([`Resource::Child`]).
    ReceivedReferrals { to_org: Uuid },
    /// The referrals a GP practice (`from_org`) made that the receiving unit registered: the
    /// practice's GPs follow their status and answer. The child is named as the referral named it.
    GpReferrals { from_org: Uuid },
    /// Advice requests ("sparring") asked by staff of `from_org` of the child-psychiatry unit
    /// `to_org`: the asking organisation's clinical staff ask and read them, the unit reads and
    /// answers them. An identified child's data in them is read through the course's share.
    AdviceRequests { from_org: Uuid, to_org: Uuid },
    /// KIT tasks owned by `owner_org`: its clinical staff read them and mark them done, on a
    /// course they see through a share (asked as [`Resource::Child`] too).
    KitTasks { owner_org: Uuid },
    /// MedCom messages `sender_org` sent: its staff follow them and its coordinators and
    /// administrators send a failed one again; a receiving practice that uses Samspor
    /// (`receiver_org`) reads them in its inbox.
    MedcomMessages {
        sender_org: Uuid,
        receiver_org: Option<Uuid>,
    },
    /// The learning-environment guidance of a municipality (`org`): its institutions and
    /// sessions, kept and read by its own staff who work with children. A session about named
    /// children is asked as [`Resource::Child`] for each of them too.
    LearningEnvironment { org: Uuid },
    /// The KL Gateway deliveries of an organisation: every report in them holds CPR numbers,
    /// so only a municipality's own administrator takes and reads them.
    KlDeliveries { org: Uuid, is_municipality: bool },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Answer as if the resource did not exist.
    NotFound,
    /// The actor's role may never do this.
    Forbidden,
}

impl Decision {
    pub fn is_allowed(self) -> bool {
        self == Decision::Allow
    }
}

impl<'a> Resource<'a> {
    /// A child's record as its own organisation sees it (no share is considered).
    pub fn child(owner_org: Uuid) -> Resource<'a> {
        Resource::Child {
            owner_org,
            category: DataCategory::ContactAndCourse,
            course: None,
            grant: None,
        }
    }
}

pub fn authorize(actor: &Actor, action: Action, resource: Resource<'_>) -> Decision {
    match resource {
        Resource::Child {
            owner_org,
            category,
            course,
            grant,
        } => {
            if !actor.role.works_with_children() {
                // Hide existence from roles that never see personal data, too.
                return Decision::NotFound;
            }
            if owner_org != actor.org_id {
                return shared(action, category, course, grant);
            }
            match action {
                Action::Read | Action::Update | Action::Export => Decision::Allow,
                Action::Search | Action::Create => Decision::Forbidden,
            }
        }
        Resource::ChildRegister => match action {
            Action::Read | Action::Search | Action::Create if actor.role.works_with_children() => {
                Decision::Allow
            }
            _ => Decision::Forbidden,
        },
        Resource::AuditLog => match (actor.role, action) {
            (Role::Admin, Action::Read | Action::Search | Action::Export) => Decision::Allow,
            _ => Decision::Forbidden,
        },
        Resource::Organisations => match action {
            Action::Read | Action::Search => Decision::Allow,
            _ => Decision::Forbidden,
        },
        Resource::Participation { municipality_code } => match action {
            Action::Read | Action::Search => Decision::Allow,
            Action::Update | Action::Create => {
                let own = actor.municipality_code.as_deref() == Some(municipality_code);
                match actor.role {
                    Role::Secretariat => Decision::Allow,
                    Role::Admin if own => Decision::Allow,
                    _ => Decision::Forbidden,
                }
            }
            Action::Export => Decision::Forbidden,
        },
        Resource::ReceivedReferrals { to_org } => match (actor.role, action) {
            (Role::Psychiatry, Action::Read | Action::Search | Action::Update | Action::Create)
                if to_org == actor.org_id =>
            {
                Decision::Allow
            }
            (Role::Psychiatry, _) if to_org == actor.org_id => Decision::Forbidden,
            // Only a unit registers a referral it received; nothing of another's is revealed.
            (_, Action::Create) => Decision::Forbidden,
            _ => Decision::NotFound,
        },
        Resource::GpReferrals { from_org } => match (actor.role, action) {
            (Role::Gp, Action::Read | Action::Search) if from_org == actor.org_id => {
                Decision::Allow
            }
            _ if from_org == actor.org_id => Decision::Forbidden,
            _ => Decision::NotFound,
        },
        Resource::AdviceRequests { from_org, to_org } => {
            let asker = actor.role.works_with_children() && actor.role != Role::Psychiatry;
            match (actor.role, action) {
                (Role::Psychiatry, Action::Read | Action::Search | Action::Update)
                    if to_org == actor.org_id =>
                {
                    Decision::Allow
                }
                (_, Action::Create | Action::Read | Action::Search)
                    if asker && from_org == actor.org_id =>
                {
                    Decision::Allow
                }
                _ if from_org == actor.org_id || to_org == actor.org_id => Decision::Forbidden,
                _ => Decision::NotFound,
            }
        }
        Resource::KitTasks { owner_org } => match action {
            Action::Read | Action::Search | Action::Update
                if actor.role.works_with_children() && owner_org == actor.org_id =>
            {
                Decision::Allow
            }
            _ if owner_org == actor.org_id => Decision::Forbidden,
            _ => Decision::NotFound,
        },
        Resource::MedcomMessages {
            sender_org,
            receiver_org,
        } => {
            let sender = sender_org == actor.org_id;
            let receiver = receiver_org == Some(actor.org_id);
            match action {
                Action::Read | Action::Search
                    if (sender || receiver)
                        && (actor.role.works_with_children() || actor.role == Role::Admin) =>
                {
                    Decision::Allow
                }
                Action::Update
                    if sender && matches!(actor.role, Role::Admin | Role::Coordinator) =>
                {
                    Decision::Allow
                }
                _ if sender || receiver => Decision::Forbidden,
                _ => Decision::NotFound,
            }
        }
        Resource::LearningEnvironment { org } => {
            let municipal = matches!(
                actor.role,
                Role::Coordinator | Role::Therapist | Role::KitCoordinator
            );
            match action {
                Action::Read | Action::Search | Action::Create | Action::Update
                    if municipal && org == actor.org_id =>
                {
                    Decision::Allow
                }
                _ if org == actor.org_id => Decision::Forbidden,
                _ => Decision::NotFound,
            }
        }
        Resource::Units { parent_org } => match (actor.role, action) {
            (Role::Secretariat, Action::Create | Action::Update) => Decision::Allow,
            (Role::Admin, Action::Create | Action::Update) if parent_org == actor.org_id => {
                Decision::Allow
            }
            _ => Decision::Forbidden,
        },
        Resource::Users { org_id, parent_org } => match actor.role {
            Role::Admin if org_id == actor.org_id || parent_org == Some(actor.org_id) => {
                Decision::Allow
            }
            Role::Admin => Decision::NotFound,
            _ => Decision::Forbidden,
        },
        Resource::KlDeliveries {
            org,
            is_municipality,
        } => match (actor.role, action) {
            (Role::Admin, Action::Read | Action::Create | Action::Export)
                if is_municipality && org == actor.org_id =>
            {
                Decision::Allow
            }
            _ => Decision::Forbidden,
        },
    }
}

/// Another organisation's child: readable where a share and a basis cover it. A recipient
/// writes into its own records, never into the sharer's.
fn shared(
    action: Action,
    category: DataCategory,
    course: Option<Uuid>,
    grant: Option<&Grant>,
) -> Decision {
    let Some(grant) = grant else {
        return Decision::NotFound;
    };
    let course_shared = course.is_none_or(|c| grant.courses.contains(&c));
    if !course_shared || !grant.covers(category) {
        return Decision::NotFound;
    }
    match action {
        Action::Read => Decision::Allow,
        _ => Decision::Forbidden,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn actor(role: Role, org: u128) -> Actor {
        Actor {
            user_id: Uuid::from_u128(1),
            org_id: Uuid::from_u128(org),
            role,
            municipality_code: Some("0101".into()),
        }
    }

    #[test]
    fn own_organisation_children_are_readable_by_clinical_roles() {
        let a = actor(Role::Coordinator, 7);
        let child = Resource::child(Uuid::from_u128(7));
        assert_eq!(authorize(&a, Action::Read, child), Decision::Allow);
        assert_eq!(authorize(&a, Action::Update, child), Decision::Allow);
    }

    #[test]
    fn other_organisations_children_do_not_exist() {
        let a = actor(Role::Therapist, 7);
        let child = Resource::child(Uuid::from_u128(8));
        assert_eq!(authorize(&a, Action::Read, child), Decision::NotFound);
    }

    #[test]
    fn analysts_and_admins_never_see_a_child() {
        for role in [Role::Analyst, Role::Admin, Role::Secretariat] {
            let a = actor(role, 7);
            let child = Resource::child(Uuid::from_u128(7));
            assert_eq!(authorize(&a, Action::Read, child), Decision::NotFound);
            assert_eq!(
                authorize(&a, Action::Create, Resource::ChildRegister),
                Decision::Forbidden
            );
        }
    }

    #[test]
    fn learning_environment_guidance_stays_with_the_municipalitys_own_staff() {
        let own = Resource::LearningEnvironment {
            org: Uuid::from_u128(7),
        };
        for role in [Role::Coordinator, Role::Therapist, Role::KitCoordinator] {
            assert!(authorize(&actor(role, 7), Action::Create, own).is_allowed());
            assert_eq!(
                authorize(&actor(role, 8), Action::Read, own),
                Decision::NotFound
            );
        }
        for role in [Role::Admin, Role::Analyst, Role::Psychiatry, Role::Gp] {
            assert_eq!(
                authorize(&actor(role, 7), Action::Read, own),
                Decision::Forbidden
            );
        }
    }

    #[test]
    fn participation_is_edited_by_own_admin_or_secretariat() {
        let own = Resource::Participation {
            municipality_code: "0101",
        };
        let other = Resource::Participation {
            municipality_code: "0751",
        };
        assert!(authorize(&actor(Role::Admin, 7), Action::Update, own).is_allowed());
        assert!(!authorize(&actor(Role::Admin, 7), Action::Update, other).is_allowed());
        assert!(authorize(&actor(Role::Secretariat, 7), Action::Update, other).is_allowed());
        assert!(!authorize(&actor(Role::Coordinator, 7), Action::Update, own).is_allowed());
    }

    #[test]
    fn medcom_messages_are_followed_by_the_sender_and_read_by_the_receiver() {
        let m = Resource::MedcomMessages {
            sender_org: Uuid::from_u128(1),
            receiver_org: Some(Uuid::from_u128(7)),
        };
        assert!(authorize(&actor(Role::Therapist, 1), Action::Read, m).is_allowed());
        assert!(authorize(&actor(Role::Coordinator, 1), Action::Update, m).is_allowed());
        assert_eq!(
            authorize(&actor(Role::Therapist, 1), Action::Update, m),
            Decision::Forbidden
        );
        assert!(authorize(&actor(Role::Gp, 7), Action::Read, m).is_allowed());
        assert_eq!(
            authorize(&actor(Role::Gp, 7), Action::Update, m),
            Decision::Forbidden
        );
        assert_eq!(
            authorize(&actor(Role::Gp, 8), Action::Read, m),
            Decision::NotFound
        );
        assert_eq!(
            authorize(&actor(Role::Analyst, 1), Action::Read, m),
            Decision::Forbidden
        );
    }

    #[test]
    fn advice_is_asked_by_clinical_staff_and_answered_by_the_unit_asked() {
        let advice = Resource::AdviceRequests {
            from_org: Uuid::from_u128(1),
            to_org: Uuid::from_u128(7),
        };
        for role in [
            Role::Coordinator,
            Role::Therapist,
            Role::Gp,
            Role::KitCoordinator,
        ] {
            assert!(authorize(&actor(role, 1), Action::Create, advice).is_allowed());
            assert!(authorize(&actor(role, 1), Action::Read, advice).is_allowed());
            assert_eq!(
                authorize(&actor(role, 1), Action::Update, advice),
                Decision::Forbidden
            );
            assert_eq!(
                authorize(&actor(role, 2), Action::Read, advice),
                Decision::NotFound
            );
        }
        assert!(authorize(&actor(Role::Psychiatry, 7), Action::Update, advice).is_allowed());
        assert_eq!(
            authorize(&actor(Role::Psychiatry, 7), Action::Create, advice),
            Decision::Forbidden
        );
        assert_eq!(
            authorize(&actor(Role::Psychiatry, 8), Action::Read, advice),
            Decision::NotFound
        );
        for role in [Role::Admin, Role::Analyst, Role::Secretariat] {
            assert_eq!(
                authorize(&actor(role, 1), Action::Read, advice),
                Decision::Forbidden
            );
            assert_eq!(
                authorize(&actor(role, 3), Action::Read, advice),
                Decision::NotFound
            );
        }
    }

    #[test]
    fn a_kit_task_is_worked_by_the_organisation_that_owns_it() {
        let tasks = Resource::KitTasks {
            owner_org: Uuid::from_u128(4),
        };
        for role in [
            Role::Psychiatry,
            Role::Gp,
            Role::Therapist,
            Role::KitCoordinator,
        ] {
            assert!(authorize(&actor(role, 4), Action::Update, tasks).is_allowed());
            assert_eq!(
                authorize(&actor(role, 5), Action::Update, tasks),
                Decision::NotFound
            );
        }
        assert_eq!(
            authorize(&actor(Role::Admin, 4), Action::Update, tasks),
            Decision::Forbidden
        );
        assert_eq!(
            authorize(&actor(Role::Psychiatry, 4), Action::Create, tasks),
            Decision::Forbidden
        );
    }

    #[test]
    fn only_the_receiving_psychiatry_unit_works_its_referrals() {
        let ours = Resource::ReceivedReferrals {
            to_org: Uuid::from_u128(7),
        };
        assert!(authorize(&actor(Role::Psychiatry, 7), Action::Update, ours).is_allowed());
        assert!(authorize(&actor(Role::Psychiatry, 7), Action::Search, ours).is_allowed());
        assert_eq!(
            authorize(&actor(Role::Psychiatry, 8), Action::Read, ours),
            Decision::NotFound
        );
        for role in Role::ALL.into_iter().filter(|r| *r != Role::Psychiatry) {
            assert_eq!(
                authorize(&actor(role, 7), Action::Read, ours),
                Decision::NotFound
            );
        }
    }

    #[test]
    fn units_are_added_under_own_organisation_or_by_the_secretariat() {
        let under_own = Resource::Units {
            parent_org: Uuid::from_u128(7),
        };
        let under_other = Resource::Units {
            parent_org: Uuid::from_u128(8),
        };
        assert!(authorize(&actor(Role::Admin, 7), Action::Create, under_own).is_allowed());
        assert!(!authorize(&actor(Role::Admin, 7), Action::Create, under_other).is_allowed());
        assert!(authorize(&actor(Role::Secretariat, 9), Action::Create, under_other).is_allowed());
        assert!(!authorize(&actor(Role::Coordinator, 7), Action::Create, under_own).is_allowed());
    }

    fn any_role() -> impl Strategy<Value = Role> {
        prop::sample::select(Role::ALL.to_vec())
    }

    proptest! {
        /// No role, in no action, reaches a child of another organisation.
        #[test]
        fn cross_organisation_child_access_is_always_hidden(
            role in any_role(), own in 1u128..50, other in 50u128..100,
            action in prop::sample::select(vec![Action::Read, Action::Update, Action::Export, Action::Search, Action::Create]),
        ) {
            let a = actor(role, own);
            let d = authorize(&a, action, Resource::child(Uuid::from_u128(other)));
            prop_assert_eq!(d, Decision::NotFound);
        }

        /// A share opens exactly the categories and the course its grant names, for reading,
        /// and only to roles that work with children.
        #[test]
        fn a_grant_opens_its_categories_and_course_for_reading_only(
            role in any_role(),
            action in prop::sample::select(vec![Action::Read, Action::Update, Action::Export, Action::Search, Action::Create]),
            category in prop::sample::select(DataCategory::ALL.to_vec()),
            granted in prop::sample::subsequence(DataCategory::ALL.to_vec(), 0..=4),
            course in prop::option::of(0u128..3),
        ) {
            let grant = Grant {
                courses: vec![Uuid::from_u128(1)],
                bases: granted.iter().map(|c| (*c, Basis::Consent { id: Uuid::nil(), provision: "§ 41".into() })).collect(),
            };
            let d = authorize(&actor(role, 7), action, Resource::Child {
                owner_org: Uuid::from_u128(8),
                category,
                course: course.map(Uuid::from_u128),
                grant: Some(&grant),
            });
            let visible = role.works_with_children()
                && granted.contains(&category)
                && course.is_none_or(|c| c == 1);
            let expected = match (visible, action) {
                (false, _) => Decision::NotFound,
                (true, Action::Read) => Decision::Allow,
                (true, _) => Decision::Forbidden,
            };
            prop_assert_eq!(d, expected);
        }
    }

    #[test]
    fn kl_deliveries_are_for_the_municipalitys_own_administrator() {
        let own = Resource::KlDeliveries {
            org: Uuid::from_u128(7),
            is_municipality: true,
        };
        assert_eq!(
            authorize(&actor(Role::Admin, 7), Action::Export, own),
            Decision::Allow
        );
        assert_eq!(
            authorize(&actor(Role::Admin, 8), Action::Export, own),
            Decision::Forbidden
        );
        for role in [
            Role::Secretariat,
            Role::Analyst,
            Role::Coordinator,
            Role::Therapist,
        ] {
            assert_eq!(
                authorize(&actor(role, 7), Action::Read, own),
                Decision::Forbidden
            );
        }
        let unit = Resource::KlDeliveries {
            org: Uuid::from_u128(7),
            is_municipality: false,
        };
        assert_eq!(
            authorize(&actor(Role::Admin, 7), Action::Export, unit),
            Decision::Forbidden
        );
    }
}
