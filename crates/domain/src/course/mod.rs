//! The course ("forløb") from first contact to visitation, modelled on the KL LTT CarePlan.

pub mod careplan;
pub mod closing;
pub mod contact;
pub mod encounter;
pub mod kl;
pub mod plan;
pub mod schedule;
pub mod support;
pub mod tracks;
pub mod visitation;
pub mod waiting;
