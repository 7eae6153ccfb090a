//! The Cangzhou plan as shipped. Expected values are read off the policy text
//! (沧政办规〔2022〕13号, seed/000_1fd0ebb41e88c6b0.txt) by hand.

use clusterdesk_domain::Fen;
use clusterdesk_plan::*;
use rust_decimal::Decimal;

fn plan() -> Plan {
    Plan::embedded().unwrap_or_else(|e| panic!("embedded plan does not load: {e}"))
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn yi(n: i64) -> Fen {
    Fen::from_yuan(n * 100_000_000)
}

#[test]
fn meta() {
    let p = plan();
    assert_eq!(p.meta.id, "cangzhou-2022-13");
    assert_eq!(p.meta.doc_number, "沧政办规〔2022〕13号");
    assert_eq!(p.meta.name, "沧州市县域特色产业集群转型升级工作方案");
    assert_eq!(p.meta.issued, "2022-08-10");
    assert_eq!(p.meta.published, "2022-08-29");
    assert_eq!(p.meta.city.as_str(), "130900");
    assert_eq!((p.meta.baseline_year, p.meta.target_year), (2021, 2025));
    assert!(p.meta.counties_responsible_for_all_tasks);
    assert_eq!(p.org_unit(&p.meta.coordinator).unwrap().name, "市工信局");
    assert_eq!(p.city().name, "沧州市");
}

#[test]
fn fourteen_counties_in_code_order() {
    let p = plan();
    let names: Vec<&str> = p.counties().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "沧县",
            "青县",
            "东光县",
            "海兴县",
            "盐山县",
            "肃宁县",
            "南皮县",
            "吴桥县",
            "献县",
            "孟村回族自治县",
            "泊头市",
            "任丘市",
            "黄骅市",
            "河间市"
        ]
    );
    assert!(p.counties().all(|c| c.parent.as_deref() == Some("130900")));
    // Every county owns at least one cluster; districts and zones own none.
    for c in p.counties() {
        assert!(!p.clusters_of(&c.code).is_empty(), "{} has no cluster", c.name);
    }
    for code in ["130902", "130903", "130971", "130972", "130973"] {
        assert!(p.clusters_of(code).is_empty());
    }
}

#[test]
fn clusters_per_county_as_in_the_attachment_list() {
    let p = plan();
    assert_eq!(p.clusters.len(), 45);
    let expected = [
        ("黄骅市", vec!["化工", "模具", "汽车及零部件", "五金"]),
        (
            "任丘市",
            vec![
                "新型建材",
                "电子通讯设备",
                "合金制品",
                "交通设备",
                "电力设备制造",
                "橡胶塑料制品",
                "石油化工",
            ],
        ),
        (
            "河间市",
            vec!["电线电缆", "保温材料", "工艺玻璃", "汽车配件", "再制造"],
        ),
        ("泊头市", vec!["环保设备", "汽车模具", "铸造"]),
        ("肃宁县", vec!["电器电料", "皮革皮毛", "食品加工", "针纺"]),
        ("献县", vec!["汽车后市场", "建仪建材", "扣件铸造", "食品饮品"]),
        ("吴桥县", vec!["杂技文化旅游"]),
        ("东光县", vec!["化工", "包装机械", "塑料包装"]),
        ("南皮县", vec!["五金机电"]),
        ("青县", vec!["食品饮料", "石油器材", "电子机箱"]),
        (
            "沧县",
            vec![
                "药包材及包装印刷",
                "红枣及食品加工",
                "机械制造",
                "管件与铸造",
                "电子设备",
                "时尚服装服饰",
            ],
        ),
        ("孟村回族自治县", vec!["弯头管件"]),
        ("盐山县", vec!["管道装备"]),
        ("海兴县", vec!["体育器材", "鱼子鱼粉"]),
    ];
    let mut total = 0;
    for (county, names) in expected {
        let c = p.county_by_name(county).unwrap_or_else(|| panic!("{county}"));
        let got: Vec<&str> = p.clusters_of(&c.code).iter().map(|x| x.name.as_str()).collect();
        assert_eq!(got, names, "{county}");
        total += names.len();
    }
    assert_eq!(total, 45);
}

