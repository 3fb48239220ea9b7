//! The sandbox's clock, which a test can move forward, and what it moves: passes whose
//! expiration date passed expire (`ag.access_pass.expired`; an active one is suspended),
//! and a pass whose expiration date is moved past the clock again is renewed
//! (`ag.access_pass.renewed`; one its expiry suspended is active again).

use super::state::{Actor, State};
use super::util::{now_millis, parse_iso8601};
use crate::models::CardState;

/// Who the clock acts as in event-log entries.
fn clock_actor() -> Actor {
    Actor {
        ip_address: "127.0.0.1".to_owned(),
        user_agent: Some("AccessGrid sandbox clock".to_owned()),
    }
}

impl State {
    /// The sandbox's time now, in milliseconds since the epoch: the system's, plus what
    /// the clock was moved forward by.
    pub(crate) fn now(&self) -> i64 {
        now_millis().saturating_add(self.clock_offset)
    }

    /// Moves the clock forward by `millis` and expires what is due.
    pub(crate) fn advance_clock(&mut self, millis: i64) {
        self.clock_offset = self.clock_offset.saturating_add(millis.max(0));
        self.expire_due();
    }

    /// Moves the clock just past the expiration date of pass `id` (the dashboard's "Let it
    /// expire"), expiring it and whatever else falls due on the way; a pass without a
    /// readable expiration date, or one that already expired, is refused.
    pub(crate) fn expire_pass(&mut self, id: &str) -> Result<(), super::state::Refusal> {
        let card = self.card(id)?;
        if card.expired {
            return Err(super::state::Refusal::unprocessable(format!(
                "pass {id} has already expired"
            )));
        }
        let at = card
            .answer
            .expiration_date
            .as_deref()
            .and_then(parse_iso8601)
            .ok_or_else(|| {
                super::state::Refusal::unprocessable(format!(
                    "pass {id} has no expiration date to reach"
                ))
            })?;
        let by = at.saturating_sub(self.now()).saturating_add(1_000);
        self.advance_clock(by);
        Ok(())
    }

    /// When the pass at `index` expires, if it has a readable expiration date.
    fn expires_at(&self, index: usize) -> Option<i64> {
        let card = self.cards.get(index)?;
        parse_iso8601(card.answer.expiration_date.as_deref()?)
    }

    /// Expires every pass whose expiration date has passed and that did not expire yet
    /// (deleted ones excepted): an active pass is suspended; each emits
    /// `ag.access_pass.expired` once.
    pub(crate) fn expire_due(&mut self) {
        let now = self.now();
        let due: Vec<usize> = (0..self.cards.len())
            .filter(|&i| {
                let card = &self.cards[i];
                !card.expired
                    && card.state() != CardState::Deleted
                    && self.expires_at(i).is_some_and(|at| at <= now)
            })
            .collect();
        let actor = clock_actor();
        for index in due {
            let was_active = self.cards[index].state() == CardState::Active;
            self.cards[index].expired = true;
            self.cards[index].suspended_by_expiry = was_active;
            self.record_pass_change(index, super::state::PassChange::Expired, &actor);
        }
    }

    /// After an update of the pass at `index`: if it had expired and its expiration date
    /// is now later than the clock, it is renewed (active again if its expiry suspended
    /// it and it is still suspended).
    pub(crate) fn renew_if_due(&mut self, index: usize, actor: &Actor) {
        let now = self.now();
        let Some(card) = self.cards.get(index) else {
            return;
        };
        if !card.expired || self.expires_at(index).is_none_or(|at| at <= now) {
            return;
        }
        let still_suspended = card.state() == CardState::Suspended;
        if let Some(card) = self.cards.get_mut(index) {
            card.expired = false;
            card.suspended_by_expiry = card.suspended_by_expiry && still_suspended;
        }
        self.record_pass_change(index, super::state::PassChange::Renewed, actor);
        if let Some(card) = self.cards.get_mut(index) {
            card.suspended_by_expiry = false;
        }
    }
}
