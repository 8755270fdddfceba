//! Recording during a run: time-weighted integrals (VMs down, heads out of control),
//! incidents with their recovery quantiles, the outage-duration histogram, counters,
//! and a decimated time series of the worst incident for plots.
//!
//! All buffers are sized from the scenario when the recorder is built; recording never
//! allocates. Integrals are kept in integer microseconds, so they are exact.

use super::histogram::LogHistogram;
use super::{METRICS, Metric, RunMetrics};
use crate::engine::{Micros, US_PER_S, US_PER_YEAR};
use affected::Affected;
use series::Series;

pub use cause::OutageCause;

/// One VM outage, kept for the first replication's `outages.csv`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutageRecord {
    pub vm: u32,
    pub head: u32,
    pub start_us: Micros,
    /// `None`: still down at the horizon.
    pub end_us: Option<Micros>,
    pub cause: OutageCause,
}

/// A maximal period with at least one VM down.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Incident {
    pub start_us: Micros,
    /// When the last affected VM ran again (the horizon if it never did).
    pub end_us: Micros,
    pub recovered: bool,
    /// Distinct VMs that went down during the incident.
    pub affected_vms: u32,
    /// The most VMs down at the same time during the incident.
    pub peak_vms_down: u32,
    /// Whether at least the site-wide fraction of the VMs were down at once.
    pub site_wide: bool,
    /// Time from the start until each fraction of [`RECOVERY_QUANTILES`] of the
    /// affected VMs ran again for good (their last recovery within the incident): the
    /// deciles, 99 % and 100 %.
    pub recover_us: [Micros; RECOVERY_QUANTILES.len()],
}

/// The system's state at a change point of the worst incident (for plots).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SeriesPoint {
    /// Time since the incident started.
    pub since_start_us: Micros,
    pub vms_down: u32,
    pub queued: u32,
    pub booting: u32,
}

/// What the run has recorded so far.
#[derive(Clone, Debug)]
pub struct Recorder {
    vms: u32,
    heads: u32,
    horizon_us: Micros,
    last_us: Micros,

    vms_down: u32,
    down_integral_us: u128,
    heads_uncontrolled: u32,
    control_integral_us: u128,
    /// The longest outage still running at the horizon (0 if none), set by `finish`:
    /// when it is the longest outage of the run, `vm_outage_max_s` is a lower bound.
    longest_open_us: Micros,

    // Incidents. `affected` lists each VM the open incident affected once.
    // `vm_time_us[v]` is when VM v went down while it is down, and when it last came
    // up once it runs again: one word serves both, as a VM is never both. It is read
    // only for VMs down (written when they went down) and for VMs affected by the open
    // incident (written during it), so it needs no clearing either: a site of millions
    // of VMs does not sweep 10 bytes per VM before every replication.
    in_incident: bool,
    incident_start_us: Micros,
    vm_time_us: Vec<Micros>,
    affected: Affected,
    scratch: Vec<Micros>,
    incidents: u64,
    worst: Option<Incident>,
    series: Series,
    worst_series: Series,
    // Site-wide incidents: those with at least `site_threshold` VMs down at once.
    site_threshold: u32,
    incident_peak: u32,
    site_incidents: u64,
    worst_site: Option<Incident>,
    worst_site_series: Series,
    /// Durations of the incidents that were not site-wide (one head's, typically).
    head_incidents: LogHistogram,
    /// VM-microseconds of downtime by [`OutageCause`] (cut at the horizon); they add
    /// up to `down_integral_us` exactly.
    downtime_by_cause_us: [u128; OutageCause::ALL.len()],
    queued: u32,
    booting: u32,

    outages: LogHistogram,
    outage_log: Vec<OutageRecord>,
    outage_log_capacity: usize,

    pub link_resets: u64,
    pub supervisor_crashes: u64,
    pub vm_reboots: u64,
    /// Live migrations completed, and the pauses they cost their VMs.
    pub migrations: u64,
    pub migration_pause_us: u64,
    /// VMs paused now, and the sum of when their pauses began.
    paused: u64,
    paused_since_sum_us: u128,
    control: control::ControlIncidents,
}