#[test]
fn botou_and_renqiu() {
    let p = plan();
    let botou: Vec<(&str, u32)> = p
        .clusters_of("130981")
        .iter()
        .map(|c| (c.name.as_str(), c.attachment))
        .collect();
    assert_eq!(botou, [("环保设备", 17), ("汽车模具", 18), ("铸造", 19)]);
    assert_eq!(p.clusters_of("130982").len(), 7);
    assert_eq!(p.org_unit("130981").unwrap().name, "泊头市");
}

#[test]
fn attachments_are_one_to_forty_five_and_codes_follow_them() {
    let p = plan();
    let mut att: Vec<u32> = p.clusters.iter().map(|c| c.attachment).collect();
    att.sort();
    assert_eq!(att, (1..=45).collect::<Vec<u32>>());
    for c in &p.clusters {
        assert_eq!(c.code, format!("C{:02}", c.attachment));
        assert!(!c.industries.is_empty());
        assert!(c.full_name.ends_with("产业集群"), "{}", c.full_name);
    }
    assert_eq!(p.cluster("C01").unwrap().full_name, "黄骅市化工产业集群");
    assert_eq!(p.cluster("C28").unwrap().full_name, "吴桥杂技文化旅游产业集群");
    assert_eq!(p.cluster("C42").unwrap().full_name, "孟村县弯头管件产业集群");
    assert_eq!(p.cluster("C43").unwrap().county, "130925");
}

#[test]
fn industries_are_plausible() {
    let p = plan();
    let codes = |c: &str| -> Vec<String> {
        p.cluster(c)
            .unwrap()
            .industries
            .iter()
            .map(|i| i.to_string())
            .collect()
    };
    // 环保设备 → 3591 环境保护专用设备制造; 铸造 → 3391/3392; 模具 → 3525.
    assert_eq!(codes("C17"), ["C3591"]);
    assert_eq!(codes("C19"), ["C3391", "C3392"]);
    assert_eq!(codes("C02"), ["C3525"]);
    // 杂技文化旅游 is not manufacturing.
    let acro = p.cluster("C28").unwrap();
    assert!(acro.industries.iter().all(|i| !i.is_manufacturing()));
    assert!(acro.industries.iter().any(|i| i.section() == 'R'));
    // Every other cluster is an industrial one (汽车后市场 mixes in trade and repair).
    for c in p.clusters.iter().filter(|c| c.code != "C28") {
        assert!(c.industries.iter().any(|i| i.is_manufacturing()), "{}", c.name);
    }
}

#[test]
fn names_and_aliases_resolve() {
    let p = plan();
    assert_eq!(p.county_by_name("孟村县").unwrap().code, "130930");
    assert_eq!(p.county_by_name("孟村回族自治县").unwrap().code, "130930");
    assert_eq!(p.county_by_name("吴桥").unwrap().code, "130928");
    assert_eq!(p.county_by_name("吴桥县").unwrap().code, "130928");
    assert_eq!(p.county_by_name(" 黄骅市 ").unwrap().code, "130983");
    assert!(p.county_by_name("新华区").is_none());
    assert!(p.county_by_name("渤海新区").is_none());
    assert_eq!(p.org_unit_by_name("沧州开发区").unwrap().code, "130971");
    assert_eq!(p.org_unit_by_name("沧州渤海新区").unwrap().kind, OrgKind::Zone);
    assert_eq!(
        p.org_unit_by_name("市民营经济领导小组办公室").unwrap().code,
        "GXJ"
    );
}

