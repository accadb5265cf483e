// CSV user data: comma-separated numbers, one pattern per row (optional header, '#' comments).
#include <fmt/format.h>

#include "core/error.hpp"
#include "datasets/formats.hpp"
#include "datasets/text_scan.hpp"

namespace hds::data {

LoadedSet decode_csv(const std::string& bytes, const std::string& path, const std::string& advice) {
  std::vector<float> values;
  long dim = -1, rows = 0;
  bool first = true;
  LineReader lines(bytes);
  std::string_view line;
  std::vector<std::string_view> fields;
  while (lines.next(line)) {
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    fields.clear();
    for (size_t start = 0;;) {
      const size_t comma = line.find(',', start);
      fields.push_back(trim(line.substr(start, comma == std::string_view::npos ? line.npos : comma - start)));
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    size_t numbers = 0;
    const size_t before = values.size();
    std::string_view bad;
    for (std::string_view f : fields) {
      double v;
      if (parse_finite(f, v)) {
        values.push_back(static_cast<float>(v));
        ++numbers;
      } else if (bad.empty()) {
        bad = f.empty() ? std::string_view("(empty)") : f;
      }
    }
    // A header is a first line with no number at all; anything else must be all numbers.
    if (first && numbers == 0) {
      first = false;
      continue;
    }
    first = false;
    if (numbers != fields.size()) {
      values.resize(before);
      throw UserError(fmt::format("{}:{}: field {} is not a finite number, expected only numbers; {}", path,
                                  lines.number(), quoted(bad), advice));
    }
    if (dim < 0) dim = static_cast<long>(fields.size());
    if (static_cast<long>(fields.size()) != dim)
      throw UserError(fmt::format("{}:{}: {} fields, but the first data row has {}; {}", path, lines.number(),
                                  fields.size(), dim, advice));
    ++rows;
  }
  if (rows == 0)
    throw UserError(fmt::format("{}: no data rows, expected comma-separated numbers, one pattern per row; {}",
                                path, advice));
  LoadedSet out;
  out.X = Eigen::Map<const Eigen::MatrixXf>(values.data(), dim, rows);
  return out;
}

LoadedSet load_csv(const std::string& path) {
  const std::string advice = "fix the file or the 'file' of this source";
  LoadedSet out = decode_csv(read_file_bytes(path, advice), path, advice);
  out.files.push_back(record_file(path));
  out.description = fmt::format("CSV {} ({} x {})", path, out.X.cols(), out.X.rows());
  return out;
}

}  // namespace hds::data
