#pragma once
// The project files opened last, most recent first, kept in QSettings (key "recentProjects"):
// at most kMax, each once (by absolute, cleaned path); files that no longer exist are left out
// when the list is read.
#include <QStringList>

namespace automoe::widgets {

class RecentProjects {
 public:
  static constexpr int kMax = 8;

  static QStringList list();
  // Puts `path` first (moving it up when it is already listed).
  static void add(const QString& path);
  static void remove(const QString& path);
  static void clear();
};

}  // namespace automoe::widgets