/// The fractions of an incident's affected VMs whose recovery times it keeps: the
/// deciles (which `bigvsim fit` compares with an observed curve), then 99 % and 100 %.
pub const RECOVERY_QUANTILES: [f64; 11] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.99, 1.0];

/// The indices in [`RECOVERY_QUANTILES`] of 50 %, 90 % and 99 %.
const RECOVER_50: usize = 4;
const RECOVER_90: usize = 8;
const RECOVER_99: usize = 9;

/// Points kept of the worst incident's time series.
pub const SERIES_CAPACITY: usize = 2048;

/// The fraction of the VMs down at once that makes an incident site-wide, unless the
/// model sets `metrics.site_fraction`.
pub const DEFAULT_SITE_FRACTION: f64 = 0.5;

/// VMs down at once that make an incident site-wide: `ceil(fraction · vms)`, at least 1.
fn site_threshold(vms: u32, fraction: f64) -> u32 {
    ((fraction * vms as f64).ceil() as u32).max(1)
}

impl Recorder {
    /// Sizes every buffer for `vms` VMs on `heads` heads. `outage_log_capacity` bounds
    /// the per-outage log (0 to keep none).
    pub fn new(vms: u32, heads: u32, horizon_us: Micros, outage_log_capacity: usize) -> Self {
        Recorder {
            vms,
            heads,
            horizon_us,
            last_us: 0,
            vms_down: 0,
            down_integral_us: 0,
            heads_uncontrolled: 0,
            control_integral_us: 0,
            longest_open_us: 0,
            in_incident: false,
            incident_start_us: 0,
            vm_time_us: vec![0; vms as usize],
            affected: Affected::new(vms),
            scratch: Vec::with_capacity(vms as usize),
            incidents: 0,
            worst: None,
            series: Series::new(SERIES_CAPACITY),
            worst_series: Series::new(SERIES_CAPACITY),
            site_threshold: site_threshold(vms, DEFAULT_SITE_FRACTION),
            incident_peak: 0,
            site_incidents: 0,
            worst_site: None,
            worst_site_series: Series::new(SERIES_CAPACITY),
            head_incidents: LogHistogram::new(),
            downtime_by_cause_us: [0; OutageCause::ALL.len()],
            queued: 0,
            booting: 0,
            outages: LogHistogram::new(),
            outage_log: Vec::with_capacity(outage_log_capacity),
            outage_log_capacity,
            link_resets: 0,
            supervisor_crashes: 0,
            vm_reboots: 0,
            migrations: 0,
            migration_pause_us: 0,
            paused: 0,
            paused_since_sum_us: 0,
            control: control::ControlIncidents::new(heads, DEFAULT_SITE_FRACTION),
        }
    }

    /// Classifies as site-wide the incidents in which at least `fraction` of the VMs
    /// were down at once (the default is [`DEFAULT_SITE_FRACTION`]).
    pub fn with_site_fraction(mut self, fraction: f64) -> Self {
        self.site_threshold = site_threshold(self.vms, fraction);
        self.control = control::ControlIncidents::new(self.heads, fraction);
        self
    }

    /// Forgets everything recorded, keeping the allocations (for the next replication).
    pub fn reset(&mut self) {
        self.last_us = 0;
        self.vms_down = 0;
        self.down_integral_us = 0;
        self.heads_uncontrolled = 0;
        self.control_integral_us = 0;
        self.in_incident = false;
        self.incident_start_us = 0;
        self.affected.clear();
        self.incidents = 0;
        self.worst = None;
        self.series.clear();
        self.worst_series.clear();
        self.incident_peak = 0;
        self.site_incidents = 0;
        self.worst_site = None;
        self.worst_site_series.clear();
        self.head_incidents.clear();
        self.downtime_by_cause_us = [0; OutageCause::ALL.len()];
        self.queued = 0;
        self.booting = 0;
        self.outages.clear();
        self.longest_open_us = 0;
        self.outage_log.clear();
        self.link_resets = 0;
        self.supervisor_crashes = 0;
        self.vm_reboots = 0;
        self.migrations = 0;
        self.migration_pause_us = 0;
        self.paused = 0;
        self.paused_since_sum_us = 0;
        self.control.reset();
    }

