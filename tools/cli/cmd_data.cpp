// `hds data list | verify | fetch NAME`: what data is on the search path, whether it matches the
// known checksums, and getting it (from a local copy or the publishers).
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/error.hpp"
#include "datasets/catalog.hpp"
#include "datasets/fetch.hpp"
#include "tools/cli/commands.hpp"

namespace hds::cli {
namespace {

std::string status_word(const data::Verdict& v) {
  switch (v.status) {
    case data::Verdict::kVerified: return "verified";
    case data::Verdict::kNoReference: return "UNVERIFIED (no reference checksum)";
    case data::Verdict::kMismatch: return "MISMATCH";
    default: return "missing";
  }
}

std::string role_hint(const data::KnownFile& f, const data::SetStatus& st) {
  switch (f.role) {
    case data::Role::kFull: return st.subset ? "full official batch; the subset is used instead" : "full official batch";
    case data::Role::kOptional: return "optional" + (f.note.empty() ? std::string() : ": " + f.note);
    case data::Role::kSubset: return "SUBSET";
    case data::Role::kFixture: return "TEST FIXTURE";
    default: return st.subset ? "required; a test fixture stands in for it" : "required";
  }
}

// Prints every set and file; returns false when a found file does not match its reference.
bool report(const std::vector<std::string>& sets, bool details) {
  const std::vector<std::string> dirs = data::search_path();
  std::string path;
  for (const std::string& d : dirs) path += (path.empty() ? "" : ", ") + d;
  fmt::print("data search path: {}\n", path.empty() ? "(empty: set --data-dir or HDS_DATA_DIR)" : path);
  bool good = true;
  for (const std::string& name : sets) {
    const data::KnownSet& set = data::known_set(name);
    const data::SetStatus st = data::check_set(name, dirs);
    good = good && !st.damaged;
    std::string state = st.damaged ? "DAMAGED (a file does not match its checksum)"
                        : !st.usable ? "MISSING (run 'hds data fetch " + name + "')"
                        : st.subset ? "ready, SUBSET ONLY (the first records, not the full data set)"
                                    : "ready";
    fmt::print("\n{}: {}\n  status: {}\n", name, set.title, state);
    for (const auto& [file, v] : st.files) {
      if (file->role == data::Role::kFixture && v.path.empty()) continue;  // only the tests have them
      fmt::print("  {:<28} {:<9} {}\n", file->name,
                 v.status == data::Verdict::kNoReference ? "UNVERIFIED" : status_word(v),
                 v.path.empty() ? "(" + role_hint(*file, st) + ")" : v.path);
      if ((file->role == data::Role::kSubset || file->role == data::Role::kFixture) && !v.path.empty()) fmt::print("  {:<28} {}\n", "", file->note);
      if ((details || v.status == data::Verdict::kNoReference) && !v.path.empty())
        fmt::print("  {:<28} {}\n", "", v.detail);
    }
  }
  return good;
}

std::vector<std::string> all_sets() {
  std::vector<std::string> names;
  for (const data::KnownSet& s : data::known_sets()) names.push_back(s.name);
  return names;
}

}  // namespace

void add_data_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("data", "list, verify and fetch the data sets (mnist, cifar, connect, adult)");
  cmd->require_subcommand(1);
  static std::string data_dir;
  cmd->add_option("--data-dir", data_dir, "Data directory searched first (then $HDS_DATA_DIR, ~/.cache/hds)");
  cmd->parse_complete_callback([] {
    if (!data_dir.empty()) data::set_data_dir(data_dir);
  });

  auto* list = cmd->add_subcommand("list", "Each data set, its files, found or missing, verified or not");
  list->callback([] { report(all_sets(), false); });

  static std::vector<std::string> verify_sets;
  auto* verify = cmd->add_subcommand("verify", "Hash every data file found and compare with the known sha256");
  verify->add_option("names", verify_sets, "Data sets to verify (default: all; a named set must be usable)");
  verify->callback([] {
    const std::vector<std::string> sets = verify_sets.empty() ? all_sets() : verify_sets;
    bool good = report(sets, true);
    for (const std::string& s : verify_sets)
      good = good && data::check_set(s, data::search_path()).usable;
    if (!good) throw UserError("verification failed: see the files marked MISMATCH or missing above");
    int unverified = 0;
    for (const std::string& s : sets)
      for (const auto& fv : data::check_set(s, data::search_path()).files)
        unverified += fv.second.status == data::Verdict::kNoReference ? 1 : 0;
    if (unverified == 0) fmt::print("\nall files found match their reference checksums\n");
    else
      fmt::print("\nall files found match their reference checksums, except {} UNVERIFIED: no reference checksum "
                 "is known for them (see above)\n", unverified);
  });

  static std::string fetch_name, from_dir, to_dir;
  auto* fetch = cmd->add_subcommand("fetch", "Get a data set: copy from --from DIR, or download from the publisher");
  fetch->add_option("name", fetch_name, "mnist, cifar, connect or adult")->required();
  fetch->add_option("--from", from_dir, "Import from a local copy (flat or in the set's folder) instead of downloading");
  fetch->add_option("--to", to_dir, "Destination data directory (default: the first of the search path)");
  fetch->callback([] {
    data::fetch_set(fetch_name, from_dir, to_dir.empty() ? data::default_fetch_dir() : to_dir, stdout);
  });
}

}  // namespace hds::cli
