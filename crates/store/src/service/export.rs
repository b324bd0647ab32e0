//! Use cases of export.
