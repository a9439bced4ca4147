#pragma once
// Points QSettings (user scope, native and INI formats) of a test at a folder of its own, under
// an organisation and application name of the test's, so that it neither reads nor changes the
// settings of the user who runs it.
#include <QCoreApplication>
#include <QSettings>
#include <QString>

namespace automoe::test {

inline void isolateSettings(const QString& folder, const QString& application) {
  QCoreApplication::setOrganizationName(QStringLiteral("AutoMoETest"));
  QCoreApplication::setApplicationName(application);
  QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, folder);
  QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, folder);
}

}  // namespace automoe::test
