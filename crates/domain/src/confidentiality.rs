//! What an enterprise account may see of figures that cover other enterprises.
//!
//! 统计法 第二十五条: material from which a single respondent can be identified or inferred is
//! not to be given out. An enterprise sees its own figures; an aggregate over a group it belongs
//! to only when the group holds at least `min_others` other enterprises, so that subtracting
//! its own figure never leaves one competitor's (or two, whose sum each of them knows half of).

/// May an aggregate over `members` enterprises be shown to an enterprise account?
/// `viewer_is_member`: the viewer's own figure is inside the aggregate.
pub fn aggregate_shown(members: u64, viewer_is_member: bool, min_others: u32) -> bool {
    let others = if viewer_is_member {
        members.saturating_sub(1)
    } else {
        members
    };
    others >= u64::from(min_others)
}

#[cfg(test)]
mod tests {
    use super::aggregate_shown;

    #[test]
    fn a_member_needs_three_others() {
        // 4 members, the viewer one of them: 3 others, shown; 3 members: 2 others, hidden.
        assert!(aggregate_shown(4, true, 3));
        assert!(!aggregate_shown(3, true, 3));
        assert!(!aggregate_shown(1, true, 3));
        assert!(!aggregate_shown(0, true, 3));
        // Not a member: all 3 are others.
        assert!(aggregate_shown(3, false, 3));
        assert!(!aggregate_shown(2, false, 3));
        // The threshold is the plan's: with 5, a member needs a group of 6.
        assert!(!aggregate_shown(5, true, 5));
        assert!(aggregate_shown(6, true, 5));
    }
}
