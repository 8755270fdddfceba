//! Why a VM went down.

use crate::metrics::Metric;

/// Why a VM went down: what started its outage. A VM killed again while it boots
/// keeps the cause of the outage it is in.
///
/// Only these can kill a VM today. A brain failover or a broker failure takes control
/// away (and may, through a reset, trigger the bug, whose crashes are `Bug`), but
/// kills no VM itself, so neither is a cause of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum OutageCause {
    /// The supervisor crashed on a link reset or a long reset (the bug).
    Bug = 0,
    /// A background supervisor crash, unrelated to resets.
    Background = 1,
    /// The head's hardware failed (random or a scheduled `HeadFailure` fault).
    Hardware = 2,
    /// A scheduled `SupervisorCrash` fault. Kept apart from `Background` so that a
    /// crash a study injects on purpose is not mistaken for the site's own.
    CrashFault = 3,
    /// Planned maintenance of the head: a reboot, a stop, or a live migration's pause.
    Maintenance = 4,
}

impl OutageCause {
    /// Every cause, in the order of their numbers.
    pub const ALL: [OutageCause; 5] = [
        OutageCause::Bug,
        OutageCause::Background,
        OutageCause::Hardware,
        OutageCause::CrashFault,
        OutageCause::Maintenance,
    ];

    pub fn name(self) -> &'static str {
        match self {
            OutageCause::Bug => "bug",
            OutageCause::Background => "background",
            OutageCause::Hardware => "hardware",
            OutageCause::CrashFault => "crash_fault",
            OutageCause::Maintenance => "maintenance",
        }
    }

    /// The cause numbered `n` (as `cause as u8` wrote it).
    pub fn from_number(n: u8) -> Option<OutageCause> {
        OutageCause::ALL.get(n as usize).copied()
    }

    /// The metric of this cause's share of `downtime_min_per_vm_year`.
    pub fn downtime_metric(self) -> Metric {
        match self {
            OutageCause::Bug => Metric::DowntimeBugMinPerVmYear,
            OutageCause::Background => Metric::DowntimeBackgroundMinPerVmYear,
            OutageCause::Hardware => Metric::DowntimeHardwareMinPerVmYear,
            OutageCause::CrashFault => Metric::DowntimeCrashFaultMinPerVmYear,
            OutageCause::Maintenance => Metric::DowntimeMaintenanceMinPerVmYear,
        }
    }
}
