//! Use cases of treatment.
