//! The bureau's decisions on the county assessment, on the fixture of `assessment_fixture`:
//! issued 三(二)2 targets overriding the plan file and rescoring, and the 三(二)1 transfer
//! finalized once, revoked with a reason and finalized again.
//! Runs on SQLite, and on PostgreSQL when CLUSTERDESK_TEST_PG is set.

use crate::assessment_fixture;

use assessment_fixture::*;

/// 三(二)2 targets issued in the app override the plan file's. The fixture's plan file gives
/// 2025: c1 4, c2 2, c9 5, others 2; no 2024. Issued: c1 (沧县) 1, c2 (青县) 4, c11 (泊头市) 3.
/// - c1 net 1 / 1 = 100.00% → 100 × 1 / 1.2 = 83.33; composite (30 × 50 + 30 × 83.33
///   + 25 × 100 + 15 × 100) / 100 = 7999.9 / 100 = 79.999 → 80.00, now 1st.
/// - c2 net 3 / 4 = 75.00% → 100 × 0.75 / 1.2 = 62.50; composite (1500 + 1875 + 2307.75
///   + 1125) / 100 = 68.0775 → 68.08, now 2nd.
/// - c11 net 0 / 3 = 0.00%, gap −3, score 0.00; composite unchanged 20.77.
#[tokio::test]
async fn issued_targets_override_the_plan_file_and_rescore() {
    let (store, _dir) = fixture().await;
    let set = policies(store.plan());
    let admin = actor("admin", Role::CityAdmin, "130900");
    let gxj = actor("gxj", Role::CityDepartment, "GXJ");
    let kjj = actor("kjj", Role::CityDepartment, "KJJ");
    let botou = actor("botou", Role::CountyOperator, "130981");
    let edit = |c: &str, t: Option<i64>| clusterdesk_store::assessment::TargetEdit {
        county: c.into(),
        target: t,
    };

    // Before: the plan file's working figures, marked as such; 2024 has none.
    let t = store.above_scale_targets(&botou, 2025).await.unwrap();
    assert_eq!(t.rows.len(), 14);
    assert!(!t.can_edit);
    let bt = t.rows.iter().find(|r| r.county == "130981").unwrap();
    assert_eq!((bt.target, bt.source.code()), (Some(2), "plan"));
    assert_eq!(bt.source_text, "规划文件示例数");
    let t24 = store.above_scale_targets(&admin, 2024).await.unwrap();
    assert!(t24.can_edit);
    assert!(
        t24.rows
            .iter()
            .all(|r| r.target.is_none() && r.source.code() == "none")
    );

    // Only the bureau may set them.
    for who in [&botou, &kjj] {
        assert!(matches!(
            store
                .set_above_scale_targets(who, 2025, &[edit("130981", Some(3))], "")
                .await,
            Err(StoreError::Forbidden(_))
        ));
    }
    // A bad value anywhere refuses the whole edit, naming the county; nothing is written.
    let bad = [edit("130921", Some(1)), edit("130981", Some(-1))];
    match store.set_above_scale_targets(&admin, 2025, &bad, "").await {
        Err(StoreError::Invalid(m)) => assert!(m.contains("泊头市(130981)") && m.contains("负数"), "{m}"),
        other => panic!("{other:?}"),
    }
    for bad in [
        vec![edit("130921", Some(1)), edit("130999", Some(3))],
        vec![edit("130921", Some(10_001))],
    ] {
        assert!(matches!(
            store.set_above_scale_targets(&admin, 2025, &bad, "").await,
            Err(StoreError::Invalid(_))
        ));
    }
    for y in [2021, 2031] {
        assert!(matches!(
            store
                .set_above_scale_targets(&admin, y, &[edit("130921", Some(1))], "")
                .await,
            Err(StoreError::Invalid(_))
        ));
    }
    let t = store.above_scale_targets(&admin, 2025).await.unwrap();
    let c1 = t.rows.iter().find(|r| r.county == C[0]).unwrap();
    assert_eq!((c1.target, c1.source.code()), (Some(4), "plan"));
    assert!(log_rows(&store, "above_scale_target").await.is_empty());

    // Issued by the bureau.
    // The issuing account exists: the source names it by its display name.
    store
        .create_user(
            &Actor::system("setup"),
            clusterdesk_store::accounts::NewUser {
                username: "admin".into(),
                display_name: "市工信局管理员".into(),
                password: "Assess-Pass-2026!".into(),
                role: Role::CityAdmin,
                org_code: "130900".into(),
                temporary: false,
            },
        )
        .await
        .unwrap();
    let n = store
        .set_above_scale_targets(
            &admin,
            2025,
            &[edit(C[0], Some(1)), edit(C[1], Some(4)), edit("130981", Some(3))],
            "沧工信〔2025〕1号",
        )
        .await
        .unwrap();
    assert_eq!(n, 3);
    let t = store.above_scale_targets(&botou, 2025).await.unwrap();
    let bt = t.rows.iter().find(|r| r.county == "130981").unwrap();
    assert_eq!(
        (bt.target, bt.source.code(), bt.plan_target),
        (Some(3), "issued", Some(2))
    );
    assert!(
        bt.source_text.starts_with("市工信局下达(市工信局管理员,"),
        "{}",
        bt.source_text
    );
    assert_eq!(bt.note, "沧工信〔2025〕1号");
    let c3 = t.rows.iter().find(|r| r.county == C[2]).unwrap();
    assert_eq!((c3.target, c3.source.code()), (Some(2), "plan"));

    let r = store
        .assessment(&Actor::system("test"), &set, 2025, 12, today())
        .await
        .unwrap();
    assert_eq!(score(&r, C[0], "net_new_above_scale"), "83.33");
    assert_eq!(score(&r, C[1], "net_new_above_scale"), "62.50");
    assert_eq!(score(&r, "130981", "net_new_above_scale"), "0.00");
    assert_eq!(
        (r.rows[0].county.as_str(), r.rows[0].composite.as_str()),
        (C[0], "80.00")
    );
    assert_eq!(
        (r.rows[1].county.as_str(), r.rows[1].composite.as_str()),
        (C[1], "68.08")
    );
    assert_eq!(row(&r, "130981").composite, "20.77");
    let a = |c: &str| r.above_scale.iter().find(|x| x.county == c).unwrap().clone();
    assert_eq!(
        (a(C[0]).target, a(C[0]).attainment_pct.as_deref(), a(C[0]).gap),
        (Some(1), Some("100.00"), Some(0))
    );
    assert_eq!(a(C[1]).attainment_pct.as_deref(), Some("75.00"));
    let b = a("130981");
    assert_eq!(
        (b.target, b.attainment_pct.as_deref(), b.gap),
        (Some(3), Some("0.00"), Some(-3))
    );
    assert_eq!(b.target_source.code(), "issued");
    assert_eq!(a(C[2]).target_source_text, "规划文件示例数");
    assert!(
        r.above_scale_target_note.contains("3 个县(市)为市工信局下达"),
        "{}",
        r.above_scale_target_note
    );

    // The change log keeps old and new; the coordinating department (GXJ) may change it too;
    // an empty target returns the county to the plan file's figure.
    store
        .set_above_scale_targets(&gxj, 2025, &[edit("130981", Some(5)), edit(C[1], None)], "")
        .await
        .unwrap();
    let log = log_rows(&store, "above_scale_target").await;
    assert_eq!(log.len(), 5, "{log:?}");
    assert_eq!(
        log[2],
        ("2025/130981".into(), "create".into(), None, Some("3".into()))
    );
    assert_eq!(
        log[3],
        (
            "2025/130981".into(),
            "update".into(),
            Some("3".into()),
            Some("5".into())
        )
    );
    assert_eq!(
        log[4],
        (format!("2025/{}", C[1]), "delete".into(), Some("4".into()), None)
    );
    let t = store.above_scale_targets(&admin, 2025).await.unwrap();
    let c2 = t.rows.iter().find(|r| r.county == C[1]).unwrap();
    assert_eq!((c2.target, c2.source.code()), (Some(2), "plan"));

    // A year the plan file lacks: 2024 for 河间市.
    store
        .set_above_scale_targets(&admin, 2024, &[edit("130984", Some(7))], "")
        .await
        .unwrap();
    let t24 = store.above_scale_targets(&admin, 2024).await.unwrap();
    let hj = t24.rows.iter().find(|r| r.county == "130984").unwrap();
    assert_eq!(
        (hj.target, hj.source.code(), hj.plan_target),
        (Some(7), "issued", None)
    );
}