#[test]
fn departments_named_in_the_text() {
    let p = plan();
    let want = [
        ("ZZB", "市委组织部"),
        ("KJJ", "市科技局"),
        ("RSJ", "市人社局"),
        ("JYJ", "市教育局"),
        ("GXJ", "市工信局"),
        ("CZJ", "市财政局"),
        ("FGW", "市发改委"),
        ("SWJ", "市商务局"),
        ("ZGJ", "市自规局"),
        ("SWUJ", "市税务局"),
        ("YJJ", "市应急局"),
        ("STHJJ", "市生态环境局"),
        ("GDGS", "市供电公司"),
        ("XZSPJ", "市行政审批局"),
        ("JRJGJ", "市金融监管局"),
        ("SCJGJ", "市市场监管局"),
    ];
    for (code, name) in want {
        let u = p.org_unit(code).unwrap_or_else(|| panic!("{code}"));
        assert_eq!((u.name.as_str(), u.kind), (name, OrgKind::Department));
    }
    assert_eq!(p.departments().count(), 16);
    assert_eq!(OrgKind::County.code(), "county");
    assert_eq!(OrgKind::County.label_zh(), "县(市)");
}

#[test]
fn twelve_targets_for_2025() {
    let p = plan();
    assert_eq!(
        p.target_clauses(),
        [
            "二.1a", "二.1b", "二.1c", "二.2a", "二.2b", "二.2c", "二.3a", "二.3b", "二.3c", "二.4a",
            "二.4b", "二.4c"
        ]
    );
    assert!(p.targets.iter().all(|t| t.deadline_year == 2025));
    let t = |id: &str| p.target(id).unwrap_or_else(|| panic!("{id}"));

    let a = t("二.1a");
    assert_eq!(
        (a.indicator.as_str(), a.measure, a.comparison),
        ("revenue", Measure::CountOfClustersAbove, Comparison::Ge)
    );
    assert_eq!(a.target_value, Some(dec("25")));
    assert_eq!(a.threshold_low, Some(yi(100)));
    assert!(a.strive);
    assert_eq!(t("二.1b").target_value, Some(dec("2")));
    assert_eq!(t("二.1b").threshold_low, Some(yi(500)));
    assert_eq!(t("二.1c").target_value, Some(dec("8")));
    assert_eq!(
        (t("二.1c").threshold_low, t("二.1c").threshold_high),
        (Some(yi(200)), Some(yi(500)))
    );

    let g = t("二.2a");
    assert_eq!((g.indicator.as_str(), g.measure), ("rd_expense", Measure::Growth));
    assert_eq!(
        (g.annual_growth_pct, g.baseline_year, g.comparison),
        (Some(dec("15")), Some(2021), Comparison::Ge)
    );
    let g = t("二.2b");
    assert_eq!(
        (g.indicator.as_str(), g.annual_growth_pct),
        ("invention_patents", Some(dec("20")))
    );
    let c = t("二.2c");
    assert_eq!(
        (c.measure, c.comparison, c.target_value),
        (Measure::Level, Comparison::Gt, Some(dec("150")))
    );
    assert!(!c.strive);

    assert_eq!(t("二.3a").target_value, Some(dec("1300")));
    assert_eq!(t("二.3a").comparison, Comparison::Ge);
    assert_eq!(t("二.3b").target_value, Some(dec("600")));
    let l = t("二.3c");
    assert_eq!(
        (l.target_value, l.comparison, l.strive),
        (Some(dec("45")), Comparison::Ge, true)
    );
    let parts: Vec<&str> = p
        .targets_of_clause("二.3c")
        .iter()
        .map(|t| t.id.as_str())
        .collect();
    assert_eq!(parts, ["二.3c", "二.3c-main"]);
    let m = t("二.3c-main");
    assert_eq!(
        (m.indicator.as_str(), m.comparison, m.target_value),
        ("listed_main_board", Comparison::Gt, Some(dec("10")))
    );

    let tm = t("二.4a");
    assert_eq!(
        (tm.measure, tm.comparison),
        (Measure::FlowSinceBaseline, Comparison::Range)
    );
    assert_eq!((tm.target_value, tm.target_max), (Some(dec("2")), Some(dec("3"))));
    let s = t("二.4b");
    assert_eq!(
        (s.measure, s.target_value, s.baseline_year),
        (Measure::FlowSinceBaseline, Some(dec("30")), Some(2021))
    );
    let d = t("二.4c");
    assert_eq!(
        (d.indicator.as_str(), d.target_value, d.comparison),
        ("digitalization_rate", Some(dec("60")), Comparison::Ge)
    );
    assert_eq!(
        p.indicator("digitalization_rate").unwrap().value_type,
        ValueType::Percent
    );

    let strive: Vec<&str> = p
        .targets
        .iter()
        .filter(|t| t.strive)
        .map(|t| t.clause.as_str())
        .collect();
    assert_eq!(strive, ["二.1a", "二.1b", "二.1c", "二.3c", "二.3c"]);
}

