//! Money in fen, with the plan's own amounts (1 元 = 100 fen; 1万元 = 1,000,000 fen).

use clusterdesk_domain::Fen;

#[test]
fn yuan_to_fen_and_back() {
    // 三(二)2 新建入统 2万元 = 20,000 × 100 = 2,000,000 fen; a payer's −3 元 = −300 fen.
    assert_eq!(Fen::from_yuan(20_000), Fen(2_000_000));
    assert_eq!(Fen::from_yuan(-3), Fen(-300));
    assert_eq!(Fen(2_000_000).fen(), 2_000_000);
    // One decimal is tenths of a yuan: 12.3 元 = 1,230 fen.
    assert_eq!(Fen::parse_yuan("12.3").unwrap(), Fen(1_230));
    // A sign other than '-' is not an amount (i64's own parser would take "+5").
    assert!(Fen::parse_yuan("+5").is_err());
    assert!(Fen::parse_yuan("5.+1").is_err());
}

#[test]
fn signs() {
    assert!(Fen(-1).is_negative());
    assert!(!Fen(0).is_negative());
    assert!(!Fen(1).is_negative());
    // Zero has no sign, in yuan and in 亿元; a payer of 三(二)1's 500万元 shows its minus.
    assert_eq!(Fen(0).yuan_string(), "0.00");
    assert_eq!(Fen(-500_000_000).to_string(), "-5000000.00");
    // −12.345 亿元 → −12.35 (half away from zero); −1 fen → 0.00 亿元, without a minus.
    assert_eq!(Fen(-123_450_000_000).yi_yuan(2), "-12.35");
    assert_eq!(Fen(-1).yi_yuan(2), "0.00");
    // −300万元 in 万元: −300.0.
    assert_eq!(Fen(-300_000_000).wan_yuan(1), "-300.0");
}

#[test]
fn arithmetic() {
    // 5,000 fen + 3,000 fen = 8,000; − gives 2,000; negation flips the sign.
    assert_eq!(Fen(5_000) + Fen(3_000), Fen(8_000));
    assert_eq!(Fen(5_000) - Fen(3_000), Fen(2_000));
    assert_eq!(-Fen(500), Fen(-500));
    // The five findings of the CLI scan test: 1 + 30 + 100 + 50 + 20 = 201万元 = 201,000,000 fen.
    let total: Fen = [1, 30, 100, 50, 20]
        .iter()
        .map(|w| Fen::from_yuan(w * 10_000))
        .sum();
    assert_eq!(total, Fen(201_000_000));
}
