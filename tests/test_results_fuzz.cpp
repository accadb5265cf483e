// Robustness of every reader of hds's own result files (`init: from`, `hds inspect`): files written by
// the real writers (runs, sweeps, network runs), then truncated, byte-flipped (seeded) and hand-edited
// (wrong attribute types and shapes, short bias, foreign identity), must give a one-line hds::UserError
// naming the file or a valid read.
#include <doctest/doctest.h>

#include <hdf5.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "tools/lib/config.hpp"
#include "tools/lib/experiment.hpp"
#include "tools/lib/guarded_read.hpp"
#include "tools/lib/inspect.hpp"
#include "tools/lib/network_experiment.hpp"
#include "tools/lib/sweep_run.hpp"

using namespace hds;

namespace {

std::string temp(const std::string& tag) {
  return "/tmp/hds_test_results_fuzz_" + std::to_string(::getpid()) + "_" + tag;
}

void write_text(const std::string& path, const std::string& s) { std::ofstream(path, std::ios::binary) << s; }

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// An experiment of 8 -> 5 units, two repetitions; with `from`, it starts from that file's weights.
cfg::ExperimentConfig experiment(const std::string& from = "", int repetition = -1) {
  std::string yaml =
      "name: tiny\ninputs: {dataset: rand, dim: 8}\ntargets: {dataset: rand, dim: 5}\npatterns: 10\nrule: hd\n"
      "activation: sigmoid\neta: 0.2\nrepetitions: 2\nseed: 3\nlast_n: 5\nstore: [weights]\n";
  if (!from.empty())
    yaml += "init: {name: from, file: " + from + ", repetition: " + std::to_string(repetition) + "}\n";
  const std::string path = temp("exp.yaml");
  write_text(path, yaml);
  auto c = cfg::load_experiment(path, {});
  std::remove(path.c_str());
  return c;
}

std::string make_run_file() {
  const std::string path = temp("run.h5");
  const auto c = experiment();
  exp::write_run_file(path, c, exp::run_experiment(c, 1), true);
  return path;
}

std::string make_sweep_file() {
  const std::string yaml = temp("sweep.yaml"), path = temp("sweep.h5");
  write_text(yaml,
             "name: tiny_sweep\nbase:\n  inputs: {dataset: rand, dim: 6}\n  targets: {dataset: rand, dim: 4}\n"
             "  patterns: 8\n  repetitions: 2\n  last_n: 4\n  store: [error_matrix]\ncells:\n  rule: [hd, gd]\n"
             "tune:\n  eta: [0.1, 1]\n");
  sweep::SweepOptions o;
  o.output = path;
  o.threads = 1;
  o.progress = false;
  const std::atomic<bool> stop{false};
  sweep::run_sweep(sweep::load_sweep(yaml, {}), o, stop);
  std::remove(yaml.c_str());
  return path;
}

// A network run on the MNIST fixture (a few seconds' work at most): 784 -> 6 -> 4 units, two
// repetitions, iid or a class-incremental stream of two tasks.
std::string make_network_file(bool stream) {
  const std::string path = temp(stream ? "network_stream.h5" : "network_iid.h5");
  std::string yaml = "kind: network\nname: tiny_net\ndata: {dataset: mnist, validation: 20, train_limit: 60, data_dir: " +
                     std::string(HDS_SOURCE_DIR) + "/tests/fixtures/data}\nbatch_size: 10\nepochs: 2\nrepetitions: 2\n";
  yaml += stream ? "layers: [784, 6, 10]\nprotocol: class_incremental\ntasks: [[0, 1], [2, 3]]\n" : "layers: [784, 6, 10]\n";
  const netexp::NetworkExperiment c = netexp::parse_network(YAML::Load(yaml), cfg::YamlContext("tiny_net.yaml"));
  netexp::write_network_file(path, c, netexp::run_network(c, 1), true);
  return path;
}

// Each reader of a result file, run as the command line runs it; returns what it read (as text).
using Reader = std::function<std::string(const std::string& path)>;

std::map<std::string, Reader> readers_of(const std::string& kind) {
  std::map<std::string, Reader> r;
  auto inspect_as = [](std::string cell, std::string format) {
    return [cell, format](const std::string& p) {
      return h5::guarded_read(p, [&] { return inspect::report(p, cell, format); });
    };
  };
  r["inspect (tree, provenance, summary)"] = inspect_as("", "text");
  r["inspect --format json"] = inspect_as("", "json");
  if (kind == "sweep") r["inspect --cell 1"] = inspect_as("1", "text");
  if (kind == "network") r["inspect --format csv"] = inspect_as("", "csv");
  if (kind == "run")
    r["init: from"] = [](const std::string& p) {
      const auto c = experiment(p, 1);
      const exp::Pools pools = exp::open_pools(c);
      const exp::Repetition rep = exp::prepare_repetition(c, pools, 0);
      REQUIRE((rep.W0.rows() == 8 && rep.W0.cols() == 5 && rep.b0.size() == 5));
      REQUIRE((rep.W0.allFinite() && rep.b0.allFinite()));
      return std::string("loaded");
    };
  return r;
}

// The message a reader gave ("" when it read the file); anything but a one-line UserError naming the
// file fails the test.
std::string outcome(const Reader& read, const std::string& path) {
  try {
    const std::string text = read(path);
    CHECK(!text.empty());
    return "";
  } catch (const UserError& e) {
    const std::string msg = e.what();
    CHECK_MESSAGE(msg.find('\n') == std::string::npos, "multi-line message: " << msg);
    CHECK_MESSAGE(msg.rfind(path, 0) == 0, "message does not start with the file: " << msg);
    return msg;
  }
}

struct Tally {
  int read = 0, refused = 0, contained = 0;  // contained: HDF5 itself crashed, in the child
};

void fuzz(const std::string& valid, const std::string& kind, int cuts, int flips, uint64_t seed) {
  ::setenv("HDS_READ_TIMEOUT", "3", 1);  // HDF5 loops forever on some damaged heaps; the reads here take < 1 s
  const std::string bytes = read_bytes(valid);
  REQUIRE(bytes.size() > 1000);
  const auto readers = readers_of(kind);
  std::map<std::string, Tally> tally;
  for (const auto& [name, read] : readers) REQUIRE_MESSAGE(outcome(read, valid).empty(), name << " on the valid file");
  const std::string path = temp("mutant.h5");
  Rng rng(seed);
  for (int i = 0; i < cuts + flips; ++i) {
    std::string m = bytes;
    if (i < cuts) {
      m.resize(i < 8 ? static_cast<size_t>(i) * 97 : rng.below(bytes.size()));
    } else {
      for (int k = 0, n = 1 + static_cast<int>(rng.below(4)); k < n; ++k)
        m[rng.below(m.size())] = static_cast<char>(rng.below(256));
    }
    write_text(path, m);
    for (const auto& [name, read] : readers) {
      INFO(name << ", variant " << i);
      const std::string msg = outcome(read, path);
      Tally& t = tally[name];
      ++(msg.empty() ? t.read : t.refused);
      t.contained += msg.find(": damaged: the HDF5 library") != std::string::npos;
    }
  }
  for (const auto& [name, t] : tally)
    MESSAGE(kind << " file, " << name << ": " << t.read << " read, " << t.refused << " refused (" << t.contained
                 << " of them HDF5 crashes or hangs stopped in the child)");
  std::remove(path.c_str());
}

// Opens an hds file for editing with the raw HDF5 API.
void edit(const std::string& path, const std::function<void(hid_t)>& change) {
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  REQUIRE(f >= 0);
  change(f);
  REQUIRE(H5Fclose(f) >= 0);
}

void set_attr(hid_t f, const char* name, hid_t type, const std::vector<hsize_t>& dims, const void* data) {
  if (H5Aexists(f, name) > 0) H5Adelete(f, name);
  const hid_t space = dims.empty() ? H5Screate(H5S_SCALAR) : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
  const hid_t a = H5Acreate2(f, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  REQUIRE(a >= 0);
  REQUIRE(H5Awrite(a, type, data) >= 0);
  H5Aclose(a);
  H5Sclose(space);
}

void set_string_attr(hid_t f, const char* name, const char* value) {
  const hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  set_attr(f, name, t, {}, &value);
  H5Tclose(t);
}

void replace_dataset(hid_t f, const char* name, const std::vector<hsize_t>& dims) {
  REQUIRE(H5Ldelete(f, name, H5P_DEFAULT) >= 0);
  const std::vector<double> zeros(1000, 0.0);
  const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
  const hid_t d = H5Dcreate2(f, name, H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  REQUIRE(d >= 0);
  REQUIRE(H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, zeros.data()) >= 0);
  H5Dclose(d);
  H5Sclose(space);
}

// A copy of `valid` changed by `change`, and the message `read` gives for it.
std::string refusal(const std::string& valid, const std::function<void(hid_t)>& change, const Reader& read,
                    const std::string& tag) {
  const std::string path = temp(tag + ".h5");
  write_text(path, read_bytes(valid));
  edit(path, change);
  std::string msg;
  try {
    read(path);
  } catch (const UserError& e) {
    msg = e.what();
  }
  std::remove(path.c_str());
  const std::string prefix = path + ": ";
  REQUIRE_MESSAGE(msg.rfind(prefix, 0) == 0, tag << ": not refused with a line naming the file: " << msg);
  return msg.substr(prefix.size());
}

}  // namespace

TEST_CASE("results fuzz: truncated and byte-flipped run files are refused in one line by init: from and inspect") {
  const std::string run = make_run_file();
  fuzz(run, "run", 25, 100, 11);
  std::remove(run.c_str());
}

TEST_CASE("results fuzz: truncated and byte-flipped sweep files are refused in one line by every inspect view") {
  const std::string sweep_file = make_sweep_file();
  fuzz(sweep_file, "sweep", 25, 100, 12);
  std::remove(sweep_file.c_str());
}

TEST_CASE("init: from checks the file's identity, the repetition and both weight shapes") {
  const std::string run = make_run_file();
  const Reader from = readers_of("run").at("init: from");
  CHECK(refusal(run, [](hid_t f) { replace_dataset(f, "/weights/b", {2, 1}); }, from, "short_b") ==
        "/weights/b has shape [2, 1], but /weights/W needs [2, 5]; the file is damaged, write it again with 'hds run'");
  CHECK(refusal(run, [](hid_t f) { replace_dataset(f, "/weights/W", {2, 8, 4}); }, from, "narrow_w") ==
        "/weights/W has shape [2, 8, 4], but this experiment needs [R, 8, 5] (n_in x n_out); start from a run with "
        "the same input and target dimensions");
  CHECK(refusal(run, [](hid_t f) { set_string_attr(f, "format", "something-else"); }, from, "format") ==
        "not an hds result file (no root attribute format=\"hds-result\")");
  CHECK(refusal(run, [](hid_t f) { set_string_attr(f, "kind", "sweep"); }, from, "kind") ==
        "is a sweep file; init: from needs a run file with final weights (a sweep's winner: 'hds run' its "
        "/cells/cNNNN/config with 'store: [weights]')");
  const int64_t v999 = 999;
  CHECK(refusal(run, [&](hid_t f) { set_attr(f, "layout_version", H5T_NATIVE_INT64, {}, &v999); }, from, "v999") ==
        "layout_version 999 is newer than this hds reads (2); use a newer hds");
  const int64_t v0 = 0;
  CHECK(refusal(run, [&](hid_t f) { set_attr(f, "layout_version", H5T_NATIVE_INT64, {}, &v0); }, from, "v0") ==
        "layout_version 0 is not one hds ever wrote (1 to 2); the file is damaged or was not written by hds");
  const std::vector<double> many(1000, 1.0);
  CHECK(refusal(run, [&](hid_t f) { set_attr(f, "layout_version", H5T_NATIVE_DOUBLE, {1000}, many.data()); }, from,
                "array_version") ==
        "attribute /@layout_version is float64 [1000], expected a single number; the file was not written by hds");
  const Reader rep5 = [](const std::string& p) {
    const auto c = experiment(p, 5);
    exp::prepare_repetition(c, exp::open_pools(c), 0);
    return std::string("loaded");
  };
  CHECK(refusal(run, [](hid_t) {}, rep5, "rep5") ==
        "has 2 repetitions (0 to 1), repetition 5 was asked for; set init.repetition to one of them");
  std::remove(run.c_str());
}

TEST_CASE("inspect refuses wrong attribute types and shapes, foreign kinds and any --cell index, in one line") {
  const std::string run = make_run_file(), sweep_file = make_sweep_file();
  const Reader summary = readers_of("run").at("inspect (tree, provenance, summary)");
  const int64_t seven = 7;
  CHECK(refusal(run, [&](hid_t f) { set_attr(f, "rule", H5T_NATIVE_INT64, {}, &seven); }, summary, "int_rule") ==
        "attribute /@rule is int64, expected a single string; the file was not written by hds");
  CHECK(refusal(run, [](hid_t f) { set_string_attr(f, "last_n", "twenty"); }, summary, "text_last_n") ==
        "attribute /@last_n is string, expected a single number; the file was not written by hds");
  const double half = 0.5;
  CHECK(refusal(run, [&](hid_t f) { set_attr(f, "n_diverged", H5T_NATIVE_DOUBLE, {}, &half); }, summary,
                "float_count") == "attribute /@n_diverged is float64, expected an integer; the file was not written by hds");
  const std::vector<int64_t> versions = {1, 1};
  CHECK(refusal(run, [&](hid_t f) { set_attr(f, "layout_version", H5T_NATIVE_INT64, {2}, versions.data()); },
                summary, "two_versions") ==
        "attribute /@layout_version is int64 [2], expected a single number; the file was not written by hds");
  CHECK(refusal(run, [](hid_t f) { set_string_attr(f, "kind", "r\x01n"); }, summary, "odd_kind") ==
        "the 'kind' attribute is not a name hds writes (run, sweep, study); the file is damaged");
  CHECK(refusal(run, [](hid_t f) { REQUIRE(H5Lcreate_hard(f, "/", f, "/weights/loop", H5P_DEFAULT, H5P_DEFAULT) >= 0); },
                summary, "loop") ==
        "group '/weights/loop' links back to a group above it (or nests deeper than 32); the file is damaged");
  const Reader huge_cell = [](const std::string& p) {
    return h5::guarded_read(p, [&] { return inspect::report(p, "99999999999999999999999", "text"); });
  };
  CHECK(refusal(sweep_file, [](hid_t) {}, huge_cell, "huge_cell") ==
        "--cell 99999999999999999999999: the sweep has cells 0 to 1");
  const Reader cell0 = [](const std::string& p) {
    return h5::guarded_read(p, [&] { return inspect::report(p, "0", "text"); });
  };
  CHECK(refusal(sweep_file, [](hid_t f) { replace_dataset(f, "/summary/winner_index", {1}); }, cell0, "winners") ==
        "/summary/winner_index has 1 entries for 2 cells; the file is damaged");
  std::remove(run.c_str());
  std::remove(sweep_file.c_str());
}

TEST_CASE("results fuzz: truncated and byte-flipped network run files are refused in one line by every inspect view") {
  const std::string stream = make_network_file(true);
  fuzz(stream, "network", 25, 100, 13);
  std::remove(stream.c_str());
}

TEST_CASE("inspect checks a network run's datasets against its /config and its attributes' types, in one line") {
  const std::string iid = make_network_file(false), stream = make_network_file(true);
  const Reader text = readers_of("network").at("inspect (tree, provenance, summary)");
  const Reader json = readers_of("network").at("inspect --format json");
  const std::string tail = "; the network run file is damaged or incomplete (write it again with 'hds run')";
  CHECK(refusal(iid, [](hid_t f) { REQUIRE(H5Ldelete(f, "/metrics/validation_mse", H5P_DEFAULT) >= 0); }, text,
                "no_metric") ==
        "no dataset '/metrics/validation_mse' (expected shape [2, 2], repetitions × measured epochs)" + tail);
  CHECK(refusal(stream, [](hid_t f) { replace_dataset(f, "/accuracy_matrix/test", {2, 2, 3}); }, json, "matrix") ==
        "'/accuracy_matrix/test' has shape [2, 2, 3], expected [2, 2, 2] (repetitions × tasks × tasks)" + tail);
  CHECK(refusal(stream, [](hid_t f) { replace_dataset(f, "/metrics/test_accuracy", {2, 3}); }, text, "metric") ==
        "'/metrics/test_accuracy' has shape [2, 3], expected [2, 4] (repetitions × measured epochs)" + tail);
  CHECK(refusal(iid, [](hid_t f) { replace_dataset(f, "/score", {3}); }, text, "score") ==
        "'/score' has shape [3], expected [2] (one value per repetition, 2 in /config)" + tail);
  CHECK(refusal(iid, [](hid_t f) { replace_dataset(f, "/metrics/task", {2}); }, text, "float_task") ==
        "'/metrics/task' is float64, expected whole numbers" + tail);
  CHECK(refusal(stream, [](hid_t f) { set_string_attr(f, "score_sd", "0.1"); }, json, "text_sd") ==
        "attribute /@score_sd is string, expected a single number; the file was not written by hds");
  const double half = 0.5;
  CHECK(refusal(iid, [&](hid_t f) { set_attr(f, "n_diverged", H5T_NATIVE_DOUBLE, {}, &half); }, text, "float_div") ==
        "attribute /@n_diverged is float64, expected an integer; the file was not written by hds");
  const int64_t three = 3;
  CHECK(refusal(iid, [&](hid_t f) { set_attr(f, "n_diverged", H5T_NATIVE_INT64, {}, &three); }, text, "many_div") ==
        "root attribute n_diverged is 3, more than the 2 repetitions" + tail);
  CHECK(refusal(iid, [&](hid_t f) { set_attr(f, "experiment_kind", H5T_NATIVE_INT64, {}, &three); }, text, "ek") ==
        "attribute /@experiment_kind is int64, expected a single string; the file was not written by hds");
  CHECK(refusal(iid, [](hid_t f) { set_string_attr(f, "output_activation", "step"); }, text, "act") ==
        "root attribute output_activation is 'step', but /config says 'sigmoid'" + tail);
  CHECK(refusal(iid, [](hid_t f) { H5Adelete(f, "score"); }, text, "no_score") == "no root attribute 'score'" + tail);
  CHECK(refusal(iid, [](hid_t f) { REQUIRE(H5Ldelete(f, "/config", H5P_DEFAULT) >= 0); }, json, "no_config") ==
        "no dataset '/config' (the resolved experiment)" + tail);
  const std::string stored = h5::File(iid, h5::File::Mode::read).read_string("/config");
  const auto set_config = [](const std::string& yaml) {
    return [yaml](hid_t f) {
      REQUIRE(H5Ldelete(f, "/config", H5P_DEFAULT) >= 0);
      const hid_t t = H5Tcopy(H5T_C_S1), space = H5Screate(H5S_SCALAR);
      H5Tset_size(t, H5T_VARIABLE);
      const hid_t d = H5Dcreate2(f, "/config", t, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      const char* p = yaml.c_str();
      REQUIRE(H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &p) >= 0);
      H5Dclose(d);
      H5Sclose(space);
      H5Tclose(t);
    };
  };
  CHECK(refusal(iid, set_config("kind: network\nlayers: [784, 10\n"), text, "bad_yaml")
            .rfind("'/config' is not readable YAML (", 0) == 0);
  CHECK(refusal(iid, set_config("- 1\n- 2\n"), text, "list_yaml") == "'/config' is not a YAML mapping of keys" + tail);
  const std::string lr = stored.substr(0, stored.find("epochs: 2")) + "lr: 0.1\n" + stored.substr(stored.find("epochs: 2"));
  CHECK(refusal(iid, set_config(lr), text, "key").rfind("/config:", 0) == 0);
  CHECK(refusal(iid, set_config(stored.substr(0, stored.find("epochs: 2")) + "epochs: 3" +
                                stored.substr(stored.find("epochs: 2") + 9)),
                json, "epochs") ==
        "'/metrics/task' has shape [2], expected [3] (one entry per measured epoch, tasks × epochs = 1 × 3 in "
        "/config)" + tail);
  std::remove(iid.c_str());
  std::remove(stream.c_str());
}