#[test]
fn revenue_bands_follow_the_wording() {
    let p = plan();
    let (a, b, c) = (
        p.target("二.1a").unwrap(),
        p.target("二.1b").unwrap(),
        p.target("二.1c").unwrap(),
    );
    // 超百亿: exactly 100亿 is not over it; one fen more is.
    assert!(!a.in_band(yi(100)));
    assert!(a.in_band(yi(100) + Fen(1)));
    // 超500亿 is strict, and exactly 500亿 falls in 200–500亿.
    assert!(!b.in_band(yi(500)));
    assert!(b.in_band(yi(500) + Fen(1)));
    assert!(c.in_band(yi(500)));
    assert!(!c.in_band(yi(500) + Fen(1)));
    assert!(c.in_band(yi(200)));
    assert!(!c.in_band(yi(200) - Fen(1)));
    // Comparisons: 突破150 needs 151; a 2–3 range is met by 2.
    assert_eq!(Comparison::Gt.met(dec("150"), dec("150")), Some(false));
    assert_eq!(Comparison::Gt.met(dec("151"), dec("150")), Some(true));
    assert_eq!(Comparison::Range.met(dec("2"), dec("2")), Some(true));
    assert_eq!(Comparison::Approx.met(dec("9"), dec("10")), None);
}

#[test]
fn indicators_needed_by_targets_and_quotas() {
    let p = plan();
    for code in [
        "revenue",
        "value_added",
        "rd_expense",
        "invention_patents",
        "innovation_platforms",
        "high_tech_enterprises",
        "innovative_smes",
        "specialized_smes",
        "little_giants",
        "listed_main_board",
        "listed_other_boards",
        "well_known_trademarks",
        "standards",
        "digitalization_rate",
        "above_scale_enterprises",
        "employees",
        "tax_paid",
        "energy_consumption",
        "land_area",
        "park_entries",
        "diagnosis_visits",
        "design_sessions",
        "design_results",
        "jiebang_projects",
        "new_platforms",
    ] {
        assert!(p.indicator(code).is_some(), "{code}");
    }
    let rev = p.indicator("revenue").unwrap();
    assert_eq!(
        (rev.value_type, rev.unit.as_str(), rev.scale),
        (ValueType::Money, "元", 2)
    );
    assert_eq!(
        (rev.aggregation, rev.time_aggregation),
        (Aggregation::Sum, Aggregation::Sum)
    );
    let pat = p.indicator("invention_patents").unwrap();
    assert_eq!(
        (pat.aggregation, pat.time_aggregation, pat.reporting_form),
        (Aggregation::Sum, Aggregation::Last, ReportingForm::Stock)
    );
    assert_eq!(rev.to_stored(dec("1.5")), Some(150));
    assert_eq!(rev.to_stored(dec("0.001")), None);
    let pct = p.indicator("digitalization_rate").unwrap();
    assert_eq!(pct.to_stored(dec("60")), Some(6000));
    assert_eq!(pct.from_stored(6050), dec("60.5"));
    assert_eq!(
        p.indicator("high_tech_enterprises")
            .unwrap()
            .to_stored(dec("1.5")),
        None
    );
    assert_eq!(p.indicator("land_area").unwrap().unit, "亩");
    assert_eq!(p.indicator("energy_consumption").unwrap().unit, "吨标准煤");
}

