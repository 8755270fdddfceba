//! Links between the brain and each head: what keeps them down, routine flaps, and
//! reconnecting with exponential backoff and jitter.
//!
//! A link is down while it has at least one *cause* (a partition, a flap, a brain
//! failover, a broker failure, the head's hardware being down). When the last cause
//! goes, the link comes back at the next reconnect attempt of its current sequence.
//!
//! Under an accept limit (`brain.accept_per_s`) or a resync time, a reconnect attempt
//! that finds no cause joins the brain's accept queue (`Brain::admit`). Accepted in
//! time, the head is in its *handshake* until the accept and the resync of its VMs'
//! state are over, and only then is the link up (the brain controls the head). Not
//! accepted within `brain.accept_timeout`, the attempt fails at the timeout and the
//! head waits out its next backoff from there. A cause arriving during the handshake
//! fails the attempt at once, and the head backs off as after any failed attempt.
//! Owns: each head's link state, the flap and reconnect streams.

use super::notes::Note;
use super::streams::{Purpose, Streams, exp_per_year, jittered};
use super::{About, Event, World};
use crate::engine::{Micros, Scheduler};
use crate::scenario::Scenario;

named_enum! {
    /// The events of links.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum LinkEvent {
        /// A routine reset of one link started.
        FlapBegan {
            head: u32,
        },
        FlapHealed {
            head: u32,
        },
        /// A reconnect attempt of reconnect sequence `connect` is due.
        ReconnectAttempted {
            head: u32,
            connect: u32,
        },
        /// The brain accepted the attempt of sequence `connect` and resynced the head's
        /// state: the link is up.
        Resynced {
            head: u32,
            connect: u32,
        },
    }
}

impl LinkEvent {
    /// Whom the event is about: its head.
    pub fn about(&self) -> About {
        match *self {
            LinkEvent::FlapBegan { head }
            | LinkEvent::FlapHealed { head }
            | LinkEvent::ReconnectAttempted { head, .. }
            | LinkEvent::Resynced { head, .. } => About::Head(head),
        }
    }

    pub fn json_fields(&self) -> String {
        match *self {
            LinkEvent::FlapBegan { head } | LinkEvent::FlapHealed { head } => {
                format!("\"head\":{head}")
            }
            LinkEvent::ReconnectAttempted { head, connect }
            | LinkEvent::Resynced { head, connect } => {
                format!("\"head\":{head},\"connect\":{connect}")
            }
        }
    }
}

impl From<LinkEvent> for Event {
    fn from(e: LinkEvent) -> Event {
        Event::Link(e)
    }
}

/// One head's link.
#[derive(Clone, Copy, Debug)]
pub(super) struct Link {
    pub(super) up: bool,
    /// Active reasons the link cannot connect (partitions, flap, brain, broker, hardware).
    pub(super) causes: u32,
    /// Link outage generation.
    pub(super) outage: u32,
    /// Reconnect sequence generation: a new sequence starts when the link drops and
    /// when a repaired head's supervisor starts connecting afresh.
    pub(super) connect: u32,
    pub(super) down_since_us: Micros,
    backoff_us: Micros,
    /// Accepted by the brain (or waiting in its accept queue to be) and resyncing:
    /// the link comes up when this attempt's `Resynced` falls.
    pub(super) handshake: bool,
}

impl Link {
    const NEW: Link = Link {
        up: true,
        causes: 0,
        outage: 0,
        connect: 0,
        down_since_us: 0,
        backoff_us: 0,
        handshake: false,
    };
}

/// Every head's link and its random streams.
pub(super) struct Links {
    pub(super) heads: Vec<Link>,
    flap_rng: Streams,
    reconnect_rng: Streams,
}

impl Links {
    /// Timers one head's link can have pending at once: a flap and a reconnect (an
    /// attempt or the end of a handshake, never both).
    pub(super) const TIMERS_PER_HEAD: usize = 2;

    pub(super) fn new(heads: u32) -> Links {
        Links {
            heads: vec![Link::NEW; heads as usize],
            flap_rng: Streams::new(Purpose::Flap, heads as usize),
            reconnect_rng: Streams::new(Purpose::Reconnect, heads as usize),
        }
    }

