//! The README's model reference, rendered from the [`schema`](super::schema).