#[test]
fn quotas() {
    let p = plan();
    let q = |id: &str| p.quota(id).unwrap_or_else(|| panic!("{id}"));
    let jb = q("三(一)2");
    assert_eq!(
        (jb.min, jb.max, jb.per, jb.scope),
        (Some(dec("3")), Some(dec("5")), Per::Year, Scope::City)
    );
    assert_eq!(q("三(一)3").approx, Some(dec("10")));
    assert_eq!(
        (q("三(二)3").min, q("三(二)3").indicator.as_str()),
        (Some(dec("600")), "diagnosis_visits")
    );
    let lead = q("三(五)1");
    assert_eq!(
        (lead.min, lead.max, lead.per, lead.scope),
        (Some(dec("2")), Some(dec("3")), Per::Standing, Scope::Cluster)
    );
    assert_eq!(
        (q("三(五)2a").min, q("三(五)2a").max, q("三(五)2a").scope),
        (Some(dec("3")), Some(dec("5")), Scope::County)
    );
    assert_eq!(
        (q("三(五)2b").approx, q("三(五)2b").scope),
        (Some(dec("50")), Scope::City)
    );
    assert_eq!(
        (q("三(六)3a").min, q("三(六)3a").scope),
        (Some(dec("8")), Scope::City)
    );
    assert_eq!(
        (q("三(六)3b").min, q("三(六)3b").scope),
        (Some(dec("10")), Scope::County)
    );
    assert_eq!(
        (q("三(六)3c").min, q("三(六)3c").scope),
        (Some(dec("10")), Scope::City)
    );
    assert_eq!(p.quotas.len(), 9);
    // How each is counted: the registry for 三(五), reported values (with the registry's
    // recognitions when none are reported) for 三(一)3, reported values for the rest.
    let quals = |kinds: &[&str], levels: &[&str]| ValueSource::Qualifications {
        kinds: kinds.iter().map(|k| k.to_string()).collect(),
        levels: levels.iter().map(|l| l.to_string()).collect(),
        rows: false,
    };
    assert_eq!(q("三(五)1").source, quals(&["leading_enterprise"], &[]));
    assert_eq!(q("三(五)2a").source, quals(&["listing_pool"], &[]));
    assert_eq!(q("三(五)2b").source, quals(&["listing_pool"], &["city_key"]));
    assert_eq!(q("三(一)3").source, ValueSource::Reported);
    assert_eq!(
        q("三(一)3").fallback,
        Some(ValueSource::Recognitions {
            kind: "innovation_platform".into(),
            levels: vec!["provincial".into(), "national".into()]
        })
    );
    let reported = p
        .quotas
        .iter()
        .filter(|q| q.source == ValueSource::Reported && q.fallback.is_none())
        .count();
    assert_eq!(reported, 5);
    // The registry kinds the progress pages read: the targets' 6 and the quotas' 2 more.
    assert_eq!(
        p.qualification_kinds(),
        [
            "high_tech",
            "innovation_platform",
            "innovative_sme",
            "leading_enterprise",
            "listed",
            "listing_pool",
            "little_giant",
            "specialized_sme",
            "well_known_trademark"
        ]
    );
}

