// The learning rules (the table is in rules.hpp).
#include "core/rules.hpp"

namespace hds {
namespace {
const std::vector<std::string> kRuleNames = {"hd", "gd", "hebb", "cov", "oja", "instar"};
}

bool rule_from_name(const std::string& name, Rule& rule) {
  for (size_t i = 0; i < kRuleNames.size(); ++i)
    if (kRuleNames[i] == name) {
      rule = static_cast<Rule>(i);
      return true;
    }
  return false;
}

std::string rule_name(Rule rule) { return kRuleNames[static_cast<int>(rule)]; }
const std::vector<std::string>& rule_names() { return kRuleNames; }

void rule_step(Rule rule, const Activation& act, const Eigen::VectorXd& xc,
               const Eigen::Ref<const Eigen::VectorXd>& x, const Eigen::VectorXd& a,
               const Eigen::VectorXd& h, const Eigen::Ref<const Eigen::VectorXd>& t,
               const SequenceMeans& means, RuleStep& step) {
  step.u = &xc;
  step.s.resize(0);
  switch (rule) {
    case Rule::hd:  // ΔW = x̃ (t − h)ᵀ
      step.d = t - h;
      step.db = step.d;
      return;
    case Rule::gd:  // ΔW = x̃ (J_φᵀ (t − h))ᵀ
      step.db = t - h;  // the error, as scratch
      act.gd_signal(a, h, step.db, step.d);
      step.db = step.d;
      return;
    case Rule::hebb:  // ΔW = x̃ tᵀ
      step.d = t;
      step.db = t;
      return;
    case Rule::cov:  // ΔW = (x − x̄)(t − t̄)ᵀ
      step.u_buf = x - means.x;
      step.u = &step.u_buf;
      step.d = t - means.t;
      step.db = step.d;
      return;
    case Rule::oja:  // column j: t_j (x̃ − t_j W_j)
      step.d = t;
      step.s = t.array().square();
      step.db = t - h;
      return;
    case Rule::instar:  // column j: t_j (x̃ − W_j)
      step.d = t;
      step.s = t;
      step.db = t - h;
      return;
  }
}

void apply_step(const RuleStep& step, double eta, double weight_decay, bool learn_bias,
                Eigen::MatrixXd& W, Eigen::VectorXd& b) {
  if (step.s.size() > 0) {
    for (Eigen::Index j = 0; j < W.cols(); ++j) W.col(j) *= (1.0 - weight_decay) - eta * step.s[j];
  } else if (weight_decay != 0.0) {
    W *= (1.0 - weight_decay);
  }
  W.noalias() += (eta * *step.u) * step.d.transpose();
  if (learn_bias) b.noalias() += eta * step.db;
}

}  // namespace hds
