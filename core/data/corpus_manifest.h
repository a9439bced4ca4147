#pragma once
// The corpus manifest (data/corpus/corpus.json, written by CorpusBuilder) as read back: its
// counts and source descriptions are checked before anything reports or reuses them, so that a
// damaged or hand-edited file is named with the field at fault instead of failing inside the
// JSON library.
#include <string>

#include <nlohmann/json.hpp>

namespace automoe {

// Throws ConfigError "<file>: field 'pairs.en-de.train': expected a count (0 or more), got ..."
// unless `manifest` holds what CorpusBuilder writes: "pairs" (per pair the counts candidates,
// kept, train, valid, test and train_by_source) and "sources" (ddtp.release, gettext.packages
// and catalogs, libreoffice-help's local_dir or packages, each with the types written).
void checkCorpusManifest(const nlohmann::json& manifest, const std::string& file);

}  // namespace automoe
