// Runtime instruction-set dispatch (see isa.hpp; the build side is in CMakeLists.txt, docs/isa.md).
#include "core/isa.hpp"

#include <cstdlib>
#include <string>

#include "core/error.hpp"
#include "core/isa_kernels.hpp"

#ifdef HDS_ISA_AVX2
namespace hds_isa_avx2 {
HDS_ISA_KERNELS(HDS_ISA_DECLARE)
}
#endif
#ifdef HDS_ISA_AVX512
namespace hds_isa_avx512 {
HDS_ISA_KERNELS(HDS_ISA_DECLARE)
}
#endif

namespace hds {
namespace {

#ifdef HDS_ISA_AVX2
#define HDS_ISA_ADDRESS(ret, name, params, args) &hds_isa_avx2::name,
const IsaKernels kAvx2 = {HDS_ISA_KERNELS(HDS_ISA_ADDRESS)};
#undef HDS_ISA_ADDRESS
#endif
#ifdef HDS_ISA_AVX512
#define HDS_ISA_ADDRESS(ret, name, params, args) &hds_isa_avx512::name,
const IsaKernels kAvx512 = {HDS_ISA_KERNELS(HDS_ISA_ADDRESS)};
#undef HDS_ISA_ADDRESS
#endif

std::string missing_text(IsaLevel level) {
  switch (level) {
    case IsaLevel::avx2: return "AVX2 and FMA";
    case IsaLevel::avx512: return "AVX-512 (F, DQ, BW, VL) with AVX2 and FMA";
    case IsaLevel::baseline: break;
  }
  return "";
}

IsaLevel best_level() {
  for (IsaLevel l : {IsaLevel::avx512, IsaLevel::avx2})
    if (isa_built(l) && isa_cpu_has(l)) return l;
  return IsaLevel::baseline;
}

IsaLevel resolve() {
  const char* env = std::getenv("HDS_ISA");
  if (!env || !*env) return best_level();
  const std::string v = env;
  IsaLevel l;
  if (v == "baseline") l = IsaLevel::baseline;
  else if (v == "avx2") l = IsaLevel::avx2;
  else if (v == "avx512") l = IsaLevel::avx512;
  else
    throw UserError("HDS_ISA='" + v + "' is not an instruction-set level; use baseline, avx2 or avx512, or unset "
                    "HDS_ISA for the best this processor has (" + isa_name(best_level()) + ")");
  if (!isa_built(l))
    throw UserError("HDS_ISA=" + v + ": this build holds no " + v + " kernels (only x86-64 builds without "
                    "HDS_NATIVE or HDS_SANITIZE do); use HDS_ISA=baseline or unset HDS_ISA");
  if (!isa_cpu_has(l))
    throw UserError("HDS_ISA=" + v + " needs " + missing_text(l) + ", which this processor lacks; use HDS_ISA=" +
                    isa_name(best_level()) + " (the best it has) or unset HDS_ISA");
  return l;
}

}  // namespace

std::string isa_name(IsaLevel level) {
  switch (level) {
    case IsaLevel::baseline: return "baseline";
    case IsaLevel::avx2: return "avx2";
    case IsaLevel::avx512: return "avx512";
  }
  return "?";
}

bool isa_built(IsaLevel level) {
  switch (level) {
    case IsaLevel::baseline: return true;
#ifdef HDS_ISA_AVX2
    case IsaLevel::avx2: return true;
#endif
#ifdef HDS_ISA_AVX512
    case IsaLevel::avx512: return true;
#endif
    default: return false;
  }
}

bool isa_cpu_has(IsaLevel level) {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();  // libgcc checks the OS's XSAVE state (XGETBV) for AVX and AVX-512 too
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  switch (level) {
    case IsaLevel::baseline: return true;
    case IsaLevel::avx2: return avx2;
    case IsaLevel::avx512:
      return avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
             __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
  }
  return false;
#else
  return level == IsaLevel::baseline;
#endif
}

IsaLevel isa_level() {
  static const IsaLevel level = resolve();  // a throw leaves it unset: the next call throws again
  return level;
}

std::string isa_description() {
#ifdef HDS_NATIVE_BUILD
  return isa_name(isa_level()) + "+native";
#else
  return isa_name(isa_level());
#endif
}

const IsaKernels* isa_kernels() {
  switch (isa_level()) {
#ifdef HDS_ISA_AVX2
    case IsaLevel::avx2: return &kAvx2;
#endif
#ifdef HDS_ISA_AVX512
    case IsaLevel::avx512: return &kAvx512;
#endif
    default: return nullptr;
  }
}

}  // namespace hds
