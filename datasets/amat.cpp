// Larochelle et al.'s .amat: whitespace-separated numbers, one pattern per line, last column the label.
#include <cmath>

#include <fmt/format.h>

#include "core/error.hpp"
#include "datasets/formats.hpp"
#include "datasets/text_scan.hpp"

namespace hds::data {

LoadedSet decode_amat(const std::string& bytes, const std::string& path, const std::string& advice) {
  std::vector<float> values;
  std::vector<int> labels;
  long columns = -1;
  LineReader lines(bytes);
  std::string_view line;
  std::vector<double> row;
  while (lines.next(line)) {
    line = trim(line);
    if (line.empty()) continue;
    row.clear();
    for (size_t pos = 0; pos < line.size();) {
      while (pos < line.size() && is_blank(line[pos])) ++pos;
      const size_t start = pos;
      while (pos < line.size() && !is_blank(line[pos])) ++pos;
      const std::string_view tok = line.substr(start, pos - start);
      double v;
      if (!parse_finite(tok, v))
        throw UserError(fmt::format("{}:{}: {} is not a finite number, expected whitespace-separated numbers; {}",
                                    path, lines.number(), quoted(tok), advice));
      row.push_back(v);
    }
    if (columns < 0) columns = static_cast<long>(row.size());
    if (columns < 2)
      throw UserError(fmt::format("{}:{}: {} column, expected at least one feature and the label; {}", path,
                                  lines.number(), row.size(), advice));
    if (static_cast<long>(row.size()) != columns)
      throw UserError(fmt::format("{}:{}: {} columns, but the first line has {}; {}", path, lines.number(),
                                  row.size(), columns, advice));
    const double label = row.back();
    if (label != std::floor(label) || std::fabs(label) > 1e9)
      throw UserError(fmt::format("{}:{}: label {} (last column) is not an integer; {}", path, lines.number(),
                                  label, advice));
    labels.push_back(static_cast<int>(label));
    for (size_t i = 0; i + 1 < row.size(); ++i) values.push_back(static_cast<float>(row[i]));
  }
  if (labels.empty())
    throw UserError(fmt::format("{}: no data lines, expected whitespace-separated numbers with the label last; {}",
                                path, advice));
  LoadedSet out;
  out.X = Eigen::Map<const Eigen::MatrixXf>(values.data(), columns - 1, static_cast<long>(labels.size()));
  out.labels = std::move(labels);
  return out;
}

LoadedSet load_amat(const std::string& path) {
  const std::string advice = "fix the file or the 'file' of this source";
  LoadedSet out = decode_amat(read_file_bytes(path, advice), path, advice);
  out.files.push_back(record_file(path));
  out.description = fmt::format("AMAT {} ({} x {}, last column dropped as label)", path, out.X.cols(), out.X.rows());
  return out;
}

}  // namespace hds::data
