#pragma once
// How long OpenMP threads spin before they sleep. LibTorch's parallel regions run on libgomp. With
// OMP_WAIT_POLICY unset, a libgomp thread that waits at a barrier spins up to 300,000 PAUSE
// iterations (GOMP_SPINCOUNT) before it sleeps; with PAUSE at ~140 cycles on recent Xeons that is
// milliseconds per wait. On a quiet machine this is harmless; when another process occupies one of
// the cores, the spinning thread takes the CPU from the thread it waits for, at every barrier
// (measured here: training with 2 threads beside a 1-core job runs several times slower).
// A small spin count keeps the quiet-machine speed and bounds the loss under contention.
//
// libgomp reads the variable when it loads, so setting it takes a re-exec of the process.
#include <string>

namespace automoe {

// The spin count set when the user chose neither GOMP_SPINCOUNT nor OMP_WAIT_POLICY.
inline constexpr const char* kOpenMpSpinCount = "10000";

// Sets GOMP_SPINCOUNT to kOpenMpSpinCount unless the user set GOMP_SPINCOUNT or OMP_WAIT_POLICY
// (or OMP_NUM_THREADS=1).
// Returns true when it set it (the caller must re-exec for it to take effect).
bool capOpenMpSpinning();

// The OpenMP wait settings of this process, for provenance: "GOMP_SPINCOUNT=...",
// "OMP_WAIT_POLICY=..." or "default".
std::string openMpWaitSetting();

}  // namespace automoe
