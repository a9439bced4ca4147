#include "data/corpus_manifest.h"

#include "data/help_source.h"
#include "util/json_reader.h"

namespace automoe {

namespace {

void checkCount(const JsonReader& r, const std::string& key) {
  if (r.getInt(key) < 0) r.fail(key, "expected a count (0 or more), got " + describeJson(r.raw(key)));
}

void checkStrings(const JsonReader& r, std::initializer_list<const char*> keys) {
  for (const char* key : keys)
    if (r.has(key)) r.getString(key);
}

void checkStringMap(const JsonReader& r) {
  for (const auto& item : r.value().items()) r.getString(item.key());
}

}  // namespace

void checkCorpusManifest(const nlohmann::json& manifest, const std::string& file) {
  const JsonReader root(manifest, file);
  if (!root.value().is_object()) root.failHere("expected an object, got " + describeJson(manifest));
  const JsonReader pairs = root.child("pairs");
  for (const auto& item : pairs.value().items()) {
    const JsonReader pair = pairs.child(item.key());
    for (const char* key : {"candidates", "kept", "train", "valid", "test"}) checkCount(pair, key);
    const JsonReader bySource = pair.child("train_by_source");
    for (const auto& source : bySource.value().items()) checkCount(bySource, source.key());
  }
  const JsonReader sources = root.child("sources");
  if (sources.has("ddtp")) checkStrings(sources.child("ddtp").child("release"), {"origin", "codename", "version", "date", "local_dir"});
  if (sources.has("gettext")) {
    const JsonReader gettext = sources.child("gettext");
    checkStringMap(gettext.child("packages"));
    if (gettext.has("catalogs")) checkCount(gettext, "catalogs");
  }
  if (sources.has(HelpSource::kName)) {
    const JsonReader help = sources.child(HelpSource::kName);
    checkStrings(help, {"local_dir"});
    if (help.has("packages")) checkStringMap(help.child("packages"));
  }
}

}  // namespace automoe
