//! Kinds of dated qualification an enterprise holds, with the levels each allows.

use crate::ParseError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QualKind {
    /// 规上工业企业: in the above-scale statistics since `valid_from`.
    AboveScale,
    HighTech,
    InnovativeSme,
    SpecializedSme,
    LittleGiant,
    Listed,
    GreenFactory,
    WellKnownTrademark,
    InnovationPlatform,
    LeadingEnterprise,
    ChainLeader,
    ListingPool,
    ParkEntry,
}

impl QualKind {
    pub const ALL: [QualKind; 13] = [
        QualKind::AboveScale,
        QualKind::HighTech,
        QualKind::InnovativeSme,
        QualKind::SpecializedSme,
        QualKind::LittleGiant,
        QualKind::Listed,
        QualKind::GreenFactory,
        QualKind::WellKnownTrademark,
        QualKind::InnovationPlatform,
        QualKind::LeadingEnterprise,
        QualKind::ChainLeader,
        QualKind::ListingPool,
        QualKind::ParkEntry,
    ];

    pub fn code(self) -> &'static str {
        match self {
            QualKind::AboveScale => "above_scale",
            QualKind::HighTech => "high_tech",
            QualKind::InnovativeSme => "innovative_sme",
            QualKind::SpecializedSme => "specialized_sme",
            QualKind::LittleGiant => "little_giant",
            QualKind::Listed => "listed",
            QualKind::GreenFactory => "green_factory",
            QualKind::WellKnownTrademark => "well_known_trademark",
            QualKind::InnovationPlatform => "innovation_platform",
            QualKind::LeadingEnterprise => "leading_enterprise",
            QualKind::ChainLeader => "chain_leader",
            QualKind::ListingPool => "listing_pool",
            QualKind::ParkEntry => "park_entry",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            QualKind::AboveScale => "规上工业企业",
            QualKind::HighTech => "高新技术企业",
            QualKind::InnovativeSme => "创新型中小企业",
            QualKind::SpecializedSme => "专精特新中小企业",
            QualKind::LittleGiant => "专精特新“小巨人”",
            QualKind::Listed => "上市/挂牌",
            QualKind::GreenFactory => "绿色工厂",
            QualKind::WellKnownTrademark => "中国驰名商标",
            QualKind::InnovationPlatform => "省级以上创新平台",
            QualKind::LeadingEnterprise => "龙头企业",
            QualKind::ChainLeader => "链主企业",
            QualKind::ListingPool => "上市培育库",
            QualKind::ParkEntry => "入园进区",
        }
    }

    /// Allowed level codes with their labels; empty means the kind has no levels.
    pub fn levels(self) -> &'static [(&'static str, &'static str)] {
        match self {
            QualKind::LittleGiant => &[("national", "国家级"), ("national_key", "国家级重点")],
            QualKind::Listed => &[
                ("main_board", "主板"),
                ("star_market", "科创板"),
                ("chinext", "创业板"),
                ("bse", "北交所"),
                ("neeq", "新三板挂牌"),
                ("overseas", "境外上市"),
            ],
            QualKind::GreenFactory | QualKind::InnovationPlatform => {
                &[("provincial", "省级"), ("national", "国家级")]
            }
            QualKind::ListingPool => &[("county", "县级"), ("city_key", "市级重点培育库")],
            _ => &[],
        }
    }

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let t = s.trim();
        Self::ALL
            .into_iter()
            .find(|k| k.code() == t || k.label_zh() == t)
            .ok_or_else(|| ParseError::new("qualification_kind", format!("未知资质类型“{s}”")))
    }

    /// Check a level for this kind; accepts the code or the Chinese label, returns the code.
    pub fn parse_level(self, s: &str) -> Result<&'static str, ParseError> {
        let t = s.trim();
        let levels = self.levels();
        if levels.is_empty() {
            return if t.is_empty() {
                Ok("")
            } else {
                Err(ParseError::new(
                    "qualification_level",
                    format!("{}不分级别,不应填写“{s}”", self.label_zh()),
                ))
            };
        }
        levels
            .iter()
            .find(|(c, l)| *c == t || *l == t)
            .map(|(c, _)| *c)
            .ok_or_else(|| {
                let opts: Vec<_> = levels.iter().map(|(_, l)| *l).collect();
                ParseError::new(
                    "qualification_level",
                    format!("{}的级别“{s}”无效,可选:{}", self.label_zh(), opts.join("、")),
                )
            })
    }

    pub fn level_label(self, code: &str) -> &'static str {
        self.levels()
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, l)| *l)
            .unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels() {
        assert_eq!(
            QualKind::LittleGiant.parse_level("国家级重点").unwrap(),
            "national_key"
        );
        assert!(QualKind::LittleGiant.parse_level("省级").is_err());
        assert_eq!(QualKind::AboveScale.parse_level("").unwrap(), "");
        assert_eq!(QualKind::parse("高新技术企业").unwrap(), QualKind::HighTech);
    }
}
