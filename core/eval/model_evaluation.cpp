#include "eval/model_evaluation.h"

#include <filesystem>

#include "export/exported_model.h"
#include "latency/provenance.h"
#include "util/atomic_file.h"
#include "util/config_error.h"

namespace automoe {

nlohmann::json evaluationRecord(const Project& p, const EvaluationOptions& eo) {
  return {{"format_version", 1}, {"evaluation", eo.toJson()}, {"seed", p.seed}, {"provenance", provenance()},
          {"project", p.path}};
}

std::optional<ModelEvaluation> evaluateModelFolder(const Project& p, const std::string& modelDir,
                                                   const EvaluationOptions& eo, const StopToken& stop,
                                                   const std::function<void(const std::string&)>& log) {
  EvaluationData data = EvaluationData::forProject(p, eo.split);
  const ExportedModel m = ExportedModel::load(modelDir);
  // The loss reads the project's token shards: they must come from the model's tokenizer.
  if (!std::filesystem::exists(data.tokenizerModel))
    throw ConfigError(data.tokenizerModel + ": not found (run 'automoe data prepare " + p.path + "')");
  if (readTextFile(data.tokenizerModel) != readTextFile(m.tokenizerModel()))
    throw ConfigError(m.tokenizerModel() + ": differs from the project's tokenizer " + data.tokenizerModel +
                      "; the model was exported from another project's data");
  data.tokenizerModel = m.tokenizerModel();
  ModelEvaluation out;
  out.record = evaluationRecord(p, eo);
  out.record["model"] = std::filesystem::absolute(m.dir()).lexically_normal().string();
  out.record["arch"] = m.arch().toJson();
  if (m.card().candidateId) out.record["candidate_id"] = *m.card().candidateId;
  if (log) log("evaluating " + m.arch().summary() + " (" + m.dir() + ") on " + eo.split);
  const std::optional<EvaluationResult> r =
      InheritedEvaluator(data, eo, p.training.labelSmoothing).evaluate(m.model(), m.arch(), stop, log);
  if (!r) return std::nullopt;
  out.result = *r;
  out.record["result"] = r->toJson();
  out.recordPath = m.dir() + "/evaluation_" + eo.split + ".json";
  writeFileAtomically(out.recordPath, out.record.dump(2) + "\n");
  if (log) log("wrote " + out.recordPath);
  return out;
}

}  // namespace automoe
