#include "data/tokenizer_client.h"

#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "util/atomic_file.h"
#include "util/child_process.h"
#include "util/config_error.h"
#include "util/file_write_error.h"

namespace automoe {

namespace {

std::string runTokenizer(const std::vector<std::string>& cmd, const std::string& input) {
  ChildOptions o;
  o.input = input;
  ChildResult r;
  r = runChild(cmd, o);
  if (r.exitCode != 0) {
    std::string err = r.err;
    while (!err.empty() && err.back() == '\n') err.pop_back();
    const std::string prefix = "automoe-tokenizer: ";
    if (r.exitCode == 4 && err.rfind(prefix, 0) == 0)  // an output the file system refused
      throw FileWriteError(err.substr(prefix.size()));
    const std::string model = "--model=";
    if (r.exitCode == 5 && err.rfind(prefix, 0) == 0)  // SentencePiece could not load the model file
      for (const auto& a : cmd)
        if (a.rfind(model, 0) == 0) {
          const size_t why = err.find("': ");
          throw ConfigError(a.substr(model.size()) + ": not a usable tokenizer model (missing, damaged or truncated): " +
                            (why == std::string::npos ? err.substr(prefix.size()) : err.substr(why + 3)));
        }
    throw std::runtime_error(describeCommand(cmd) + " failed (exit " + std::to_string(r.exitCode) +
                             "): " + (err.size() > 2000 ? err.substr(err.size() - 2000) : err));
  }
  return std::move(r.out);
}

std::vector<std::string> splitLines(const std::string& text, size_t expected) {
  std::vector<std::string> lines = splitTextLines(text);
  if (lines.size() != expected)
    throw std::runtime_error("automoe-tokenizer returned " + std::to_string(lines.size()) +
                             " lines for " + std::to_string(expected));
  return lines;
}

}  // namespace

TokenizerClient::TokenizerClient(std::string modelPath, std::string executable)
    : m_model(std::move(modelPath)),
      m_executable(executable.empty() ? locate() : std::move(executable)) {}

std::string TokenizerClient::locate() {
  if (const char* env = std::getenv("AUTOMOE_TOKENIZER"); env && *env) return env;
  char buf[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n > 0) {
    std::string self(buf, static_cast<size_t>(n));
    const std::string sibling = self.substr(0, self.find_last_of('/') + 1) + "automoe-tokenizer";
    if (::access(sibling.c_str(), X_OK) == 0) return sibling;
  }
  return "automoe-tokenizer";
}

int64_t TokenizerClient::train(const TokenizerTrainOptions& o, std::string executable) {
  if (o.inputs.empty()) throw std::invalid_argument("tokenizer training needs input files");
  std::string inputs;
  for (const auto& f : o.inputs) {
    if (f.find(',') != std::string::npos)
      throw std::invalid_argument("tokenizer input path contains a comma: " + f);
    inputs += (inputs.empty() ? "" : ",") + f;
  }
  const std::vector<std::string> cmd{executable.empty() ? locate() : executable,
                                     "train",
                                     "--input=" + inputs,
                                     "--model-prefix=" + o.modelPrefix,
                                     "--vocab-size=" + std::to_string(o.vocabSize),
                                     "--model-type=" + o.modelType,
                                     "--seed=" + std::to_string(o.seed & 0xffffffffULL),
                                     "--threads=" + std::to_string(o.threads),
                                     "--sample=" + std::to_string(o.sampleSentences)};
  const auto j = nlohmann::json::parse(runTokenizer(cmd, {}));
  return j.at("vocab_size").get<int64_t>();
}

std::string TokenizerClient::run(const std::string& verb, const std::string& input) const {
  return runTokenizer({m_executable, verb, "--model=" + m_model}, input);
}

std::vector<std::vector<int32_t>> TokenizerClient::encode(
    const std::vector<std::string>& lines) const {
  std::string input;
  for (const auto& l : lines) {
    if (l.find('\n') != std::string::npos)
      throw std::invalid_argument("tokenizer input line contains a newline");
    input += l;
    input += '\n';
  }
  const auto outLines = splitLines(run("encode", input), lines.size());
  std::vector<std::vector<int32_t>> ids(lines.size());
  for (size_t i = 0; i < outLines.size(); ++i) {
    const char* p = outLines[i].c_str();
    char* end = nullptr;
    for (long v = std::strtol(p, &end, 10); end != p; v = std::strtol(p, &end, 10)) {
      ids[i].push_back(static_cast<int32_t>(v));
      p = end;
    }
  }
  return ids;
}

std::vector<std::string> TokenizerClient::decode(
    const std::vector<std::vector<int32_t>>& ids) const {
  std::string input;
  for (const auto& line : ids) {
    for (size_t i = 0; i < line.size(); ++i) {
      if (i) input += ' ';
      input += std::to_string(line[i]);
    }
    input += '\n';
  }
  return splitLines(run("decode", input), ids.size());
}

nlohmann::json TokenizerClient::info() const { return nlohmann::json::parse(run("info", {})); }

int64_t TokenizerClient::vocabSize() const { return info().at("vocab_size").get<int64_t>(); }

}  // namespace automoe