    pub(super) fn bytes_for(heads: u64) -> u64 {
        heads * std::mem::size_of::<Link>() as u64 + Streams::bytes_for(2 * heads)
    }

    pub(super) fn reset(&mut self, seed: u64, rep: u64) {
        self.heads.fill(Link::NEW);
        self.flap_rng.reset(seed, rep);
        self.reconnect_rng.reset(seed, rep);
    }

    pub(super) fn schedule_first(&mut self, sc: &Scenario, h: u32, sched: &mut Scheduler<Event>) {
        if sc.link.flaps_per_year > 0.0 {
            let d = exp_per_year(sc.link.flaps_per_year, &mut self.flap_rng[h as usize]);
            sched.at(d, LinkEvent::FlapBegan { head: h }.into());
        }
    }
}

impl World {
    pub(super) fn handle_link(&mut self, event: LinkEvent, sched: &mut Scheduler<Event>) {
        match event {
            LinkEvent::FlapBegan { head } => {
                self.add_cause(head, sched);
                let d = self
                    .sc
                    .link
                    .flap_duration
                    .sample(&mut self.links.flap_rng[head as usize]);
                sched.after(d, LinkEvent::FlapHealed { head }.into());
            }
            LinkEvent::FlapHealed { head } => {
                self.remove_cause(head);
                let d = exp_per_year(
                    self.sc.link.flaps_per_year,
                    &mut self.links.flap_rng[head as usize],
                );
                sched.after(d, LinkEvent::FlapBegan { head }.into());
            }
            LinkEvent::ReconnectAttempted { head: h, .. } => {
                let hi = h as usize;
                if !self.hw.heads[hi].up {
                    // A dead head makes no attempts; its repair starts a new sequence.
                } else if self.links.heads[hi].causes == 0 {
                    if self.sc.brain.admission.is_instant() {
                        self.link_up(h, sched.now());
                    } else {
                        self.ask_admission(h, sched);
                    }
                } else {
                    self.note(Note::ReconnectFailed { head: h });
                    self.back_off(h, 0, sched);
                }
            }
            LinkEvent::Resynced { head: h, .. } => {
                let link = &mut self.links.heads[h as usize];
                // A cause during the handshake ends it at once (`add_cause`), and
                // the hardware going down is a cause.
                assert!(
                    link.handshake && link.causes == 0,
                    "head {h}: resynced without a clean handshake"
                );
                link.handshake = false;
                self.link_up(h, sched.now());
            }
        }
    }

    /// The link of head `h` comes up: the brain controls the head if its supervisor
    /// runs.
    fn link_up(&mut self, h: u32, now: Micros) {
        let hi = h as usize;
        let was = self.controllable(h);
        assert!(!self.links.heads[hi].up, "head {h}: reconnected an up link");
        self.links.heads[hi].up = true;
        let down_us = now - self.links.heads[hi].down_since_us;
        self.note(Note::LinkReconnected { head: h, down_us });
        self.head_changed(h, was, now);
    }

    /// A reconnect attempt that found no cause asks the brain to accept it: accepted
    /// in time, the head's handshake runs until the accept and its resync are over;
    /// otherwise the attempt fails at `brain.accept_timeout`.
    fn ask_admission(&mut self, h: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let admission = self.sc.brain.admission;
        let accepted = match admission.accept_interval_us {
            None => Some(now),
            Some(interval) => self.brain.admit(now, interval, admission.accept_timeout_us),
        };
        match accepted {
            Some(done) => {
                let vms = Micros::from(self.placement.count(h));
                let link = &mut self.links.heads[h as usize];
                link.handshake = true;
                let connect = link.connect;
                // Saturating: a resync longer than time itself never ends.
                let resync = admission.resync_per_vm_us.saturating_mul(vms);
                sched.after(
                    (done - now).saturating_add(resync),
                    LinkEvent::Resynced { head: h, connect }.into(),
                );
            }
            None => {
                self.note(Note::ReconnectFailed { head: h });
                self.back_off(h, admission.accept_timeout_us, sched);
            }
        }
    }

