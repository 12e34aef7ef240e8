// A plugin file's identity for crash counting: its SHA-256. Crashes and quarantine are counted
// per plugin and file hash, so a replaced .so starts clean while the same file keeps its count.
#pragma once

#include <string>

namespace ledgerbridge::loader {

/// The SHA-256 of the file's bytes, 64 lowercase hex digits. Throws PluginError naming the path
/// when it cannot be read.
std::string fileSha256(const std::string& path);

/// The first 12 hex digits, as `plugins list` and quarantine reasons show them.
std::string hashPrefix(const std::string& sha256);

}  // namespace ledgerbridge::loader
