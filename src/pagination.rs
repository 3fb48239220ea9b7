//! Paginated lists and the lazy iterator over all their items.

use std::collections::VecDeque;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeOwned, IgnoredAny};

use crate::error::Error;
use crate::models::{
    AccessCard, AccessCardList, ConsolePageQuery, LedgerItem, LedgerItemList, LedgerItemsQuery,
    ListCardsQuery, TemplateLogEntry, TemplateLogList, TemplateLogQuery, TemplatePair,
    TemplatePairList, Webhook, WebhookList,
};

/// Page figures of a list answer, whichever way the endpoint spells them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct PageInfo {
    /// This page's number (1-based), if the server said.
    pub current_page: Option<u64>,
    /// Items a page, if the server said.
    pub per_page: Option<u64>,
    /// Pages in all, if the server said.
    pub total_pages: Option<u64>,
    /// Items in all, if the server said.
    pub total_count: Option<u64>,
}

impl From<&crate::models::Pagination> for PageInfo {
    fn from(p: &crate::models::Pagination) -> Self {
        PageInfo {
            current_page: p.current_page,
            per_page: p.per_page,
            total_pages: p.total_pages,
            total_count: p.total_count,
        }
    }
}

/// A list answer type of the schema that holds one page of items (its wrapping and page
/// figures differ by endpoint); [`Page::from_list`] makes it a [`Page`].
pub(crate) trait Paginated: DeserializeOwned + crate::models::ExtraFields {
    /// The item type.
    type Item;
    /// The page's figures.
    fn page_info(&self) -> PageInfo;
    /// The page's items, consuming the answer.
    fn into_items(self) -> Vec<Self::Item>;
}

/// One page of a list answer, for every list endpoint: its items, its page figures (all
/// `None` for a list the server answers in one piece), and whatever else the answer held
/// that the SDK does not model.
///
/// ```no_run
/// # fn main() -> Result<(), accessgrid::Error> {
/// let client = accessgrid::Client::from_env()?;
/// use accessgrid::models::ListCardsQuery;
///
/// let page = client.access_cards().list(ListCardsQuery::builder().per_page(10))?;
/// for card in page.items() {
///     println!("{} {:?}", card.id, card.state);
/// }
/// println!("{:?} passes in all", page.info().total_count);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Page<T> {
    items: Vec<T>,
    info: PageInfo,
    #[serde(flatten)]
    extra: serde_json::Map<String, serde_json::Value>,
}

impl<T> Page<T> {
    /// A page of a list answered in one piece (no page figures).
    pub(crate) fn unpaged(items: Vec<T>) -> Self {
        Page {
            items,
            info: PageInfo::default(),
            extra: serde_json::Map::new(),
        }
    }

    /// The page of a list answer type.
    pub(crate) fn from_list<L: Paginated<Item = T>>(mut list: L) -> Self {
        let info = list.page_info();
        let extra = std::mem::take(list.extra_fields_mut());
        Page {
            items: list.into_items(),
            info,
            extra,
        }
    }

    /// The page's items (empty when the answer has none).
    pub fn items(&self) -> &[T] {
        &self.items
    }

    /// The page's items, consuming the page.
    pub fn into_items(self) -> Vec<T> {
        self.items
    }

    /// The page's figures, as far as the server gave them.
    pub fn info(&self) -> PageInfo {
        self.info
    }

    /// The answer's top-level fields the SDK does not model, by their wire name.
    pub fn extra(&self) -> &serde_json::Map<String, serde_json::Value> {
        &self.extra
    }
}

/// A page reads as the slice of its items (`page.len()`, `page[0]`, `page.iter()`).
impl<T> std::ops::Deref for Page<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.items
    }
}

impl<T> IntoIterator for Page<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a Page<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