/// 三(二)1 finalized: the fixture's transfer (see the top) stored in fen; refused a second time,
/// refused to others; revoked with a reason, then finalized again on changed data: with 5 park
/// entries for c14 (河间市) in 2025-07, the last three are c13 (0, 14th) −500万 and c11, c12 (1
/// each, tied 12th–13th) pooling −100万 − 300万 → −200万 each; c14 (5, tied 5th) 0.
#[tokio::test]
async fn transfer_finalized_once_revoked_and_finalized_again() {
    let (store, _dir) = fixture().await;
    let set = policies(store.plan());
    let admin = actor("admin", Role::CityAdmin, "130900");
    let gxj = actor("gxj", Role::CityDepartment, "GXJ");
    let czj = actor("czj", Role::CityDepartment, "CZJ");
    let botou = actor("botou", Role::CountyOperator, "130981");

    let s = store
        .county_transfer(&czj, &set, 2025, 12, today())
        .await
        .unwrap();
    assert!(s.decision.finalized.is_none() && !s.decision.can_finalize);
    for who in [&botou, &czj] {
        assert!(matches!(
            store.finalize_county_transfer(who, &set, 2025, 12, today()).await,
            Err(StoreError::Forbidden(_))
        ));
    }
    // A year not yet complete is provisional.
    assert!(matches!(
        store
            .finalize_county_transfer(&admin, &set, 2025, 6, today())
            .await,
        Err(StoreError::Invalid(_))
    ));

    let s = store
        .finalize_county_transfer(&gxj, &set, 2025, 12, today())
        .await
        .unwrap();
    let f = s.decision.finalized.clone().unwrap();
    assert_eq!(f.finalized_by, "gxj");
    assert_eq!(
        (f.clause.as_str(), f.policy.as_str()),
        ("三(二)1", "park_entry_ranking")
    );
    let fin = |f: &clusterdesk_store::assessment::FinalizedTransfer, c: &str| {
        let r = f.rows.iter().find(|r| r.county == c).unwrap();
        (r.rank, r.entries, r.amount_fen)
    };
    assert_eq!(f.rows.len(), 14);
    assert_eq!(fin(&f, C[0]), (1, 10, 500_000_000));
    assert_eq!(fin(&f, C[1]), (2, 8, 200_000_000));
    assert_eq!(fin(&f, C[2]), (2, 8, 200_000_000));
    assert_eq!(fin(&f, C[5]), (6, 4, 0));
    assert_eq!(fin(&f, C[10]), (11, 1, -50_000_000));
    assert_eq!(fin(&f, C[11]), (11, 1, -50_000_000));
    assert_eq!(fin(&f, C[12]), (13, 0, -400_000_000));
    assert_eq!(fin(&f, C[13]), (13, 0, -400_000_000));
    assert_eq!(f.total_fen, 0);
    assert!(s.decision.differences.is_empty());

    // Once: a second finalization is a conflict; the county and 市财政局 read it.
    assert!(matches!(
        store
            .finalize_county_transfer(&admin, &set, 2025, 12, today())
            .await,
        Err(StoreError::Conflict(_))
    ));
    let s = store
        .county_transfer(&botou, &set, 2025, 12, today())
        .await
        .unwrap();
    assert_eq!(s.decision.finalized.unwrap().rows.len(), 14);
    assert!(!s.decision.can_revoke);
    let r = store.assessment(&czj, &set, 2025, 12, today()).await.unwrap();
    assert!(r.transfer_decision.finalized.is_some());

    // Data changes after finalizing (the city unlocks the accepted month, the county
    // corrects it): the difference is shown.
    store
        .transition(
            &admin,
            "cluster_monthly",
            C[13],
            "2025-07",
            clusterdesk_store::reporting::Action::Unlock,
            "更正园区入驻数",
        )
        .await
        .unwrap();
    store
        .upsert_values(
            &Actor::system("test"),
            &[v(
                &store.plan().clusters_of(C[13])[0].code,
                "park_entries",
                "2025-07",
                5,
            )],
        )
        .await
        .unwrap();
    let s = store
        .county_transfer(&admin, &set, 2025, 12, today())
        .await
        .unwrap();
    assert!(s.decision.can_revoke);
    let d = s.decision.differences.join("\n");
    assert!(
        d.contains("河间市:定稿时入园 0 家、-4,000,000.00 元,现按最新数据为入园 5 家、0.00 元"),
        "{d}"
    );

    // Revoking: a city administrator, with a reason.
    assert!(matches!(
        store
            .revoke_county_transfer(&gxj, 2025, "数据更正后重新定稿")
            .await,
        Err(StoreError::Forbidden(_))
    ));
    assert!(matches!(
        store.revoke_county_transfer(&admin, 2025, "  ").await,
        Err(StoreError::Invalid(_))
    ));
    store
        .revoke_county_transfer(&admin, 2025, "河间市补报7月入园企业,数据更正后重新定稿")
        .await
        .unwrap();
    assert!(matches!(
        store.revoke_county_transfer(&admin, 2025, "再次撤销试试").await,
        Err(StoreError::NotFound(_))
    ));
    let log = log_rows(&store, "county_transfer").await;
    assert_eq!(log.len(), 2);
    assert_eq!((log[0].0.as_str(), log[0].1.as_str()), ("2025", "finalize"));
    assert_eq!((log[1].0.as_str(), log[1].1.as_str()), ("2025", "revoke"));
    let old = log[1].2.clone().unwrap();
    assert!(old.contains("\"amount_fen\":-400000000"), "{old}");
    assert!(log[1].3.clone().unwrap().contains("补报7月"));
    let s = store
        .county_transfer(&admin, &set, 2025, 12, today())
        .await
        .unwrap();
    assert!(s.decision.finalized.is_none() && s.decision.can_finalize);
    assert_eq!(s.decision.last_revocation.unwrap().revoked_by, "admin");

    let s = store
        .finalize_county_transfer(&admin, &set, 2025, 12, today())
        .await
        .unwrap();
    let f = s.decision.finalized.unwrap();
    assert_eq!(fin(&f, C[0]), (1, 10, 500_000_000));
    assert_eq!(fin(&f, C[10]), (12, 1, -200_000_000));
    assert_eq!(fin(&f, C[11]), (12, 1, -200_000_000));
    assert_eq!(fin(&f, C[12]), (14, 0, -500_000_000));
    assert_eq!(fin(&f, C[13]), (5, 5, 0));
    assert_eq!(f.total_fen, 0);
}
