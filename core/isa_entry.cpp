// The entry points of one level's kernel build (compiled only into the per-level objects, with
// HDS_ISA_NS = hds_isa_<level>; see isa.hpp and CMakeLists.txt). Each forwards to this build's own
// copy of the function, which the partial link keeps local to the object.
#ifndef HDS_ISA_NS
#error "core/isa_entry.cpp belongs to a per-level kernel build (HDS_ISA_NS)"
#endif
#include "core/autoassociation.hpp"
#include "core/blocked_engine.hpp"
#include "core/direct_engine.hpp"
#include "core/gemm_speed.hpp"
#include "core/gram_engine.hpp"
#include "core/isa_kernels.hpp"
#include "core/network_trainer.hpp"

namespace HDS_ISA_NS {
#define HDS_ISA_DEFINE(ret, name, params, args) \
  __attribute__((visibility("default"))) ret name params { return ::hds::name args; }
HDS_ISA_KERNELS(HDS_ISA_DEFINE)
#undef HDS_ISA_DEFINE
}  // namespace HDS_ISA_NS
