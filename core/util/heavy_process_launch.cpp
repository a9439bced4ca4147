#include "util/heavy_process_launch.h"

#include "util/blas_tuner.h"
#include "util/huge_pages.h"
#include "util/openmp_wait.h"

namespace automoe {

void launchAsHeavyProcess(int argc, char** argv, bool blasDisabled) {
  const bool spinCapped = capOpenMpSpinning();
  const bool hugePages = requestHugePageHeap();
  maybeReexecWithFasterBlas(argc, argv, blasDisabled, spinCapped || hugePages);
}

}  // namespace automoe