    /// Advances the time-weighted integrals to `now`.
    #[inline]
    fn advance(&mut self, now_us: Micros) {
        let now_us = now_us.min(self.horizon_us);
        if now_us > self.last_us {
            let dt = (now_us - self.last_us) as u128;
            self.down_integral_us += dt * self.vms_down as u128;
            self.control_integral_us += dt * self.heads_uncontrolled as u128;
            self.last_us = now_us;
        }
    }

    pub fn vms_down(&self) -> u32 {
        self.vms_down
    }

    pub fn heads_uncontrolled(&self) -> u32 {
        self.heads_uncontrolled
    }

    /// A VM stopped running.
    #[inline]
    pub fn vm_down(&mut self, now_us: Micros, vm: u32) {
        self.vm_down_unsampled(now_us, vm);
        self.sample(now_us, false);
    }

    /// A VM stopped running, without sampling the incident series: call
    /// [`Recorder::sample_now`] once after a batch of these at the same instant.
    ///
    /// A batch gives the series the same points as a `vm_down` per VM: every sample at
    /// one instant has the same time since the incident's start, and a point at the
    /// instant of the last one replaces it, so of n samples only the first can append
    /// (or decimate, which reads the instants and the gap, not the counts) and the
    /// counts of the last one win. One sample after the batch does exactly that.
    #[inline]
    pub fn vm_down_unsampled(&mut self, now_us: Micros, vm: u32) {
        self.going_down(now_us);
        self.vm_time_us[vm as usize] = now_us;
        self.affected.add(vm);
        self.vms_down += 1;
        self.incident_peak = self.incident_peak.max(self.vms_down);
        debug_assert!(self.vms_down <= self.vms);
    }

    /// Brings the integrals up to `now_us`, when VMs are about to go down, and opens
    /// an incident if none is open.
    #[inline]
    fn going_down(&mut self, now_us: Micros) {
        self.advance(now_us);
        if !self.in_incident {
            self.in_incident = true;
            self.incident_start_us = now_us;
            self.incident_peak = 0;
            self.affected.open();
            self.series.clear();
        }
    }

    /// Samples the incident series once after a batch of
    /// [`Recorder::vm_down_unsampled`] at `now_us`.
    #[inline]
    pub fn sample_now(&mut self, now_us: Micros) {
        if self.in_incident {
            self.sample(now_us, false);
        }
    }

    /// When VM `vm`, which is down, went down: the start of the outage it is in.
    #[inline]
    pub fn down_since_us(&self, vm: u32) -> Micros {
        self.vm_time_us[vm as usize]
    }

    /// Moves the start of a down VM's outage (for tests of the invariant checker).
    #[cfg(test)]
    pub(crate) fn set_down_since_us(&mut self, vm: u32, since_us: Micros) {
        self.vm_time_us[vm as usize] = since_us;
    }

    /// A VM runs again after its outage, which started at its `vm_down`.
    #[inline]
    pub fn vm_up(&mut self, now_us: Micros, vm: u32, head: u32, cause: OutageCause) {
        self.advance(now_us);
        debug_assert!(self.vms_down > 0 && self.in_incident);
        self.vms_down -= 1;
        let down_since_us = std::mem::replace(&mut self.vm_time_us[vm as usize], now_us);
        // A stop that ends at the instant it began (a zero-length maintenance stop, a
        // zero-length restart and boot) cost nothing: it is no outage.
        if now_us > down_since_us {
            self.outages.record(now_us - down_since_us);
            self.add_downtime(cause, now_us, down_since_us);
            self.log_outage(OutageRecord {
                vm,
                head,
                start_us: down_since_us,
                end_us: Some(now_us),
                cause,
            });
        }
        if self.vms_down == 0 {
            self.sample(now_us, true);
            self.close_incident(now_us, true);
        } else {
            self.sample(now_us, false);
        }
    }

    /// A live migration completed at `now_us`; its VM pauses from now on when
    /// `paused` (its pause is counted as it is served, see [`Recorder::pause_ended`]).
    #[inline]
    pub fn migrated(&mut self, now_us: Micros, paused: bool) {
        self.migrations += 1;
        if paused {
            self.paused += 1;
            self.paused_since_sum_us += now_us as u128;
        }
    }

