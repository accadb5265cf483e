// Labelled data for classifiers: a named set's patterns with class indices, cut into train,
// validation and test parts. The validation part is held out of the training set, so tuning never
// looks at the test set.
#pragma once
#include <Eigen/Dense>
#include <cstdint>
#include <string>
#include <vector>

#include "datasets/source.hpp"

namespace hds::data {

struct LabelledPart {
  Eigen::MatrixXd X;        // dim × N, one pattern per column
  std::vector<int> labels;  // class index 0..n_classes−1 per column
};

struct LabelledSplits {
  LabelledPart train, validation, test;
  int n_classes = 0;
  std::vector<int> class_values;   // the file's label of class index k (e.g. −1, +1 for ADULT)
  std::vector<FileRecord> files;
  std::string description;         // one line: the set, the parts and their sizes, subset notes
};

struct LabelledSpec {
  SourceSpec source;         // mnist | cifar | adult | connect (name, data_dir, gray)
  long validation = -1;      // patterns held out of the training part; −1: the set's default
  long test_fraction_permille = 200;  // connect only (no published test split): seeded test share
  long train_limit = 0;      // > 0: use only the first N training patterns (after the validation cut)
  uint64_t split_seed = 1;   // connect's seeded split
};

// The set's default validation size: MNIST the last 10,000 of the 60,000 training images; the
// others a tenth of their training part.
long default_validation(const std::string& set, long n_train);

// Loads the set and cuts it. Throws hds::UserError naming the set and the fix when a part would be
// empty or the validation part is not smaller than the training set.
LabelledSplits load_labelled(const LabelledSpec& spec);

}  // namespace hds::data
