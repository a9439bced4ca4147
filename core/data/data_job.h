#pragma once
// `automoe data all PROJECT` as one call: the corpus built from the project's sources
// (CorpusBuilder), then its SentencePiece model and token-id shards (DataPreparer, through the
// automoe-tokenizer program), each step skipped when what it made is up to date. The CLI and the
// GUI run it. Torch-free.
#include <functional>
#include <string>

#include "data/corpus_builder.h"
#include "data/data_options.h"
#include "data/data_preparer.h"
#include "project/project.h"
#include "util/stop_token.h"

namespace automoe {

struct DataJobResult {
  CorpusReport corpus;
  PrepareReport prepared;
};

// The data section with its input folders (DDTP, help) resolved against the project file's folder;
// `dir` stays as written (the corpus records its options; the data folder is
// project.resolvePath(dir)).
DataOptions resolvedDataOptions(const Project& project);

// `refresh`: download the sources again; `force`: rebuild and re-tokenise even when up to date.
// `log` gets the steps' progress lines (on the calling thread).
DataJobResult runDataJob(const Project& project, bool refresh, bool force, const StopToken& stop,
                         const std::function<void(const std::string&)>& log);

}  // namespace automoe
