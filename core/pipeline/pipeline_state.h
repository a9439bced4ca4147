#pragma once
// What `automoe run` remembers between runs: for every stage of the pipeline, the fingerprint of
// the inputs it last completed with (project sections and the stages before it) and its outputs.
// A stage is up to date when it completed with the fingerprint it would have now; a changed
// fingerprint means its inputs changed and it starts over; a stage that started but did not
// complete resumes (every stage's own command is resumable). Saved atomically after each change,
// so an interrupted pipeline never loses what it completed.
#include <string>

#include <nlohmann/json.hpp>

namespace automoe {

class PipelineState {
 public:
  static constexpr int kFormatVersion = 1;

  // Missing file: empty state. A file that is not a valid state: ConfigError naming it.
  static PipelineState load(const std::string& path);
  // As load, but never writes the file (changedFile's refreshed stamps stay in memory): for a view
  // of the state while a pipeline may be running.
  static PipelineState read(const std::string& path);

  enum class Status { NotStarted, Changed, Interrupted, Done };
  // Done: completed with `fingerprint`; Changed: completed or started with another fingerprint;
  // Interrupted: started with `fingerprint` but not completed.
  Status status(const std::string& stage, const std::string& fingerprint) const;

  void markStarted(const std::string& stage, const std::string& fingerprint);
  void markDone(const std::string& stage, const std::string& fingerprint, const nlohmann::json& outputs);
  // Outputs recorded when the stage completed (null if never).
  nlohmann::json outputs(const std::string& stage) const;

  // The first file of a completed stage's record under outputs.<key> (an object: path -> FileStamp,
  // relative paths taken from `baseDir`) that is missing or no longer holds what was recorded; ""
  // when all hold (or none was recorded). run uses "stamps" (what the stage wrote) and
  // "input_stamps" (what the stages before it wrote, as the stage read them), with paths relative
  // to the project's folder. Stamps whose file only moved in time are updated and saved.
  std::string changedFile(const std::string& stage, const std::string& key, const std::string& baseDir = ".");

  const std::string& path() const { return m_path; }
  const nlohmann::json& json() const { return m_json; }

 private:
  void save() const;

  std::string m_path;
  nlohmann::json m_json;
  bool m_readOnly = false;
};

}  // namespace automoe
