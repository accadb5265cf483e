// hds inspect's reading of result files: the refusals, the run and sweep summaries, a cell's grid,
// and CSV/JSON that scripts can parse.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "tools/lib/inspect.hpp"
#include "tools/lib/provenance.hpp"

using namespace hds;

namespace {

std::string temp_path(const std::string& tag) {
  return "/tmp/hds_test_inspect_" + std::to_string(::getpid()) + "_" + tag + ".h5";
}

// A run file as `hds run` writes it (only what inspect reads), three repetitions of five patterns.
void fill_run(h5::File& f) {
  prov::write(f, prov::collect("test"), "run");
  f.attr("/", "name", std::string("tiny"));
  f.attr("/", "inputs", std::string("RAND(dim=4)"));
  f.attr("/", "targets", std::string("RAND(dim=3)"));
  f.attr("/", "rule", std::string("hd"));
  f.attr("/", "activation", std::string("sigmoid"));
  f.attr("/", "eta", 0.5);
  f.attr("/", "last_n", int64_t{2});
  f.attr("/", "last_n_mean", 0.125);
  f.attr("/", "last_n_sd", 0.25);
  f.attr("/", "n_diverged", int64_t{1});
  f.write_string("/config", "name: tiny\nweight_decay: 0.001\n");
  const std::vector<double> last = {0.1, 0.2, 1.0};
  f.write("/last_n_error", {3}, last.data());
  const std::vector<double> curve(15, 0.3);
  f.write("/forgetting_curve", {3, 5}, curve.data());
}

// A sweep with two cells and three grid points of eta, two repetitions.
void fill_sweep(h5::File& f) {
  prov::write(f, prov::collect("test"), "sweep");
  f.attr("/", "name", std::string("tiny_sweep"));
  f.attr("/", "tuned_axes", std::string("eta"));
  f.attr("/", "cell_axes", std::string("rule"));
  f.attr("/", "repetitions", int64_t{2});
  f.attr("/", "last_n", int64_t{20});
  f.attr("/", "n_grid", int64_t{3});
  const std::vector<double> eta = {0.1, 1, 10};
  f.write("/grid/eta", {3}, eta.data());
  f.write_strings("/summary/label", {"rule=hd", "rule=gd"});
  f.write_strings("/summary/rule", {"hd", "gd"});
  const std::vector<int64_t> win = {1, 0}, ndiv = {0, 1};
  const std::vector<double> weta = {1, 0.1}, mean = {0.15, 0.55}, sd = {0.0707, 0.6364};
  f.write("/summary/winner_index", {2}, win.data());
  f.write("/summary/winner_eta", {2}, weta.data());
  f.write("/summary/last_n_mean", {2}, mean.data());
  f.write("/summary/last_n_sd", {2}, sd.data());
  f.write("/summary/n_diverged", {2}, ndiv.data());
  const std::vector<double> e0 = {0.3, 0.5, 0.1, 0.2, 1.0, 1.0}, e1 = {0.1, 1.0, 0.6, 0.8, 1.0, 1.0};
  const std::vector<uint8_t> d0 = {0, 0, 0, 0, 1, 1}, d1 = {0, 1, 0, 0, 1, 1};
  f.write("/cells/c0000/last_n_error", {3, 2}, e0.data());
  f.write("/cells/c0000/diverged", {3, 2}, d0.data());
  f.write("/cells/c0001/last_n_error", {3, 2}, e1.data());
  f.write("/cells/c0001/diverged", {3, 2}, d1.data());
}

std::string error_of(const std::string& path) {
  try {
    const h5::File f(path, h5::File::Mode::read);
    inspect::check_result_file(f);
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("inspect refuses files that are not hds results or come from a newer layout, in one line") {
  const std::string plain = temp_path("plain"), future = temp_path("future"), good = temp_path("good");
  prov::write_atomically(plain, [](h5::File& f) { f.write_string("/config", "x"); });
  prov::write_atomically(future, [](h5::File& f) {
    f.attr("/", "format", std::string("hds-result"));
    f.attr("/", "layout_version", int64_t{3});
    f.attr("/", "kind", std::string("run"));
  });
  prov::write_atomically(good, fill_run);
  CHECK(error_of(plain) == plain + ": not an hds result file (no root attribute format=\"hds-result\")");
  CHECK(error_of(future) == future + ": layout_version 3 is newer than this hds reads (2); use a newer hds");
  CHECK(error_of(good).empty());
  for (const auto& p : {plain, future, good}) std::remove(p.c_str());
}

TEST_CASE("a run file's summary row has the attributes' numbers, the decay from /config and the shapes") {
  const std::string path = temp_path("run");
  prov::write_atomically(path, fill_run);
  const h5::File f(path, h5::File::Mode::read);
  const inspect::Table t = inspect::summary(f);
  REQUIRE(t.rows.size() == 1);
  auto col = [&](const std::string& name) {
    for (size_t i = 0; i < t.columns.size(); ++i)
      if (t.columns[i] == name) return t.rows[0][i];
    FAIL("no column " << name);
    return inspect::Value();
  };
  CHECK(col("rule").text == "hd");
  CHECK(col("eta").real == 0.5);
  CHECK(col("weight_decay").real == 0.001);
  CHECK(col("patterns").integer == 5);
  CHECK(col("repetitions").integer == 3);
  CHECK(col("last_n_mean").real == 0.125);
  CHECK(col("n_diverged").integer == 1);
  const std::string text = inspect::to_text(t);
  CHECK(text.find("last_n mean ± sd") != std::string::npos);
  CHECK(text.find("0.1250 ± 0.2500") != std::string::npos);
  const std::string tree = inspect::tree_text(f);
  CHECK(tree.find("forgetting_curve") != std::string::npos);
  CHECK(tree.find("[3, 5]") != std::string::npos);
  std::remove(path.c_str());
}

TEST_CASE("a sweep summary has one row per cell; a cell's detail recomputes every grid point") {
  const std::string path = temp_path("sweep");
  prov::write_atomically(path, fill_sweep);
  const h5::File f(path, h5::File::Mode::read);
  const inspect::Table s = inspect::summary(f);
  REQUIRE(s.rows.size() == 2);
  CHECK(s.columns == std::vector<std::string>{"cell", "label", "winner_eta", "last_n_mean", "last_n_sd",
                                              "n_diverged", "repetitions"});
  CHECK(s.rows[1][1].text == "rule=gd");
  CHECK(s.rows[1][2].real == 0.1);

  const inspect::Table byname = inspect::cell_detail(f, "rule=gd");
  const inspect::Table byindex = inspect::cell_detail(f, "1");
  CHECK(inspect::to_csv(byname) == inspect::to_csv(byindex));
  REQUIRE(byname.rows.size() == 3);
  // Grid point 0 of cell 1: errors 0.1 and 1.0 (one diverged): mean 0.55, sd 0.9/sqrt(2).
  CHECK(byname.rows[0][1].real == 0.1);
  CHECK(byname.rows[0][2].real == doctest::Approx(0.55));
  CHECK(byname.rows[0][3].real == doctest::Approx(0.9 / std::sqrt(2.0)));
  CHECK(byname.rows[0][4].integer == 1);
  CHECK(byname.rows[0][5].text == "*");
  CHECK(byname.rows[2][4].integer == 2);

  auto err = [&](const std::string& cell) {
    try {
      inspect::cell_detail(f, cell);
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(err("7") == path + ": --cell 7: the sweep has cells 0 to 1");
  CHECK(err("rule=").find("matches 2 cells") != std::string::npos);
  CHECK(err("oja").find("no cell has that label") != std::string::npos);
  std::remove(path.c_str());
}

TEST_CASE("CSV quotes what needs quoting; JSON escapes strings and writes non-finite numbers as null") {
  inspect::Table t;
  t.columns = {"label", "x"};
  t.rows.push_back({inspect::Value::str("a,\"b\""), inspect::Value::num(0.1)});
  t.rows.push_back({inspect::Value::str("tab\there"), inspect::Value::num(std::nan(""))});
  CHECK(inspect::to_csv(t) == "label,x\n\"a,\"\"b\"\"\",0.1\ntab\there,nan\n");
  const std::string json = inspect::to_json(t, {{"file", "f\\.h5"}});
  CHECK(json.find("\"file\": \"f\\\\.h5\"") != std::string::npos);
  CHECK(json.find("{\"label\": \"a,\\\"b\\\"\", \"x\": 0.1}") != std::string::npos);
  CHECK(json.find("\"x\": null") != std::string::npos);
  CHECK(json.find("tab\\there") != std::string::npos);
}

TEST_CASE("JSON with further tables keeps the first table's keys at the top and nests the others by name") {
  inspect::Table a, b;
  a.title = "first";
  a.columns = {"x"};
  a.rows.push_back({inspect::Value::num(1.5)});
  b.title = "second";
  b.columns = {"n"};
  const std::string alone = inspect::to_json(a, {{"file", "f.h5"}});
  CHECK(alone == "{\"file\": \"f.h5\", \"title\": \"first\", \"columns\": [\"x\"], \"rows\": [\n  {\"x\": 1.5}\n]}\n");
  CHECK(inspect::to_json(a, {{"file", "f.h5"}}, {}) == alone);
  CHECK(inspect::to_json(a, {{"file", "f.h5"}}, {{"more", b}}) ==
        alone.substr(0, alone.size() - 2) + ",\n\"more\": {\"title\": \"second\", \"columns\": [\"n\"], \"rows\": []}}\n");
}
