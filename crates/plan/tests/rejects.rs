//! Broken plans are refused with the file, the 1-based line (header = line 1) and the column.

use clusterdesk_plan::*;

const META: &str = r#"id: test-plan
name: 测试方案
doc_number: 测试〔2024〕1号
issued: "2024-01-10"
published: "2024-01-12"
city: "130900"
baseline_year: 2023
target_year: 2025
coordinator: GXJ
"#;

const ORG: &str = "code,name,kind,parent,aliases,note
130900,沧州市,city,,,
130981,泊头市,county,130900,泊头,
130902,新华区,district,130900,,
GXJ,市工信局,department,130900,,
CZJ,市财政局,department,130900,,
";

const CLUSTERS: &str = "code,name,county,attachment,industries,full_name,note
C01,环保设备,130981,1,3591,泊头市环保设备产业集群,
C02,铸造,130981,2,C3391;3392,泊头市铸造产业集群,
";

const INDICATORS: &str = "code,name_zh,name_en,unit,value_type,scale,aggregation,time_aggregation,period_type,reporting_form,level,note
revenue,营业收入,Operating revenue,元,money,2,sum,sum,month,cumulative,both,
rd_expense,研发投入,R&D expenditure,元,money,2,sum,sum,quarter,cumulative,both,
standards,参与制修订标准数,Standards,项,count,0,sum,sum,month,monthly,both,
";

const TARGETS: &str = "id,clause,name,indicator,measure,comparison,target_value,target_max,threshold_low_yuan,low_inclusive,threshold_high_yuan,high_inclusive,annual_growth_pct,baseline_year,deadline_year,strive,scope,note
二.1a,二.1a,超百亿集群,revenue,count_of_clusters_above,ge,1,,10000000000,false,,,,,2025,true,city,
二.2a,二.2a,研发投入增长,rd_expense,growth,ge,,,,,,,15,2023,2025,false,city,
二.4b,二.4b,新增标准,standards,flow_since_baseline,ge,30,,,,,,,2023,2025,false,city,
";

const QUOTAS: &str = "id,clause,name,indicator,per,min,max,approx,scope,note
三(六)3,三(六)3,标准,standards,year,10,,,city,
";

const TASKS: &str = "id,clause,action,action_title,item,title,responsible,summary,note
三(一)2,三(一)2,三(一),开展产业集群创新激活行动,2,\"加强产学研合作,攻关一批关键核心技术\",GXJ;CZJ,联合攻关。,
";

const DATASETS: &str = "datasets:
  - code: cluster_monthly
    name: 集群月报
    period_type: month
    level: cluster
    entered_by: county
    deadline_day: 10
    clause: 四(四)
    indicators: [revenue, standards]
  - code: cluster_quarterly
    name: 集群季度情况
    period_type: quarter
    level: cluster
    entered_by: county
    deadline_day: 15
    clause: 四(四)
    indicators: [rd_expense]
";

fn files() -> Vec<SourceFile> {
    [
        ("datasets.yaml", DATASETS),
        ("plan.yaml", META),
        ("org_units.csv", ORG),
        ("clusters.csv", CLUSTERS),
        ("indicators.csv", INDICATORS),
        ("targets.csv", TARGETS),
        ("quotas.csv", QUOTAS),
        ("tasks.csv", TASKS),
        ("policies/x.yaml", "id: x\n"),
        ("README.md", "# 测试\n"),
    ]
    .into_iter()
    .map(|(path, text)| SourceFile {
        path: path.into(),
        text: text.into(),
    })
    .collect()
}

/// The small set with one file's text replaced.
fn with(path: &str, text: &str) -> Vec<SourceFile> {
    let mut f = files();
    f.iter_mut().find(|f| f.path == path).unwrap().text = text.to_string();
    f
}

/// The small set with one line (1-based) of one file replaced.
fn with_line(path: &str, line: usize, new: &str) -> Vec<SourceFile> {
    let original = files().into_iter().find(|f| f.path == path).unwrap().text;
    let mut lines: Vec<&str> = original.lines().collect();
    lines[line - 1] = new;
    with(path, &(lines.join("\n") + "\n"))
}

