#!/bin/sh
# Regenerates every report in reports/ from the models. Deterministic: running it again
# leaves `git status` clean. Run from the repository root: sh reports/regenerate.sh
# (--force: each report replaces its directory as a whole, so no stale file survives).
set -eu
cargo build --release --quiet
bigvsim=./target/release/bigvsim

$bigvsim run models/york-2017.ron --replications 200 --force --out reports/york-2017 >/dev/null
$bigvsim compare models/york-2017.ron models/york-2017-patched.ron models/york-2017-decoupled.ron \
    models/york-2017-message-queue.ron models/york-2017-fast-reboot.ron \
    --replications 200 --force --out reports/york-2017-designs >/dev/null
$bigvsim compare models/york-year.ron models/york-year-patched.ron models/york-year-decoupled.ron \
    models/york-year-message-queue.ron models/york-year-fast-reboot.ron \
    --replications 200 --force --out reports/york-year-designs >/dev/null
$bigvsim sweep models/york-2017.ron --param brain.reboot_concurrency=10,20,40,80 \
    --replications 100 --force --out reports/york-2017-concurrency >/dev/null
$bigvsim sweep models/york-2017.ron --param brain.per_head_concurrency=1,2,4,10,20 \
    --param brain.queue_policy=Fifo,RoundRobinHeads --replications 100 --force \
    --out reports/york-2017-per-head-limit >/dev/null
$bigvsim compare models/york-rack-coupled.ron models/york-rack-decoupled.ron \
    --replications 200 --force --out reports/york-rack >/dev/null
$bigvsim compare models/york-maintenance-reboot.ron models/york-maintenance-migrate.ron \
    --replications 200 --force --out reports/york-maintenance >/dev/null
$bigvsim compare models/scale-10k-heads.ron models/scale-10k-heads-no-jitter.ron \
    --replications 100 --force --out reports/scale-10k-heads >/dev/null
$bigvsim sweep models/scale-10k-heads.ron --param brain.accept_per_s=50,60,75,100,150,200,300 \
    --param link.reconnect.jitter=0.0,0.2 --replications 20 --force \
    --out reports/scale-10k-heads-accept >/dev/null
$bigvsim sweep models/york-2016-2017.ron --param 'changes[1].over=0s,2d,7d,14d,28d,56d' \
    --param 'changes[1].restart_supervisor=false,true' --replications 1000 --force \
    --out reports/york-rollout >/dev/null
$bigvsim sweep models/york-year-evacuate.ron --param head.predicted_fraction=0,0.2,0.4,0.6,0.8,1 \
    --replications 200 --force --out reports/york-evacuation >/dev/null
$bigvsim compare models/york-2016-2017.ron models/york-2016-2017-drain.ron models/york-2016-2017-drain.ron \
    --design-set '1:changes[1].drain=None' --replications 1000 --force \
    --out reports/york-rollout-drain >/dev/null
$bigvsim sweep models/york-2016-2017-drain.ron --param 'changes[1].over=0s,30m,1h,6h,2d,7d,14d' \
    --param 'changes[1].drain=None,LiveMigrate' --replications 1000 --force \
    --out reports/york-rollout-drain-speed >/dev/null
$bigvsim sensitivity models/york-2017.ron models/york-2017-fast-reboot.ron --samples 32 \
    --replications 20 --force --out reports/york-2017-sensitivity >/dev/null
$bigvsim solve models/york-2017.ron --param brain.reboot_concurrency=1..400 \
    --target 'site_recovery_s.p90<=1h' --replications 100 --force \
    --out reports/york-2017-solve >/dev/null
# The York calibration in docs/calibrate.md.
$bigvsim fit models/york-2017.ron --observed models/observed/york-2017.csv \
    --param brain.boot_time.mean=30s..90s -r 50 --force --out docs/calibrate-york >/dev/null
echo "reports regenerated: $(ls -d reports/*/ | tr '\n' ' ')"
