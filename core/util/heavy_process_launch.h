#pragma once
// What a long-running process does before its first parallel region or large allocation: the
// OpenMP spin cap (openmp_wait.h), glibc's huge-page heap (huge_pages.h) and the checked faster
// OpenBLAS kernel (blas_tuner.h). Each is read when its library loads, so when any of them changes
// the process re-executes itself (and this does not return). `automoe`'s heavy commands and the
// benchmark that profiles training call it, so that a profile is of what the command runs.
namespace automoe {

// `blasDisabled`: keep the default OpenBLAS kernel (`--blas default`). The re-executed process
// calls it again and goes on (the decisions are then recorded in its environment).
void launchAsHeavyProcess(int argc, char** argv, bool blasDisabled);

}  // namespace automoe
