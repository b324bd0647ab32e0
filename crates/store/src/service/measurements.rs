//! Use cases of course measurements.
