//! Many VMs going down at one instant, recorded at once.
//!
//! A site-wide crash takes every VM of every head down, a head at a time: recording
//! each VM on its own costs the same checks a million times over. A head's VMs that
//! are consecutive, all running until now, are recorded here in one step, with the
//! same result as [`Recorder::vm_down_unsampled`] for each of them in order.

use super::Recorder;
use crate::engine::Micros;

impl Recorder {
    /// VMs `first .. first + n`, all running until now, went down at `now_us`:
    /// the same as [`Recorder::vm_down_unsampled`] for each in increasing order.
    /// Sample the series after the batch with [`Recorder::sample_now`].
    #[inline]
    pub fn vms_down_unsampled(&mut self, now_us: Micros, first: u32, n: u32) {
        if n == 0 {
            return;
        }
        self.going_down(now_us);
        let (a, b) = (first as usize, first as usize + n as usize);
        self.vm_time_us[a..b].fill(now_us);
        self.affected.add_run(first, n);
        // Each VM's count is one more than the one before it, so the peak after the
        // last is the peak after every one of them.
        self.vms_down += n;
        self.incident_peak = self.incident_peak.max(self.vms_down);
        debug_assert!(self.vms_down <= self.vms);
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::US_PER_S;
    use crate::metrics::{Metric, OutageCause, Recorder};

    #[test]
    fn a_batch_records_what_one_vm_at_a_time_does() {
        // Ten VMs, horizon 100 s. VMs 2..5 go down at 1 s; 2 and 3 come back at 2 s
        // and 3 s; 5..10 go down at 5 s (6 down at once, the peak); 9 down to 4 come
        // back at 44..49 s. Then 0..10 go down at 60 s and come back at 61..70 s. Once
        // in batches, once VM by VM: the same metrics, worst incident (the first:
        // 48 s, 8 VMs, peak 6) and series.
        let s = US_PER_S;
        let run = |batched: bool| {
            let mut r = Recorder::new(10, 1, 100 * s, 16);
            let down = |r: &mut Recorder, t: u64, first: u32, n: u32| {
                if batched {
                    r.vms_down_unsampled(t * s, first, n);
                } else {
                    for vm in first..first + n {
                        r.vm_down_unsampled(t * s, vm);
                    }
                }
                r.sample_now(t * s);
            };
            let up = |r: &mut Recorder, t: u64, vm: u32| {
                r.vm_up(t * s, vm, 0, OutageCause::Hardware);
            };
            down(&mut r, 1, 2, 3);
            up(&mut r, 2, 2);
            up(&mut r, 3, 3);
            down(&mut r, 5, 5, 5);
            for vm in (4..10).rev() {
                up(&mut r, 53 - u64::from(vm), vm);
            }
            down(&mut r, 60, 0, 0);
            down(&mut r, 60, 0, 10);
            for vm in 0..10 {
                up(&mut r, 61 + u64::from(vm), vm);
            }
            let m = r.finish(std::iter::empty());
            (m, r.worst_incident(), r.worst_series().to_vec())
        };
        let (batched, one_by_one) = (run(true), run(false));
        assert_eq!(batched, one_by_one);
        let worst = batched.1.expect("an incident");
        assert_eq!((worst.affected_vms, worst.peak_vms_down), (8, 6));
        assert_eq!(batched.0[Metric::FullRecoveryS], 48.0);
        assert_eq!(batched.0[Metric::Incidents], 2.0);
    }
}
