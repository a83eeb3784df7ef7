//! The credit rule: what a connection costs.

use crate::catalog::Deployment;

/// `[1, 2, 4][tier - 1] * (2 if on_premises else 1)`; `None` for a tier outside 1..=3.
pub fn credit_cost(tier: u8, deployment: Deployment) -> Option<i64> {
    let base = match tier {
        1 => 1,
        2 => 2,
        3 => 4,
        _ => return None,
    };
    Some(match deployment {
        Deployment::Cloud => base,
        Deployment::OnPremises => base * 2,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_cost_one_two_four_and_on_premises_doubles() {
        assert_eq!(credit_cost(1, Deployment::Cloud), Some(1));
        assert_eq!(credit_cost(2, Deployment::Cloud), Some(2));
        assert_eq!(credit_cost(3, Deployment::Cloud), Some(4));
        assert_eq!(credit_cost(3, Deployment::OnPremises), Some(8));
        assert_eq!(credit_cost(1, Deployment::OnPremises), Some(2));
        assert_eq!(credit_cost(0, Deployment::Cloud), None);
        assert_eq!(credit_cost(4, Deployment::Cloud), None);
    }
}
