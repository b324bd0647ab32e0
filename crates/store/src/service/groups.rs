//! Use cases of groups.
