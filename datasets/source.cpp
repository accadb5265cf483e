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
  explicit MatrixPool(LoadedSet set) : X_(std::move(set.X)), description_(std::move(set.description)) {
    files_ = std::move(set.files);
  }
  int dim() const override { return static_cast<int>(X_.rows()); }
  long count() const override { return static_cast<long>(X_.cols()); }
  Eigen::MatrixXd draw(int P, uint64_t seed) const override {
    if (P > X_.cols())
      throw UserError(fmt::format("{} has {} patterns, but {} were asked for (lower 'patterns')",
                                  description_, X_.cols(), P));
    Rng rng(seed);
    const std::vector<int> idx = sample_without_replacement(static_cast<int>(X_.cols()), P, rng);
    Eigen::MatrixXd out(X_.rows(), P);
    for (int p = 0; p < P; ++p) out.col(p) = X_.col(idx[p]).cast<double>();
    return out;
  }
  std::string describe() const override { return description_; }

 private:
  Eigen::MatrixXf X_;
  std::string description_;
};

std::string cache_key(const SourceSpec& s) {
  return fmt::format("{}|{}|{}|{}|{}|{}|{}|{},{},{}|{}", s.name, s.dim, s.p, s.mean, s.sd, s.file,
                     s.split, s.gray[0], s.gray[1], s.gray[2], s.data_dir);
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
  if (spec.name == "npy") set = load_npy(spec.file);
  else if (spec.name == "csv") set = load_csv(spec.file);
  else set = load_named(spec);
  auto pool = std::make_shared<MatrixPool>(std::move(set));
  cache.emplace(key, pool);
  return pool;
}

}  // namespace hds::data