    /// The pause of `vm`, which began its outage, ended at `now_us`: it resumed, or
    /// it died paused. Only the time served counts, so the pauses never add up to
    /// more than the VMs' time (pauses still running at the horizon are cut there).
    #[inline]
    pub fn pause_ended(&mut self, now_us: Micros, vm: u32) {
        let since = self.vm_time_us[vm as usize];
        debug_assert!(self.paused > 0);
        self.paused -= 1;
        self.paused_since_sum_us -= since as u128;
        self.migration_pause_us += now_us.min(self.horizon_us).saturating_sub(since);
    }

    /// Adds an outage from `since_us` to `end_us` (cut at the horizon) to its cause.
    #[inline]
    fn add_downtime(&mut self, cause: OutageCause, end_us: Micros, since_us: Micros) {
        let d = end_us.min(self.horizon_us).saturating_sub(since_us);
        self.downtime_by_cause_us[cause as usize] += d as u128;
    }

    #[inline]
    fn log_outage(&mut self, r: OutageRecord) {
        if self.outage_log.len() < self.outage_log_capacity {
            self.outage_log.push(r);
        }
    }

    /// The reboot queue's state changed (for the incident time series).
    #[inline]
    pub fn queue_changed(&mut self, now_us: Micros, queued: u32, booting: u32) {
        self.queued = queued;
        self.booting = booting;
        if self.in_incident {
            self.sample(now_us, false);
        }
    }

    #[inline]
    fn sample(&mut self, now_us: Micros, force: bool) {
        let p = SeriesPoint {
            since_start_us: now_us - self.incident_start_us,
            vms_down: self.vms_down,
            queued: self.queued,
            booting: self.booting,
        };
        self.series.push(p, force);
    }

    fn close_incident(&mut self, end_us: Micros, recovered: bool) {
        self.in_incident = false;
        if end_us == self.incident_start_us {
            // Every VM came back at the instant it went down: no incident.
            self.series.clear();
            return;
        }
        self.incidents += 1;
        let start = self.incident_start_us;
        // Every affected VM came back at or after the start (VMs still down at the
        // horizon were set to the horizon by `finish`). The recovery times are needed
        // only until the quantiles are taken, and the VMs' last recoveries not after
        // the incident closes.
        let times = if self.affected.sorted() {
            // With the affected VMs in increasing order (the usual case: a fault kills
            // heads and their VMs in order), affected[i] ≥ i, so the i-th time can be
            // written over vm_time_us[i] after every read at or below it: no second
            // array of a word per VM is touched. No VM is down when an incident closes
            // before the horizon, so no outage's start is lost; at the horizon they
            // have all been read.
            for (i, vm) in self.affected.vms().enumerate() {
                let up = self.vm_time_us[vm as usize];
                debug_assert!(up >= start);
                self.vm_time_us[i] = up - start;
            }
            &mut self.vm_time_us[..self.affected.len()]
        } else {
            self.scratch.clear();
            for vm in self.affected.vms() {
                let up = self.vm_time_us[vm as usize];
                debug_assert!(up >= start);
                self.scratch.push(up - start);
            }
            &mut self.scratch[..]
        };
        let n = times.len();
        let mut recover_us = [0; RECOVERY_QUANTILES.len()];
        if n > 0 {
            // The k-th smallest for increasing k, by selection rather than a full sort:
            // after selecting index i, everything from i + 1 on is at least as large,
            // so the next selection only looks there.
            let mut from = 0;
            let mut last = 0;
            for (slot, q) in recover_us.iter_mut().zip(RECOVERY_QUANTILES) {
                // The smallest time by which at least ceil(q·n) VMs had recovered.
                let k = ((q * n as f64).ceil() as usize).clamp(1, n);
                if k > from {
                    let (_, kth, _) = times[from..].select_nth_unstable(k - 1 - from);
                    last = *kth;
                    from = k;
                }
                *slot = last;
            }
        }
        let incident = Incident {
            start_us: start,
            end_us,
            recovered,
            affected_vms: n as u32,
            peak_vms_down: self.incident_peak,
            site_wide: self.incident_peak >= self.site_threshold,
            recover_us,
        };
        let longer = |worst: &Option<Incident>| match worst {
            None => true,
            Some(w) => (incident.end_us - incident.start_us) > (w.end_us - w.start_us),
        };
        if !incident.site_wide {
            self.head_incidents
                .record(incident.end_us - incident.start_us);
        } else {
            self.site_incidents += 1;
            if longer(&self.worst_site) {
                // Copied, not swapped: the same incident may be the worst of all too.
                self.worst_site = Some(incident);
                self.worst_site_series.points.clear();
                self.worst_site_series
                    .points
                    .extend_from_slice(&self.series.points);
                self.worst_site_series.min_gap_us = self.series.min_gap_us;
            }
        }
        if longer(&self.worst) {
            self.worst = Some(incident);
            std::mem::swap(&mut self.series, &mut self.worst_series);
        }
        self.series.clear();
    }

