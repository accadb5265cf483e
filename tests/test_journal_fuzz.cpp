// Fuzz-style robustness of the sweep journal read back on resume: truncation at every offset,
// byte flips at every offset, and crafted records with valid checksums must each give a one-line
// hds::UserError naming the journal, or a resume with exactly the cells that were written.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>

#include <unistd.h>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "core/sweeper.hpp"
#include "tools/lib/journal.hpp"
#include "tools/lib/sweep.hpp"

using namespace hds;
using namespace hds::sweep;
namespace fs = std::filesystem;

namespace {

constexpr int kG = 3, kR = 2, kP = 6;  // grid points, repetitions, patterns (online: error matrices P x P)
constexpr double kTwo = 2.0;

struct Fixture {
  fs::path dir;
  SweepDefinition s;
  std::vector<CellResult> cells;
  std::string journal;  // path
  std::string valid;    // header and one record per cell

  Fixture() {
    // Thousands of journals, each fsynced: on tmpfs where there is one.
    const fs::path base = fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
    dir = base / fmt::format("hds_journal_fuzz_{}", static_cast<long>(::getpid()));
    fs::create_directories(dir);
    const fs::path yaml = dir / "s.yaml";
    std::ofstream(yaml) << "name: fuzz\nbase:\n  inputs: {dataset: rand, dim: 4}\n  targets: {dataset: rand, dim: 3}\n"
                           "  patterns: 6\n  repetitions: 2\n  store: [error_matrix]\n"
                           "cells:\n  rule: [hd, gd, hebb]\ntune:\n  eta: [0.1, 0.2, 0.3]\n";
    s = load_sweep(yaml.string(), {});
    REQUIRE(s.grid_size == kG);
    REQUIRE(s.cells.size() == 3);
    journal = (dir / "out.h5.journal").string();
    Rng rng(11);
    valid = journal_header(s.hash);
    for (int c = 0; c < 3; ++c) {
      CellResult r;
      r.score.resize(kG, kR);
      for (Eigen::Index i = 0; i < r.score.size(); ++i) r.score.data()[i] = rng.uniform();
      r.diverged = decltype(r.diverged)::Zero(kG, kR);
      set_initial_points(s, r);
      r.diverged(c % kG, 1) = 1;
      r.best = select_best(r.score);
      for (int k = 0; k < kR; ++k) r.n_diverged += r.diverged(r.best.index, k);
      kind::Array curve{"forgetting_curve", {kR, kP}, {}, false}, em{"error_matrix", {kR, kP, kP}, {}, false};
      for (int i = 0; i < kR * kP; ++i) curve.values.push_back(rng.uniform());
      for (int i = 0; i < kR * kP * kP; ++i) em.values.push_back(rng.uniform());
      r.detail.arrays = {curve, em};
      r.detail.attrs = {{"engine", c == 1 ? "gram" : "direct"}};
      REQUIRE_MESSAGE(check_cell(s, c, r).empty(), check_cell(s, c, r));
      valid += journal_record(encode_cell(c, r));
      cells.push_back(std::move(r));
    }
  }
  ~Fixture() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  // Byte offset where record k starts.
  size_t record_start(int k) const {
    size_t pos = journal_header(s.hash).size();
    for (int i = 0; i < k; ++i) pos += journal_record(encode_cell(i, cells[i])).size();
    return pos;
  }
};

struct Outcome {
  bool error = false;
  std::string message;
  std::map<int, CellResult> done;
};

Outcome attempt(const Fixture& f, const std::string& content) {
  std::ofstream(f.journal, std::ios::binary | std::ios::trunc) << content;
  Outcome o;
  try {
    Journal j(f.journal);
    j.load(f.s);
    o.done = j.done();
  } catch (const UserError& e) {
    o.error = true;
    o.message = e.what();
  }
  return o;
}

// An accepted journal holds only cells that were written, each exactly as written; an error is one
// line naming the journal.
void check_outcome(const Fixture& f, const Outcome& o, const std::string& what) {
  if (o.error) {
    CHECK_MESSAGE(o.message.find('\n') == std::string::npos, what << ": multi-line message: " << o.message);
    CHECK_MESSAGE(o.message.rfind(f.journal + ": ", 0) == 0, what << ": message does not name the journal: " << o.message);
    CHECK_MESSAGE(o.message.find("--force") != std::string::npos, what << ": message does not give the fix: " << o.message);
    return;
  }
  for (const auto& [c, r] : o.done) {
    REQUIRE_MESSAGE((c >= 0 && c < 3), what << ": accepted cell " << c);
    CHECK_MESSAGE(encode_cell(c, r) == encode_cell(c, f.cells[c]), what << ": cell " << c << " differs from what was written");
  }
}

std::string with_int64(std::string payload, size_t at, int64_t v) {
  REQUIRE(payload.size() >= at + 8);
  payload.replace(at, 8, reinterpret_cast<const char*>(&v), 8);
  return payload;
}

}  // namespace

