// Drawing one repetition's inputs and targets together: random or in file order, and paired row
// for row when both sides are user files of the same length.
#pragma once
#include <Eigen/Dense>
#include <cstdint>
#include <string>

#include "datasets/source.hpp"

namespace hds::data {

// Whether random draws take the same rows of both sides: both are user files (npy, csv) with the
// same number of rows.
bool rows_paired(const PatternPool& inputs, const PatternPool& targets);

// P inputs and P targets as columns. Random: a file side draws with its own seed (unpaired, the
// same bytes as PatternPool::draw), or both sides take the rows drawn with `inputs_seed` (paired).
// Sequential: a file side takes its first P rows; a generated side draws as usual.
void draw_pairs(const PatternPool& inputs, const PatternPool& targets, Sample sample, int P, uint64_t inputs_seed,
                uint64_t targets_seed, Eigen::MatrixXd& X, Eigen::MatrixXd& T);

// What to add to the inputs' and targets' descriptions so that the printed line and the result
// file say how rows were taken; both empty when nothing of note (no user file, random draws).
struct SamplingNotes {
  std::string inputs, targets;
};
SamplingNotes sampling_notes(const PatternPool& inputs, const PatternPool& targets, Sample sample);

const char* sample_name(Sample s);

}  // namespace hds::data
