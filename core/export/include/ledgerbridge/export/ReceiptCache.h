// Receipts arrive as URLs that expire 24 hours after Pleo issued them, so the host downloads
// each one once into a content-addressed cache in the state directory and hands plugins local
// files. A receipt already downloaded (before a crash, in an earlier run) is found again by its
// URL without touching the network, so a resumed job never depends on an expired URL.
//
// Layout:  <dir>/sha256/<aa>/<hash>      the bytes, named by their SHA-256
//          <dir>/by-url/<sha256(url)>     the content hash for that URL
// Files are written with sdk::writeFileAtomically (ledgerbridge/atomic_file.hpp: temp file with
// O_EXCL|O_NOFOLLOW, fsync, rename, fsync of the folder): a crash never leaves a partial receipt
// under a final name, and the temp files a killed process left are removed when a cache opens.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace ledgerbridge::exporter {

struct CachedReceipt {
    std::string path;         ///< absolute path of the cached bytes
    std::string contentHash;  ///< SHA-256 hex
    std::int64_t size = 0;
    bool downloaded = false;  ///< false when it came from the cache
};

class ReceiptCache {
public:
    /// Fetches a URL's bytes; throws (any std::exception) when it cannot.
    using Downloader = std::function<std::string(const std::string& url)>;

    /// `dir` is created (0700) when absent. `maxBytes` refuses larger receipts.
    ReceiptCache(std::string dir, Downloader downloader, std::int64_t maxBytes = 50 * 1024 * 1024);

    /// Returns the local file for `url`, downloading it when not cached. `expectedSize` (from
    /// Pleo's files[].size, 0 = unknown) is checked. Throws IoError (disk) or NetworkError /
    /// ProtocolError (download failed, wrong size, too large) with a message naming the URL's
    /// host and path (never its query, which may carry a signature).
    CachedReceipt fetch(const std::string& url, std::int64_t expectedSize = 0);

private:
    void removeStaleTempFiles();

    std::string dir_;
    Downloader downloader_;
    std::int64_t maxBytes_;
};

/// "https://host/path" of a URL, without query and fragment (for messages).
std::string urlForMessages(const std::string& url);

}  // namespace ledgerbridge::exporter
