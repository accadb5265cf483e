// The layout made explicit in result files (tools/lib/result_layout.hpp): the table's axes and
// descriptions, and describe() on hand-made files: scales in the dataset's group, a suffix where a
// name is taken, typed cell values only for numeric keys, generic axes for what the table lacks.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "tools/lib/h5file.hpp"
#include "tools/lib/output_path.hpp"
#include "tools/lib/result_layout.hpp"

using namespace hds;

namespace {
std::string temp_path(const std::string& tag) {
  return "/tmp/hds_test_layout_" + std::to_string(::getpid()) + "_" + tag + ".h5";
}
}  // namespace

TEST_CASE("the layout table names the axes of each kind's datasets, cells matched by their group") {
  using V = std::vector<std::string>;
  CHECK(layout::meaning("run", "", "/forgetting_curve", 2).dims == V{"repetition", "position"});
  CHECK(layout::meaning("run", "association", "/error_matrix", 3).dims == V{"repetition", "step", "position"});
  CHECK(layout::meaning("sweep", "network", "/cells/c0012/validation_accuracy", 2).dims == V{"grid_point", "repetition"});
  CHECK(layout::meaning("sweep", "network", "/cells/c0012/accuracy_matrix_test", 3).dims ==
        V{"repetition", "after_task", "task"});
  CHECK(layout::meaning("run", "autoassociation", "/metrics/angles", 3).units == "rad");
  CHECK(layout::meaning("run", "autoassociation", "/metrics/angles", 3).dims ==
        V{"repetition", "epoch", "principal_angle"});
  CHECK(layout::meaning("sweep", "association", "/summary/winner_eta", 1).description ==
        "the winner's value of a tuned axis (winner_eta)");
  // The same path of another rank, or of another experiment kind, is not the documented dataset.
  CHECK(layout::meaning("run", "association", "/forgetting_curve", 3).description.empty());
  CHECK(layout::meaning("run", "association", "/forgetting_curve", 3).dims == V{"forgetting_curve_dim0",
        "forgetting_curve_dim1", "forgetting_curve_dim2"});
  CHECK(layout::meaning("run", "network", "/forgetting_curve", 2).description.empty());
  CHECK(layout::meaning("sweep", "association", "/cells/c0001/evaluated/last_n_error", 2).dims ==
        V{"evaluated", "repetition"});
}

TEST_CASE("describe() attaches scales in each dataset's group, describes, and types numeric cell values") {
  const std::string path = temp_path("sweep");
  out::write_atomically(path, true, [](h5::File& f) {  // describe() runs inside, before the image is taken
    f.attr("/", "kind", std::string("sweep"));
    f.attr("/", "experiment_kind", std::string("association"));
    f.attr("/", "cell_keys", std::string("rule,patterns,inputs"));
    f.write_strings("/summary/rule", {"hd", "gd"});
    f.write_strings("/summary/patterns", {"10", "15"});
    f.write_strings("/summary/inputs", {"{dataset: rand, dim: 20}", "{dataset: rand, dim: 30}"});
    const std::vector<double> g = {0.1, 0.2, 0.3}, s(6, 0.5), fc(30, 0.25), e = {0, 1, 0, 1}, m(10, 0.5);
    f.write("/grid/eta", {3}, g.data());
    f.write("/cells/c0000/last_n_error", {3, 2}, s.data());
    f.write("/cells/c0000/forgetting_curve", {2, 15}, fc.data());
    f.write("/cells/c0000/odd", {2, 3}, s.data());
    f.write("/cells/c0000/position", {3}, g.data());  // a data set where a scale would go
  });
  h5::File f(path, h5::File::Mode::read);
  CHECK(f.read_attr_string("/cells/c0000/last_n_error", "description") == "last-N error of every run");
  CHECK(f.is_scale("/cells/c0000/grid_point"));
  CHECK(f.is_scale("/cells/c0000/repetition"));
  CHECK(f.dims("/cells/c0000/repetition") == std::vector<hsize_t>{2});
  CHECK(f.read_int64s("/cells/c0000/grid_point") == std::vector<int64_t>{0, 1, 2});
  CHECK(f.is_scale("/grid/grid_point"));
  CHECK(f.is_scale("/summary/cell"));
  // 'position' is taken by a data set: the forgetting curve's axis is position_15, named position.
  CHECK(!f.is_scale("/cells/c0000/position"));
  CHECK(f.is_scale("/cells/c0000/position_15"));
  CHECK(f.read_attr_string("/cells/c0000/position_15", "axis") == "position");
  CHECK(f.is_scale("/cells/c0000/odd_dim1"));
  CHECK(!f.has_attr("/cells/c0000/odd", "description"));
  CHECK(f.read_doubles("/summary/value_patterns") == std::vector<double>{10, 15});
  CHECK(!f.exists("/summary/value_rule"));
  CHECK(!f.exists("/summary/value_inputs"));
  f.close();
  std::remove(path.c_str());
}