/// A lazy iterator over every item of a paginated list, fetching the next page only when
/// the current one is used up; made by the `list_all` methods (and
/// [`Templates::logs_all`](crate::Templates::logs_all)). It stops after the last page
/// (by `total_pages`, a short page, or an empty one). An error is yielded once and ends the
/// iteration.
///
/// ```no_run
/// # fn main() -> Result<(), accessgrid::Error> {
/// use accessgrid::models::ListCardsQuery;
///
/// let client = accessgrid::Client::from_env()?;
/// for card in client.access_cards().list_all(ListCardsQuery::builder().template_id("0xd3adb00b5"))? {
///     let card = card?;
///     println!("{:?} {:?}", card.id, card.state);
/// }
/// # Ok(()) }
/// ```
#[must_use = "iterators do nothing until used"]
pub struct Pages<'c, T> {
    fetch: Box<dyn FnMut(u32) -> Result<Page<T>, Error> + 'c>,
    next_page: Option<u32>,
    buffer: VecDeque<T>,
}

impl<T> std::fmt::Debug for Pages<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages")
            .field("next_page", &self.next_page)
            .field("buffered", &self.buffer.len())
            .finish_non_exhaustive()
    }
}

impl<'c, T> Pages<'c, T> {
    /// Iterates from page `first_page`; `fetch(n)` reads page `n`.
    pub(crate) fn new(
        first_page: u32,
        fetch: impl FnMut(u32) -> Result<Page<T>, Error> + 'c,
    ) -> Self {
        Pages {
            fetch: Box::new(fetch),
            next_page: Some(first_page.max(1)),
            buffer: VecDeque::new(),
        }
    }
}

impl<T> Iterator for Pages<'_, T> {
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Some(Ok(item));
            }
            let page = self.next_page.take()?;
            let answer = match (self.fetch)(page) {
                Ok(answer) => answer,
                Err(e) => return Some(Err(e)),
            };
            let info = answer.info();
            let items = answer.into_items();
            let count = items.len() as u64;
            let last = count == 0
                || match (info.total_pages, info.per_page) {
                    (Some(total), _) => u64::from(page) >= total,
                    (None, Some(per_page)) => count < per_page,
                    (None, None) => false,
                };
            if !last {
                self.next_page = page.checked_add(1);
            }
            self.buffer.extend(items);
        }
    }
}

impl<T> std::iter::FusedIterator for Pages<'_, T> {}

/// A list query with a 1-based `page`.
pub(crate) trait PageQuery {
    fn page(&self) -> Option<u32>;
    fn set_page(&mut self, page: u32);
}

/// Implements [`PageQuery`] for queries whose `page` is an `Option<u32>`.
macro_rules! page_query {
    ($($query:ty),+) => {$(
        impl $crate::pagination::PageQuery for $query {
            fn page(&self) -> Option<u32> {
                self.page
            }
            fn set_page(&mut self, page: u32) {
                self.page = Some(page);
            }
        }
    )+};
}

/// A lazy iterator over every item of `query`'s pages, from its `page` (default 1);
/// `fetch` reads one page.
pub(crate) fn pages<'c, Q, T>(
    mut query: Q,
    fetch: impl Fn(&Q) -> Result<Page<T>, Error> + 'c,
) -> Pages<'c, T>
where
    Q: PageQuery + 'c,
{
    let first = query.page().unwrap_or(1);
    Pages::new(first, move |page| {
        query.set_page(page);
        fetch(&query)
    })
}

/// An item of a list the server answers either as a bare JSON array or as an object that
/// holds the array under one of `WRAPPERS` (generated from the table's `wrappers`).
pub(crate) trait Listed: DeserializeOwned {
    /// The keys the array may be wrapped under.
    const WRAPPERS: &'static [&'static str];
}

/// Decodes `[...]`, `{"<wrapper>": [...], ...}` or `null` (as empty) into the items.
pub(crate) struct BareOrWrapped<T>(pub(crate) Vec<T>);

