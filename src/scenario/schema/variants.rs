//! The values of the schema's enum-valued fields, and the distributions, scopes and
//! faults with their parameters.

use super::Kind::{self, *};
use super::Range::{self, *};
use super::{Param, U32, Variant};

/// The values of a model's `kind`.
pub const MODEL_KINDS: &[Variant] = &[
    Variant {
        name: "Auto",
        form: "Auto",
        example: "Auto",
        doc: "inferred: `Operation` when the horizon is at least 30 days and something fails at random (a random fault, a rate of head, rack-switch, broker or brain failures, background crashes, routine flaps or maintenance), `Incident` otherwise; `-v` and the output header say which",
        params: &[],
    },
    Variant {
        name: "Incident",
        form: "Incident",
        example: "Incident",
        doc: "one incident and its recovery: outputs lead with recovery times, VM-hours lost and crashes, and leave out rates per year and availability",
        params: &[],
    },
    Variant {
        name: "Operation",
        form: "Operation",
        example: "Operation",
        doc: "the site's operation over a long horizon: outputs lead with downtime per VM-year by cause, availability and site-wide incidents",
        params: &[],
    },
];

/// The values of `design.coupling`.
pub const COUPLINGS: &[Variant] = &[
    Variant {
        name: "Coupled",
        form: "Coupled",
        example: "Coupled",
        doc: "a supervisor crash kills its head's VMs",
        params: &[],
    },
    Variant {
        name: "Decoupled",
        form: "Decoupled",
        example: "Decoupled",
        doc: "VMs keep running and are re-adopted when the supervisor restarts",
        params: &[],
    },
];

/// The values of `design.transport`.
pub const TRANSPORTS: &[Variant] = &[
    Variant {
        name: "Tcp",
        form: "Tcp",
        example: "Tcp",
        doc: "a long-lived TCP connection per head: resets reach the supervisor (the bug)",
        params: &[],
    },
    Variant {
        name: "MessageQueue",
        form: "MessageQueue(broker: (failures_per_year: F, repair: DIST))",
        example: "MessageQueue(broker: (failures_per_year: 2.0, repair: Exponential(mean: \"15m\")))",
        doc: "a broker absorbs resets; a broker failure drops control of every head until repaired",
        params: &[Param {
            name: "broker",
            kind: Record(BROKER),
            range: Any,
            doc: "the message broker",
        }],
    },
];

/// The fields of `MessageQueue`'s broker.
pub const BROKER: &[Param] = &[
    Param {
        name: "failures_per_year",
        kind: Number,
        range: Rate,
        doc: "broker failures per year",
    },
    Param {
        name: "repair",
        kind: Dist,
        range: Any,
        doc: "time to repair the broker",
    },
];

/// The values of `maintenance.drain`.
pub const DRAINS: &[Variant] = &[
    Variant {
        name: "LiveMigrate",
        form: "LiveMigrate",
        example: "LiveMigrate",
        doc: "running VMs move to the heads with the most free slots first (the brain in control of both heads); those that find no room or whose migration fails are rebooted as with `Reboot`",
        params: &[],
    },
    Variant {
        name: "Reboot",
        form: "Reboot",
        example: "Reboot",
        doc: "the head's VMs die when the work starts and are rebooted through the reboot queue once it ends",
        params: &[],
    },
    Variant {
        name: "None",
        form: "None",
        example: "None",
        doc: "the head's VMs are stopped for the work and resume where they were when it ends, without a boot",
        params: &[],
    },
];

/// The values of `brain.queue_policy`.
pub const QUEUE_POLICIES: &[Variant] = &[
    Variant {
        name: "Fifo",
        form: "Fifo",
        example: "Fifo",
        doc: "first reported, first booted",
        params: &[],
    },
    Variant {
        name: "Random",
        form: "Random",
        example: "Random",
        doc: "a uniformly random waiting VM each time",
        params: &[],
    },
    Variant {
        name: "RoundRobinHeads",
        form: "RoundRobinHeads",
        example: "RoundRobinHeads",
        doc: "one VM from each head with waiting VMs in turn",
        params: &[],
    },
    Variant {
        name: "ShortestFirst",
        form: "ShortestFirst",
        example: "ShortestFirst",
        doc: "the VM with the shortest boot first (its boot time is drawn when it is queued)",
        params: &[],
    },
];

const fn param(name: &'static str, kind: Kind, range: Range, doc: &'static str) -> Param {
    Param {
        name,
        kind,
        range,
        doc,
    }
}

