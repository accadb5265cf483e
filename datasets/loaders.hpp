// The file loaders behind open_source(): one per format, each in its own file.
#pragma once
#include <Eigen/Dense>
#include <string>
#include <vector>

#include "datasets/source.hpp"

namespace hds::data {

// Every pattern of a file source, one per column, already scaled as SCIENCE.md says.
struct LoadedSet {
  Eigen::MatrixXf X;               // dim x N
  std::vector<FileRecord> files;   // what was read, with sha256
  std::string description;         // e.g. "MNIST train (60000 x 784, pixels/255)"
};

LoadedSet load_npy(const std::string& path);  // user data: float32/float64/uint8, C order, 2-d
LoadedSet load_csv(const std::string& path);  // user data: one pattern per row, numbers only
// The paper's data sets (mnist, cifar, connect, adult), found on the data search path.
LoadedSet load_named(const SourceSpec& spec);

}  // namespace hds::data
