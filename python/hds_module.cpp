// `hds._hds`: the C++ engine inside Python (pybind11). Runs an experiment or a sweep from a YAML file
// exactly as `hds run` / `hds sweep` do, with the GIL released while C++ computes; the suite's
// one-line errors (hds::UserError) become hds.Error with the same message. The pure-Python side
// (python/hds/) turns dicts into files and the result into an hds.Result.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <Eigen/Core>

#include <atomic>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "datasets/catalog.hpp"
#include "hds_version.hpp"
#include "tools/lib/kind.hpp"
#include "tools/lib/provenance.hpp"
#include "tools/lib/result_layout.hpp"
#include "tools/lib/sweep.hpp"
#include "tools/lib/sweep_run.hpp"
#include "tools/lib/yaml_util.hpp"

namespace py = pybind11;

namespace {

void prepare(const std::string& data_dir, const std::string& command_line) {
  Eigen::setNbThreads(1);  // as the CLI: parallel over runs, every run on one thread
  if (!data_dir.empty()) hds::data::set_data_dir(data_dir);
  hds::prov::set_command_line(command_line);
}

void run(const std::string& file, const std::vector<std::string>& overrides, const std::string& output, int threads,
         bool force, const std::string& data_dir, const std::string& command_line) {
  py::gil_scoped_release unlocked;
  prepare(data_dir, command_line);
  YAML::Node root = hds::cfg::load_yaml_file(file);
  hds::cfg::YamlContext ctx(file);
  ctx.apply_overrides(root, overrides);
  ctx.check_duplicate_keys(root);
  hds::kind::of(root, ctx).run({output, threads, force}, root, ctx);
}

void sweep(const std::string& file, const std::vector<std::string>& overrides, const std::string& output, int threads,
           bool force, const std::string& data_dir, const std::string& command_line) {
  py::gil_scoped_release unlocked;
  prepare(data_dir, command_line);
  hds::sweep::SweepDefinition s = hds::sweep::load_sweep(file, overrides);
  if (!output.empty()) s.output = output;
  hds::sweep::SweepOptions opt;
  opt.output = s.output;
  opt.threads = threads;
  opt.progress = false;
  opt.force = force;
  const std::atomic<bool> stop{false};
  const hds::sweep::SweepOutcome out = hds::sweep::run_sweep(s, opt, stop);
  if (out.already_complete && !force)
    throw hds::UserError(s.output + ": already complete for this sweep definition (pass force=True to recompute)");
}

}  // namespace

PYBIND11_MODULE(_hds, m) {
  m.doc() = "the hds engine (C++), used by the hds package";
  static py::exception<hds::UserError> error(m, "Error", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const hds::UserError& e) {
      error(e.what());
    }
  });
  m.attr("version") = HDS_VERSION;
  m.attr("git_commit") = HDS_GIT_COMMIT;
  m.def("run", &run, py::arg("file"), py::arg("overrides"), py::arg("output"), py::arg("threads"), py::arg("force"),
        py::arg("data_dir"), py::arg("command_line"), "hds run FILE --set … -o OUTPUT");
  m.def("sweep", &sweep, py::arg("file"), py::arg("overrides"), py::arg("output"), py::arg("threads"),
        py::arg("force"), py::arg("data_dir"), py::arg("command_line"), "hds sweep FILE --set … -o OUTPUT");
  m.def(
      "meaning",
      [](const std::string& kind, const std::string& experiment_kind, const std::string& path, size_t rank) {
        const hds::layout::Meaning mn = hds::layout::meaning(kind, experiment_kind, path, rank);
        return py::make_tuple(mn.dims, mn.description, mn.units);
      },
      "the documented axes, description and units of a result dataset (tools/lib/result_layout.hpp)");
}
