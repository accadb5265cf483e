// The sweep journal (see journal.hpp).
#include "tools/lib/journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/sweeper.hpp"

namespace hds::sweep {
namespace {

// Format 3: every evaluated point of a cell (its tuned values and round) beside its scores, for
// adaptive tuning. Format 2 had the initial grid only; format 1 had the association kind's
// forgetting curves and error matrices in fixed places.
const char kMagic[] = "HDSJOURNAL3 ";
const char* const kOldMagics[] = {"HDSJOURNAL1 ", "HDSJOURNAL2 "};
const size_t kMagicLen = sizeof kMagic - 1;
const size_t kFrame = 12;  // "CELL" and the length

struct Writer {
  std::string buf;
  template <class T> void put(const T& v) { buf.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void put_matrix(const Eigen::MatrixXd& m) {
    put<int64_t>(m.rows());
    put<int64_t>(m.cols());
    buf.append(reinterpret_cast<const char*>(m.data()), m.size() * sizeof(double));
  }
  void put_string(const std::string& s) {
    put<int64_t>(static_cast<int64_t>(s.size()));
    buf += s;
  }
};

// Reads a payload; throws std::runtime_error (turned into a message by the caller) when it ends early.
struct Reader {
  const std::string& buf;
  size_t pos = 0;
  size_t left() const { return buf.size() - pos; }
  template <class T> T get() {
    if (left() < sizeof(T)) throw std::runtime_error("the record ends early");
    T v;
    std::memcpy(&v, buf.data() + pos, sizeof v);
    pos += sizeof v;
    return v;
  }
  Eigen::MatrixXd get_matrix(const char* what) {
    const auto r = get<int64_t>(), c = get<int64_t>();
    // Bounded by what is left before multiplying, so that no product can overflow.
    const auto room = static_cast<int64_t>(left() / sizeof(double));
    if (r < 0 || c < 0 || (c > 0 && r > room / c))
      throw std::runtime_error(fmt::format("{} claims {} x {} values, more than the record holds", what, r, c));
    Eigen::MatrixXd m(r, c);
    if (m.size() > 0) std::memcpy(m.data(), buf.data() + pos, m.size() * sizeof(double));
    pos += m.size() * sizeof(double);
    return m;
  }
  std::string get_string(const char* what) {
    const auto n = get<int64_t>();
    if (n < 0 || static_cast<uint64_t>(n) > left()) throw std::runtime_error(fmt::format("{} runs past the record", what));
    std::string s = buf.substr(pos, n);
    pos += n;
    return s;
  }
};

struct Decoded {
  int64_t cell = -1, winner = -1, n_diverged = 0;
  Eigen::MatrixXd diverged;  // as stored, checked to be 0/1 before conversion
  CellResult r;
};

Decoded decode(const std::string& payload) {
  Reader rd{payload};
  Decoded d;
  d.cell = rd.get<int64_t>();
  d.r.score = rd.get_matrix("score");
  d.diverged = rd.get_matrix("diverged");
  d.winner = rd.get<int64_t>();
  d.r.best.mean = rd.get<double>();
  d.r.best.sd = rd.get<double>();
  d.n_diverged = rd.get<int64_t>();
  d.r.points = rd.get_matrix("points");
  {
    const auto rounds = rd.get<int64_t>();
    if (rounds < 0 || static_cast<uint64_t>(rounds) > rd.left() / 8)
      throw std::runtime_error(fmt::format("{} rounds claimed, more than the record holds", rounds));
    for (int64_t i = 0; i < rounds; ++i) d.r.round.push_back(rd.get<int64_t>());
  }
  const auto n = rd.get<int64_t>();
  // Each array takes at least its name's length and its rank (8 bytes each).
  if (n < 0 || static_cast<uint64_t>(n) > rd.left() / 16)
    throw std::runtime_error(fmt::format("{} arrays claimed, more than the record holds", n));
  for (int64_t i = 0; i < n; ++i) {
    kind::Array a;
    a.name = rd.get_string("an array name");
    a.bytes = rd.get<uint8_t>() != 0;
    const auto rank = rd.get<int64_t>();
    if (rank < 0 || static_cast<uint64_t>(rank) > rd.left() / 8)
      throw std::runtime_error(fmt::format("array '{}' claims rank {}, more than the record holds", a.name, rank));
    // Bounded by what is left before multiplying, so that no product can overflow.
    uint64_t size = 1;
    for (int64_t k = 0; k < rank; ++k) {
      const auto dim = rd.get<int64_t>();
      const uint64_t room = rd.left() / sizeof(double);
      if (dim < 0 || (dim > 0 && size > room / static_cast<uint64_t>(dim)))
        throw std::runtime_error(fmt::format("array '{}' claims more values than the record holds", a.name));
      a.shape.push_back(static_cast<uint64_t>(dim));
      size *= static_cast<uint64_t>(dim);
    }
    if (size > rd.left() / sizeof(double))
      throw std::runtime_error(fmt::format("array '{}' claims more values than the record holds", a.name));
    a.values.resize(size);
    if (size > 0) std::memcpy(a.values.data(), payload.data() + rd.pos, size * sizeof(double));
    rd.pos += size * sizeof(double);
    d.r.detail.arrays.push_back(std::move(a));
  }
  const auto m = rd.get<int64_t>();
  if (m < 0 || static_cast<uint64_t>(m) > rd.left() / 16)
    throw std::runtime_error(fmt::format("{} attributes claimed, more than the record holds", m));
  for (int64_t i = 0; i < m; ++i) {
    std::string name = rd.get_string("an attribute name");
    std::string value = rd.get_string("an attribute value");
    d.r.detail.attrs.emplace_back(std::move(name), std::move(value));
  }
  if (rd.left() != 0) throw std::runtime_error(fmt::format("{} bytes follow the record's last field", rd.left()));
  return d;
}

std::string shape(const Eigen::MatrixXd& m) { return fmt::format("{} x {}", m.rows(), m.cols()); }

bool all_finite(const Eigen::MatrixXd& m) {
  for (Eigen::Index i = 0; i < m.size(); ++i)
    if (!std::isfinite(m.data()[i])) return false;
  return true;
}

bool all_zero(const std::string& s, size_t from) {
  for (size_t i = from; i < s.size(); ++i)
    if (s[i] != '\0') return false;
  return true;
}

// Checks the fields that decode() cannot: the stored divergence flags and the winner's counts.
std::string check_decoded(const SweepDefinition& s, const Decoded& d) {
  if (d.cell < 0 || d.cell >= static_cast<int64_t>(s.cells.size()))
    return fmt::format("cell index {} is outside 0..{}", d.cell, s.cells.size() - 1);
  const int G = s.grid_size, R = s.cells[d.cell].experiment->repetitions();
  if (d.diverged.rows() < G || d.diverged.rows() > s.max_points || d.diverged.cols() != R)
    return fmt::format("diverged is {}, expected {}{} x {} (evaluated points x repetitions)", shape(d.diverged), G,
                       s.adaptive() ? fmt::format("..{}", s.max_points) : "", R);
  for (Eigen::Index i = 0; i < d.diverged.size(); ++i)
    if (d.diverged.data()[i] != 0.0 && d.diverged.data()[i] != 1.0)
      return fmt::format("a divergence flag is {}, not 0 or 1", d.diverged.data()[i]);
  if (d.winner < 0 || d.winner >= d.diverged.rows())
    return fmt::format("winner index {} is outside 0..{}", d.winner, d.diverged.rows() - 1);
  if (d.n_diverged < 0 || d.n_diverged > R)
    return fmt::format("the winner's diverged count {} is outside 0..{}", d.n_diverged, R);
  return {};
}

}  // namespace

std::string journal_header(const std::string& hash) { return std::string(kMagic) + hash + "\n"; }

uint64_t journal_checksum(const std::string& s) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a: any change of one byte changes it
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

std::string encode_cell(int64_t cell, const CellResult& r) {
  Writer w;
  w.put<int64_t>(cell);
  w.put_matrix(r.score);
  w.put_matrix(r.diverged.cast<double>());
  w.put<int64_t>(r.best.index);
  w.put<double>(r.best.mean);
  w.put<double>(r.best.sd);
  w.put<int64_t>(r.n_diverged);
  w.put_matrix(r.points);
  w.put<int64_t>(static_cast<int64_t>(r.round.size()));
  for (int64_t x : r.round) w.put<int64_t>(x);
  w.put<int64_t>(static_cast<int64_t>(r.detail.arrays.size()));
  for (const kind::Array& a : r.detail.arrays) {
    w.put_string(a.name);
    w.put<uint8_t>(a.bytes ? 1 : 0);
    w.put<int64_t>(static_cast<int64_t>(a.shape.size()));
    for (uint64_t d : a.shape) w.put<int64_t>(static_cast<int64_t>(d));
    w.buf.append(reinterpret_cast<const char*>(a.values.data()), a.values.size() * sizeof(double));
  }
  w.put<int64_t>(static_cast<int64_t>(r.detail.attrs.size()));
  for (const auto& [name, value] : r.detail.attrs) {
    w.put_string(name);
    w.put_string(value);
  }
  return w.buf;
}

std::string journal_record(const std::string& payload) {
  std::string rec = "CELL";
  const uint64_t len = payload.size(), sum = journal_checksum(payload);
  rec.append(reinterpret_cast<const char*>(&len), 8);
  rec += payload;
  rec.append(reinterpret_cast<const char*>(&sum), 8);
  return rec;
}

std::string decode_cell(const std::string& payload, int64_t& cell, CellResult& r) {
  Decoded d;
  try {
    d = decode(payload);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  for (Eigen::Index i = 0; i < d.diverged.size(); ++i)
    if (d.diverged.data()[i] != 0.0 && d.diverged.data()[i] != 1.0)
      return fmt::format("a divergence flag is {}, not 0 or 1", d.diverged.data()[i]);
  if (d.winner < -1 || d.winner > std::numeric_limits<int>::max())
    return fmt::format("winner index {} is out of range", d.winner);
  if (d.n_diverged < 0 || d.n_diverged > std::numeric_limits<int>::max())
    return fmt::format("the winner's diverged count {} is out of range", d.n_diverged);
  cell = d.cell;
  r = std::move(d.r);
  r.diverged = d.diverged.cast<uint8_t>();
  r.best.index = static_cast<int>(d.winner);
  r.n_diverged = static_cast<int>(d.n_diverged);
  return {};
}

std::string check_cell(const SweepDefinition& s, int64_t cell, const CellResult& r) {
  if (cell < 0 || cell >= static_cast<int64_t>(s.cells.size()))
    return fmt::format("cell index {} is outside 0..{}", cell, s.cells.size() - 1);
  const kind::Experiment& base = *s.cells[cell].experiment;
  const kind::Score score = s.kind->score(base);
  const int G = s.grid_size, R = base.repetitions(), K = static_cast<int>(s.tuned.size());
  const int64_t N = r.score.rows();
  const std::string points = s.adaptive() ? fmt::format("{}..{}", G, s.max_points) : std::to_string(G);
  if (N < G || N > s.max_points || r.score.cols() != R)
    return fmt::format("{} is {}, expected {} x {} (evaluated points x repetitions)", score.dataset, shape(r.score),
                       points, R);
  if (r.diverged.rows() != N || r.diverged.cols() != R)
    return fmt::format("diverged is {} x {}, expected {} x {}", r.diverged.rows(), r.diverged.cols(), N, R);
  if (r.points.rows() != N || r.points.cols() != K)
    return fmt::format("the evaluated points are {}, expected {} x {} (points x tuned axes)", shape(r.points), N, K);
  if (static_cast<int64_t>(r.round.size()) != N)
    return fmt::format("{} rounds for {} evaluated points", r.round.size(), N);
  if (!all_finite(r.points)) return "an evaluated point is not a finite number";
  for (int g = 0; g < G; ++g) {
    const std::vector<double> v = grid_point(s, g);
    for (int k = 0; k < K; ++k)
      if (!(r.points(g, k) == v[k]) || r.round[g] != 0)
        return fmt::format("evaluated point {} is not grid point {} of round 0", g, g);
  }
  for (int64_t i = G; i < N; ++i)
    if (r.round[i] < 1 || r.round[i] < r.round[i - 1])
      return fmt::format("evaluated point {} has round {}, after round {}", i, r.round[i], r.round[i - 1]);
  if (!all_finite(r.score)) return fmt::format("a value of {} is not a finite number", score.dataset);
  if (r.best.index < 0 || r.best.index >= N)
    return fmt::format("winner index {} is outside 0..{}", r.best.index, N - 1);
  // The winner, its mean and spread are a function of the scores: they must be exactly what those select.
  const Selection expect = select_best(r.score, score.lower_is_better);
  if (expect.index != r.best.index || !(expect.mean == r.best.mean) || !(expect.sd == r.best.sd))
    return fmt::format("the winner (index {}, mean {}, sd {}) is not what its scores select (index {}, mean {}, sd {})",
                       r.best.index, r.best.mean, r.best.sd, expect.index, expect.mean, expect.sd);
  int nd = 0;
  for (int k = 0; k < R; ++k) nd += r.diverged(r.best.index, k) != 0;
  if (nd != r.n_diverged)
    return fmt::format("the winner's diverged count is {}, but {} of its repetitions are marked diverged", r.n_diverged,
                       nd);
  for (const kind::Array& a : r.detail.arrays) {
    if (a.bytes)
      for (double v : a.values)
        if (v != 0.0 && v != 1.0) return fmt::format("array '{}' holds {}, not 0 or 1", a.name, v);
    if (a.size() != a.values.size()) return fmt::format("array '{}' has a shape that does not match its values", a.name);
  }
  std::vector<double> w(K);
  for (int k = 0; k < K; ++k) w[k] = r.points(r.best.index, k);
  return s.kind->check_detail(*apply_point(s, base, w), r.detail);
}

Journal::Journal(std::string path) : path_(std::move(path)) {
  // A process that finishes removes its journal while still holding the lock; one that opened the old
  // file meanwhile finds it unlinked once it gets the lock, and opens again.
  for (int attempt = 0; attempt < 100; ++attempt) {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      if (errno == ELOOP)
        throw UserError(fmt::format("{}: is a symbolic link; hds does not write through links: remove it, or write "
                                    "this sweep elsewhere with -o", path_));
      throw UserError(fmt::format("{}: cannot open the sweep journal ({}); choose another -o", path_,
                                  std::strerror(errno)));
    }
    struct stat st;
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
      release();
      throw UserError(fmt::format("{}: is not a regular file, so it cannot be the sweep journal; move it away or "
                                  "write this sweep elsewhere with -o", path_));
    }
    struct flock lk {};
    lk.l_type = F_WRLCK;
    lk.l_whence = SEEK_SET;
    if (::fcntl(fd_, F_SETLK, &lk) != 0) {
      struct flock who {};
      who.l_type = F_WRLCK;
      who.l_whence = SEEK_SET;
      const bool known = ::fcntl(fd_, F_GETLK, &who) == 0 && who.l_type != F_UNLCK;
      release();
      throw UserError(fmt::format("{}: another hds sweep{} is writing this output now; wait for it to finish, or "
                                  "write this sweep elsewhere with -o", path_,
                                  known ? fmt::format(" (process {})", who.l_pid) : std::string()));
    }
    struct stat now;
    if (::stat(path_.c_str(), &now) == 0 && now.st_dev == st.st_dev && now.st_ino == st.st_ino) return;
    release();
  }
  throw UserError(fmt::format("{}: the sweep journal keeps being replaced by another process; choose another -o",
                              path_));
}

Journal::~Journal() { release(); }

void Journal::release() {
  if (fd_ >= 0) ::close(fd_);  // also drops the lock
  fd_ = -1;
}

std::string Journal::read_all() const {
  std::string content;
  char buf[1 << 16];
  off_t off = 0;
  while (true) {
    const ssize_t n = ::pread(fd_, buf, sizeof buf, off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      throw UserError(fmt::format("{}: cannot read the sweep journal ({})", path_, std::strerror(errno)));
    if (n == 0) break;
    content.append(buf, static_cast<size_t>(n));
    off += n;
  }
  return content;
}

bool Journal::empty() const {
  struct stat st;
  return ::fstat(fd_, &st) == 0 && st.st_size == 0;
}

bool Journal::written_for(const std::string& hash) const {
  const std::string header = journal_header(hash);
  return read_all().compare(0, header.size(), header) == 0;
}

void Journal::load(const SweepDefinition& s) {
  done_.clear();
  note_.clear();
  const std::string header = journal_header(s.hash);
  const std::string content = read_all();
  const std::string force = "pass --force to discard the journal and start the sweep over";
  size_t valid = 0;
  // A header cut short by a kill as it was written holds nothing: start afresh.
  if (content.size() >= header.size() || header.compare(0, content.size(), content) != 0) {
    for (int old = 0; old < 2; ++old)
      if (content.compare(0, kMagicLen, kOldMagics[old]) == 0)
        throw UserError(fmt::format("{}: was written by an earlier hds (journal format {}), which this one cannot "
                                    "resume; {}", path_, old + 1, force));
    if (content.compare(0, kMagicLen, kMagic) != 0 || content.size() < header.size() ||
        content[header.size() - 1] != '\n')
      throw UserError(fmt::format("{}: header unreadable (not an hds sweep journal, or damaged); {}", path_, force));
    if (content.compare(0, header.size(), header) != 0)
      throw UserError(fmt::format("{}: was made by a different sweep definition (journal {:.12}, this sweep "
                                  "{:.12}), so it cannot be resumed; {}, or write this sweep elsewhere with -o",
                                  path_, content.substr(kMagicLen, header.size() - kMagicLen - 1), s.hash, force));
    valid = header.size();
    int k = 0;
    for (size_t pos = valid; pos < content.size(); ++k) {
      const size_t rest = content.size() - pos;
      auto corrupt = [&](const std::string& what) {
        return UserError(fmt::format("{}: record {} at byte {} is corrupted: {}; {}", path_, k, pos, what, force));
      };
      auto torn = [&] {
        note_ = fmt::format("{}: dropped the incomplete record {} at byte {} (a write cut short); that cell is "
                            "computed again", path_, k, pos);
      };
      if (all_zero(content, pos)) {  // a crash can leave zeros where an unfinished record was to go
        torn();
        break;
      }
      if (content.compare(pos, std::min<size_t>(4, rest), "CELL", std::min<size_t>(4, rest)) != 0)
        throw corrupt("no record marker");
      if (rest < kFrame) {
        torn();
        break;
      }
      uint64_t len;
      std::memcpy(&len, content.data() + pos + 4, 8);
      if (len > rest || rest - kFrame < len || rest - kFrame - len < 8) {
        torn();
        break;
      }
      const std::string payload = content.substr(pos + kFrame, len);
      uint64_t sum;
      std::memcpy(&sum, content.data() + pos + kFrame + len, 8);
      if (sum != journal_checksum(payload)) throw corrupt("checksum mismatch");
      Decoded d;
      try {
        d = decode(payload);
      } catch (const std::runtime_error& e) {
        throw corrupt(e.what());
      }
      if (const std::string why = check_decoded(s, d); !why.empty()) throw corrupt(why);
      if (done_.count(static_cast<int>(d.cell))) throw corrupt(fmt::format("cell {} is recorded twice", d.cell));
      d.r.diverged = d.diverged.cast<uint8_t>();
      d.r.best.index = static_cast<int>(d.winner);
      d.r.n_diverged = static_cast<int>(d.n_diverged);
      if (const std::string why = check_cell(s, d.cell, d.r); !why.empty()) throw corrupt(why);
      done_[static_cast<int>(d.cell)] = std::move(d.r);
      pos += kFrame + len + 8;
      valid = pos;
    }
  }
  if (valid == 0) {
    start(s.hash);
    return;
  }
  // Cut off a torn tail so that new records follow the last whole one.
  if (valid < content.size() && ::ftruncate(fd_, static_cast<off_t>(valid)) != 0) fail_write();
  if (::lseek(fd_, 0, SEEK_END) < 0 || ::fsync(fd_) != 0) fail_write();
}

void Journal::reset(const std::string& hash) {
  done_.clear();
  note_.clear();
  start(hash);
}

void Journal::start(const std::string& hash) {
  if (::ftruncate(fd_, 0) != 0 || ::lseek(fd_, 0, SEEK_SET) < 0 || !write_all(journal_header(hash)) ||
      ::fsync(fd_) != 0)
    fail_write();
}

void Journal::append(int cell, const CellResult& r) {
  const off_t before = ::lseek(fd_, 0, SEEK_END);
  if (before < 0 || !write_all(journal_record(encode_cell(cell, r))) || ::fsync(fd_) != 0) {
    const int err = errno;
    if (before >= 0 && ::ftruncate(fd_, before) == 0) ::lseek(fd_, 0, SEEK_END);  // keep the journal whole
    errno = err;
    fail_write();
  }
}

void Journal::remove() {
  ::unlink(path_.c_str());
  release();
}

bool Journal::write_all(const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    const ssize_t n = ::write(fd_, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

void Journal::fail_write() {
  throw UserError(fmt::format("{}: writing the sweep journal failed ({}); free disk space and run the same command "
                              "again: finished cells are kept", path_, std::strerror(errno)));
}

}  // namespace hds::sweep