fn refused(files: Vec<SourceFile>) -> PlanError {
    match Plan::from_files(files) {
        Ok(_) => panic!("a broken plan was accepted"),
        Err(e) => e,
    }
}

fn assert_at(e: &PlanError, file: &str, line: usize, column: Option<&str>, needle: &str) {
    assert_eq!(e.file, file, "{e}");
    assert_eq!(e.line, Some(line), "{e}");
    assert_eq!(e.column.as_deref(), column, "{e}");
    assert!(
        e.message.contains(needle),
        "message “{}” lacks “{needle}”",
        e.message
    );
    assert!(e.to_string().starts_with(&format!("{file} 第{line}行")), "{e}");
}

#[test]
fn the_small_plan_loads() {
    let p = Plan::from_files(files()).unwrap();
    assert_eq!(p.clusters.len(), 2);
    assert_eq!(p.counties().count(), 1);
    assert_eq!(p.county_by_name("泊头").unwrap().code, "130981");
    assert_eq!(p.clusters_of("130981").len(), 2);
    let extra: Vec<&str> = p.extra_files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(extra, ["README.md", "policies/x.yaml"]);
    assert_eq!(p.cluster("C02").unwrap().industries[0].as_str(), "3391");
    assert_eq!(
        p.task("三(一)2").unwrap().title,
        "加强产学研合作,攻关一批关键核心技术"
    );
}

#[test]
fn cluster_on_an_unknown_county() {
    let e = refused(with_line(
        "clusters.csv",
        3,
        "C02,铸造,130999,2,3391,泊头市铸造产业集群,",
    ));
    assert_at(&e, "clusters.csv", 3, Some("county"), "130999");
    assert_eq!(
        e.to_string(),
        "clusters.csv 第3行 county列: 县(市)代码“130999”不在组织机构表中"
    );
}

#[test]
fn cluster_on_a_unit_that_is_not_a_county() {
    let e = refused(with_line(
        "clusters.csv",
        2,
        "C01,环保设备,130902,1,3591,新华区环保设备产业集群,",
    ));
    assert_at(&e, "clusters.csv", 2, Some("county"), "新华区");
    let e = refused(with_line(
        "clusters.csv",
        2,
        "C01,环保设备,GXJ,1,3591,环保设备产业集群,",
    ));
    assert_at(&e, "clusters.csv", 2, Some("county"), "部门");
}

#[test]
fn duplicate_cluster_code() {
    let e = refused(with_line(
        "clusters.csv",
        3,
        "C01,铸造,130981,2,3391,泊头市铸造产业集群,",
    ));
    assert_at(&e, "clusters.csv", 3, Some("code"), "第2行");
}

#[test]
fn duplicate_attachment_number() {
    let e = refused(with_line(
        "clusters.csv",
        3,
        "C02,铸造,130981,1,3391,泊头市铸造产业集群,",
    ));
    assert_at(&e, "clusters.csv", 3, Some("attachment"), "附件序号1");
}

#[test]
fn bad_industry_code() {
    let e = refused(with_line(
        "clusters.csv",
        2,
        "C01,环保设备,130981,1,3591;98,泊头市环保设备产业集群,",
    ));
    assert_at(&e, "clusters.csv", 2, Some("industries"), "98");
    let e = refused(with_line(
        "clusters.csv",
        3,
        "C02,铸造,130981,2,A3391,泊头市铸造产业集群,",
    ));
    assert_at(&e, "clusters.csv", 3, Some("industries"), "A3391");
    let e = refused(with_line(
        "clusters.csv",
        3,
        "C02,铸造,130981,2,,泊头市铸造产业集群,",
    ));
    assert_at(&e, "clusters.csv", 3, Some("industries"), "不能为空");
}

