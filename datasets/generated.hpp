// Generated sources RAND (Bernoulli) and RANDN (clipped normal).
#pragma once
#include "datasets/source.hpp"

namespace hds::data {

class RandPool : public PatternPool {
 public:
  RandPool(int dim, double p) : dim_(dim), prob_(p) {}
  int dim() const override { return dim_; }
  long count() const override { return -1; }
  Eigen::MatrixXd draw(int P, uint64_t seed) const override;
  std::string describe() const override;

 private:
  int dim_;
  double prob_;
};

class RandnPool : public PatternPool {
 public:
  RandnPool(int dim, double mean, double sd) : dim_(dim), mean_(mean), sd_(sd) {}
  int dim() const override { return dim_; }
  long count() const override { return -1; }
  Eigen::MatrixXd draw(int P, uint64_t seed) const override;
  std::string describe() const override;

 private:
  int dim_;
  double mean_, sd_;
};

}  // namespace hds::data
