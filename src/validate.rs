//! Rules a request must keep that its schema cannot express (cross-field rules, numeric
//! ranges). The schema's own limits (patterns, lengths) are checked when a request is built.

use crate::error::Error;
use crate::models::ExtraFields;

/// A request that can check itself before it is sent. The client calls it on every request;
/// a broken rule is [`Error::InvalidInput`] naming the field, and nothing is sent.
pub trait Validate {
    /// `Ok(())` when every documented rule holds.
    fn validate(&self) -> Result<(), Error> {
        Ok(())
    }
}

/// What a request or query parameter accepts: the request itself, or its builder (whose
/// conversion fails with [`Error::InvalidInput`] when a field breaks its schema).
pub trait IntoRequest<T> {
    /// The request, built.
    fn into_request(self) -> Result<T, Error>;
}

impl<T, R> IntoRequest<T> for R
where
    R: TryInto<T>,
    R::Error: Into<Error>,
{
    fn into_request(self) -> Result<T, Error> {
        self.try_into().map_err(Into::into)
    }
}

/// Converts a caller's request (a built request, or a builder) and validates it: its
/// extra fields must not repeat a field it sets (see [`crate::models::ExtraFields`]), and
/// its [`Validate`] rules must hold.
pub(crate) fn prepare<T, R>(request: R) -> Result<T, Error>
where
    T: Validate + ExtraFields + serde::Serialize,
    R: IntoRequest<T>,
{
    let mut request = request.into_request()?;
    no_repeated_fields(&mut request)?;
    request.validate()?;
    Ok(request)
}

/// An extra field named like a field the request also sets would put the key in the body
/// twice, and which one the server keeps is anyone's guess: refused. (An extra field whose
/// named counterpart is unset is fine: that is how to send an explicit `null`.) Costs
/// nothing for a request without extra fields.
fn no_repeated_fields<T: ExtraFields + serde::Serialize>(request: &mut T) -> Result<(), Error> {
    if request.extra_fields().is_empty() {
        return Ok(());
    }
    let extra = std::mem::take(request.extra_fields_mut());
    let named = serde_json::to_value(&*request);
    *request.extra_fields_mut() = extra;
    let named = named.map_err(|e| Error::invalid("body", format!("cannot be encoded: {e}")))?;
    let serde_json::Value::Object(named) = named else {
        return Ok(());
    };
    match request
        .extra_fields()
        .keys()
        .find(|k| named.contains_key(*k))
    {
        Some(key) => Err(Error::invalid(
            format!("extra.{key}"),
            format!("repeats the field `{key}` that the request also sets; set one or the other"),
        )),
        None => Ok(()),
    }
}

/// `numberOfRoomsReserved` must equal the number of `roomNumbers` when both are given.
pub(crate) fn rooms_match(
    field: &str,
    count: Option<u32>,
    rooms: Option<&Vec<String>>,
) -> Result<(), Error> {
    match (count, rooms) {
        (Some(n), Some(rooms)) if n as usize != rooms.len() => Err(Error::invalid(
            format!("{field}.numberOfRoomsReserved"),
            format!(
                "is {n} but roomNumbers lists {} rooms; they must match",
                rooms.len()
            ),
        )),
        _ => Ok(()),
    }
}
