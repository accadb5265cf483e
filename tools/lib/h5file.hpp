// A small RAII layer over the HDF5 C API: groups, typed n-d datasets (chunked and compressed when
// large), string datasets and attributes. Every failure throws hds::UserError naming the file.
#pragma once
#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

namespace hds::h5 {

class File {
 public:
  // Mode::create builds the file in memory: nothing reaches `path` (named in messages only) until
  // take_image() hands the finished bytes to the caller (out::write_atomically writes them).
  enum class Mode { create, read };
  File(const std::string& path, Mode mode);
  ~File();
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  const std::string& path() const { return path_; }
  void close();
  // Create mode: finishes the file and returns its bytes; the File is closed afterwards.
  std::string take_image();

  // Writes an n-d array (row-major `dims`); parent groups are created as needed.
  void write(const std::string& name, const std::vector<hsize_t>& dims, const double* data);
  void write(const std::string& name, const std::vector<hsize_t>& dims, const float* data);
  void write(const std::string& name, const std::vector<hsize_t>& dims, const int64_t* data);
  void write(const std::string& name, const std::vector<hsize_t>& dims, const uint64_t* data);
  void write(const std::string& name, const std::vector<hsize_t>& dims, const uint8_t* data);
  void write_string(const std::string& name, const std::string& value);
  void write_strings(const std::string& name, const std::vector<std::string>& values);

  // Attributes on an object ("/" for the root, or a group or dataset path).
  void attr(const std::string& object, const std::string& name, const std::string& value);
  void attr(const std::string& object, const std::string& name, double value);
  void attr(const std::string& object, const std::string& name, int64_t value);
  // One-dimensional array attributes.
  void attr(const std::string& object, const std::string& name, const std::vector<std::string>& values);
  void attr(const std::string& object, const std::string& name, const std::vector<int64_t>& values);

  // Reading (for `init: from`, `inspect`, resume). Shapes, types and element counts are checked before
  // anything is allocated or read: a scalar read of an array attribute, a string read of a number or a
  // shape larger than the file can hold is a one-line UserError, as is every failed HDF5 call.
  bool exists(const std::string& name) const;
  std::vector<hsize_t> dims(const std::string& name) const;
  std::vector<double> read_doubles(const std::string& name) const;
  std::string read_string(const std::string& name) const;
  std::vector<std::string> read_strings(const std::string& name) const;
  std::string read_attr_string(const std::string& object, const std::string& name) const;
  double read_attr_double(const std::string& object, const std::string& name) const;
  bool has_attr(const std::string& object, const std::string& name) const;
  std::vector<std::string> list(const std::string& group) const;  // member names of a group
  bool is_group(const std::string& name) const;
  uint64_t address(const std::string& name) const;  // the object's place in the file, the same for every link to it
  std::vector<std::string> attr_names(const std::string& object) const;
  std::vector<int64_t> read_int64s(const std::string& name) const;  // any integer dataset, converted
  int64_t read_attr_int(const std::string& object, const std::string& name) const;
  // The stored type in numpy's words ("float64", "uint8", "int64", "string", …), for listings and
  // for telling integer from floating attributes.
  std::string type_name(const std::string& dataset) const;
  std::string attr_type_name(const std::string& object, const std::string& name) const;
  std::vector<hsize_t> attr_dims(const std::string& object, const std::string& name) const;  // {} if scalar

  // Dimension scales (HDF5's named axes, which netCDF-4 and xarray read as dimensions): makes dataset
  // `scale` a scale named `dim`, attaches it to axis `axis` of `dataset`, and tells whether a dataset
  // is one.
  void make_scale(const std::string& scale, const std::string& dim);
  void attach_scale(const std::string& dataset, unsigned axis, const std::string& scale);
  bool is_scale(const std::string& dataset) const;

 private:
  void write_raw(const std::string& name, const std::vector<hsize_t>& dims, hid_t type, const void* data);
  // Sets `count` to the dataset's element count and, when `out` is not null, reads it as `type`.
  void read_raw(const std::string& name, hid_t type, void* out, size_t& count) const;
  // Opens a one-element attribute of a number (or string) type; anything else is refused in one line.
  hid_t open_single_attr(const std::string& object, const std::string& name, bool numeric) const;
  [[noreturn]] void fail(const std::string& what) const;
  std::string path_;
  hid_t id_ = -1;
  bool writing_ = false;
};

// Turns off HDF5's own error printing; hds reports errors itself.
void quiet_errors();

}  // namespace hds::h5
