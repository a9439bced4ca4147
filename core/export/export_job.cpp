#include "export/export_job.h"

#include <filesystem>

#include "export/project_models.h"
#include "export/subnet_exporter.h"

namespace automoe {

std::optional<ModelCard> runExportJob(const Project& p, const ArchConfig& arch, const ExportJob& job,
                                      const StopToken& stop, const std::function<void(const std::string&)>& log) {
  arch.requireIn(p.space, "the subnet to export");
  const Supernet s = loadSupernet(p);
  ExportOptions o = exportOptionsFor(p, job.measureLatency);
  o.sourceCheckpoint = std::filesystem::absolute(s.checkpoint).lexically_normal().string();
  o.sourceStep = s.step;
  o.candidateId = job.candidateId;
  o.validLoss = job.validLoss;
  return SubnetExporter::exportSubnet(*s.model, arch, o, job.outDir, stop, log);
}

std::string searchModelDir(const Project& p) { return p.resolvePath(p.search.runDir) + "/model"; }

}  // namespace automoe
