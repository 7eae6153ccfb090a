//! The county assessment on the hand-made fixture of `assessment_fixture` (every figure
//! computed by hand in its comments): scores, ranks, tie-breaks and transfers; the assessment
//! as of June and its scoping. The bureau's decisions on it: `assessment_decisions.rs`.
//! Runs on SQLite, and on PostgreSQL when CLUSTERDESK_TEST_PG is set.

use crate::assessment_fixture;

use assessment_fixture::*;

#[tokio::test]
async fn scores_ranks_tie_breaks_and_transfers_by_hand() {
    let (store, _dir) = fixture().await;
    let set = policies(store.plan());
    let r = store
        .assessment(&Actor::system("test"), &set, 2025, 12, today())
        .await
        .unwrap();
    assert!(r.complete);
    // Indicator scores.
    assert_eq!(score(&r, C[0], "revenue_growth"), "50.00");
    assert_eq!(score(&r, C[12], "revenue_growth"), "100.00");
    assert_eq!(score(&r, C[13], "revenue_growth"), "0.00");
    assert_eq!(score(&r, C[1], "park_entries"), "92.31");
    assert_eq!(score(&r, C[10], "park_entries"), "23.08");
    assert_eq!(score(&r, C[0], "net_new_above_scale"), "20.83");
    assert_eq!(score(&r, C[1], "net_new_above_scale"), "100.00");
    assert_eq!(score(&r, C[8], "net_new_above_scale"), "50.00");
    assert_eq!(score(&r, C[1], "reporting_timeliness"), "75.00");
    assert_eq!(score(&r, C[13], "reporting_timeliness"), "91.67");
    assert_eq!(score(&r, C[2], "reporting_timeliness"), "0.00");
    // problems_closed_on_time: no data, weight 0, not available.
    let p = r
        .indicators
        .iter()
        .find(|i| i.code == "problems_closed_on_time")
        .unwrap();
    assert!(!p.available);
    assert_eq!(score(&r, C[0], "problems_closed_on_time"), "");

    // Composite and rank, best first.
    let got: Vec<(&str, &str, usize, bool, bool)> = r
        .rows
        .iter()
        .map(|x| {
            (
                x.county.as_str(),
                x.composite.as_str(),
                x.rank,
                x.tied,
                x.tie_broken,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (C[1], "79.33", 1, false, false),
            (C[0], "61.25", 2, false, false),
            (C[8], "39.62", 3, false, true),
            (C[9], "39.62", 4, false, true),
            (C[2], "38.08", 5, false, false),
            (C[3], "34.23", 6, false, false),
            (C[4], "32.31", 7, false, false),
            (C[12], "31.92", 8, false, false),
            (C[5], "30.39", 9, false, false),
            (C[6], "28.46", 10, true, false),
            (C[7], "28.46", 10, true, false),
            (C[10], "20.77", 12, true, false),
            (C[11], "20.77", 12, true, false),
            (C[13], "15.67", 14, false, false),
        ]
    );
    // Change against 2024.
    assert_eq!(row(&r, C[13]).last_rank, Some(1));
    assert_eq!(row(&r, C[13]).rank_change, Some(-13));
    assert_eq!(row(&r, C[1]).rank_change, Some(1));

    // 三(二)1.
    let pe = &r.park_entry;
    assert_eq!(pe.clause, "三(二)1");
    assert!(pe.error.is_none(), "{:?}", pe.error);
    assert!(!pe.provisional);
    let amount = |c: &str| pe.rows.iter().find(|t| t.county == c).unwrap().amount_fen;
    assert_eq!(amount(C[0]), 500_000_000);
    assert_eq!(amount(C[1]), 200_000_000);
    assert_eq!(amount(C[2]), 200_000_000);
    assert_eq!(amount(C[5]), 0);
    assert_eq!(amount(C[10]), -50_000_000);
    assert_eq!(amount(C[11]), -50_000_000);
    assert_eq!(amount(C[12]), -400_000_000);
    assert_eq!(amount(C[13]), -400_000_000);
    assert_eq!(pe.total_fen, 0);
    let flagged = |c: &str| !pe.rows.iter().find(|t| t.county == c).unwrap().flags.is_empty();
    assert!(flagged(C[1]) && flagged(C[12]) && flagged(C[10]));
    // The flag names the tied counties by name, not by code alone: c2 青县 ties with c3 东光县.
    let c2_flags = pe.rows.iter().find(|t| t.county == C[1]).unwrap().flags.join(" ");
    assert!(
        c2_flags.contains("青县(130922)") && c2_flags.contains("东光县(130923)"),
        "{c2_flags}"
    );
    // c7 and c8 tie in 7th–8th place, where no money moves: not flagged.
    assert!(!flagged(C[6]) && !flagged(C[0]));

    // 三(二)2.
    let a1 = r.above_scale.iter().find(|x| x.county == C[0]).unwrap();
    assert_eq!(
        (
            a1.start,
            a1.entered,
            a1.small_to_above,
            a1.newly_built_or_unknown,
            a1.exits,
            a1.net_new,
            a1.end
        ),
        (2, 2, 1, 1, 1, 1, 3)
    );
    assert_eq!(a1.target, Some(4));
    assert_eq!(a1.attainment_pct.as_deref(), Some("25.00"));
    assert_eq!(a1.gap, Some(-3));
    let a2 = r.above_scale.iter().find(|x| x.county == C[1]).unwrap();
    assert_eq!(
        (a2.net_new, a2.attainment_pct.as_deref(), a2.gap),
        (3, Some("150.00"), Some(1))
    );
}

#[tokio::test]
async fn as_of_june_and_scoping() {
    let (store, _dir) = fixture().await;
    let set = policies(store.plan());
    // As of June: D (enters 07-01) not yet counted; B's exit on 06-30 counted → c1 net 0.
    let r = store
        .assessment(
            &Actor::system("test"),
            &set,
            2025,
            6,
            NaiveDate::from_ymd_opt(2025, 8, 1).unwrap(),
        )
        .await
        .unwrap();
    assert!(!r.complete && r.park_entry.provisional);
    let a1 = r.above_scale.iter().find(|x| x.county == C[0]).unwrap();
    assert_eq!((a1.entered, a1.exits, a1.net_new), (1, 1, 0));
    // Deadlines 02-10 … 07-10 have passed on 08-01: six months due; c1 6/6.
    let k = r
        .indicators
        .iter()
        .position(|i| i.code == "reporting_timeliness")
        .unwrap();
    assert_eq!(row(&r, C[0]).values[k].raw_text, "100.00%(6/6)");

    // A county sees the full ranking but what was counted only for itself.
    let county = Actor {
        user_id: 9,
        username: "botou".into(),
        display_name: "泊头".into(),
        role: Role::CountyOperator,
        org_code: "130981".into(),
        must_change_password: false,
    };
    let r = store.assessment(&county, &set, 2025, 12, today()).await.unwrap();
    assert_eq!(r.rows.len(), 14);
    assert_eq!(r.own_county.as_deref(), Some("130981"));
    assert!(!row(&r, "130981").provenance.is_empty());
    assert!(row(&r, C[0]).provenance.is_empty());
    assert!(
        r.above_scale
            .iter()
            .find(|x| x.county == C[0])
            .unwrap()
            .events
            .is_empty()
    );

    let ent = Actor {
        role: Role::Enterprise,
        org_code: make_uscc("130981", 1),
        ..county
    };
    assert!(matches!(
        store.assessment(&ent, &set, 2025, 12, today()).await,
        Err(StoreError::Forbidden(_))
    ));
    assert!(matches!(
        store
            .assessment(&Actor::system("t"), &set, 2019, 12, today())
            .await,
        Err(StoreError::Invalid(_))
    ));
}
