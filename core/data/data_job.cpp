#include "data/data_job.h"

namespace automoe {

DataOptions resolvedDataOptions(const Project& project) {
  DataOptions o = project.data;
  if (!o.ddtpDir.empty()) o.ddtpDir = project.resolvePath(o.ddtpDir);
  if (!o.helpDir.empty()) o.helpDir = project.resolvePath(o.helpDir);
  return o;
}

DataJobResult runDataJob(const Project& project, bool refresh, bool force, const StopToken& stop,
                         const std::function<void(const std::string&)>& log) {
  const DataOptions o = resolvedDataOptions(project);
  const std::string dataDir = project.resolvePath(o.dir);
  DataJobResult r;
  r.corpus = CorpusBuilder(o, dataDir, log).build(refresh, force, stop);
  r.prepared = DataPreparer(o, dataDir, {}, log).prepare(force, stop);
  return r;
}

}  // namespace automoe
