// load_labelled(): a named set as train / validation / test parts with class indices.
#include "datasets/labelled.hpp"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "datasets/loaders.hpp"

namespace hds::data {
namespace {

LabelledPart take(const LoadedSet& s, const std::vector<int>& columns, const std::vector<int>& class_values) {
  LabelledPart p;
  p.X.resize(s.X.rows(), static_cast<long>(columns.size()));
  p.labels.resize(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) {
    p.X.col(static_cast<long>(i)) = s.X.col(columns[i]).cast<double>();
    const auto it = std::lower_bound(class_values.begin(), class_values.end(), s.labels[columns[i]]);
    p.labels[i] = static_cast<int>(it - class_values.begin());
  }
  return p;
}

std::vector<int> range(long from, long to) {
  std::vector<int> v(static_cast<size_t>(std::max(0L, to - from)));
  std::iota(v.begin(), v.end(), static_cast<int>(from));
  return v;
}

}  // namespace

long default_validation(const std::string& set, long n_train) {
  if (set == "mnist") return std::min(10000L, n_train / 6);
  return n_train / 10;
}

LabelledSplits load_labelled(const LabelledSpec& spec) {
  const std::string& set = spec.source.name;
  if (set != "mnist" && set != "cifar" && set != "adult" && set != "connect")
    throw UserError(fmt::format("data '{}': a classifier needs labelled data, one of mnist, cifar, adult, connect",
                                set));
  SourceSpec train_spec = spec.source, test_spec = spec.source;
  train_spec.split = set == "connect" ? "all" : "train";
  test_spec.split = "test";
  const LoadedSet train = load_named(train_spec);
  LoadedSet test;
  if (set != "connect") test = load_named(test_spec);
  if (train.labels.size() != static_cast<size_t>(train.X.cols()) ||
      test.labels.size() != static_cast<size_t>(test.X.cols()))
    throw UserError(fmt::format("data '{}': the files have no labels for every pattern", set));

  LabelledSplits out;
  std::vector<int> values = train.labels;
  values.insert(values.end(), test.labels.begin(), test.labels.end());
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  out.class_values = values;
  out.n_classes = static_cast<int>(values.size());
  out.files = train.files;
  out.files.insert(out.files.end(), test.files.begin(), test.files.end());

  // The training file's columns in the order used: the file's own, except connect's seeded split.
  std::vector<int> order = range(0, train.X.cols());
  long n_test_cut = 0;
  if (set == "connect") {
    Rng rng(derive_seed(spec.split_seed, {0x5E17}));
    order = sample_without_replacement(static_cast<int>(train.X.cols()), static_cast<int>(train.X.cols()), rng);
    n_test_cut = train.X.cols() * spec.test_fraction_permille / 1000;
  }
  const long n_pool = static_cast<long>(order.size()) - n_test_cut;
  const long n_val = spec.validation >= 0 ? spec.validation : default_validation(set, n_pool);
  if (n_val >= n_pool)
    throw UserError(fmt::format("data '{}': a validation part of {} patterns leaves none of the {} training patterns "
                                "to train on; choose 'validation' below {}",
                                set, n_val, n_pool, n_pool));
  long n_train = n_pool - n_val;
  if (spec.train_limit > 0) n_train = std::min(n_train, spec.train_limit);

  const std::vector<int> train_cols(order.begin(), order.begin() + n_train);
  const std::vector<int> val_cols(order.begin() + (n_pool - n_val), order.begin() + n_pool);
  out.train = take(train, train_cols, values);
  out.validation = take(train, val_cols, values);
  if (set == "connect") {
    out.test = take(train, std::vector<int>(order.begin() + n_pool, order.end()), values);
  } else {
    out.test = take(test, range(0, test.X.cols()), values);
  }
  if (out.test.X.cols() == 0) throw UserError(fmt::format("data '{}': the test part is empty", set));
  out.description = fmt::format("{}; train {} / validation {} (held out of the training file{}) / test {}{}",
                                train.description, out.train.X.cols(), out.validation.X.cols(),
                                set == "connect" ? ", seeded split" : ", its last patterns", out.test.X.cols(),
                                set == "connect" ? fmt::format(" (seeded {}‰ of the file)", spec.test_fraction_permille)
                                                 : "");
  return out;
}

}  // namespace hds::data
