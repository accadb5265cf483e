// The sweep journal: an append-only, checksummed record of finished cells beside the output, locked
// by the one process writing it, and every record read back checked against the sweep definition.
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include "tools/lib/sweep.hpp"
#include "tools/lib/sweep_run.hpp"

namespace hds::sweep {

// Layout: header "HDSJOURNAL3 <sha256 of the sweep definition>\n", then records
// "CELL" | u64 length | payload | u64 journal_checksum(payload), integers little-endian as stored.
std::string journal_header(const std::string& hash);
uint64_t journal_checksum(const std::string& payload);
std::string encode_cell(int64_t cell, const CellResult& r);  // a record's payload
std::string journal_record(const std::string& payload);      // the framed record
// encode_cell's inverse, for payloads that travel between processes (sweep_mpi.cpp): "" and `cell`,
// `r` filled, or what is wrong with the payload. Nothing is checked against a sweep: check_cell does.
std::string decode_cell(const std::string& payload, int64_t& cell, CellResult& r);

// Empty when `r` can be cell `cell` of `s` (indices in range, G × R shapes, 0/1 divergence flags,
// finite errors, a winner that is the one its errors select, curve and error-matrix shapes);
// otherwise what is wrong, for a message.
std::string check_cell(const SweepDefinition& s, int64_t cell, const CellResult& r);

class Journal {
 public:
  // Opens (creating) and exclusively locks `path`; a UserError naming the other process when one
  // holds the lock. Reads nothing yet.
  explicit Journal(std::string path);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  const std::string& path() const { return path_; }
  bool empty() const;                                  // nothing written yet (e.g. created just now)
  bool written_for(const std::string& hash) const;     // its header is this definition's

  // Reads the finished cells, each checked against `s`. A record cut short by a kill (the last one)
  // is dropped with a note(); anything else wrong is a UserError naming the record's byte offset and
  // what is wrong, and saying that --force discards the journal and starts over.
  void load(const SweepDefinition& s);
  // Discards whatever the journal holds and starts it afresh for `hash` (--force).
  void reset(const std::string& hash);

  std::map<int, CellResult>& done() { return done_; }
  const std::string& note() const { return note_; }

  void append(int cell, const CellResult& r);
  // Removes the file (still holding the lock, so no other process can take over a dying journal).
  void remove();
  // Closes without removing.
  void release();

 private:
  std::string read_all() const;
  void start(const std::string& hash);
  bool write_all(const std::string& s);
  [[noreturn]] void fail_write();
  std::string path_;
  int fd_ = -1;
  std::map<int, CellResult> done_;
  std::string note_;
};

}  // namespace hds::sweep
