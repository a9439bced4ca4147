#pragma once
// Runs the `automoe` CLI (AUTOMOE_CLI, set by tests/CMakeLists.txt for app tests) as a child
// process and collects its exit code and output.
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace automoe::test {

struct CliRun {
  int code = -1;
  QString out, err;
};

// `input` is written to the child's stdin (then closed). A child still running after `timeoutMs`
// is killed and reported with code -1 and err "timeout".
// `environment`: the child's whole environment (default: this process's); `workingDirectory`: where
// it runs (default: here).
inline CliRun runCli(const QStringList& args, const QByteArray& input = {}, int timeoutMs = 300000,
                     const QProcessEnvironment& environment = QProcessEnvironment::systemEnvironment(),
                     const QString& workingDirectory = {}) {
  QProcess p;
  p.setProcessEnvironment(environment);
  if (!workingDirectory.isEmpty()) p.setWorkingDirectory(workingDirectory);
  p.start(AUTOMOE_CLI, args);
  p.write(input);
  p.closeWriteChannel();
  if (!p.waitForFinished(timeoutMs)) {
    p.kill();
    p.waitForFinished();
    return {-1, {}, "timeout"};
  }
  return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

}  // namespace automoe::test
