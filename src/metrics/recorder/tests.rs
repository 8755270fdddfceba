use super::*;

#[test]
fn one_incident_recovery_quantiles_and_downtime() {
    // Ten VMs, horizon 100 s. VMs 0..10 go down at t=10 s; VM i comes back at
    // t = 10 + 10·(i+1) s. Downtime = Σ 10(i+1) = 550 VM-s of 1000 → availability
    // 0.45. Recovery: 50 % (5 VMs) after 50 s, 90 % after 90 s, 99 % and 100 %
    // (ceil(9.9)=10 VMs) after 100 s. The incident lasts 100 s.
    let s = US_PER_S;
    let mut r = Recorder::new(10, 1, 200 * s, 0);
    for vm in 0..10 {
        r.vm_down(10 * s, vm);
    }
    for vm in 0..10u32 {
        r.vm_up(10 * s + 10 * s * (vm as u64 + 1), vm, 0, OutageCause::Bug);
    }
    let m = r.finish(std::iter::empty());
    assert!((m[Metric::VmAvailability] - (1.0 - 550.0 / 2000.0)).abs() < 1e-12);
    assert_eq!(m[Metric::FullRecoveryS], 100.0);
    assert_eq!(m[Metric::Recover50S], 50.0);
    assert_eq!(m[Metric::Recover90S], 90.0);
    assert_eq!(m[Metric::Recover99S], 100.0);
    assert_eq!(m[Metric::WorstIncidentVms], 10.0);
    assert_eq!(m[Metric::Incidents], 1.0);
    assert_eq!(m[Metric::VmOutageMaxS], 100.0);
}

#[test]
fn open_incident_is_cut_at_the_horizon() {
    // One VM down at t=5 s, never back, horizon 10 s: downtime 5 VM-s, the incident
    // lasts 5 s and is not recovered, the outage is counted (cut) at 5 s.
    let s = US_PER_S;
    let mut r = Recorder::new(1, 1, 10 * s, 4);
    r.vm_down(5 * s, 0);
    let m = r.finish([(0, 0, OutageCause::Hardware)].into_iter());
    assert!((m[Metric::VmAvailability] - 0.5).abs() < 1e-12);
    assert_eq!(m[Metric::FullRecoveryS], 5.0);
    assert!(!r.worst_incident().unwrap().recovered);
    assert_eq!(r.outage_log()[0].end_us, None);
}

#[test]
fn losses_and_the_longest_outage_are_cut_only_when_the_open_one_is_the_worst() {
    // VM 0 is down from 0 s to 50 s; VM 1 from 90 s to past the horizon. With the
    // horizon at 100 s the open outage (10 s) is neither the longest outage nor the
    // worst incident: nothing is cut. At 200 s it is both (110 s): the longest outage,
    // the recovery and the VM-hours lost are lower bounds; the rates are not.
    let s = US_PER_S;
    for (horizon_s, cut) in [(100, false), (200, true)] {
        let mut r = Recorder::new(2, 1, horizon_s * s, 0);
        r.vm_down(0, 0);
        r.vm_up(50 * s, 0, 0, OutageCause::Hardware);
        r.vm_down(90 * s, 1);
        let m = r.finish([(1, 0, OutageCause::Hardware)].into_iter());
        let longest = if cut { 110.0 } else { 50.0 };
        assert_eq!(m[Metric::VmOutageMaxS], longest);
        assert_eq!(m[Metric::FullRecoveryS], longest);
        for metric in [
            Metric::VmOutageMaxS,
            Metric::FullRecoveryS,
            Metric::VmHoursLost,
        ] {
            assert_eq!(m.is_censored(metric), cut, "{metric:?} at {horizon_s} s");
        }
        assert!(!m.is_censored(Metric::DowntimeMinPerVmYear));
        assert!(!m.is_censored(Metric::VmAvailability));
    }
}