    /// Closes the run at the horizon: open outages and an open incident are cut there.
    /// `down_vms` are the VMs still down, each with its head and its outage's cause.
    pub fn finish(
        &mut self,
        down_vms: impl Iterator<Item = (u32, u32, OutageCause)>,
    ) -> RunMetrics {
        let horizon = self.horizon_us;
        self.advance(horizon);
        // Pauses still running are cut at the horizon.
        let served =
            (self.paused as u128 * horizon as u128).saturating_sub(self.paused_since_sum_us);
        self.migration_pause_us += served as u64;
        self.paused = 0;
        self.paused_since_sum_us = 0;
        for (vm, head, cause) in down_vms {
            // Still down: it "recovers" at the horizon, even if it had come back and
            // died again earlier in the same incident.
            let since = std::mem::replace(&mut self.vm_time_us[vm as usize], horizon);
            if since >= horizon {
                // Down from the horizon on: nothing of the outage is inside the run.
                continue;
            }
            self.outages.record(horizon - since);
            self.longest_open_us = self.longest_open_us.max(horizon - since);
            self.add_downtime(cause, horizon, since);
            self.log_outage(OutageRecord {
                vm,
                head,
                start_us: since,
                end_us: None,
                cause,
            });
        }
        if self.in_incident {
            self.sample(horizon, true);
            self.close_incident(horizon, false);
        }
        self.control.finish(horizon);
        self.metrics()
    }

    fn metrics(&self) -> RunMetrics {
        let mut values = [0.0; METRICS.len()];
        let mut set = |m: Metric, v: f64| values[m as usize] = v;
        let vm_time = self.vms as f64 * self.horizon_us as f64;
        let down = self.down_integral_us as f64;
        set(
            Metric::VmAvailability,
            if vm_time > 0.0 {
                1.0 - down / vm_time
            } else {
                1.0
            },
        );
        set(
            Metric::DowntimeMinPerVmYear,
            if vm_time > 0.0 {
                down / vm_time * (US_PER_YEAR as f64 / (60.0 * US_PER_S as f64))
            } else {
                0.0
            },
        );
        let s = |us: Micros| us as f64 / US_PER_S as f64;
        let mut censored = 0u64;
        if let Some(w) = &self.worst {
            let full = w.end_us - w.start_us;
            set(Metric::FullRecoveryS, s(full));
            set(Metric::Recover50S, s(w.recover_us[RECOVER_50]));
            set(Metric::Recover90S, s(w.recover_us[RECOVER_90]));
            set(Metric::Recover99S, s(w.recover_us[RECOVER_99]));
            set(Metric::WorstIncidentVms, w.affected_vms as f64);
            if !w.recovered {
                // VMs still down count as back at the horizon, so a quantile reaching
                // one of them (the full incident length) is cut there.
                censored |= RunMetrics::bit(Metric::FullRecoveryS);
                // Its VM-hours go on past the horizon too.
                censored |= RunMetrics::bit(Metric::VmHoursLost);
                for (m, i) in [
                    (Metric::Recover50S, RECOVER_50),
                    (Metric::Recover90S, RECOVER_90),
                    (Metric::Recover99S, RECOVER_99),
                ] {
                    let t = w.recover_us[i];
                    if t == full {
                        censored |= RunMetrics::bit(m);
                    }
                }
            }
        }
        set(Metric::Incidents, self.incidents as f64);
        set(Metric::SiteIncidents, self.site_incidents as f64);
        if let Some(w) = &self.worst_site {
            set(Metric::SiteRecoveryS, s(w.end_us - w.start_us));
            if !w.recovered {
                censored |= RunMetrics::bit(Metric::SiteRecoveryS);
            }
        }
        set(
            Metric::VmHoursLost,
            self.down_integral_us as f64 / (3600.0 * US_PER_S as f64),
        );
        debug_assert_eq!(
            self.downtime_by_cause_us.iter().sum::<u128>(),
            self.down_integral_us,
            "downtime by cause does not add up"
        );
        for cause in OutageCause::ALL {
            let d = self.downtime_by_cause_us[cause as usize] as f64;
            set(
                cause.downtime_metric(),
                if vm_time > 0.0 {
                    d / vm_time * (US_PER_YEAR as f64 / (60.0 * US_PER_S as f64))
                } else {
                    0.0
                },
            );
        }
        set(Metric::VmOutageP50S, s(self.outages.quantile_us(0.5)));
        set(Metric::VmOutageP90S, s(self.outages.quantile_us(0.9)));
        set(Metric::VmOutageP99S, s(self.outages.quantile_us(0.99)));
        set(Metric::VmOutageMaxS, s(self.outages.max_us()));
        if self.longest_open_us > 0 && self.longest_open_us == self.outages.max_us() {
            censored |= RunMetrics::bit(Metric::VmOutageMaxS);
        }
        set(Metric::VmOutages, self.outages.count() as f64);
        set(
            Metric::ControlLossHeadS,
            self.control_integral_us as f64 / US_PER_S as f64,
        );
        set(Metric::LinkResets, self.link_resets as f64);
        set(Metric::SupervisorCrashes, self.supervisor_crashes as f64);
        set(Metric::VmReboots, self.vm_reboots as f64);
        set(Metric::Migrations, self.migrations as f64);
        set(
            Metric::MigrationPauseS,
            self.migration_pause_us as f64 / US_PER_S as f64,
        );
        self.control.write(&mut values, &mut censored);
        RunMetrics { values, censored }
    }