#[test]
fn target_on_an_unknown_indicator() {
    let e = refused(with_line(
        "targets.csv",
        3,
        "二.2a,二.2a,研发投入增长,rd_spend,growth,ge,,,,,,,15,2023,2025,false,city,",
    ));
    assert_at(&e, "targets.csv", 3, Some("indicator"), "rd_spend");
}

#[test]
fn quota_on_an_unknown_indicator() {
    let e = refused(with_line(
        "quotas.csv",
        2,
        "三(六)3,三(六)3,标准,patents,year,10,,,city,",
    ));
    assert_at(&e, "quotas.csv", 2, Some("indicator"), "patents");
}

#[test]
fn target_shape_follows_its_measure() {
    // A growth target without a rate, a range without its top, a clause that does not prefix the id.
    let e = refused(with_line(
        "targets.csv",
        3,
        "二.2a,二.2a,研发投入增长,rd_expense,growth,ge,,,,,,,,2023,2025,false,city,",
    ));
    assert_at(&e, "targets.csv", 3, Some("annual_growth_pct"), "年均增长率");
    let e = refused(with_line(
        "targets.csv",
        4,
        "二.4b,二.4b,新增标准,standards,flow_since_baseline,range,2,,,,,,,2023,2025,false,city,",
    ));
    assert_at(&e, "targets.csv", 4, Some("target_max"), "上限");
    let e = refused(with_line(
        "targets.csv",
        4,
        "二.4x,二.4b,新增标准,standards,flow_since_baseline,ge,30,,,,,,,2023,2025,false,city,",
    ));
    assert_at(&e, "targets.csv", 4, Some("id"), "二.4b");
    let e = refused(with_line(
        "targets.csv",
        2,
        "二.1a,二.1a,超百亿集群,revenue,count_of_clusters_above,ge,1,,100亿,false,,,,,2025,true,city,",
    ));
    assert_at(&e, "targets.csv", 2, Some("threshold_low_yuan"), "100亿");
}

#[test]
fn bad_enum_values() {
    let e = refused(with_line(
        "targets.csv",
        2,
        "二.1a,二.1a,超百亿集群,revenue,count_of_clusters_above,gte,1,,10000000000,false,,,,,2025,true,city,",
    ));
    assert_at(&e, "targets.csv", 2, Some("comparison"), "gte");
    let e = refused(with_line(
        "org_units.csv",
        3,
        "130981,泊头市,county_city,130900,,",
    ));
    assert_at(&e, "org_units.csv", 3, Some("kind"), "county_city");
    let e = refused(with_line(
        "indicators.csv",
        4,
        "standards,参与制修订标准数,Standards,项,count,0,sum,sum,week,monthly,both,",
    ));
    assert_at(&e, "indicators.csv", 4, Some("period_type"), "week");
    let e = refused(with_line(
        "quotas.csv",
        2,
        "三(六)3,三(六)3,标准,standards,month,10,,,city,",
    ));
    assert_at(&e, "quotas.csv", 2, Some("per"), "month");
    let e = refused(with_line(
        "targets.csv",
        2,
        "二.1a,二.1a,超百亿集群,revenue,count_of_clusters_above,ge,1,,10000000000,no,,,,,2025,true,city,",
    ));
    assert_at(&e, "targets.csv", 2, Some("low_inclusive"), "true 或 false");
}

#[test]
fn indicator_rules() {
    let e = refused(with_line(
        "indicators.csv",
        2,
        "revenue,营业收入,Operating revenue,万元,money,2,sum,sum,month,cumulative,both,",
    ));
    assert_at(&e, "indicators.csv", 2, Some("scale"), "元");
    let e = refused(with_line(
        "indicators.csv",
        3,
        "rd_expense,研发投入,R&D,元,money,2,sum,last,quarter,cumulative,both,",
    ));
    assert_at(&e, "indicators.csv", 3, Some("time_aggregation"), "sum");
    let e = refused(with_line(
        "indicators.csv",
        4,
        "revenue,营业收入,Revenue,元,money,2,sum,sum,month,cumulative,both,",
    ));
    assert_at(&e, "indicators.csv", 4, Some("code"), "第2行");
}

