// Provenance and atomic result writing (see provenance.hpp).
#include "tools/lib/provenance.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/isa.hpp"
#include "hds_version.hpp"
#include "tools/lib/output_path.hpp"

namespace hds::prov {
namespace {
std::string g_command_line = "hds";
}

std::string join_args(int argc, char** argv) {
  std::string s;
  for (int i = 0; i < argc; ++i) s += (i ? " " : "") + std::string(argv[i]);
  return s;
}
void set_command_line(const std::string& line) { g_command_line = line; }
const std::string& command_line() { return g_command_line; }

std::string host_name() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') return "unknown";
  return host;
}

Provenance collect(const std::string& cmd) {
  Provenance p;
  p.hds_version = HDS_VERSION;
  p.git_commit = HDS_GIT_COMMIT;
  p.host = host_name();
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  p.created = buf;
  p.command_line = cmd;
  return p;
}

void write(h5::File& f, const Provenance& p, const std::string& kind) {
  f.attr("/", "format", std::string("hds-result"));
  f.attr("/", "layout_version", int64_t{2});
  f.attr("/", "kind", kind);
  f.attr("/", "hds_version", p.hds_version);
  f.attr("/", "git_commit", p.git_commit);
  f.attr("/", "host", p.host);
  f.attr("/", "created", p.created);
  f.attr("/", "command_line", p.command_line);
  std::vector<std::string> paths, sums, notes;
  std::vector<uint64_t> bytes;
  for (const auto& r : p.data_files) {
    paths.push_back(r.path);
    sums.push_back(r.sha256);
    notes.push_back(r.note);
    bytes.push_back(r.bytes);
  }
  f.write_strings("/provenance/data_files", paths);
  f.write_strings("/provenance/data_sha256", sums);
  f.write_strings("/provenance/data_notes", notes);
  f.write("/provenance/data_bytes", {bytes.size()}, bytes.data());
  f.attr("/provenance", "isa", isa_description());  // the kernels' instruction-set level (core/isa.hpp)
  if (!p.ranks.empty()) {
    std::vector<std::string> hosts;
    std::vector<int64_t> threads;
    for (const Rank& r : p.ranks) {
      hosts.push_back(r.host);
      threads.push_back(r.threads);
    }
    f.attr("/provenance", "ranks", static_cast<int64_t>(p.ranks.size()));
    f.attr("/provenance", "rank_hosts", hosts);
    f.attr("/provenance", "rank_threads", threads);
  }
}

void write_atomically(const std::string& path, const std::function<void(h5::File&)>& fill) {
  out::write_atomically(path, true, fill);
}

}  // namespace hds::prov