TEST_CASE("journal fuzz: the valid journal resumes every cell") {
  Fixture f;
  const Outcome o = attempt(f, f.valid);
  REQUIRE_MESSAGE(!o.error, o.message);
  CHECK(o.done.size() == 3);
  check_outcome(f, o, "valid");
}

TEST_CASE("journal fuzz: truncation at every offset resumes the whole records before the cut") {
  Fixture f;
  const size_t r1 = f.record_start(1), r2 = f.record_start(2);
  for (size_t at = 0; at <= f.valid.size(); ++at) {
    const Outcome o = attempt(f, f.valid.substr(0, at));
    const std::string what = fmt::format("cut at {}", at);
    REQUIRE_MESSAGE(!o.error, what << ": " << o.message);
    const size_t want = at == f.valid.size() ? 3 : at >= r2 ? 2 : at >= r1 ? 1 : 0;
    CHECK_MESSAGE(o.done.size() == want, what);
    check_outcome(f, o, what);
  }
  // After a cut the journal is whole again: appending to it and reading back gives every cell.
  std::ofstream(f.journal, std::ios::binary | std::ios::trunc) << f.valid.substr(0, r1 + 5);
  {
    Journal j(f.journal);
    j.load(f.s);
    CHECK(j.done().size() == 1);
    j.append(1, f.cells[1]);
    j.append(2, f.cells[2]);
  }
  Journal j(f.journal);
  j.load(f.s);
  CHECK(j.done().size() == 3);
}

TEST_CASE("journal fuzz: a changed byte anywhere is an error or leaves only whole, unchanged cells") {
  Fixture f;
  Rng rng(5);
  int errors = 0;
  for (size_t at = 0; at < f.valid.size(); ++at) {
    std::string m = f.valid;
    m[at] = static_cast<char>(m[at] ^ (1 + rng.below(255)));
    const Outcome o = attempt(f, m);
    check_outcome(f, o, fmt::format("byte {} changed", at));
    errors += o.error;
  }
  // Everything but a length field grown past the end (read as a record cut short) is caught.
  CHECK(errors > static_cast<int>(f.valid.size()) * 9 / 10);
  // Zeros where the last record should be (a crash before the data reached the disk) are a torn tail.
  std::string zeros = f.valid.substr(0, f.record_start(2)) + std::string(40, '\0');
  const Outcome o = attempt(f, zeros);
  REQUIRE_MESSAGE(!o.error, o.message);
  CHECK(o.done.size() == 2);
}