    /// A reconnect attempt of head `h` failed: the next one falls the grown backoff
    /// (jittered) after `delay_us` from now, when the head learns of the failure.
    fn back_off(&mut self, h: u32, delay_us: Micros, sched: &mut Scheduler<Event>) {
        let hi = h as usize;
        let b = self.sc.link.reconnect;
        let link = &mut self.links.heads[hi];
        link.backoff_us =
            libm::round(link.backoff_us as f64 * b.multiplier).min(b.max_us as f64) as Micros;
        let wait = jittered(link.backoff_us, b.jitter, &mut self.links.reconnect_rng[hi]);
        let connect = link.connect;
        sched.after(
            delay_us + wait,
            LinkEvent::ReconnectAttempted { head: h, connect }.into(),
        );
    }

    pub(super) fn link_event_is_live(&self, event: &LinkEvent) -> bool {
        match *event {
            LinkEvent::FlapBegan { .. } | LinkEvent::FlapHealed { .. } => true,
            LinkEvent::ReconnectAttempted { head, connect } => {
                let link = &self.links.heads[head as usize];
                !link.up && !link.handshake && link.connect == connect
            }
            LinkEvent::Resynced { head, connect } => {
                let link = &self.links.heads[head as usize];
                link.handshake && link.connect == connect
            }
        }
    }

    /// One more reason the head's link cannot connect; drops the link if it was up.
    pub(super) fn add_cause(&mut self, h: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let hi = h as usize;
        let link = &mut self.links.heads[hi];
        // An up link has no cause to be down.
        assert!(
            !link.up || link.causes == 0,
            "head {h}: up link with a cause"
        );
        link.causes += 1;
        if link.handshake {
            // The attempt in its handshake fails now: its `Resynced` goes stale.
            link.handshake = false;
            link.connect = link.connect.wrapping_add(1);
            self.note(Note::ReconnectFailed { head: h });
            self.back_off(h, 0, sched);
            return;
        }
        if !link.up {
            return;
        }
        let was = self.controllable(h);
        let reconnect = self.sc.link.reconnect;
        let link = &mut self.links.heads[hi];
        link.up = false;
        link.outage = link.outage.wrapping_add(1);
        link.connect = link.connect.wrapping_add(1);
        link.down_since_us = now;
        link.backoff_us = reconnect.initial_us;
        let connect = link.connect;
        self.rec.link_resets += 1;
        self.note(Note::LinkDropped { head: h });
        let wait = jittered(
            reconnect.initial_us,
            reconnect.jitter,
            &mut self.links.reconnect_rng[hi],
        );
        sched.after(
            wait,
            LinkEvent::ReconnectAttempted { head: h, connect }.into(),
        );
        self.watch_long_outage(h, sched);
        self.head_changed(h, was, now);
        self.bug_on_reset(h, sched);
    }

    /// One reason fewer for the head's link to stay down.
    pub(super) fn remove_cause(&mut self, h: u32) {
        let link = &mut self.links.heads[h as usize];
        link.causes = link
            .causes
            .checked_sub(1)
            .unwrap_or_else(|| panic!("head {h}: link cause removed twice"));
    }

    /// Adds or removes one cause on every link (brain failovers, broker failures).
    pub(super) fn all_links_cause(&mut self, add: bool, sched: &mut Scheduler<Event>) {
        for h in 0..self.links.heads.len() as u32 {
            if add {
                self.add_cause(h, sched);
            } else {
                self.remove_cause(h);
            }
        }
    }

    /// A restarted head connects afresh, from the initial backoff, if its link is down.
    pub(super) fn reconnect_afresh(&mut self, h: u32, sched: &mut Scheduler<Event>) {
        let hi = h as usize;
        if self.links.heads[hi].up {
            return;
        }
        let b = self.sc.link.reconnect;
        let link = &mut self.links.heads[hi];
        link.connect = link.connect.wrapping_add(1);
        link.handshake = false;
        link.backoff_us = b.initial_us;
        let connect = link.connect;
        let wait = jittered(b.initial_us, b.jitter, &mut self.links.reconnect_rng[hi]);
        sched.after(
            wait,
            LinkEvent::ReconnectAttempted { head: h, connect }.into(),
        );
    }
}