#[test]
fn bad_region_codes_and_parents() {
    let e = refused(with_line("org_units.csv", 3, "13098,泊头市,county,130900,,"));
    assert_at(&e, "org_units.csv", 3, Some("code"), "13098");
    let e = refused(with_line("org_units.csv", 3, "130981,泊头市,county,130800,,"));
    assert_at(&e, "org_units.csv", 3, Some("parent"), "130800");
    let e = refused(with_line("org_units.csv", 3, "140981,泊头市,county,130900,,"));
    assert_at(&e, "org_units.csv", 3, Some("code"), "前4位");
    let e = refused(with_line("org_units.csv", 4, "130981,新华区,district,130900,,"));
    assert_at(&e, "org_units.csv", 4, Some("code"), "第3行");
    let e = refused(with_line("org_units.csv", 4, "130902,泊头,district,130900,,"));
    assert_at(&e, "org_units.csv", 4, Some("aliases"), "泊头");
}

#[test]
fn responsible_unit_must_be_a_department() {
    let e = refused(with_line(
        "tasks.csv",
        2,
        "三(一)2,三(一)2,三(一),开展产业集群创新激活行动,2,攻关,GXJ;130981,联合攻关。,",
    ));
    assert_at(&e, "tasks.csv", 2, Some("responsible"), "130981");
    let e = refused(with_line(
        "tasks.csv",
        2,
        "三(一)2,三(一)2,三(一),开展产业集群创新激活行动,2,攻关,KJJ,联合攻关。,",
    ));
    assert_at(&e, "tasks.csv", 2, Some("responsible"), "KJJ");
}

#[test]
fn unknown_or_missing_columns_and_ragged_rows() {
    let e = refused(with(
        "clusters.csv",
        &CLUSTERS.replacen("full_name", "fullname", 1),
    ));
    assert_at(&e, "clusters.csv", 1, None, "fullname");
    let e = refused(with(
        "quotas.csv",
        "id,clause,name,indicator,per,min,max,approx,scope\n",
    ));
    assert_at(&e, "quotas.csv", 1, None, "note");
    let e = refused(with_line(
        "clusters.csv",
        3,
        "C02,铸造,130981,2,3391,泊头市铸造产业集群",
    ));
    assert_at(&e, "clusters.csv", 3, None, "字段");
}

#[test]
fn line_numbers_count_physical_lines() {
    // A quoted note spanning two lines pushes the next record to line 4.
    let text = "code,name,county,attachment,industries,full_name,note\n\
                C01,环保设备,130981,1,3591,泊头市环保设备产业集群,\"第一行\n第二行\"\n\
                C02,铸造,130999,2,3391,泊头市铸造产业集群,\n";
    let e = refused(with("clusters.csv", text));
    assert_at(&e, "clusters.csv", 4, Some("county"), "130999");
}

#[test]
fn missing_and_malformed_meta() {
    let mut f = files();
    f.retain(|f| f.path != "indicators.csv");
    let e = refused(f);
    assert_eq!((e.file.as_str(), e.line), ("indicators.csv", None));
    assert!(e.message.contains("缺少文件"));

    let e = refused(with("plan.yaml", &format!("{META}colour: red\n")));
    assert_eq!((e.file.as_str(), e.line), ("plan.yaml", Some(10)), "{e}");
    let e = refused(with("plan.yaml", &META.replace("2024-01-10", "2024-02-30")));
    assert_eq!(
        (e.file.as_str(), e.line, e.column.as_deref()),
        ("plan.yaml", Some(4), Some("issued")),
        "{e}"
    );
    let e = refused(with("plan.yaml", &META.replace("130900", "130800")));
    assert_eq!((e.file.as_str(), e.line), ("plan.yaml", Some(6)), "{e}");
    let e = refused(with("plan.yaml", &META.replace("GXJ", "130981")));
    assert_eq!((e.file.as_str(), e.line), ("plan.yaml", Some(9)), "{e}");
}