#[test]
fn a_vm_down_again_at_the_horizon_recovers_at_the_horizon() {
    // VM 0 goes down at 1 s, back at 2 s, down again at 3 s and never back (VM 1
    // keeps the incident open); horizon 10 s. Both affected VMs count as recovered
    // at the horizon: 100 % after 10 − 1 = 9 s, and 50 % (1 VM) also at 9 s.
    let s = US_PER_S;
    let mut r = Recorder::new(2, 1, 10 * s, 0);
    r.vm_down(s, 0);
    r.vm_down(s, 1);
    r.vm_up(2 * s, 0, 0, OutageCause::Bug);
    r.vm_down(3 * s, 0);
    let down = [(0, 0, OutageCause::Bug), (1, 0, OutageCause::Bug)];
    let m = r.finish(down.into_iter());
    assert_eq!(m[Metric::FullRecoveryS], 9.0);
    assert_eq!(m[Metric::Recover50S], 9.0);
    assert_eq!(m[Metric::Recover99S], 9.0);
}

#[test]
fn recovery_quantiles_do_not_depend_on_the_order_of_recoveries() {
    // 1 000 VMs down at 0 come back at 1 + (i·7919 mod 1000) s, a scrambled order
    // of 1..=1000 s: the 50/90/99/100 % recovery times are the 500th, 900th, 990th
    // and 1000th smallest, 500, 900, 990 and 1000 s, whether the VMs went down in
    // increasing order (times computed in place) or scrambled (in scratch space).
    let s = US_PER_S;
    let n = 1_000u32;
    let scramble = |vm: u32| (u64::from(vm) * 7919) % u64::from(n);
    for down_in_order in [true, false] {
        let mut r = Recorder::new(n, 1, 10_000 * s, 0);
        let mut down: Vec<u32> = (0..n).collect();
        if !down_in_order {
            down.sort_by_key(|&vm| scramble(vm * 3));
        }
        for vm in down {
            r.vm_down(0, vm);
        }
        let mut order: Vec<u32> = (0..n).collect();
        order.sort_by_key(|&vm| scramble(vm));
        for vm in order {
            r.vm_up((1 + scramble(vm)) * s, vm, 0, OutageCause::Bug);
        }
        let m = r.finish(std::iter::empty());
        assert_eq!(m[Metric::Recover50S], 500.0, "in order: {down_in_order}");
        assert_eq!(m[Metric::Recover90S], 900.0, "in order: {down_in_order}");
        assert_eq!(m[Metric::Recover99S], 990.0, "in order: {down_in_order}");
        assert_eq!(
            m[Metric::FullRecoveryS],
            1_000.0,
            "in order: {down_in_order}"
        );
    }
}

#[test]
fn a_reset_recorder_records_like_a_new_one() {
    // Replication one takes 10 VMs down and back; after a reset, replication two
    // takes VMs 0..4 down and back at other times: its metrics and worst incident
    // equal a fresh recorder's, so no mark or recovery time of replication one
    // leaks into it.
    let s = US_PER_S;
    let second = |r: &mut Recorder| {
        for vm in 0..4 {
            r.vm_down(s, vm);
        }
        for vm in 0..4 {
            r.vm_up((5 + u64::from(vm)) * s, vm, 0, OutageCause::Bug);
        }
        r.finish(std::iter::empty())
    };
    let mut reused = Recorder::new(10, 1, 100 * s, 0);
    for vm in 0..10 {
        reused.vm_down(s, vm);
    }
    for vm in (0..10).rev() {
        reused.vm_up((50 - u64::from(vm)) * s, vm, 0, OutageCause::Hardware);
    }
    reused.finish(std::iter::empty());
    reused.reset();
    let mut fresh = Recorder::new(10, 1, 100 * s, 0);
    assert_eq!(second(&mut reused), second(&mut fresh));
    assert_eq!(reused.worst_incident(), fresh.worst_incident());
    assert_eq!(fresh.worst_incident().unwrap().affected_vms, 4);
}