#[test]
fn tasks_and_their_responsible_units() {
    let p = plan();
    let names = |id: &str| -> Vec<String> {
        p.task(id)
            .unwrap()
            .responsible
            .iter()
            .map(|c| p.org_unit(c).unwrap().name.clone())
            .collect()
    };
    assert_eq!(names("三(一)2"), ["市科技局", "市工信局", "市财政局"]);
    assert_eq!(
        names("三(一)1"),
        ["市委组织部", "市科技局", "市人社局", "市教育局"]
    );
    assert_eq!(
        names("三(二)2"),
        [
            "市工信局",
            "市税务局",
            "市应急局",
            "市生态环境局",
            "市自规局",
            "市供电公司",
            "市财政局"
        ]
    );
    assert_eq!(
        names("三(五)2"),
        ["市金融监管局", "市工信局", "市税务局", "市财政局"]
    );
    assert_eq!(names("三(六)2"), ["市市场监管局", "市工信局"]);
    let t = p.task("三(一)1").unwrap();
    assert_eq!(t.title, "优化育引模式,加速创新人才引进和培养");
    assert_eq!(
        (t.action.as_str(), t.action_title.as_str(), t.item),
        ("三(一)", "开展产业集群创新激活行动", 1)
    );
    // Section 三 has 3+3+2+2+3+3 items; section 四 has five safeguards.
    let per_action = |a: &str| p.tasks.iter().filter(|t| t.action == a).count();
    let counts: Vec<usize> = ["三(一)", "三(二)", "三(三)", "三(四)", "三(五)", "三(六)", "四"]
        .iter()
        .map(|a| per_action(a))
        .collect();
    assert_eq!(counts, [3, 3, 2, 2, 3, 3, 5]);
    assert_eq!(p.task("四(三)").unwrap().title, "深化包联帮扶");
    // 市工信局 is named in every action item of 三 except 三(一)1.
    assert_eq!(
        p.tasks_of("GXJ")
            .iter()
            .filter(|t| t.action.starts_with('三'))
            .count(),
        15
    );
}

#[test]
fn load_dir_reads_the_same_plan() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../plan");
    let from_dir = Plan::load_dir(&dir).unwrap();
    let embedded = plan();
    assert_eq!(from_dir.clusters, embedded.clusters);
    assert_eq!(from_dir.targets, embedded.targets);
    assert_eq!(from_dir.tasks, embedded.tasks);
    // Other crates' files are passed on, ours are not.
    assert!(from_dir.extra_file("clusters.csv").is_none());
    assert!(
        from_dir
            .extra_files
            .iter()
            .all(|f| !f.path.starts_with('/') && !f.path.contains('\\'))
    );
}

#[test]
fn indicator_sources_of_the_targets() {
    // The targets of 二 counted from qualifications or enterprises name their source; the rest
    // are reported on clusters.
    let plan = Plan::embedded().unwrap();
    let src = |code: &str| plan.indicator(code).unwrap().source.clone();
    let q = |kinds: &[&str], levels: &[&str], rows: bool| ValueSource::Qualifications {
        kinds: kinds.iter().map(|k| k.to_string()).collect(),
        levels: levels.iter().map(|k| k.to_string()).collect(),
        rows,
    };
    assert_eq!(src("invention_patents"), ValueSource::EnterpriseStock);
    assert_eq!(
        src("innovation_platforms"),
        q(&["innovation_platform"], &["provincial", "national"], true)
    );
    assert_eq!(src("high_tech_enterprises"), q(&["high_tech"], &[], false));
    assert_eq!(
        src("innovative_specialized_smes"),
        q(&["innovative_sme", "specialized_sme", "little_giant"], &[], false)
    );
    assert_eq!(src("listed_or_quoted"), q(&["listed"], &[], false));
    assert_eq!(src("listed_main_board"), q(&["listed"], &["main_board"], false));
    assert_eq!(
        src("well_known_trademarks"),
        ValueSource::Recognitions {
            kind: "well_known_trademark".into(),
            levels: vec![]
        }
    );
    assert_eq!(src("revenue"), ValueSource::Reported);
    let counted = plan
        .indicators
        .iter()
        .filter(|i| i.source != ValueSource::Reported)
        .count();
    assert_eq!(counted, 7);
}