    /// The worst incident, if any VM went down.
    pub fn worst_incident(&self) -> Option<Incident> {
        self.worst
    }

    /// The decimated time series of the worst incident.
    pub fn worst_series(&self) -> &[SeriesPoint] {
        &self.worst_series.points
    }

    /// The time series the recovery plot shows: the worst site-wide incident's, or
    /// the worst incident's when none was site-wide (`site_incidents` then is 0).
    pub fn plot_series(&self) -> &[SeriesPoint] {
        if self.worst_site.is_some() {
            &self.worst_site_series.points
        } else {
            &self.worst_series.points
        }
    }

    pub fn outage_histogram(&self) -> &LogHistogram {
        &self.outages
    }

    /// Durations of the incidents that were not site-wide.
    pub fn head_incident_histogram(&self) -> &LogHistogram {
        &self.head_incidents
    }

    pub fn outage_log(&self) -> &[OutageRecord] {
        &self.outage_log
    }

    /// Outages that did not fit in the log.
    pub fn outage_log_full(&self) -> bool {
        self.outage_log.len() == self.outage_log_capacity && self.outage_log_capacity > 0
    }

    /// Exact VM-down time so far, in VM-microseconds (for invariant checks).
    pub fn down_integral_us(&self) -> u128 {
        self.down_integral_us
    }
}

impl Recorder {
    /// Bytes a recorder for `vms` VMs needs, with room for `outage_log_capacity`
    /// outages in its log: the per-VM incident arrays, the three incident series and
    /// the buckets of the two histograms.
    pub fn bytes_for(vms: u64, outage_log_capacity: u64) -> u64 {
        use std::mem::size_of;
        // Per VM: the incident mark, the outage start or last recovery, the affected
        // list and the recovery-time scratch.
        let per_vm = size_of::<u16>() + size_of::<u32>() + 2 * size_of::<Micros>();
        let series = 3 * SERIES_CAPACITY * size_of::<SeriesPoint>();
        vms * per_vm as u64
            + series as u64
            + outage_log_capacity * size_of::<OutageRecord>() as u64
            + 2 * LogHistogram::BYTES
    }
}

mod affected;
mod batch;
mod cause;
mod control;
mod series;
#[cfg(test)]
mod tests;