/// Duration distributions.
pub const DISTRIBUTIONS: &[Variant] = &[
    Variant {
        name: "Fixed",
        form: "Fixed(D)",
        example: "Fixed(\"5s\")",
        doc: "always this; a bare duration (`\"5s\"`, or `5s` in `--set`) means the same",
        params: &[param("", Duration, Any, "the duration")],
    },
    Variant {
        name: "Exponential",
        form: "Exponential(mean: D)",
        example: "Exponential(mean: \"4h\")",
        doc: "memoryless, with this mean",
        params: &[param("mean", Duration, Positive, "the mean")],
    },
    Variant {
        name: "Uniform",
        form: "Uniform(min: D, max: D)",
        example: "Uniform(min: \"1s\", max: \"5s\")",
        doc: "uniform on [min, max] (max ≥ min)",
        params: &[
            param("min", Duration, Any, "the least value"),
            param("max", Duration, Any, "the greatest value"),
        ],
    },
    Variant {
        name: "LogNormal",
        form: "LogNormal(mean: D, sigma: F)",
        example: "LogNormal(mean: \"45s\", sigma: 0.3)",
        doc: "log-normal with this *mean* (not median) and shape σ of the underlying normal",
        params: &[
            param("mean", Duration, Positive, "the mean"),
            param(
                "sigma",
                Number,
                Closed(0.0, 5.0),
                "σ of the underlying normal",
            ),
        ],
    },
    Variant {
        name: "Weibull",
        form: "Weibull(shape: F, scale: D)",
        example: "Weibull(shape: 1.5, scale: \"1h\")",
        doc: "scale·(−ln U)^(1/shape): shape < 1 early failures, > 1 wear-out",
        params: &[
            param("shape", Number, Closed(0.05, 100.0), "the shape"),
            param("scale", Duration, Positive, "the scale"),
        ],
    },
    Variant {
        name: "Empirical",
        form: "Empirical([D, ...])",
        example: "Empirical([\"10s\", \"40s\", \"2m\"])",
        doc: "observations in ascending order (at least one); samples interpolate linearly between them",
        params: &[param("", List(&Duration), Any, "the observations")],
    },
];

/// Which heads a fault touches.
pub const SCOPES: &[Variant] = &[
    Variant {
        name: "All",
        form: "All",
        example: "All",
        doc: "every head",
        params: &[],
    },
    Variant {
        name: "Fraction",
        form: "Fraction(F)",
        example: "Fraction(0.5)",
        doc: "round(F·heads) heads, drawn afresh each time (at least one: F ≥ 0.5 / heads)",
        params: &[param(
            "",
            Number,
            OpenClosed(0.0, 1.0),
            "the fraction of heads",
        )],
    },
    Variant {
        name: "Heads",
        form: "Heads([H, ...])",
        example: "Heads([0, 3, 7])",
        doc: "these heads (at least one, each below `site.heads` and listed once)",
        params: &[param("", List(&U32), Any, "head indices")],
    },
    Variant {
        name: "Racks",
        form: "Racks([R, ...])",
        example: "Racks([2])",
        doc: "every head of these racks (at least one, each below `site.racks` and listed once)",
        params: &[param("", List(&U32), Any, "rack indices")],
    },
    Variant {
        name: "RackFraction",
        form: "RackFraction(F)",
        example: "RackFraction(0.2)",
        doc: "every head of round(F·racks) racks, drawn afresh each time (at least one: F ≥ 0.5 / racks)",
        params: &[param(
            "",
            Number,
            OpenClosed(0.0, 1.0),
            "the fraction of racks",
        )],
    },
];

/// The faults a model's `faults` list may hold.
pub const FAULTS: &[Variant] = &[
    Variant {
        name: "Partition",
        form: "Partition(at: D, duration: DIST, scope: S)",
        example: "Partition(at: \"1h\", duration: Fixed(\"4m\"), scope: All)",
        doc: "the brain loses the links of the heads in scope",
        params: &[
            param("at", Duration, Any, "when (before the horizon)"),
            param("duration", Dist, Any, "how long"),
            param("scope", Scope, Any, "which heads"),
        ],
    },
    Variant {
        name: "RandomPartitions",
        form: "RandomPartitions(per_year: F, duration: DIST, scope: S)",
        example: "RandomPartitions(per_year: 6.0, duration: Exponential(mean: \"3m\"), scope: Fraction(0.1))",
        doc: "partitions as a Poisson process (one at a time), `per_year` above 0",
        params: &[
            param("per_year", Number, Rate, "partitions per year (above 0)"),
            param("duration", Dist, Any, "how long each lasts"),
            param("scope", Scope, Any, "which heads"),
        ],
    },
    Variant {
        name: "SupervisorCrash",
        form: "SupervisorCrash(at: D, scope: S)",
        example: "SupervisorCrash(at: \"1h\", scope: All)",
        doc: "the supervisors in scope crash",
        params: &[
            param("at", Duration, Any, "when (before the horizon)"),
            param("scope", Scope, Any, "which heads"),
        ],
    },
    Variant {
        name: "BrainFailover",
        form: "BrainFailover(at: D)",
        example: "BrainFailover(at: \"1h\")",
        doc: "the brain fails over for `brain.failover_time`",
        params: &[param("at", Duration, Any, "when (before the horizon)")],
    },
    Variant {
        name: "HeadFailure",
        form: "HeadFailure(at: D, scope: S)",
        example: "HeadFailure(at: \"1h\", scope: Heads([0]))",
        doc: "the heads in scope fail, repaired after `head.repair`",
        params: &[
            param("at", Duration, Any, "when (before the horizon)"),
            param("scope", Scope, Any, "which heads"),
        ],
    },
];

