// A data source: where a pair's input or target patterns come from (generated, a user file or one
// of the paper's data sets), and the one call that draws P patterns of it for a repetition.
#pragma once
#include <Eigen/Dense>
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hds::data {

// What an experiment's `inputs:` or `targets:` names. Only the fields of the named set are used.
struct SourceSpec {
  std::string name;        // rand | randn | npy | csv | mnist | cifar | connect | adult
  int dim = 200;           // rand, randn: pattern dimension
  double p = 0.5;          // rand: probability of a one
  double mean = 0.5;       // randn: mean before clipping to [0, 1]
  double sd = 0.1;         // randn: standard deviation
  std::string file;        // npy, csv: path of the user's file (one pattern per row)
  std::string split = "train";  // real sets: train | test | all (adult also: a5a_train, ...)
  std::array<double, 3> gray = {0.3, 0.59, 0.11};  // cifar: weights of R, G, B
  std::string data_dir;    // real sets: overrides the search path when not empty
  // npy, csv: every value must lie in [lo, hi] (checked, never rescaled); any_range: no check.
  std::array<double, 2> range = {0.0, 1.0};
  bool any_range = false;
};

// How P patterns are taken from a file source: `random` draws P distinct rows (paired with the
// other side when both sides are user files of the same length), `sequential` takes the first P
// rows in file order. Generated sources make fresh patterns either way.
enum class Sample { random, sequential };

// A file that fed a result, for provenance.
struct FileRecord {
  std::string path;    // as opened
  std::string sha256;  // of the bytes on disk
  uint64_t bytes = 0;
  std::string note;    // e.g. "subset: first 4000 records of data_batch_1.bin"
};

// All patterns a source can give. Generated sources make fresh patterns from the seed; file
// sources hold every pattern of the file and draw P of them without replacement.
class PatternPool {
 public:
  virtual ~PatternPool() = default;
  virtual int dim() const = 0;
  // Number of patterns available; -1 for generated sources (unbounded).
  virtual long count() const = 0;
  // P patterns as the columns of a dim() x P matrix, a fixed function of (P, seed).
  // Throws hds::UserError when P > count().
  virtual Eigen::MatrixXd draw(int P, uint64_t seed) const = 0;
  // A one-line description for tables and provenance, e.g. "RAND(200, p=0.5)".
  virtual std::string describe() const = 0;
  // True for the user's own npy and csv files (the sources whose rows may be paired).
  virtual bool user_file() const { return false; }
  // The patterns at these indices (file order), as columns; only for sources with count() >= 0.
  virtual Eigen::MatrixXd take(const std::vector<int>& idx) const;
  // Files read to build this pool (empty for generated sources).
  const std::vector<FileRecord>& files() const { return files_; }

 protected:
  std::vector<FileRecord> files_;
};

// Opens (and caches, per process) the pool a spec names. Throws hds::UserError with a one-line
// message naming the file, what was found, what was expected and what to do.
std::shared_ptr<const PatternPool> open_source(const SourceSpec& spec);

}  // namespace hds::data
