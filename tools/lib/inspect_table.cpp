// Text, CSV and JSON rendering of inspection tables (see inspect_table.hpp).
#include "tools/lib/inspect_table.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace hds::inspect {
namespace {

std::string human(const Value& v) {
  switch (v.kind) {
    case Value::Kind::integer: return fmt::format("{}", v.integer);
    case Value::Kind::real:
      if (!std::isfinite(v.real)) return fmt::format("{}", v.real);
      return v.fixed ? fmt::format("{:.{}f}", v.real, v.precision) : fmt::format("{:.{}g}", v.real, v.precision);
    default: return v.text;
  }
}

std::string exact(const Value& v) {
  switch (v.kind) {
    case Value::Kind::integer: return fmt::format("{}", v.integer);
    case Value::Kind::real: return fmt::format("{}", v.real);  // shortest text that reads back exactly
    default: return v.text;
  }
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Display columns of the text rendering: either one table column or a mean/sd pair.
struct Shown {
  std::string header;
  size_t first = 0;
  bool pair = false;
};

std::vector<Shown> shown_columns(const Table& t) {
  std::vector<Shown> out;
  for (size_t i = 0; i < t.columns.size(); ++i) {
    const std::string& c = t.columns[i];
    if (ends_with(c, "_mean") && i + 1 < t.columns.size() && t.columns[i + 1] == c.substr(0, c.size() - 5) + "_sd") {
      out.push_back({c.substr(0, c.size() - 5) + " mean ± sd", i, true});
      ++i;
    } else {
      out.push_back({c, i, false});
    }
  }
  return out;
}

// Display width in characters (± and other non-ASCII count once).
size_t width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

Value Value::str(std::string s) {
  Value v;
  v.text = std::move(s);
  return v;
}

Value Value::num(double x, int precision, bool fixed) {
  Value v;
  v.kind = Kind::real;
  v.real = x;
  v.precision = precision;
  v.fixed = fixed;
  return v;
}

Value Value::count(int64_t n) {
  Value v;
  v.kind = Kind::integer;
  v.integer = n;
  return v;
}

std::string to_text(const Table& t) {
  const std::vector<Shown> cols = shown_columns(t);
  std::vector<std::vector<std::string>> cells;
  std::vector<size_t> w;
  for (const Shown& c : cols) w.push_back(width(c.header));
  for (const auto& row : t.rows) {
    std::vector<std::string> line;
    for (size_t k = 0; k < cols.size(); ++k) {
      const Shown& c = cols[k];
      std::string s = c.first < row.size() ? human(row[c.first]) : "";
      if (c.pair && c.first + 1 < row.size()) s += " ± " + human(row[c.first + 1]);
      w[k] = std::max(w[k], width(s));
      line.push_back(std::move(s));
    }
    cells.push_back(std::move(line));
  }
  auto pad = [](const std::string& s, size_t n, bool right) {
    const std::string fill(n > width(s) ? n - width(s) : 0, ' ');
    return right ? fill + s : s + fill;
  };
  // Text columns align left, numbers right.
  std::vector<bool> right(cols.size(), false);
  for (size_t k = 0; k < cols.size(); ++k)
    right[k] = !t.rows.empty() && t.rows[0].size() > cols[k].first &&
               t.rows[0][cols[k].first].kind != Value::Kind::text;
  std::string out;
  if (!t.title.empty()) out += t.title + "\n";
  for (size_t k = 0; k < cols.size(); ++k) out += (k ? "  " : "") + pad(cols[k].header, w[k], right[k]);
  out += "\n";
  for (const auto& line : cells) {
    for (size_t k = 0; k < line.size(); ++k) out += (k ? "  " : "") + pad(line[k], w[k], right[k]);
    out += "\n";
  }
  return out;
}

std::string to_csv(const Table& t) {
  auto field = [](const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  std::string out;
  for (size_t i = 0; i < t.columns.size(); ++i) out += (i ? "," : "") + field(t.columns[i]);
  out += "\n";
  for (const auto& row : t.rows) {
    for (size_t i = 0; i < row.size(); ++i) out += (i ? "," : "") + field(exact(row[i]));
    out += "\n";
  }
  return out;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) out += fmt::format("\\u{:04x}", c);
        else out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

namespace {

// "title": …, "columns": […], "rows": […] of one table, without the enclosing braces.
std::string json_fields(const Table& t) {
  auto value = [](const Value& v) {
    if (v.kind == Value::Kind::text) return json_string(v.text);
    if (v.kind == Value::Kind::real && !std::isfinite(v.real)) return std::string("null");
    return exact(v);
  };
  std::string out = "\"title\": " + json_string(t.title) + ", \"columns\": [";
  for (size_t i = 0; i < t.columns.size(); ++i) out += (i ? ", " : "") + json_string(t.columns[i]);
  out += "], \"rows\": [";
  for (size_t r = 0; r < t.rows.size(); ++r) {
    out += r ? ",\n  {" : "\n  {";
    for (size_t i = 0; i < t.rows[r].size() && i < t.columns.size(); ++i)
      out += (i ? ", " : "") + json_string(t.columns[i]) + ": " + value(t.rows[r][i]);
    out += "}";
  }
  return out + (t.rows.empty() ? "]" : "\n]");
}

}  // namespace

std::string to_json(const Table& t, const std::vector<std::pair<std::string, std::string>>& meta) {
  return to_json(t, meta, {});
}

std::string to_json(const Table& t, const std::vector<std::pair<std::string, std::string>>& meta,
                    const std::vector<std::pair<std::string, Table>>& more) {
  std::string out = "{";
  for (const auto& [k, v] : meta) out += json_string(k) + ": " + json_string(v) + ", ";
  out += json_fields(t);
  for (const auto& [name, table] : more) out += ",\n" + json_string(name) + ": {" + json_fields(table) + "}";
  return out + "}\n";
}

}  // namespace hds::inspect
