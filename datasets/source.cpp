// open_source(): turns a SourceSpec into a (cached) pattern pool.
#include "datasets/source.hpp"

#include <map>
#include <mutex>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "datasets/generated.hpp"
#include "datasets/loaders.hpp"

namespace hds::data {
namespace {

// A pool over the patterns of a loaded file: draws P distinct columns.
class MatrixPool : public PatternPool {
 public:
  MatrixPool(LoadedSet set, bool user_file)
      : X_(std::move(set.X)), description_(std::move(set.description)), user_file_(user_file) {
    files_ = std::move(set.files);
  }
  int dim() const override { return static_cast<int>(X_.rows()); }
  long count() const override { return static_cast<long>(X_.cols()); }
  Eigen::MatrixXd draw(int P, uint64_t seed) const override {
    if (P > X_.cols())
      throw UserError(fmt::format("{} has {} patterns, but {} were asked for (lower 'patterns')",
                                  description_, X_.cols(), P));
    Rng rng(seed);
    return take(sample_without_replacement(static_cast<int>(X_.cols()), P, rng));
  }
  Eigen::MatrixXd take(const std::vector<int>& idx) const override {
    if (static_cast<long>(idx.size()) > X_.cols())
      throw UserError(fmt::format("{} has {} patterns, but {} were asked for (lower 'patterns')", description_,
                                  X_.cols(), idx.size()));
    Eigen::MatrixXd out(X_.rows(), static_cast<long>(idx.size()));
    for (size_t p = 0; p < idx.size(); ++p) out.col(static_cast<long>(p)) = X_.col(idx[p]).cast<double>();
    return out;
  }
  bool user_file() const override { return user_file_; }
  std::string describe() const override { return description_; }

 private:
  Eigen::MatrixXf X_;
  std::string description_;
  bool user_file_;
};

// The documented promise for user files: every value within the source's range (default [0, 1]).
void check_range(const SourceSpec& spec, const LoadedSet& set) {
  if (spec.any_range) return;
  const double lo = spec.range[0], hi = spec.range[1];
  for (long r = 0; r < set.X.cols(); ++r)
    for (long c = 0; c < set.X.rows(); ++c) {
      const double v = set.X(c, r);
      if (v < lo || v > hi)
        throw UserError(fmt::format(
            "{}: value {} at row {}, column {} (counting from 0) is outside [{}, {}]; scale the data into that "
            "range, or declare the range this source may have, e.g. '{{dataset: {}, file: {}, range: [-1, 1]}}' "
            "or 'range: any' (a check only: values are used as stored)",
            spec.file, v, r, c, lo, hi, spec.name, spec.file));
    }
}

std::string cache_key(const SourceSpec& s) {
  return fmt::format("{}|{}|{}|{}|{}|{}|{}|{},{},{}|{}|{},{},{}", s.name, s.dim, s.p, s.mean, s.sd, s.file,
                     s.split, s.gray[0], s.gray[1], s.gray[2], s.data_dir, s.range[0], s.range[1], s.any_range);
}

}  // namespace

std::shared_ptr<const PatternPool> open_source(const SourceSpec& spec) {
  if (spec.name == "rand") return std::make_shared<RandPool>(spec.dim, spec.p);
  if (spec.name == "randn") return std::make_shared<RandnPool>(spec.dim, spec.mean, spec.sd);

  // File sources are loaded once per process and shared (by every repetition and sweep cell).
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const PatternPool>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  const std::string key = cache_key(spec);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  LoadedSet set;
  const bool user_file = spec.name == "npy" || spec.name == "csv";
  if (spec.name == "npy") set = load_npy(spec.file);
  else if (spec.name == "csv") set = load_csv(spec.file);
  else set = load_named(spec);
  if (user_file) check_range(spec, set);
  auto pool = std::make_shared<MatrixPool>(std::move(set), user_file);
  cache.emplace(key, pool);
  return pool;
}

}  // namespace hds::data
