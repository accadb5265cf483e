// HDF5 RAII layer (see h5file.hpp).
#include "tools/lib/h5file.hpp"

#include <hdf5_hl.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "core/error.hpp"

namespace hds::h5 {
namespace {

// Closes an HDF5 handle at scope exit.
struct Handle {
  hid_t id;
  herr_t (*closer)(hid_t);
  Handle(hid_t i, herr_t (*c)(hid_t)) : id(i), closer(c) {}
  ~Handle() {
    if (id >= 0) closer(id);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
};

hid_t utf8_string_type() {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  return t;
}

}  // namespace

void quiet_errors() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

File::File(const std::string& path, Mode mode) : path_(path) {
  quiet_errors();
  if (mode == Mode::create) {
    // In memory (the core driver without a backing store): a full disk can then never fail inside
    // HDF5's close, whose failure leaves the library in a state that crashes at exit (HDF5 1.10).
    Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    if (fapl.id < 0 || H5Pset_fapl_core(fapl.id, 1 << 20, 0) < 0)
      throw UserError(fmt::format("{}: cannot set up the HDF5 file in memory", path));
    id_ = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.id);
    if (id_ < 0) throw UserError(fmt::format("{}: cannot create the HDF5 file in memory (out of memory?)", path));
    writing_ = true;
  } else {
    if (H5Fis_hdf5(path.c_str()) <= 0) {
      H5Eclear2(H5E_DEFAULT);
      throw UserError(fmt::format("{}: not a readable HDF5 file (missing, truncated or another format)", path));
    }
    id_ = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (id_ < 0) {
      H5Eclear2(H5E_DEFAULT);
      throw UserError(fmt::format("{}: cannot open the HDF5 file (truncated or damaged)", path));
    }
  }
}

File::~File() {
  if (id_ >= 0) H5Fclose(id_);
}

void File::close() {
  if (id_ >= 0) {
    const herr_t rc = H5Fclose(id_);
    id_ = -1;
    if (rc < 0) fail("closing the file failed");
  }
}

std::string File::take_image() {
  if (!writing_ || id_ < 0) fail("internal: take_image() on a file not being written");
  if (H5Fflush(id_, H5F_SCOPE_GLOBAL) < 0) fail("finishing the file in memory failed (out of memory?)");
  const ssize_t n = H5Fget_file_image(id_, nullptr, 0);
  if (n < 0) fail("finishing the file in memory failed (out of memory?)");
  std::string image(static_cast<size_t>(n), '\0');
  if (H5Fget_file_image(id_, image.data(), image.size()) != n) fail("copying the file out of memory failed");
  close();
  return image;
}

void File::fail(const std::string& what) const {
  H5Eclear2(H5E_DEFAULT);  // a failed read leaves records on this thread's stack; left there, the library loops at exit
  throw UserError(fmt::format("{}: {}", path_, what));
}

void File::write_raw(const std::string& name, const std::vector<hsize_t>& dims, hid_t type, const void* data) {
  Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
  Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(lcpl.id, 1);
  Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  hsize_t total = 1;
  for (hsize_t d : dims) total *= d;
  const size_t elem = H5Tget_size(type);
  if (!dims.empty() && total * elem >= (64u << 10) && total > 0) {
    // Chunks of about 1 MiB, whole rows of the trailing dimensions where possible; gzip level 4.
    std::vector<hsize_t> chunk(dims);
    hsize_t bytes = total * elem;
    for (size_t i = 0; i < chunk.size() && bytes > (1u << 20); ++i) {
      const hsize_t rest = bytes / chunk[i];
      const hsize_t keep = std::max<hsize_t>(1, (1u << 20) / std::max<hsize_t>(rest, 1));
      chunk[i] = std::min(chunk[i], keep);
      bytes = rest * chunk[i];
    }
    H5Pset_chunk(dcpl.id, static_cast<int>(chunk.size()), chunk.data());
    H5Pset_shuffle(dcpl.id);
    H5Pset_deflate(dcpl.id, 4);
  }
  Handle ds(H5Dcreate2(id_, name.c_str(), type, space.id, lcpl.id, dcpl.id, H5P_DEFAULT), H5Dclose);
  if (ds.id < 0) fail(fmt::format("cannot create dataset '{}'", name));
  if (total > 0 && H5Dwrite(ds.id, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
    fail(fmt::format("writing dataset '{}' failed (out of memory?)", name));
  // Closing flushes the (compressed) chunks: its failure is a failed write, not something to ignore.
  const hid_t id = ds.id;
  ds.id = -1;
  if (H5Dclose(id) < 0) fail(fmt::format("writing dataset '{}' failed (out of memory?)", name));
}

void File::write(const std::string& n, const std::vector<hsize_t>& d, const double* p) { write_raw(n, d, H5T_NATIVE_DOUBLE, p); }
void File::write(const std::string& n, const std::vector<hsize_t>& d, const float* p) { write_raw(n, d, H5T_NATIVE_FLOAT, p); }
void File::write(const std::string& n, const std::vector<hsize_t>& d, const int64_t* p) { write_raw(n, d, H5T_NATIVE_INT64, p); }
void File::write(const std::string& n, const std::vector<hsize_t>& d, const uint64_t* p) { write_raw(n, d, H5T_NATIVE_UINT64, p); }
void File::write(const std::string& n, const std::vector<hsize_t>& d, const uint8_t* p) { write_raw(n, d, H5T_NATIVE_UINT8, p); }

void File::write_string(const std::string& name, const std::string& value) {
  Handle type(utf8_string_type(), H5Tclose);
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(lcpl.id, 1);
  Handle ds(H5Dcreate2(id_, name.c_str(), type.id, space.id, lcpl.id, H5P_DEFAULT, H5P_DEFAULT), H5Dclose);
  const char* s = value.c_str();
  if (ds.id < 0 || H5Dwrite(ds.id, type.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, &s) < 0)
    fail(fmt::format("writing string '{}' failed", name));
}

void File::write_strings(const std::string& name, const std::vector<std::string>& values) {
  Handle type(utf8_string_type(), H5Tclose);
  const hsize_t n = values.size();
  Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose);
  Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(lcpl.id, 1);
  std::vector<const char*> ptrs;
  for (const auto& v : values) ptrs.push_back(v.c_str());
  Handle ds(H5Dcreate2(id_, name.c_str(), type.id, space.id, lcpl.id, H5P_DEFAULT, H5P_DEFAULT), H5Dclose);
  if (ds.id < 0 || (n > 0 && H5Dwrite(ds.id, type.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) < 0))
    fail(fmt::format("writing strings '{}' failed", name));
}

void File::attr(const std::string& object, const std::string& name, const std::string& value) {
  Handle type(utf8_string_type(), H5Tclose);
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle a(H5Acreate_by_name(id_, object.c_str(), name.c_str(), type.id, space.id, H5P_DEFAULT, H5P_DEFAULT,
                             H5P_DEFAULT), H5Aclose);
  const char* s = value.c_str();
  if (a.id < 0 || H5Awrite(a.id, type.id, &s) < 0) fail(fmt::format("writing attribute {}@{} failed", object, name));
}

void File::attr(const std::string& object, const std::string& name, double value) {
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle a(H5Acreate_by_name(id_, object.c_str(), name.c_str(), H5T_NATIVE_DOUBLE, space.id, H5P_DEFAULT,
                             H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  if (a.id < 0 || H5Awrite(a.id, H5T_NATIVE_DOUBLE, &value) < 0)
    fail(fmt::format("writing attribute {}@{} failed", object, name));
}

void File::attr(const std::string& object, const std::string& name, int64_t value) {
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle a(H5Acreate_by_name(id_, object.c_str(), name.c_str(), H5T_NATIVE_INT64, space.id, H5P_DEFAULT,
                             H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  if (a.id < 0 || H5Awrite(a.id, H5T_NATIVE_INT64, &value) < 0)
    fail(fmt::format("writing attribute {}@{} failed", object, name));
}

void File::attr(const std::string& object, const std::string& name, const std::vector<std::string>& values) {
  Handle type(utf8_string_type(), H5Tclose);
  const hsize_t n = values.size();
  Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose);
  Handle a(H5Acreate_by_name(id_, object.c_str(), name.c_str(), type.id, space.id, H5P_DEFAULT, H5P_DEFAULT,
                             H5P_DEFAULT), H5Aclose);
  std::vector<const char*> ptrs;
  for (const auto& v : values) ptrs.push_back(v.c_str());
  if (a.id < 0 || (n > 0 && H5Awrite(a.id, type.id, ptrs.data()) < 0))
    fail(fmt::format("writing attribute {}@{} failed", object, name));
}

void File::attr(const std::string& object, const std::string& name, const std::vector<int64_t>& values) {
  const hsize_t n = values.size();
  Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose);
  Handle a(H5Acreate_by_name(id_, object.c_str(), name.c_str(), H5T_NATIVE_INT64, space.id, H5P_DEFAULT,
                             H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  if (a.id < 0 || (n > 0 && H5Awrite(a.id, H5T_NATIVE_INT64, values.data()) < 0))
    fail(fmt::format("writing attribute {}@{} failed", object, name));
}

bool File::exists(const std::string& name) const {
  // Check each prefix so that a missing parent group is not an error.
  size_t pos = 0;
  while (true) {
    pos = name.find('/', pos + 1);
    const std::string prefix = name.substr(0, pos);
    if (!prefix.empty() && prefix != "/" && H5Lexists(id_, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (pos == std::string::npos) return true;
  }
}

bool File::is_group(const std::string& name) const {
  H5O_info_t info;
  if (H5Oget_info_by_name2(id_, name.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0) return false;
  return info.type == H5O_TYPE_GROUP;
}

uint64_t File::address(const std::string& name) const {
  H5O_info_t info;
  if (H5Oget_info_by_name2(id_, name.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0)
    fail(fmt::format("cannot read the object header of '{}'; the file is damaged", name));
  return static_cast<uint64_t>(info.addr);
}

namespace {

// The extent of a dataspace; `ok` false when HDF5 cannot read it.
std::vector<hsize_t> extent(hid_t space, bool& ok) {
  const int rank = space < 0 ? -1 : H5Sget_simple_extent_ndims(space);
  ok = rank >= 0;
  std::vector<hsize_t> d(std::max(rank, 0));
  if (ok && rank > 0) ok = H5Sget_simple_extent_dims(space, d.data(), nullptr) >= 0;
  return d;
}

// Product of the dimensions; `ok` false on overflow of 2^62.
hsize_t element_count(const std::vector<hsize_t>& d, bool& ok) {
  hsize_t n = 1;
  ok = true;
  for (hsize_t x : d) {
    if (x != 0 && n > (hsize_t{1} << 62) / x) ok = false;
    n = ok ? n * x : 0;
  }
  return n;
}

}  // namespace

std::vector<hsize_t> File::dims(const std::string& name) const {
  Handle ds(H5Dopen2(id_, name.c_str(), H5P_DEFAULT), H5Dclose);
  if (ds.id < 0) fail(fmt::format("no dataset '{}' (missing or damaged)", name));
  Handle space(H5Dget_space(ds.id), H5Sclose);
  bool ok = false;
  auto d = extent(space.id, ok);
  if (!ok) fail(fmt::format("cannot read the shape of dataset '{}'; the file is damaged", name));
  return d;
}

void File::read_raw(const std::string& name, hid_t type, void* out, size_t& count) const {
  const auto d = dims(name);
  bool ok = false;
  const hsize_t total = element_count(d, ok);
  // Deflate cannot shrink data more than about 1000:1, so no real dataset is larger than that
  // multiple of the whole file: a bigger claim is a damaged shape, refused before allocating for it.
  const hssize_t file_bytes = [&] {
    hsize_t b = 0;
    return H5Fget_filesize(id_, &b) < 0 ? hssize_t{-1} : static_cast<hssize_t>(b);
  }();
  if (!ok || file_bytes < 0 || total > static_cast<hsize_t>(file_bytes) * 1100 / H5Tget_size(type) + 1)
    fail(fmt::format("dataset '{}' claims shape [{}], more than the file can hold; the file is damaged", name,
                     fmt::join(d, ", ")));
  count = total;
  if (!out) return;
  Handle ds(H5Dopen2(id_, name.c_str(), H5P_DEFAULT), H5Dclose);
  Handle ftype(ds.id < 0 ? -1 : H5Dget_type(ds.id), H5Tclose);
  const H5T_class_t cls = ftype.id < 0 ? H5T_NO_CLASS : H5Tget_class(ftype.id);
  if (cls != H5T_INTEGER && cls != H5T_FLOAT)
    fail(fmt::format("dataset '{}' is not numeric (it is {}); the file was not written by hds", name,
                     type_name(name)));
  if (total > 0 && H5Dread(ds.id, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0)
    fail(fmt::format("reading dataset '{}' failed; the file is damaged", name));
}

std::vector<double> File::read_doubles(const std::string& name) const {
  size_t n = 0;
  read_raw(name, H5T_NATIVE_DOUBLE, nullptr, n);
  std::vector<double> out(n);
  read_raw(name, H5T_NATIVE_DOUBLE, out.data(), n);
  return out;
}

std::string File::read_string(const std::string& name) const {
  auto v = read_strings(name);
  if (v.size() != 1)
    fail(fmt::format("dataset '{}' holds {} strings where one was expected; the file was not written by hds", name,
                     v.size()));
  return v[0];
}

std::vector<std::string> File::read_strings(const std::string& name) const {
  Handle ds(H5Dopen2(id_, name.c_str(), H5P_DEFAULT), H5Dclose);
  if (ds.id < 0) fail(fmt::format("no dataset '{}' (missing or damaged)", name));
  Handle ftype(H5Dget_type(ds.id), H5Tclose);
  if (ftype.id < 0 || H5Tget_class(ftype.id) != H5T_STRING || H5Tis_variable_str(ftype.id) <= 0)
    fail(fmt::format("dataset '{}' is not variable-length text (it is {}); the file was not written by hds", name,
                     ftype.id < 0 ? std::string("unreadable") : type_name(name)));
  Handle space(H5Dget_space(ds.id), H5Sclose);
  bool ok = false;
  const auto d = extent(space.id, ok);
  const hsize_t n = ok ? element_count(d, ok) : 0;
  hsize_t file_bytes = 0;
  // Every stored string takes at least 16 bytes of the file (its heap reference).
  if (!ok || H5Fget_filesize(id_, &file_bytes) < 0 || n > file_bytes / 16 + 1)
    fail(fmt::format("dataset '{}' claims shape [{}], more strings than the file can hold; the file is damaged",
                     name, fmt::join(d, ", ")));
  Handle type(utf8_string_type(), H5Tclose);
  H5Tset_cset(type.id, H5Tget_cset(ftype.id));
  std::vector<char*> ptrs(n, nullptr);
  if (n > 0 && H5Dread(ds.id, type.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) < 0)
    fail(fmt::format("reading strings '{}' failed; the file is damaged", name));
  std::vector<std::string> out;
  for (char* p : ptrs) out.emplace_back(p ? p : "");
  if (n > 0) H5Dvlen_reclaim(type.id, space.id, H5P_DEFAULT, ptrs.data());
  return out;
}

bool File::has_attr(const std::string& object, const std::string& name) const {
  return H5Aexists_by_name(id_, object.c_str(), name.c_str(), H5P_DEFAULT) > 0;
}

namespace {
std::string describe_type(hid_t type) {
  switch (type < 0 ? H5T_NO_CLASS : H5Tget_class(type)) {
    case H5T_INTEGER:
      return fmt::format("{}int{}", H5Tget_sign(type) == H5T_SGN_NONE ? "u" : "", 8 * H5Tget_size(type));
    case H5T_FLOAT: return fmt::format("float{}", 8 * H5Tget_size(type));
    case H5T_STRING: return "string";
    case H5T_COMPOUND: return "compound";
    case H5T_ENUM: return "enum";
    case H5T_ARRAY: return "array";
    case H5T_VLEN: return "vlen";
    default: return "other";
  }
}
}  // namespace

hid_t File::open_single_attr(const std::string& object, const std::string& name, bool numeric) const {
  const hid_t a = H5Aopen_by_name(id_, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
  if (a < 0) fail(fmt::format("no attribute {}@{} (missing or damaged)", object, name));
  Handle space(H5Aget_space(a), H5Sclose);
  Handle type(H5Aget_type(a), H5Tclose);
  bool ok = false;
  const auto d = extent(space.id, ok);
  const hsize_t n = ok ? element_count(d, ok) : 0;
  const H5T_class_t cls = type.id < 0 ? H5T_NO_CLASS : H5Tget_class(type.id);
  const bool type_ok = numeric ? cls == H5T_INTEGER || cls == H5T_FLOAT : cls == H5T_STRING;
  if (!ok || n != 1 || !type_ok) {
    const std::string got = fmt::format("{}{}", describe_type(type.id),
                                        !ok ? " of unreadable shape" : d.empty() ? "" : fmt::format(" [{}]", fmt::join(d, ", ")));
    H5Aclose(a);
    fail(fmt::format("attribute {}@{} is {}, expected a single {}; the file was not written by hds", object, name,
                     got, numeric ? "number" : "string"));
  }
  return a;
}

std::string File::read_attr_string(const std::string& object, const std::string& name) const {
  Handle a(open_single_attr(object, name, false), H5Aclose);
  Handle ftype(H5Aget_type(a.id), H5Tclose);
  if (H5Tis_variable_str(ftype.id) > 0) {
    Handle type(utf8_string_type(), H5Tclose);
    H5Tset_cset(type.id, H5Tget_cset(ftype.id));  // HDF5 converts neither ASCII to UTF-8 nor back
    char* p = nullptr;
    if (H5Aread(a.id, type.id, &p) < 0) fail(fmt::format("reading attribute {}@{} failed; the file is damaged", object, name));
    std::string s = p ? p : "";
    H5free_memory(p);
    return s;
  }
  const size_t size = H5Tget_size(ftype.id);
  if (size == 0 || size > (1u << 24)) fail(fmt::format("attribute {}@{} has a damaged string size", object, name));
  std::string s(size, '\0');
  if (H5Aread(a.id, ftype.id, s.data()) < 0) fail(fmt::format("reading attribute {}@{} failed; the file is damaged", object, name));
  return s.substr(0, s.find('\0'));
}

double File::read_attr_double(const std::string& object, const std::string& name) const {
  Handle a(open_single_attr(object, name, true), H5Aclose);
  double v = 0;
  if (H5Aread(a.id, H5T_NATIVE_DOUBLE, &v) < 0)
    fail(fmt::format("reading attribute {}@{} failed; the file is damaged", object, name));
  return v;
}

std::vector<int64_t> File::read_int64s(const std::string& name) const {
  size_t n = 0;
  read_raw(name, H5T_NATIVE_INT64, nullptr, n);
  std::vector<int64_t> out(n);
  read_raw(name, H5T_NATIVE_INT64, out.data(), n);
  return out;
}

int64_t File::read_attr_int(const std::string& object, const std::string& name) const {
  Handle a(open_single_attr(object, name, true), H5Aclose);
  Handle type(H5Aget_type(a.id), H5Tclose);
  if (H5Tget_class(type.id) != H5T_INTEGER)
    fail(fmt::format("attribute {}@{} is {}, expected an integer; the file was not written by hds", object, name,
                     describe_type(type.id)));
  int64_t v = 0;
  if (H5Aread(a.id, H5T_NATIVE_INT64, &v) < 0)
    fail(fmt::format("reading attribute {}@{} as an integer failed; the file is damaged", object, name));
  return v;
}

std::string File::type_name(const std::string& dataset) const {
  Handle ds(H5Dopen2(id_, dataset.c_str(), H5P_DEFAULT), H5Dclose);
  if (ds.id < 0) fail(fmt::format("no dataset '{}' (missing or damaged)", dataset));
  Handle type(H5Dget_type(ds.id), H5Tclose);
  return describe_type(type.id);
}

std::string File::attr_type_name(const std::string& object, const std::string& name) const {
  Handle a(H5Aopen_by_name(id_, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  if (a.id < 0) fail(fmt::format("no attribute {}@{} (missing or damaged)", object, name));
  Handle type(H5Aget_type(a.id), H5Tclose);
  return describe_type(type.id);
}

std::vector<hsize_t> File::attr_dims(const std::string& object, const std::string& name) const {
  Handle a(H5Aopen_by_name(id_, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  if (a.id < 0) fail(fmt::format("no attribute {}@{} (missing or damaged)", object, name));
  Handle space(H5Aget_space(a.id), H5Sclose);
  bool ok = false;
  auto d = extent(space.id, ok);
  if (!ok) fail(fmt::format("cannot read the shape of attribute {}@{}; the file is damaged", object, name));
  return d;
}

namespace {
herr_t collect_name(hid_t, const char* name, const H5L_info_t*, void* out) {
  static_cast<std::vector<std::string>*>(out)->emplace_back(name);
  return 0;
}
herr_t collect_attr(hid_t, const char* name, const H5A_info_t*, void* out) {
  static_cast<std::vector<std::string>*>(out)->emplace_back(name);
  return 0;
}
}  // namespace

std::vector<std::string> File::list(const std::string& group) const {
  std::vector<std::string> names;
  Handle g(H5Gopen2(id_, group.c_str(), H5P_DEFAULT), H5Gclose);
  if (g.id < 0) fail(fmt::format("no group '{}' (missing or damaged)", group));
  if (H5Literate(g.id, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect_name, &names) < 0)
    fail(fmt::format("cannot list group '{}'; the file is damaged", group));
  return names;
}

std::vector<std::string> File::attr_names(const std::string& object) const {
  std::vector<std::string> names;
  if (H5Aiterate_by_name(id_, object.c_str(), H5_INDEX_NAME, H5_ITER_INC, nullptr, collect_attr, &names,
                         H5P_DEFAULT) < 0)
    fail(fmt::format("cannot list the attributes of '{}'; the file is damaged", object));
  return names;
}

void File::make_scale(const std::string& scale, const std::string& dim) {
  Handle ds(H5Dopen2(id_, scale.c_str(), H5P_DEFAULT), H5Dclose);
  if (ds.id < 0 || H5DSset_scale(ds.id, dim.c_str()) < 0) fail(fmt::format("cannot make '{}' a dimension scale", scale));
}

void File::attach_scale(const std::string& dataset, unsigned axis, const std::string& scale) {
  Handle ds(H5Dopen2(id_, dataset.c_str(), H5P_DEFAULT), H5Dclose);
  Handle sc(H5Dopen2(id_, scale.c_str(), H5P_DEFAULT), H5Dclose);
  if (ds.id < 0 || sc.id < 0 || H5DSattach_scale(ds.id, sc.id, axis) < 0)
    fail(fmt::format("cannot attach the dimension scale '{}' to axis {} of '{}'", scale, axis, dataset));
}

bool File::is_scale(const std::string& dataset) const {
  Handle ds(H5Dopen2(id_, dataset.c_str(), H5P_DEFAULT), H5Dclose);
  if (ds.id < 0) fail(fmt::format("cannot open dataset '{}'", dataset));
  const htri_t r = H5DSis_scale(ds.id);
  H5Eclear2(H5E_DEFAULT);
  return r > 0;
}

}  // namespace hds::h5
