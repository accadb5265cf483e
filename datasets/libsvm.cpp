// LIBSVM sparse text ("<label> <index>:<value> ..."), densified to a fixed dimension.
#include <cmath>
#include <cstdint>

#include <fmt/format.h>

#include "core/error.hpp"
#include "datasets/formats.hpp"
#include "datasets/text_scan.hpp"

namespace hds::data {
namespace {

struct Entry {
  uint32_t col, row;
  float value;
};

// A 1-based feature index: digits only.
bool parse_index(std::string_view tok, long& index) {
  if (tok.empty() || tok.size() > 9) return false;
  index = 0;
  for (char c : tok) {
    if (c < '0' || c > '9') return false;
    index = index * 10 + (c - '0');
  }
  return true;
}

}  // namespace

LoadedSet decode_libsvm(const std::string& bytes, const std::string& path, int dim, const std::string& advice) {
  std::vector<Entry> entries;
  std::vector<int> labels;
  LineReader lines(bytes);
  std::string_view line;
  auto fail = [&](const std::string& what) {
    throw UserError(fmt::format("{}:{}: {}; {}", path, lines.number(), what, advice));
  };
  while (lines.next(line)) {
    line = trim(line);
    if (line.empty()) continue;
    size_t pos = 0;
    auto token = [&]() {
      while (pos < line.size() && is_blank(line[pos])) ++pos;
      const size_t start = pos;
      while (pos < line.size() && !is_blank(line[pos])) ++pos;
      return line.substr(start, pos - start);
    };
    const std::string_view label_tok = token();
    double label;
    if (!parse_finite(label_tok, label) || label != std::floor(label) || std::fabs(label) > 1e9)
      fail(fmt::format("label {} is not an integer, expected e.g. +1, -1 or 0", quoted(label_tok)));
    const auto col = static_cast<uint32_t>(labels.size());
    labels.push_back(static_cast<int>(label));
    for (std::string_view tok = token(); !tok.empty(); tok = token()) {
      const size_t colon = tok.find(':');
      long index;
      double value;
      if (colon == std::string_view::npos || !parse_index(tok.substr(0, colon), index) ||
          !parse_finite(tok.substr(colon + 1), value))
        fail(fmt::format("feature {} is not index:value with a positive integer index and a finite value",
                         quoted(tok)));
      if (index < 1 || index > dim)
        fail(fmt::format("feature index {} is outside 1..{} (the expected dimension)", index, dim));
      entries.push_back({col, static_cast<uint32_t>(index - 1), static_cast<float>(value)});
    }
  }
  if (labels.empty())
    throw UserError(fmt::format("{}: no data lines, expected LIBSVM rows '<label> <index>:<value> ...'; {}",
                                path, advice));
  LoadedSet out;
  out.X = Eigen::MatrixXf::Zero(dim, static_cast<long>(labels.size()));
  for (const Entry& e : entries) out.X(e.row, e.col) = e.value;
  out.labels = std::move(labels);
  return out;
}

}  // namespace hds::data
