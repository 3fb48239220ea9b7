//! Growth that does not break users: every generated struct with named fields and every
//! generated enumeration is `#[non_exhaustive]`.
//!
//! Outside the crate a model is then built through its `builder()` (or `Default`, or from
//! JSON), never with a struct literal, and matched with `..` / a wildcard arm. So adding an
//! optional field to a request, any field to an answer, or a value to an enumeration
//! compiles every user's code unchanged. The README's "Model upgrades" states the rules.

/// Marks the generated structs (with named fields) and enums `#[non_exhaustive]`.
pub fn mark_non_exhaustive(file: &mut syn::File) {
    let marked =
        |attrs: &[syn::Attribute]| attrs.iter().any(|a| a.path().is_ident("non_exhaustive"));
    for item in file.items.iter_mut() {
        match item {
            syn::Item::Struct(s)
                if matches!(s.fields, syn::Fields::Named(_)) && !marked(&s.attrs) =>
            {
                s.attrs.push(syn::parse_quote!(#[non_exhaustive]));
            }
            syn::Item::Enum(e) if !marked(&e.attrs) => {
                e.attrs.push(syn::parse_quote!(#[non_exhaustive]));
            }
            _ => {}
        }
    }
}