#[test]
fn duplicate_files_are_refused_and_paths_normalised() {
    let mut f = files();
    f.push(SourceFile {
        path: "./clusters.csv".into(),
        text: CLUSTERS.into(),
    });
    let e = refused(f);
    assert_eq!(e.file, "clusters.csv");
    let mut f = files();
    for x in &mut f {
        x.path = format!("./{}", x.path.replace('/', "\\"));
    }
    let p = Plan::from_files(f).unwrap();
    assert!(p.extra_file("policies/x.yaml").is_some());
}

#[test]
fn load_dir_reports_relative_paths() {
    let dir = std::env::temp_dir().join(format!("clusterdesk-plan-test-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("policies")).unwrap();
    for f in with_line(
        "tasks.csv",
        2,
        "三(一)2,三(一)2,三(一),开展产业集群创新激活行动,2,攻关,XYZ,联合攻关。,",
    ) {
        std::fs::write(dir.join(&f.path), &f.text).unwrap();
    }
    std::fs::write(dir.join(".hidden"), [0xff, 0xfe]).unwrap();
    let e = Plan::load_dir(&dir).unwrap_err();
    std::fs::write(dir.join("tasks.csv"), TASKS).unwrap();
    let ok = Plan::load_dir(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_at(&e, "tasks.csv", 2, Some("responsible"), "XYZ");
    let p = ok.unwrap();
    assert_eq!(p.extra_files.len(), 2);
}

#[test]
fn a_data_set_on_an_unknown_indicator_or_too_fine_a_period_is_refused() {
    let e = refused(with(
        "datasets.yaml",
        &DATASETS.replace("[revenue, standards]", "[revenue, no_such]"),
    ));
    assert_eq!((e.file.as_str(), e.line), ("datasets.yaml", Some(9)));
    assert!(e.message.contains("no_such"), "{e}");
    // R&D is reported quarterly at the finest: a monthly data set cannot hold it.
    let e = refused(with(
        "datasets.yaml",
        &DATASETS.replace("[revenue, standards]", "[revenue, rd_expense]"),
    ));
    assert_eq!(e.line, Some(9));
    let e = refused(with(
        "datasets.yaml",
        &DATASETS.replace("deadline_day: 15", "deadline_day: 40"),
    ));
    assert_eq!(e.line, Some(15));
    let e = refused(with(
        "datasets.yaml",
        &DATASETS.replace("code: cluster_quarterly", "code: cluster_monthly"),
    ));
    assert!(e.message.contains("重复"), "{e}");
}

/// `first_period` is optional; when given it is a period of the data set's own kind, and
/// nothing before it is owed.
#[test]
fn a_data_set_first_period_is_of_its_kind() {
    let quarterly = |first: &str| {
        DATASETS.replace(
            "deadline_day: 15\n",
            &format!("deadline_day: 15\n    first_period: \"{first}\"\n"),
        )
    };
    let plan = Plan::from_files(with("datasets.yaml", &quarterly("2022Q1"))).unwrap();
    let q = plan
        .datasets
        .iter()
        .find(|d| d.code == "cluster_quarterly")
        .unwrap();
    let p = |s: &str| clusterdesk_domain::Period::parse(s).unwrap();
    assert!(!q.owes(p("2021Q4")));
    assert!(q.owes(p("2022Q1")) && q.owes(p("2026Q3")));
    // Without the field every period is owed, as before.
    let m = plan
        .datasets
        .iter()
        .find(|d| d.code == "cluster_monthly")
        .unwrap();
    assert!(m.first_period.is_none() && m.owes(p("2014-01")));
    // A month for a quarterly data set, or no period at all, is refused at the field's line.
    let e = refused(with("datasets.yaml", &quarterly("2022-01")));
    assert_at(&e, "datasets.yaml", 16, Some("first_period"), "first_period");
    let e = refused(with("datasets.yaml", &quarterly("二〇二二")));
    assert_at(&e, "datasets.yaml", 16, Some("first_period"), "应写作");
}

const RULES: &str = "rules:
  - id: va_le_rev
    dataset: cluster_monthly
    name: 测试
    importance: error
    clause: 四(四)
    kind: compare
    left: revenue
    operator: \"<=\"
    right: 2 * revenue + 10
    message: 测试
  - id: rev_yoy
    dataset: cluster_monthly
    name: 同比
    importance: warning
    clause: 四(四)
    kind: outlier
    indicator: revenue
    change: yoy
    message: 测试
";

/// The small set plus a validation.yaml.
fn with_rules(text: &str) -> Vec<SourceFile> {
    let mut f = files();
    f.push(SourceFile {
        path: "validation.yaml".into(),
        text: text.into(),
    });
    f
}

#[test]
fn validation_rules_load_and_are_optional() {
    assert!(Plan::from_files(files()).unwrap().validation_rules.is_empty());
    let p = Plan::from_files(with_rules(RULES)).unwrap();
    assert_eq!(p.validation_rules.len(), 2);
    match &p.validation_rules[1].kind {
        validation::RuleKind::Outlier {
            threshold,
            min_history,
            ..
        } => assert_eq!((*threshold, *min_history), (3.5, 3)),
        k => panic!("{k:?}"),
    }
    // The embedded plan ships rules for all four data sets.
    let e = Plan::embedded().unwrap();
    for d in [
        "cluster_monthly",
        "enterprise_monthly",
        "cluster_quarterly",
        "cluster_yearly",
    ] {
        assert!(e.validation_rules.iter().any(|r| r.dataset == d), "{d}");
    }
}

#[test]
fn broken_validation_rules_are_refused_with_their_line() {
    let swap = |from: &str, to: &str| with_rules(&RULES.replacen(from, to, 1));
    // Line 9 is the operator of the first rule.
    let e = refused(swap("operator: \"<=\"", "operator: \"=<\""));
    assert_at(&e, "validation.yaml", 9, Some("operator"), "operator“=<”");
    // An indicator that is not in the data set (standards is, rd_expense is not).
    let e = refused(swap("left: revenue", "left: rd_expense"));
    assert_at(
        &e,
        "validation.yaml",
        8,
        Some("left"),
        "不是数据集“cluster_monthly”的指标",
    );
    let e = refused(swap("right: 2 * revenue + 10", "right: revenue / 2"));
    assert_at(&e, "validation.yaml", 10, Some("right"), "不能识别的字符“/”");
    // An aggregate over a data set that is not an enterprise data set.
    let e = refused(swap(
        "right: 2 * revenue + 10",
        "right: sum(cluster_quarterly.rd_expense)",
    ));
    assert_at(
        &e,
        "validation.yaml",
        10,
        Some("right"),
        "sum(cluster_quarterly.rd_expense) 无效",
    );
    let e = refused(swap("dataset: cluster_monthly", "dataset: nope"));
    assert_at(&e, "validation.yaml", 3, Some("dataset"), "数据集“nope”");
    let e = refused(swap("importance: warning", "importance: fatal"));
    assert_at(&e, "validation.yaml", 15, Some("importance"), "importance“fatal”");
    let e = refused(swap("change: yoy", "change: weekly"));
    assert_at(&e, "validation.yaml", 19, Some("change"), "change“weekly”");
    let e = refused(swap("id: rev_yoy", "id: va_le_rev"));
    assert_at(&e, "validation.yaml", 2, Some("id"), "重复");
    let e = refused(swap("kind: outlier", "kind: median"));
    assert_at(&e, "validation.yaml", 17, Some("kind"), "kind“median”");
    // cumulative_monotonic only for 1–N月累计 indicators.
    let e = refused(with_rules(
        "rules:\n  - id: c\n    dataset: cluster_monthly\n    name: 累计\n    importance: error\n    clause: 四(四)\n    kind: cumulative_monotonic\n    indicators: [standards]\n    message: m\n",
    ));
    assert_at(&e, "validation.yaml", 8, Some("indicators"), "不按1–N月累计报送");
    // Fields of another kind are refused rather than ignored.
    let e = refused(swap("change: yoy", "change: yoy\n    left: revenue"));
    assert_at(&e, "validation.yaml", 17, Some("kind"), "不属于 outlier");
    // Unknown keys: the YAML line of the rule.
    let e = refused(swap(
        "message: 测试\n  - id",
        "message: 测试\n    colour: red\n  - id",
    ));
    assert_eq!(e.file, "validation.yaml");
    assert!(e.line.is_some(), "{e}");
}

/// A follow-on plan's targets: `targets.d/NAME.csv` with targets.csv's columns.
fn with_follow_on(text: &str) -> Vec<SourceFile> {
    let mut f = files();
    f.push(SourceFile {
        path: "targets.d/2026-2027.csv".into(),
        text: text.into(),
    });
    f
}

const FOLLOW_ON_HEADER: &str = "id,clause,name,indicator,measure,comparison,target_value,target_max,threshold_low_yuan,low_inclusive,threshold_high_yuan,high_inclusive,annual_growth_pct,baseline_year,deadline_year,strive,scope,note\n";

#[test]
fn follow_on_targets_load_after_the_plan_and_must_lie_beyond_it() {
    let ok = format!(
        "{FOLLOW_ON_HEADER}续.1,续.1,营业收入年均增长,revenue,growth,ge,,,,,,,8,2025,2027,false,city,\n"
    );
    let p = Plan::from_files(with_follow_on(&ok)).unwrap();
    let t = p.targets.last().unwrap();
    assert_eq!(
        (t.id.as_str(), t.deadline_year, t.source.as_str()),
        ("续.1", 2027, "targets.d/2026-2027.csv")
    );
    assert_eq!(p.targets.first().unwrap().source, "targets.csv");

    // A follow-on deadline inside this plan's years belongs in targets.csv.
    let inside = format!(
        "{FOLLOW_ON_HEADER}续.1,续.1,营业收入年均增长,revenue,growth,ge,,,,,,,8,2023,2025,false,city,\n"
    );
    let e = refused(with_follow_on(&inside));
    assert_at(
        &e,
        "targets.d/2026-2027.csv",
        2,
        Some("deadline_year"),
        "应晚于本方案的目标年2025",
    );

    // targets.csv itself still refuses a deadline beyond the plan, and says where such rows go.
    let e = refused(with_line(
        "targets.csv",
        3,
        "二.2a,二.2a,研发投入增长,rd_expense,growth,ge,,,,,,,15,2023,2027,false,city,",
    ));
    assert_at(&e, "targets.csv", 3, Some("deadline_year"), "targets.d/");

    // An id may be used once across all target files.
    let dup = format!(
        "{FOLLOW_ON_HEADER}二.2a,二.2a,研发投入增长,rd_expense,growth,ge,,,,,,,10,2025,2027,false,city,\n"
    );
    let e = refused(with_follow_on(&dup));
    assert_eq!(e.file, "targets.d/2026-2027.csv", "{e}");
    assert!(
        e.message.contains("二.2a") && e.message.contains("targets.csv"),
        "{e}"
    );
}

#[test]
fn an_indicator_source_is_checked_with_its_line() {
    // With a `source` column: each value names where a target's figure comes from.
    let table = |third: &str| {
        format!(
            "code,name_zh,name_en,unit,value_type,scale,aggregation,time_aggregation,period_type,reporting_form,level,source,note
revenue,营业收入,Operating revenue,元,money,2,sum,sum,month,cumulative,both,reported,
rd_expense,研发投入,R&D expenditure,元,money,2,sum,sum,quarter,cumulative,both,,
standards,参与制修订标准数,Standards,项,count,0,sum,sum,month,monthly,both,{third},
"
        )
    };
    let plan = Plan::from_files(with(
        "indicators.csv",
        &table("qualifications(listed+high_tech;main_board;rows)"),
    ))
    .unwrap();
    assert_eq!(
        plan.indicator("standards").unwrap().source,
        ValueSource::Qualifications {
            kinds: vec!["listed".into(), "high_tech".into()],
            levels: vec!["main_board".into()],
            rows: true,
        }
    );
    assert_eq!(
        plan.indicator("rd_expense").unwrap().source,
        ValueSource::Reported
    );
    for (bad, needle) in [
        ("qualifications(nope)", "nope"),
        // Recognitions take levels since quotas count them (三(一)3: 省级以上); x is none.
        ("recognitions(listed;x)", "级别“x”"),
        ("recognitions(listed;main_board;rows)", "最多两部分"),
        ("recognitions(nope)", "nope"),
        ("qualifications(listed;provincial)", "provincial"),
        ("qualifications(listed;;all)", "all"),
        ("survey", "survey"),
    ] {
        let e = refused(with("indicators.csv", &table(bad)));
        assert_at(&e, "indicators.csv", 4, Some("source"), needle);
    }
    // Without the column (a plan written before it) every indicator is reported.
    let plan = Plan::from_files(files()).unwrap();
    assert!(plan.indicators.iter().all(|i| i.source == ValueSource::Reported));
}

/// The small plan's quotas.csv with `source` and `fallback` columns.
fn with_quota_source(source: &str, fallback: &str) -> Vec<SourceFile> {
    with(
        "quotas.csv",
        &format!(
            "id,clause,name,indicator,per,min,max,approx,scope,source,fallback,note\n三(六)3,三(六)3,标准,standards,year,10,,,city,{source},{fallback},\n"
        ),
    )
}

#[test]
fn a_quota_is_counted_as_its_source_says() {
    // Without the columns (a plan folder written before them): reported values, no fallback.
    let p = Plan::from_files(files()).unwrap();
    let q = p.quota("三(六)3").unwrap();
    assert_eq!((&q.source, &q.fallback), (&ValueSource::Reported, &None));
    assert!(p.qualification_kinds().is_empty());
    let p = Plan::from_files(with_quota_source("qualifications(listing_pool;city_key)", "")).unwrap();
    assert_eq!(
        p.quota("三(六)3").unwrap().source,
        ValueSource::Qualifications {
            kinds: vec!["listing_pool".into()],
            levels: vec!["city_key".into()],
            rows: false
        }
    );
    assert_eq!(p.qualification_kinds(), ["listing_pool"]);
    let p = Plan::from_files(with_quota_source(
        "",
        "recognitions(innovation_platform;provincial+national)",
    ))
    .unwrap();
    let q = p.quota("三(六)3").unwrap();
    assert_eq!(q.source, ValueSource::Reported);
    assert_eq!(
        q.fallback,
        Some(ValueSource::Recognitions {
            kind: "innovation_platform".into(),
            levels: vec!["provincial".into(), "national".into()]
        })
    );
    assert_eq!(p.qualification_kinds(), ["innovation_platform"]);
}

#[test]
fn a_quota_source_must_name_kinds_and_levels_that_exist() {
    let e = refused(with_quota_source("qualifications(dragon_head)", ""));
    assert_at(&e, "quotas.csv", 2, Some("source"), "dragon_head");
    let e = refused(with_quota_source("qualifications(listing_pool;gold)", ""));
    assert_at(&e, "quotas.csv", 2, Some("source"), "gold");
    let e = refused(with_quota_source("enterprise_stock", ""));
    assert_at(&e, "quotas.csv", 2, Some("source"), "enterprise_stock");
    let e = refused(with_quota_source(
        "",
        "recognitions(innovation_platform;county_level_x)",
    ));
    assert_at(&e, "quotas.csv", 2, Some("fallback"), "county_level_x");
    let e = refused(with_quota_source("", "reported"));
    assert_at(&e, "quotas.csv", 2, Some("fallback"), "备用来源");
    let e = refused(with_quota_source(
        "qualifications(listing_pool)",
        "recognitions(listing_pool)",
    ));
    assert_at(&e, "quotas.csv", 2, Some("fallback"), "reported");
}
