use super::*;

#[test]
fn shard_ranges_partition_the_replications() {
    // 10 replications in 4 shards: [0,2), [2,5), [5,7), [7,10).
    let ranges: Vec<_> = (0..4).map(|k| Shard { k, n: 4 }.range(10)).collect();
    assert_eq!(ranges, vec![0..2, 2..5, 5..7, 7..10]);
    assert!(Shard::parse("4/4", 10).is_err());
    assert!(Shard::parse("3/11", 10).is_err());
    assert_eq!(Shard::parse("1/3", 10), Ok(Shard { k: 1, n: 3 }));
}
