//! Paginated lists and the lazy iterator over all their items.

use std::collections::VecDeque;

use serde::de::DeserializeOwned;

use crate::error::Error;

/// Page figures of a list answer, whichever way the endpoint spells them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
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

/// A list answer that holds one page of items.
pub trait Paginated: DeserializeOwned {
    /// The item type.
    type Item;
    /// The page's figures.
    fn page_info(&self) -> PageInfo;
    /// The page's items (empty when the answer has none).
    fn items(&self) -> &[Self::Item];
    /// The page's items, consuming the answer.
    fn into_items(self) -> Vec<Self::Item>;
}

/// A lazy iterator over every item of a paginated list, fetching the next page only when
/// the current one is used up. It stops after the last page (by `total_pages`, a short
/// page, or an empty one). An error is yielded once and ends the iteration.
///
/// ```no_run
/// # fn main() -> Result<(), accessgrid::Error> {
/// use accessgrid::models::ListCardsQuery;
///
/// let client = accessgrid::Client::from_env()?;
/// for card in client.access_cards().iter(ListCardsQuery::builder().template_id("0xd3adb00b5"))? {
///     let card = card?;
///     println!("{:?} {:?}", card.id, card.state);
/// }
/// # Ok(()) }
/// ```
#[must_use = "iterators do nothing until used"]
pub struct Pages<'c, L: Paginated> {
    fetch: Box<dyn FnMut(u32) -> Result<L, Error> + 'c>,
    next_page: Option<u32>,
    buffer: VecDeque<L::Item>,
}

impl<'c, L: Paginated> Pages<'c, L> {
    /// Iterates from page `first_page`; `fetch(n)` reads page `n`.
    pub(crate) fn new(first_page: u32, fetch: impl FnMut(u32) -> Result<L, Error> + 'c) -> Self {
        Pages {
            fetch: Box::new(fetch),
            next_page: Some(first_page.max(1)),
            buffer: VecDeque::new(),
        }
    }
}

impl<L: Paginated> Iterator for Pages<'_, L> {
    type Item = Result<L::Item, Error>;

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
            let info = answer.page_info();
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

impl<L: Paginated> std::iter::FusedIterator for Pages<'_, L> {}

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
pub(crate) use page_query;

/// A lazy iterator over every item of `query`'s pages, from its `page` (default 1);
/// `fetch` reads one page.
pub(crate) fn pages<'c, Q, L>(
    mut query: Q,
    fetch: impl Fn(&Q) -> Result<L, Error> + 'c,
) -> Pages<'c, L>
where
    Q: PageQuery + 'c,
    L: Paginated,
{
    let first = query.page().unwrap_or(1);
    Pages::new(first, move |page| {
        query.set_page(page);
        fetch(&query)
    })
}
