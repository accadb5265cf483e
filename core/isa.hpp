// Runtime instruction-set dispatch: which build of the hot kernels (the direct, Gram and blocked
// engines with the activations and rules they call, the network and auto-association kinds'
// training) this process runs. Chosen once, at first use:
// HDS_ISA=baseline|avx2|avx512 pins it, else the best level that both this build and this processor
// have. The design (one partially linked object per level, every symbol but its entry points made
// local, so that Eigen's inline templates compiled for one level are never called from another) is
// described in docs/isa.md and CMakeLists.txt.
#pragma once
#include <string>

namespace hds {

enum class IsaLevel {
  baseline,  // x86-64 (SSE2), or whatever the compiler targets (aarch64; -march=native with HDS_NATIVE)
  avx2,      // AVX2 + FMA
  avx512,    // AVX-512 F, DQ, BW, VL (with AVX2 + FMA)
};

// "baseline", "avx2", "avx512".
std::string isa_name(IsaLevel level);
// True when this build holds kernels for `level` (baseline always).
bool isa_built(IsaLevel level);
// True when the processor (and the operating system) can run code of `level` (baseline always).
bool isa_cpu_has(IsaLevel level);
// The level in use. Throws hds::UserError (one line: the value, what is missing, the fix) when
// HDS_ISA names an unknown level, one this processor lacks, or one this build does not hold; a
// program should call it at start so that the error comes before any work.
IsaLevel isa_level();
// What provenance records: isa_name(isa_level()), with "+native" for a -march=native build.
std::string isa_description();

}  // namespace hds