/// The fields of one `uncertain` entry.
pub const UNCERTAIN: &[Param] = &[
    Param {
        name: "path",
        kind: Text,
        range: Any,
        doc: "a numeric path, as `--set` takes it",
    },
    Param {
        name: "range",
        kind: List(&Number),
        range: Any,
        doc: "`(LO, HI)` with LO < HI: numbers, or durations for a duration",
    },
    Param {
        name: "scale",
        kind: Choice(SCALES),
        range: Any,
        doc: "how the range is sampled",
    },
];

/// How an uncertain range is sampled.
pub const SCALES: &[Variant] = &[
    Variant {
        name: "Linear",
        form: "Linear",
        example: "Linear",
        doc: "evenly over the range",
        params: &[],
    },
    Variant {
        name: "Log",
        form: "Log",
        example: "Log",
        doc: "evenly over the range's logarithm (LO > 0)",
        params: &[],
    },
];

/// The changes a model's `changes` list may hold.
pub const CHANGES: &[Variant] = &[
    Variant {
        name: "At",
        form: "At(at: D, set: [\"PATH=VALUE\", ...], restart_supervisor: false)",
        example: "At(at: \"30d\", set: [\"supervisor.crash_on_reset=0.01\"])",
        doc: "every head takes the values at `at`; with `restart_supervisor: true` every supervisor restarts then, without a drain (in the `Coupled` design every VM dies, counted under the `crash_fault` cause)",
        params: &[
            param("at", Duration, Any, "when (before the horizon)"),
            param(
                "set",
                List(&Text),
                Any,
                "the new values, as `--set` takes them",
            ),
            param(
                "restart_supervisor",
                Choice(BOOLS),
                Any,
                "restart every supervisor at `at` (default `false`)",
            ),
        ],
    },
    Variant {
        name: "Rollout",
        form: "Rollout(at: D, over: D, set: [\"PATH=VALUE\", ...], order: Sequential, restart_supervisor: false, drain: None)",
        example: "Rollout(at: \"30d\", over: \"14d\", set: [\"supervisor.crash_on_reset=0.0\"], order: Sequential, restart_supervisor: true, drain: LiveMigrate)",
        doc: "head i (of `heads`, in `order`) takes the values at `at + i·over/heads`; with `restart_supervisor: true` its supervisor restarts then (in the `Coupled` design its VMs die, counted under the `crash_fault` cause), or, with `drain: LiveMigrate`, once the head is drained",
        params: &[
            param(
                "at",
                Duration,
                Any,
                "when the first head takes the values (before the horizon)",
            ),
            param(
                "over",
                Duration,
                Any,
                "the window the rollout spreads the heads over",
            ),
            param(
                "set",
                List(&Text),
                Any,
                "the new values, as `--set` takes them",
            ),
            param(
                "order",
                Choice(ORDERS),
                Any,
                "which head goes first (default `Sequential`)",
            ),
            param(
                "restart_supervisor",
                Choice(BOOLS),
                Any,
                "restart each supervisor as the change reaches it (default `false`)",
            ),
            param(
                "drain",
                Choice(ROLLOUT_DRAINS),
                Any,
                "what happens to a head's VMs before its supervisor restarts (default `None`)",
            ),
        ],
    },
];

/// What a restarting rollout does with a head's VMs first.
pub const ROLLOUT_DRAINS: &[Variant] = &[
    Variant {
        name: "None",
        form: "None",
        example: "None",
        doc: "nothing: the restart kills them in the `Coupled` design",
        params: &[],
    },
    Variant {
        name: "LiveMigrate",
        form: "LiveMigrate",
        example: "LiveMigrate",
        doc: "an idle, controllable head's running VMs are first moved away as by a `LiveMigrate` maintenance drain (needs `restart_supervisor: true`); the restart follows the drain and kills only what is left; a head not idle or out of control restarts at once",
        params: &[],
    },
];

/// The orders a rollout may reach the heads in.
pub const ORDERS: &[Variant] = &[
    Variant {
        name: "Sequential",
        form: "Sequential",
        example: "Sequential",
        doc: "head 0, then head 1, ...",
        params: &[],
    },
    Variant {
        name: "Random",
        form: "Random",
        example: "Random",
        doc: "a random permutation of the heads, drawn afresh in each replication",
        params: &[],
    },
];

/// A yes-or-no parameter.
pub const BOOLS: &[Variant] = &[
    Variant {
        name: "false",
        form: "false",
        example: "false",
        doc: "no",
        params: &[],
    },
    Variant {
        name: "true",
        form: "true",
        example: "true",
        doc: "yes",
        params: &[],
    },
];
