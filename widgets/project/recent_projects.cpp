#include "project/recent_projects.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>

namespace automoe::widgets {

namespace {

const QString kKey = QStringLiteral("recentProjects");

QString canonical(const QString& path) { return QDir::cleanPath(QFileInfo(path).absoluteFilePath()); }

QStringList stored() { return QSettings().value(kKey).toStringList(); }

void store(const QStringList& paths) { QSettings().setValue(kKey, paths); }

}  // namespace

QStringList RecentProjects::list() {
  QStringList out;
  for (const QString& p : stored())
    if (QFileInfo(p).isFile() && !out.contains(p)) out.append(p);
  return out;
}

void RecentProjects::add(const QString& path) {
  const QString p = canonical(path);
  QStringList paths = stored();
  paths.removeAll(p);
  paths.prepend(p);
  while (paths.size() > kMax) paths.removeLast();
  store(paths);
}

void RecentProjects::remove(const QString& path) {
  QStringList paths = stored();
  paths.removeAll(canonical(path));
  store(paths);
}

void RecentProjects::clear() { store({}); }

}  // namespace automoe::widgets