TEST_CASE("journal fuzz: crafted records with valid checksums are refused with what is wrong") {
  Fixture f;
  const std::string head = journal_header(f.s.hash);
  const std::string at0 = fmt::format("{}: record 0 at byte {} is corrupted: ", f.journal, head.size());
  auto refused = [&](const std::string& payload, const std::string& want) {
    const Outcome o = attempt(f, head + journal_record(payload));
    REQUIRE_MESSAGE(o.error, "accepted: " << want);
    CHECK_MESSAGE(o.message.rfind(at0, 0) == 0, o.message);
    CHECK_MESSAGE(o.message.find(want) != std::string::npos, "expected '" << want << "' in: " << o.message);
    CHECK_MESSAGE(o.message.find("pass --force to discard the journal and start the sweep over") != std::string::npos,
                  o.message);
  };
  auto variant = [&](const std::function<void(CellResult&)>& change) {
    CellResult r = f.cells[0];
    change(r);
    return r;
  };
  const double nan = std::numeric_limits<double>::quiet_NaN();

  refused(encode_cell(5000, f.cells[0]), "cell index 5000 is outside 0..2");
  refused(encode_cell(-1, f.cells[0]), "cell index -1 is outside 0..2");
  refused(encode_cell(3, f.cells[0]), "cell index 3 is outside 0..2");
  refused(encode_cell(0, variant([](CellResult& r) { r.score.conservativeResize(1, kR); })),
          "last_n_error is 1 x 2, expected 3 x 2");
  refused(encode_cell(0, variant([](CellResult& r) { r.best.index = 999; })), "winner index 999 is outside 0..2");
  refused(encode_cell(0, variant([](CellResult& r) { r.best.index = -1; })), "winner index -1 is outside 0..2");
  refused(encode_cell(0, variant([&](CellResult& r) { r.best.mean = nan; })), "is not what its scores select");
  refused(encode_cell(0, variant([](CellResult& r) { r.best.mean += 1e-9; })), "is not what its scores select");
  refused(encode_cell(0, variant([](CellResult& r) { r.best.sd = 0.5; })), "is not what its scores select");
  refused(encode_cell(0, variant([](CellResult& r) { r.best.index = (r.best.index + 1) % kG; })),
          "is not what its scores select");
  refused(encode_cell(0, variant([&](CellResult& r) { r.score(0, 0) = nan; })), "not a finite number");
  refused(encode_cell(0, variant([](CellResult& r) { r.n_diverged = 2; })), "diverged count");
  refused(encode_cell(0, variant([](CellResult& r) { r.n_diverged = 5000; })), "diverged count 5000 is outside 0..2");
  refused(encode_cell(0, variant([](CellResult& r) { r.diverged(0, 0) = 7; })), "a divergence flag is 7, not 0 or 1");
  refused(encode_cell(0, variant([](CellResult& r) { r.diverged.conservativeResize(kG, 1); })), "diverged is 3 x 1");
  // The evaluated points: the initial grid in grid order, round 0; no extra points in a plain sweep.
  refused(encode_cell(0, variant([](CellResult& r) { r.points(1, 0) = 0.25; })), "evaluated point 1 is not grid point 1");
  refused(encode_cell(0, variant([](CellResult& r) { r.round[2] = 1; })), "evaluated point 2 is not grid point 2 of round 0");
  refused(encode_cell(0, variant([](CellResult& r) { r.points.resize(0, 0); })), "the evaluated points are 0 x 0");
  refused(encode_cell(0, variant([](CellResult& r) { r.round.pop_back(); })), "2 rounds for 3 evaluated points");
  refused(encode_cell(0, variant([](CellResult& r) {
            r.score.conservativeResize(kG + 1, kR);
            r.score.row(kG).setConstant(0.5);
            r.diverged.conservativeResize(kG + 1, kR);
            r.diverged.row(kG).setZero();
            r.points.conservativeResize(kG + 1, 1);
            r.points(kG, 0) = 0.15;
            r.round.push_back(1);
          })),
          "diverged is 4 x 2, expected 3 x 2");
  auto curve = [](CellResult& r) -> kind::Array& { return r.detail.arrays[0]; };
  auto matrices = [](CellResult& r) -> kind::Array& { return r.detail.arrays[1]; };
  refused(encode_cell(0, variant([&](CellResult& r) {
            curve(r).shape = {kR, kP - 1};
            curve(r).values.resize(kR * (kP - 1));
          })),
          "forgetting_curve is 2 x 5, expected 2 x 6");
  refused(encode_cell(0, variant([&](CellResult& r) { curve(r).values[8] = nan; })), "forgetting-curve value is not a finite");
  refused(encode_cell(0, variant([&](CellResult& r) {
            matrices(r).shape = {1, kP, kP};
            matrices(r).values.resize(kP * kP);
          })),
          "error_matrix is 1 x 6 x 6, expected 2 x 6 x 6");
  refused(encode_cell(0, variant([&](CellResult& r) {
            matrices(r).shape = {kR, kP - 1, kP};
            matrices(r).values.resize(kR * (kP - 1) * kP);
          })),
          "error_matrix is 2 x 5 x 6, expected 2 x 6 x 6");
  refused(encode_cell(0, variant([&](CellResult& r) { matrices(r).shape = {kR, kP, 1000 * kP}; })),
          "array 'error_matrix' claims more values than the record holds");
  refused(encode_cell(0, variant([](CellResult& r) { r.detail.arrays.erase(r.detail.arrays.begin()); })),
          "the forgetting curves are missing");
  refused(encode_cell(0, variant([](CellResult& r) { r.detail.arrays.push_back({"extra", {1}, {0.5}, false}); })),
          "arrays this sweep does not make");
  refused(encode_cell(0, variant([](CellResult& r) { r.detail.arrays.push_back({"flags", {1}, {3}, true}); })),
          "array 'flags' holds 3, not 0 or 1");
  refused(encode_cell(0, variant([](CellResult& r) { r.detail.attrs[0].second = "bogus"; })),
          "engine 'bogus' is none of direct, gram, blocked");

  // Raw fields that no CellResult can produce: sizes that would overflow or run past the record.
  const std::string good = encode_cell(0, f.cells[0]);
  refused(with_int64(good, 8, int64_t{1} << 62), "score claims");
  refused(with_int64(good, 16, -3), "score claims");
  refused(with_int64(with_int64(good, 8, int64_t{1} << 32), 16, int64_t{1} << 32), "score claims");
  refused(good.substr(0, good.size() - 3), "an attribute value runs past the record");
  refused(good + "xyz", "3 bytes follow the record's last field");
  refused(good.substr(0, 8), "ends early");
  refused(std::string(), "ends early");

  // The same cell twice.
  const Outcome o = attempt(f, head + journal_record(good) + journal_record(good));
  REQUIRE(o.error);
  CHECK_MESSAGE(o.message.find("cell 0 is recorded twice") != std::string::npos, o.message);
}