impl<'de, T: Listed> serde::Deserialize<'de> for BareOrWrapped<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor<T>(PhantomData<T>);
        impl<'de, T: Listed> serde::de::Visitor<'de> for Visitor<T> {
            type Value = BareOrWrapped<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(
                    f,
                    "a JSON array, or an object with `{}`",
                    T::WRAPPERS.join("` or `")
                )
            }

            fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(BareOrWrapped(Vec::new()))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Self::Value, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(BareOrWrapped(items))
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut found: Option<Vec<T>> = None;
                while let Some(key) = map.next_key::<String>()? {
                    if found.is_none() && T::WRAPPERS.contains(&key.as_str()) {
                        let items: Option<Vec<T>> = map.next_value()?;
                        found = Some(items.unwrap_or_default());
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                found.map(BareOrWrapped).ok_or_else(|| {
                    serde::de::Error::custom(format_args!(
                        "expected a JSON array, or an object with `{}`",
                        T::WRAPPERS.join("` or `")
                    ))
                })
            }
        }
        deserializer.deserialize_any(Visitor(PhantomData))
    }
}

page_query!(TemplateLogQuery, LedgerItemsQuery, ConsolePageQuery);

impl PageQuery for ListCardsQuery {
    fn page(&self) -> Option<u32> {
        self.page.map(|p| p.get())
    }
    fn set_page(&mut self, page: u32) {
        self.page = std::num::NonZeroU32::new(page);
    }
}

impl AccessCardList {
    /// The passes of this page (empty when the answer has none).
    pub fn items(&self) -> &[AccessCard] {
        self.keys.as_deref().unwrap_or_default()
    }
}

impl Paginated for AccessCardList {
    type Item = AccessCard;

    fn page_info(&self) -> PageInfo {
        PageInfo {
            current_page: self.page,
            per_page: self.per_page,
            total_pages: self.total_pages,
            total_count: self.total_count,
        }
    }

    fn into_items(self) -> Vec<AccessCard> {
        self.keys.unwrap_or_default()
    }
}

/// Implements [`Paginated`] for a list answer of the shape `{<items>: [...], pagination}`.
macro_rules! paginated {
    ($($list:ty => $field:ident: $item:ty),+ $(,)?) => {$(
        impl $list {
            /// The page's items (empty when the answer has none).
            pub fn items(&self) -> &[$item] {
                self.$field.as_deref().unwrap_or_default()
            }
        }

        impl Paginated for $list {
            type Item = $item;

            fn page_info(&self) -> PageInfo {
                self.pagination.as_ref().map(PageInfo::from).unwrap_or_default()
            }

            fn into_items(self) -> Vec<$item> {
                self.$field.unwrap_or_default()
            }
        }
    )+};
}

paginated!(
    TemplateLogList => logs: TemplateLogEntry,
    LedgerItemList => ledger_items: LedgerItem,
    TemplatePairList => card_template_pairs: TemplatePair,
    WebhookList => webhooks: Webhook,
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::LandingPage;

    fn decode(text: &str) -> Result<Vec<LandingPage>, Error> {
        crate::client::transport::decode::<BareOrWrapped<LandingPage>>(200, text.as_bytes())
            .map(|l| l.0)
    }

    #[test]
    fn bare_or_wrapped_lists() {
        let ids = |r: Result<Vec<LandingPage>, Error>| -> Vec<String> {
            r.map(|v| v.into_iter().map(|p| p.id).collect())
                .unwrap_or_else(|e| vec![format!("error: {e}")])
        };
        assert_eq!(ids(decode(r#"[{"id":"a"},{"id":"b"}]"#)), ["a", "b"]);
        assert_eq!(
            ids(decode(r#"{"meta":{"x":[1]},"landing_pages":[{"id":"a"}]}"#)),
            ["a"]
        );
        assert!(ids(decode(r#"{"landing_pages":null}"#)).is_empty());
        assert!(ids(decode("[]")).is_empty());
        assert!(ids(decode("")).is_empty());
        assert!(decode(r#"{"pages":[]}"#).is_err());
        assert!(decode(r#""text""#).is_err());
        match decode(r#"[{"id":"a"},{"id":7}]"#) {
            Err(Error::Decode(e)) => assert_eq!(e.path, "[1].id"),
            other => panic!("expected a decode error, got {other:?}"),
        }
    }
}
