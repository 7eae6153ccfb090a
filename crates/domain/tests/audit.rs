//! The audit chain: a chain built record by record verifies; each kind of tampering breaks it
//! at the record a person would point to.

use clusterdesk_domain::audit::{GENESIS, Record, hash_of, verify, verify_from};

fn chain(n: i64) -> Vec<Record> {
    let mut out: Vec<Record> = Vec::new();
    for seq in 1..=n {
        let mut r = Record {
            seq,
            at: format!("2026-12-02T02:00:{seq:02}.000Z"),
            actor: "botou".into(),
            action: "login".into(),
            target: "botou".into(),
            address: "10.0.0.1".into(),
            detail: String::new(),
            prev_hash: out.last().map_or(GENESIS.to_string(), |p| p.hash.clone()),
            hash: String::new(),
        };
        r.hash = hash_of(&r);
        out.push(r);
    }
    out
}

#[test]
fn an_untouched_chain_verifies_to_its_head() {
    let c = chain(5);
    let head = verify(c.clone()).unwrap();
    assert_eq!((head.records, head.seq), (5, 5));
    assert_eq!(head.hash, c[4].hash);
    assert_eq!(verify(Vec::new()).unwrap().records, 0);
    // The hash is SHA-256 in hex, over the fields, not over the stored hash.
    assert_eq!(c[0].hash.len(), 64);
}

#[test]
fn an_edit_a_deletion_and_a_swap_each_break_the_chain_where_they_are() {
    let mut edited = chain(5);
    edited[2].actor = "admin".into();
    let b = verify(edited).unwrap_err();
    assert_eq!(b.seq, 3);
    assert!(b.reason.contains("被修改"), "{}", b.reason);

    let mut deleted = chain(5);
    deleted.remove(1);
    let b = verify(deleted).unwrap_err();
    assert_eq!(b.seq, 3);
    assert!(b.reason.contains("缺少第 2 至 2 条"), "{}", b.reason);

    // Swapping two records' numbers (and so their order) breaks the first of them.
    let mut swapped = chain(5);
    swapped[1].seq = 3;
    swapped[2].seq = 2;
    swapped.sort_by_key(|r| r.seq);
    let b = verify(swapped).unwrap_err();
    assert_eq!(b.seq, 2);

    // A record edited together with its own hash still breaks the link of the next one.
    let mut rehashed = chain(5);
    rehashed[2].detail = "{}".into();
    rehashed[2].hash = hash_of(&rehashed[2]);
    let b = verify(rehashed).unwrap_err();
    assert_eq!(b.seq, 4);
    assert!(b.reason.contains("链接不符"), "{}", b.reason);
}

/// After records 1–3 are archived, the rest verifies from record 3's hash, and only from it:
/// without the start, or from another record, the first remaining one does not fit.
#[test]
fn the_rest_of_an_archived_chain_verifies_from_the_last_archived_record() {
    let c = chain(5);
    let rest = c[3..].to_vec();
    let head = verify_from(Some((3, &c[2].hash)), rest.clone()).unwrap();
    assert_eq!((head.records, head.seq), (2, 5));
    assert_eq!(head.hash, c[4].hash);
    assert_eq!(verify(rest.clone()).unwrap_err().seq, 4);
    let wrong = verify_from(Some((3, &c[1].hash)), rest.clone()).unwrap_err();
    assert_eq!(wrong.seq, 4);
    assert!(wrong.reason.contains("链接不符"), "{}", wrong.reason);
    // Record 4 deleted as well: a gap after the start.
    let gap = verify_from(Some((3, &c[2].hash)), c[4..].to_vec()).unwrap_err();
    assert!(gap.reason.contains("缺少第 4 至 4 条"), "{}", gap.reason);
}
