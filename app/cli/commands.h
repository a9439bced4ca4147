#pragma once
// The CLI's subcommands. Each takes the arguments after its name, prints its result to stdout and
// returns an exit code; errors are thrown (UsageError, ConfigError) and mapped by runCli.
#include <string>
#include <vector>

namespace automoe::cli {

using Args = std::vector<std::string>;

struct Command {
  const char* group;    // "space", "arch", ...
  const char* name;     // "sample", ...
  const char* usage;    // arguments after "automoe group name"
  const char* summary;  // one line for --help
  int (*run)(const Args& args);
};

const std::vector<Command>& allCommands();

int spaceSample(const Args& args);
int spaceDescribe(const Args& args);
int archStats(const Args& args);
int archValidate(const Args& args);
int train(const Args& args);
int retrain(const Args& args);
int runPipeline(const Args& args);
int blasInfo(const Args& args);
int blasCheck(const Args& args);
int dataBuild(const Args& args);
int dataPrepare(const Args& args);
int dataAll(const Args& args);
int dataStats(const Args& args);
int dataEncode(const Args& args);
int dataDecode(const Args& args);
int latencyMeasure(const Args& args);
int latencyDataset(const Args& args);
int latencyTrain(const Args& args);
int latencyPredict(const Args& args);
int exportModel(const Args& args);
int translate(const Args& args);
int evaluate(const Args& args);
int search(const Args& args);

}  // namespace automoe::cli
