//! Names of events and notes, written once: each enum is declared through
//! `named_enum!`, which also gives it `NAMES` (every variant's name, in declaration
//! order) and `name()`, so that a new variant is named, and accepted by a trace's
//! `--event` filter, without a list kept by hand. `event_groups!` does the same for
//! the enum that groups the components' events.

/// Declares an enum of struct-like or unit variants with `NAMES` and `name()`.
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident $({
                    $( $(#[$fmeta:meta])* $field:ident : $ty:ty ),* $(,)?
                })?
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $(
                $(#[$vmeta])*
                $variant $({ $( $(#[$fmeta])* $field : $ty ),* })?
            ),*
        }

        impl $name {
            /// Every variant's name, as traces print it, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$(stringify!($variant)),*];

            /// The variant's name, as traces print it.
            pub fn name(&self) -> &'static str {
                match self {
                    $( $name::$variant { .. } => stringify!($variant), )*
                }
            }
        }
    };
}

/// Declares the enum of event groups (one variant per component, wrapping that
/// component's event enum) with `names()` and `name()`.
macro_rules! event_groups {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident($inner:ident) ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $( $(#[$vmeta])* $variant($inner) ),*
        }

        impl $name {
            /// Every event's name, as traces print it, group by group.
            pub fn names() -> impl Iterator<Item = &'static str> {
                [$($inner::NAMES),*].into_iter().flatten().copied()
            }

            /// The event's name, as traces print it.
            pub fn name(&self) -> &'static str {
                match self {
                    $( $name::$variant(e) => e.name(), )*
                }
            }
        }
    };
}
