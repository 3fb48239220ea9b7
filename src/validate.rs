//! Rules a request must keep that its schema cannot express (cross-field rules, numeric
//! ranges). The schema's own limits (patterns, lengths) are checked when a request is built.

use crate::error::Error;

/// A request that can check itself before it is sent. The client calls it on every request;
/// a broken rule is [`Error::InvalidInput`] naming the field, and nothing is sent.
pub trait Validate {
    /// `Ok(())` when every documented rule holds.
    fn validate(&self) -> Result<(), Error> {
        Ok(())
    }
}

/// Converts a caller's request (a built request, or a builder) and validates it.
pub(crate) fn prepare<T, R>(request: R) -> Result<T, Error>
where
    T: Validate,
    R: TryInto<T>,
    R::Error: Into<Error>,
{
    let request = request.try_into().map_err(Into::into)?;
    request.validate()?;
    Ok(request)
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