#[test]
fn series_decimates_deterministically() {
    // Pushing 10 000 points into a 2 048-point series keeps at most 2 048, first
    // point first, in increasing time.
    let mut s = Series::new(SERIES_CAPACITY);
    for t in 0..10_000u64 {
        s.push(
            SeriesPoint {
                since_start_us: t,
                ..Default::default()
            },
            false,
        );
    }
    assert!(s.points.len() <= SERIES_CAPACITY);
    assert_eq!(s.points[0].since_start_us, 0);
    assert!(
        s.points
            .windows(2)
            .all(|w| w[0].since_start_us < w[1].since_start_us)
    );
}

#[test]
fn a_batch_of_unsampled_downs_records_the_same_series_as_one_sample_each() {
    // 5 000 VMs go down in batches of 3 at 1 667 instants (1 s apart), with a reboot
    // queue change after every third batch and a recovery after every second, then
    // come back one by one, so the 2 048-point series fills and decimates. Sampling once after each batch must give the same points, point for
    // point, and the same metrics as sampling after every VM.
    let s = US_PER_S;
    let n = 5_000u32;
    let run = |batched: bool| {
        let mut r = Recorder::new(n, 1, 100_000 * s, 0);
        for (i, batch) in (0..n).collect::<Vec<_>>().chunks(3).enumerate() {
            let now = (i as u64 + 1) * s;
            for &vm in batch {
                if batched {
                    r.vm_down_unsampled(now, vm);
                } else {
                    r.vm_down(now, vm);
                }
            }
            if batched {
                r.sample_now(now);
            }
            if i % 3 == 0 {
                r.queue_changed(now, batch.len() as u32, i as u32 % 40);
            }
            if i % 2 == 1 {
                r.vm_up(now + s / 2, batch[0], 0, OutageCause::Bug);
            }
        }
        // The rest come back, which closes the incident.
        let end = 10_000 * s;
        for (i, batch) in (0..n).collect::<Vec<_>>().chunks(3).enumerate() {
            let rest = if i % 2 == 1 { &batch[1..] } else { batch };
            for &vm in rest {
                r.vm_up(end + u64::from(vm), vm, 0, OutageCause::Bug);
            }
        }
        let m = r.finish(std::iter::empty());
        (m, r.worst_series().to_vec())
    };
    let (per_vm, batched) = (run(false), run(true));
    assert!(
        per_vm.1.len() > SERIES_CAPACITY / 2,
        "the series never filled"
    );
    assert_eq!(batched.1, per_vm.1);
    assert_eq!(batched.0, per_vm.0);
}

#[test]
fn incidents_past_the_last_id_still_count_each_vm_once() {
    // 70 000 incidents, more than the 65 535 ids, each of VM 0 going down and back
    // up for 1 s; in the last one VM 1 goes down twice too. The ids start again
    // from clean marks when they run out, so every incident counts its VMs once:
    // the last and longest affects exactly 2 VMs.
    let s = US_PER_S;
    let mut r = Recorder::new(2, 1, 1_000_000 * s, 0);
    let n = 70_000u64;
    for i in 0..n - 1 {
        r.vm_down(10 * i * s, 0);
        r.vm_up((10 * i + 1) * s, 0, 0, OutageCause::Bug);
    }
    let t = 10 * (n - 1) * s;
    r.vm_down(t, 0);
    r.vm_down(t, 1);
    r.vm_up(t + s, 1, 0, OutageCause::Bug);
    r.vm_down(t + 2 * s, 1);
    r.vm_up(t + 3 * s, 1, 0, OutageCause::Bug);
    r.vm_up(t + 4 * s, 0, 0, OutageCause::Bug);
    let m = r.finish(std::iter::empty());
    assert_eq!(m[Metric::Incidents], n as f64);
    assert_eq!(m[Metric::WorstIncidentVms], 2.0);
    assert_eq!(m[Metric::FullRecoveryS], 4.0);
}
