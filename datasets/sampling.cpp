// draw_pairs(): how the rows of file sources are taken for a repetition (see sampling.hpp).
#include "datasets/sampling.hpp"

#include <numeric>
#include <stdexcept>

#include <fmt/format.h>

#include "core/rng.hpp"

namespace hds::data {
namespace {

bool from_file(const PatternPool& p) { return p.count() >= 0; }

std::vector<int> first(int P) {
  std::vector<int> idx(static_cast<size_t>(P));
  std::iota(idx.begin(), idx.end(), 0);
  return idx;
}

}  // namespace

Eigen::MatrixXd PatternPool::take(const std::vector<int>&) const {
  throw std::logic_error("PatternPool::take on a generated source");
}

const char* sample_name(Sample s) { return s == Sample::sequential ? "sequential" : "random"; }

bool rows_paired(const PatternPool& inputs, const PatternPool& targets) {
  return inputs.user_file() && targets.user_file() && inputs.count() == targets.count();
}

void draw_pairs(const PatternPool& inputs, const PatternPool& targets, Sample sample, int P, uint64_t inputs_seed,
                uint64_t targets_seed, Eigen::MatrixXd& X, Eigen::MatrixXd& T) {
  if (sample == Sample::sequential) {
    X = from_file(inputs) ? inputs.take(first(P)) : inputs.draw(P, inputs_seed);
    T = from_file(targets) ? targets.take(first(P)) : targets.draw(P, targets_seed);
    return;
  }
  if (rows_paired(inputs, targets)) {
    // The rows inputs.draw(P, inputs_seed) takes (so the inputs are as unpaired), for both sides.
    Rng rng(inputs_seed);
    const std::vector<int> idx = sample_without_replacement(static_cast<int>(inputs.count()), P, rng);
    X = inputs.take(idx);
    T = targets.take(idx);
    return;
  }
  X = inputs.draw(P, inputs_seed);
  T = targets.draw(P, targets_seed);
}

SamplingNotes sampling_notes(const PatternPool& inputs, const PatternPool& targets, Sample sample) {
  SamplingNotes n;
  if (sample == Sample::sequential) {
    if (from_file(inputs)) n.inputs = "; the first P rows in file order (sample: sequential)";
    if (from_file(targets))
      n.targets = from_file(inputs) ? "; the first P rows in file order, row i with the inputs' row i (sample: sequential)"
                                    : "; the first P rows in file order (sample: sequential)";
    return n;
  }
  if (rows_paired(inputs, targets)) {
    n.targets = "; paired: the same randomly drawn rows as the inputs (row i with row i)";
  } else if (inputs.user_file() || targets.user_file()) {
    const std::string why =
        inputs.user_file() && targets.user_file()
            ? fmt::format("the files have {} and {} rows", inputs.count(), targets.count())
            : "only one side is a user file";
    n.targets = fmt::format("; NOT paired with the inputs: both drawn at random, independently ({})", why);
  }
  return n;
}

}  // namespace hds::data
