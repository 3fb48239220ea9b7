//! One way to write a hand-made `Debug`: the struct's name, its fields in order, each either
//! shown as it is (`name`) or through an expression (`name: expr`, e.g. a redaction or a
//! count). Used by every type that hides a secret or shows less than all it holds.

/// `debug_fields!(Type, |s| { a, b: s.c.len(), secret_key: "[redacted]" })` implements
/// `Debug` for `Type`, with `s` bound to `&self`; end the list with `..` (after a comma) for
/// `finish_non_exhaustive`.
macro_rules! debug_fields {
    ($ty:ident, |$s:ident| { $($field:ident $(: $value:expr)?,)* .. }) => {
        debug_fields!(@impl $ty, $s, finish_non_exhaustive, $($field $(: $value)?),*);
    };
    ($ty:ident, |$s:ident| { $($field:ident $(: $value:expr)?),* $(,)? }) => {
        debug_fields!(@impl $ty, $s, finish, $($field $(: $value)?),*);
    };
    (@impl $ty:ident, $s:ident, $finish:ident, $($field:ident $(: $value:expr)?),*) => {
        impl ::std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                let $s = self;
                let mut out = f.debug_struct(stringify!($ty));
                $( out.field(stringify!($field), debug_fields!(@value $s $field $($value)?)); )*
                out.$finish()
            }
        }
    };
    (@value $s:ident $field:ident) => { &$s.$field };
    (@value $s:ident $field:ident $value:expr) => { &$value };
}
