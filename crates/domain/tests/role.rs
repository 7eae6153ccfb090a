//! Who reads what (DESIGN.md, "Who uses it"): the city's roles see the whole city; the three
//! roles of 等保2.0's separation of duties never read business data.

use clusterdesk_domain::Role;

#[test]
fn whole_city_and_separation_of_duties() {
    use Role::*;
    let all = [
        CityAdmin,
        CityDepartment,
        CountyOperator,
        CountyLeader,
        Enterprise,
        Leader,
        SystemAdmin,
        SecurityAdmin,
        Auditor,
    ];
    let city: Vec<Role> = all.into_iter().filter(|r| r.sees_whole_city()).collect();
    assert_eq!(city, [CityAdmin, CityDepartment, Leader]);
    let sod: Vec<Role> = all.into_iter().filter(|r| r.is_separation_of_duties()).collect();
    assert_eq!(sod, [SystemAdmin, SecurityAdmin, Auditor]);
    assert_eq!(Auditor.label(), "安全审计员");
}
