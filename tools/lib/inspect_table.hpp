// A small table of text and numbers rendered for people (aligned text) or scripts (CSV, JSON).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace hds::inspect {

struct Value {
  enum class Kind { text, real, integer };
  Kind kind = Kind::text;
  std::string text;
  double real = 0.0;
  int64_t integer = 0;
  int precision = 4;   // text rendering of reals: significant digits (general) or decimals (fixed)
  bool fixed = false;

  static Value str(std::string s);
  static Value num(double x, int precision = 4, bool fixed = false);
  static Value count(int64_t n);
};

struct Table {
  std::string title;                 // one line above the text rendering
  std::vector<std::string> columns;  // machine-readable names (CSV header, JSON keys)
  std::vector<std::vector<Value>> rows;
};

// Aligned columns; a column `X_mean` followed by `X_sd` is shown as one "X mean ± sd" column.
std::string to_text(const Table& t);
// Header row then one row per line; reals in the shortest form that reads back exactly.
std::string to_csv(const Table& t);
// {"title", "columns", "rows": [{column: value}]}; non-finite reals become null.
std::string to_json(const Table& t, const std::vector<std::pair<std::string, std::string>>& meta);
// The same, followed by further tables, each under its name as {"title", "columns", "rows"}.
std::string to_json(const Table& t, const std::vector<std::pair<std::string, std::string>>& meta,
                    const std::vector<std::pair<std::string, Table>>& more);

std::string json_string(const std::string& s);

}  // namespace hds::inspect