TEST_CASE("journal fuzz: headers: cut short, of another definition, unreadable; reset discards") {
  Fixture f;
  const std::string head = journal_header(f.s.hash);
  Outcome o = attempt(f, "HDSJOURNAL3 " + std::string(64, '0') + "\n" + f.valid.substr(head.size()));
  REQUIRE(o.error);
  CHECK_MESSAGE(o.message.find("was made by a different sweep definition (journal 000000000000, this sweep " +
                               f.s.hash.substr(0, 12) + ")") != std::string::npos, o.message);
  o = attempt(f, "HDSJOURNAL1 " + std::string(64, '0') + "\n" + f.valid.substr(head.size()));
  REQUIRE(o.error);
  CHECK_MESSAGE(o.message.find("was written by an earlier hds (journal format 1)") != std::string::npos, o.message);
  // Format 2 (the initial grid only, before adaptive tuning) is refused the same way, with its own journal.
  o = attempt(f, "HDSJOURNAL2 " + f.s.hash + "\n" + f.valid.substr(head.size()));
  REQUIRE(o.error);
  CHECK_MESSAGE(o.message.find("was written by an earlier hds (journal format 2)") != std::string::npos, o.message);
  o = attempt(f, "not a journal at all, but long enough to hold a header of seventy-seven bytes .......");
  REQUIRE(o.error);
  CHECK_MESSAGE(o.message.find("header unreadable") != std::string::npos, o.message);
  o = attempt(f, "HDSJ");  // a prefix of the header: nothing was recorded
  CHECK_MESSAGE(!o.error, o.message);
  CHECK(o.done.empty());

  // reset() (--force) gets past a corrupted journal and leaves a fresh one.
  std::ofstream(f.journal, std::ios::binary | std::ios::trunc) << "garbage";
  {
    Journal j(f.journal);
    CHECK_THROWS_AS(j.load(f.s), UserError);
    j.reset(f.s.hash);
    j.append(2, f.cells[2]);
  }
  Journal j(f.journal);
  j.load(f.s);
  REQUIRE(j.done().size() == 1);
  CHECK(encode_cell(2, j.done().at(2)) == encode_cell(2, f.cells[2]));
}

TEST_CASE("journal fuzz: decode_cell (records between MPI ranks) gives back what encode_cell wrote, or why not") {
  Fixture f;
  for (int c = 0; c < 3; ++c) {
    const std::string payload = encode_cell(c, f.cells[c]);
    int64_t cell = -1;
    CellResult r;
    REQUIRE(decode_cell(payload, cell, r).empty());
    CHECK(cell == c);
    CHECK(encode_cell(cell, r) == payload);
    CHECK(check_cell(f.s, cell, r).empty());
    // Cut short anywhere: a reason, never a crash or a result.
    for (size_t n = 0; n < payload.size(); n += 7) CHECK_FALSE(decode_cell(payload.substr(0, n), cell, r).empty());
  }
  // A winner's detail alone (a rank's answer to "compute the detail of w"): empty tables, the winner.
  CellResult detail;
  detail.best.index = 2;
  detail.detail = f.cells[0].detail;
  int64_t cell = -1;
  CellResult r;
  REQUIRE(decode_cell(encode_cell(0, detail), cell, r).empty());
  CHECK(r.best.index == 2);
  CHECK(r.score.size() == 0);
  CHECK(r.detail.arrays.size() == 2);
  // A divergence flag that is neither 0 nor 1.
  std::string bad = encode_cell(0, f.cells[0]);
  const size_t flags = 8 + 16 + kG * kR * 8 + 16;  // cell, score (dims, values), diverged dims
  bad.replace(flags, 8, std::string(reinterpret_cast<const char*>(&kTwo), 8));
  CHECK(decode_cell(bad, cell, r).find("a divergence flag is 2") != std::string::npos);
}
